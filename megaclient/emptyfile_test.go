package megaclient

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// sdkMetaMAC is the official SDK's file MAC, written from its definition
// (chunkmac_map::macsmac) for this test only: chunks end at 128 KiB × i
// for i = 1..8, then every 1 MiB; a chunk's MAC is the CBC-MAC under the
// file key with IV nonce ‖ nonce over the chunk zero-padded to 16 bytes;
// the file MAC starts as 16 zero bytes and, for each chunk in order,
// becomes AES(mac XOR chunk MAC); the result is condensed to the 8 bytes
// (w0^w1, w2^w3). No chunk (an empty file) leaves it all zeros.
func sdkMetaMAC(t *testing.T, key, nonce, plain []byte) []byte {
	t.Helper()
	blk, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	mac := make([]byte, 16)
	for start, i := 0, 1; start < len(plain); i++ {
		size := 1 << 20
		if i <= 8 {
			size = i * 128 << 10
		}
		end := min(start+size, len(plain))
		chunk := append([]byte(nil), plain[start:end]...)
		for len(chunk)%16 != 0 {
			chunk = append(chunk, 0)
		}
		iv := append(append([]byte(nil), nonce...), nonce...)
		cm := make([]byte, 16)
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(chunk, chunk)
		copy(cm, chunk[len(chunk)-16:])
		for j := range mac {
			mac[j] ^= cm[j]
		}
		blk.Encrypt(mac, mac)
		start = end
	}
	out := make([]byte, 8)
	for j := range 4 {
		out[j] = mac[j] ^ mac[4+j]
		out[4+j] = mac[8+j] ^ mac[12+j]
	}
	return out
}

// storedFileKey reads a file node's key as the server stores it and
// decrypts it with the master key (independently of megaclient's tree).
func storedFileKey(t *testing.T, rawF []byte, h string, master []byte) []byte {
	t.Helper()
	var r []struct {
		F []struct {
			H, K string
		} `json:"f"`
	}
	if err := json.Unmarshal(rawF, &r); err != nil || len(r) != 1 {
		t.Fatalf("f reply: %v", err)
	}
	for _, n := range r[0].F {
		if n.H != h {
			continue
		}
		_, enc, _ := strings.Cut(n.K, ":")
		raw, err := base64.RawURLEncoding.DecodeString(enc)
		if err != nil || len(raw) != 32 {
			t.Fatalf("node %s: key %q", h, n.K)
		}
		blk, _ := aes.NewCipher(master)
		key := make([]byte, 32)
		blk.Decrypt(key[:16], raw[:16])
		blk.Decrypt(key[16:], raw[16:])
		return key
	}
	t.Fatalf("node %s not in f", h)
	return nil
}

func TestUploadedMACIsTheSDKs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	for _, size := range []int{0, 1, 300000} {
		plain := randomBytes(size, uint64(size)+1)
		e, err := c.Upload(ctx, "/", "f"+string(rune('a'+size%26)), bytes.NewReader(plain), int64(size), time.Unix(1700000000, 0), nil)
		if err != nil {
			t.Fatalf("upload %d bytes: %v", size, err)
		}
		key := storedFileKey(t, rawCommand(t, s, c.Session().SessionID, map[string]any{"a": "f", "c": 1}), e.ID, c.Session().MasterKey)
		aesKey := make([]byte, 16)
		for i := range aesKey {
			aesKey[i] = key[i] ^ key[16+i]
		}
		want := sdkMetaMAC(t, aesKey, key[16:24], plain)
		if !bytes.Equal(key[24:], want) {
			t.Errorf("%d-byte file: stored meta-MAC %x, want the SDK's %x", size, key[24:], want)
		}
		if size == 0 && !bytes.Equal(want, make([]byte, 8)) {
			t.Fatalf("the SDK's MAC of an empty file is %x, want zeros", want)
		}
		var got memFile
		if err := c.Download(ctx, e.ID, &got, nil); err != nil || !bytes.Equal(got.buf, plain) {
			t.Errorf("%d-byte file: download: %v (%d bytes)", size, err, len(got.buf))
		}
		if e.Size != int64(size) || !e.ModTimeKnown {
			t.Errorf("%d-byte file: entry %+v", size, e)
		}
	}
}

func TestEmptyFileWithWrongMACRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	// Unmodified go-mega folds a placeholder chunk into an empty file's
	// MAC: the value the official clients reject.
	m := mega.New().SetClient(s.HTTPClient())
	m.SetAPIUrl(s.URL())
	m.SetLogger(nil)
	if err := m.Login(testEmail, testPass); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	bad, err := m.UploadFile(empty, m.FS.GetRoot(), "bad-mac", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, s, nil)
	err = c.Download(ctx, bad.GetHash(), &memFile{}, nil)
	if !errors.Is(err, model.ErrIntegrity) {
		t.Fatalf("download of an empty file with a wrong MAC: got %v, want ErrIntegrity", err)
	}
	// megaclient's own empty file is fine, for go-mega too.
	e, err := c.Upload(ctx, "/", "good", bytes.NewReader(nil), 0, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Download(ctx, e.ID, &memFile{}, nil); err != nil {
		t.Fatalf("download of megaclient's empty file: %v", err)
	}
	m2 := mega.New().SetClient(s.HTTPClient())
	m2.SetAPIUrl(s.URL())
	m2.SetLogger(nil)
	if err := m2.Login(testEmail, testPass); err != nil {
		t.Fatal(err)
	}
	n := m2.FS.HashLookup(e.ID)
	if n == nil || n.GetName() != "good" || n.GetSize() != 0 {
		t.Fatalf("go-mega sees %+v", n)
	}
}
