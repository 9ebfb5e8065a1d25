package megasim

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

func TestSeedTree(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	if _, err := srv.SeedTree(testEmail, SeedOptions{Password: "wrong", Nodes: 10}); err == nil {
		t.Fatal("seeding with a wrong password must fail")
	}
	res, err := srv.SeedTree(testEmail, SeedOptions{Password: testPassword, Nodes: 1000, FanOut: 20, SubFolders: 4, FileSize: 300000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "nodes", res.Folders+res.Files, 1000)
	m := login(t, srv, testEmail, testPassword)
	dir1 := childByName(t, m, m.FS.GetRoot(), "seed-dir-1")
	kids, err := m.FS.GetChildren(dir1)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "children of a full folder", len(kids), 20)
	var file *mega.Node
	for _, k := range kids {
		if k.GetType() == mega.FILE {
			file = k
		}
	}
	if file == nil {
		t.Fatal("no file in seed-dir-1")
	}
	// go-mega verifies the MAC: a clean download proves key, nonce,
	// counter and MAC are right.
	got, err := downloadBytes(t, m, file)
	if err != nil {
		t.Fatalf("download seeded file: %v", err)
	}
	mustEqual(t, "size", len(got), 300000)

	// The fingerprint attribute carries the mtime.
	nodes := fetchNodes(t, srv, m.GetSessionID())
	mustEqual(t, "fetched", len(nodes), 1003)
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Unix()
	want := fingerprint(got, mtime)
	found := false
	for _, n := range nodes {
		if n["h"] != file.GetHash() {
			continue
		}
		found = true
		attr := decryptNodeAttr(t, m.GetMasterKey(), n["k"].(string), n["a"].(string))
		var a struct{ N, C string }
		if err := json.Unmarshal(attr, &a); err != nil {
			t.Fatalf("attr %s: %v", attr, err)
		}
		mustEqual(t, "name", a.N, file.GetName())
		mustEqual(t, "fingerprint", a.C, want)
	}
	if !found {
		t.Fatal("seeded file not in f")
	}
}

// decryptNodeAttr decrypts a file node's attribute as a client would.
func decryptNodeAttr(t *testing.T, master []byte, k, a string) []byte {
	t.Helper()
	_, keyPart, _ := bytes.Cut([]byte(k), []byte(":"))
	enc, err := unb64(string(keyPart))
	if err != nil {
		t.Fatal(err)
	}
	full, err := ecbDecrypt(master, enc)
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 16)
	for i := range key {
		key[i] = full[i] ^ full[i+16]
	}
	attr, err := attrDecrypt(key, a)
	if err != nil {
		t.Fatal(err)
	}
	return attr
}

// TestFileMACMatchesCBC cross-checks fileMAC's hand-rolled CBC-MAC with
// crypto/cipher's CBC encrypter over several chunk layouts.
func TestFileMACMatchesCBC(t *testing.T) {
	t.Parallel()
	key, nonce := bytes.Repeat([]byte{7}, 16), []byte{1, 2, 3, 4, 5, 6, 7, 8}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 16, 17, 131072, 131073, 1200000, 5 << 20} {
		content := bytes.Repeat([]byte{byte(size)}, size)
		iv := append(append([]byte{}, nonce...), nonce...)
		macData := make([]byte, 16)
		for _, c := range chunkBounds(int64(size)) {
			piece := append([]byte{}, content[c[0]:c[1]]...)
			if r := len(piece) % 16; r != 0 {
				piece = append(piece, make([]byte, 16-r)...)
			}
			out := make([]byte, len(piece))
			cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, piece)
			last := out[len(out)-16:]
			for j := range 16 {
				macData[j] ^= last[j]
			}
			block.Encrypt(macData, macData)
		}
		got := fileMAC(block, nonce, content)
		for j := range 4 {
			if got[j] != macData[j]^macData[4+j] || got[4+j] != macData[8+j]^macData[12+j] {
				t.Fatalf("size %d: mac mismatch", size)
			}
		}
	}
	mustEqual(t, "chunks of 5 MiB", len(chunkBounds(5<<20)), 8+1)
	mustEqual(t, "fingerprint of 5 bytes", fingerprint([]byte("hello"), 0), b64(append([]byte("hello"), make([]byte, 12)...)))
}
