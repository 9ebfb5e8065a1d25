package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

const (
	bobEmail = "bob@example.com"
	bobPass  = "bob's battery staple"
)

// Access levels of a share.
const (
	shareReadOnly  = 0
	shareReadWrite = 1
	shareFull      = 2
)

func mpiOf(x *big.Int) []byte {
	b := x.Bytes()
	out := make([]byte, 2, 2+len(b))
	binary.BigEndian.PutUint16(out, uint16(len(b)*8))
	return append(out, b...)
}

// rsaEncryptKey encrypts key to a MEGA public key (`pubk`: MPIs n, e) as
// the official SDK does: key ‖ random filler to two bytes short of the
// modulus, raw RSA, written as an MPI.
func rsaEncryptKey(t testing.TB, pubk string, key []byte) string {
	t.Helper()
	raw, err := b64decode(pubk)
	if err != nil {
		t.Fatal(err)
	}
	n, rest, err := readMPI(raw)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := readMPI(rest)
	if err != nil {
		t.Fatal(err)
	}
	m := make([]byte, (n.BitLen()+7)/8-2)
	rand.Read(m)
	copy(m, key)
	return b64encode(mpiOf(new(big.Int).Exp(new(big.Int).SetBytes(m), e, n)))
}

// shareFolder shares the owner's folder h with recipient at access level
// r as an official client does: `uk` for the recipient's public key, then
// `s2` with the share key under the owner's master key (ok), the handle
// authentication (ha), the share key RSA-encrypted to the recipient, and
// every node key of the folder's subtree under the share key (cr).
func shareFolder(t testing.TB, s *megasim.Server, owner *Client, h, recipient string, r int) {
	t.Helper()
	sess := owner.Session()
	var uk []struct {
		U    string `json:"u"`
		Pubk string `json:"pubk"`
	}
	if out := rawCommand(t, s, sess.SessionID, map[string]any{"a": "uk", "u": recipient}); json.Unmarshal(out, &uk) != nil || len(uk) != 1 {
		t.Fatalf("uk %s: %s", recipient, out)
	}
	key := make([]byte, 16)
	rand.Read(key)
	ok, _ := ecbEncrypt(sess.MasterKey, key)
	ha, _ := ecbEncrypt(sess.MasterKey, []byte(h+h))
	var items []string
	var links []any
	var walk func(h string)
	walk = func(h string) {
		inf, found := owner.tree.info(h)
		if !found || inf.key == nil {
			t.Fatalf("node %s: no key", h)
		}
		enc, _ := ecbEncrypt(key, inf.key)
		links = append(links, 0, len(items), b64encode(enc))
		items = append(items, h)
		if inf.kind == typeFile {
			return
		}
		es, err := owner.List(context.Background(), "H:"+h)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			walk(e.ID)
		}
	}
	walk(h)
	out := rawCommand(t, s, sess.SessionID, map[string]any{
		"a": "s2", "n": h, "ok": b64encode(ok), "ha": b64encode(ha),
		"s":  []any{map[string]any{"u": recipient, "r": r, "k": rsaEncryptKey(t, uk[0].Pubk, key)}},
		"cr": []any{[]string{h}, items, links},
	})
	if !strings.HasPrefix(string(out), `[{"r":[0]`) {
		t.Fatalf("s2: %s", out)
	}
}

func TestIncomingShare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t,
		megasim.Account{Email: testEmail, Password: testPass, Version: 2},
		megasim.Account{Email: bobEmail, Password: bobPass, Version: 1})
	alice := connect(t, s, nil)
	bobStore := &memStore{}
	bob := connect(t, s, func(o *Options) { o.Email, o.Password, o.Store = bobEmail, bobPass, bobStore })
	sub := bob.Subscribe()
	defer sub.Close()

	// Alice's /Team: two files with known mtimes and a sub-folder.
	team, err := alice.MkdirAll(ctx, "/Team/docs")
	if err != nil {
		t.Fatal(err)
	}
	teamDir, err := alice.Stat(ctx, "/Team")
	if err != nil {
		t.Fatal(err)
	}
	small := []byte("meeting notes\n")
	big := randomBytes(700<<10+3, 7) // several MAC chunks
	mtSmall := time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC)
	mtBig := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := alice.Upload(ctx, team.ID, "notes.txt", bytes.NewReader(small), int64(len(small)), mtSmall, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Upload(ctx, teamDir.ID, "video.bin", bytes.NewReader(big), int64(len(big)), mtBig, nil); err != nil {
		t.Fatal(err)
	}
	if es, _ := bob.List(ctx, "//shares"); len(es) != 0 {
		t.Fatalf("bob's shares before sharing: %v", names(es))
	}

	// Alice shares /Team read-only; bob, already connected, sees it live.
	shareFolder(t, s, alice, teamDir.ID, bobEmail, shareReadOnly)
	waitFor(t, func() bool { es, _ := bob.List(ctx, "//shares"); return len(es) == 1 })
	roots, err := bob.List(ctx, "//shares")
	if err != nil {
		t.Fatal(err)
	}
	if roots[0].Name != "Team" || roots[0].Kind != model.KindDir || roots[0].ID != teamDir.ID {
		t.Fatalf("bob's share root: got %+v, want the folder Team (%s)", roots[0], teamDir.ID)
	}
	if p, err := bob.Path(teamDir.ID); err != nil || p != "//shares/Team" {
		t.Errorf("path of the share root: got %q %v, want //shares/Team", p, err)
	}

	check := func(c *Client, who, want string) {
		t.Helper()
		es, err := c.List(ctx, "//shares/Team")
		if err != nil {
			t.Fatalf("%s: list share: %v", who, err)
		}
		if got := strings.Join(names(es), ","); got != want {
			t.Fatalf("%s: share listing: got %s, want %s", who, got, want)
		}
		v := es[len(es)-1]
		if v.Size != int64(len(big)) || !v.ModTime.Equal(mtBig) || !v.ModTimeKnown {
			t.Errorf("%s: video.bin: got size %d mtime %v known %v, want %d %v", who, v.Size, v.ModTime, v.ModTimeKnown, len(big), mtBig)
		}
		n, err := c.Stat(ctx, "//shares/Team/docs/notes.txt")
		if err != nil {
			t.Fatalf("%s: stat nested: %v", who, err)
		}
		if !n.ModTime.Equal(mtSmall) || n.Size != int64(len(small)) {
			t.Errorf("%s: notes.txt: got mtime %v size %d, want %v %d", who, n.ModTime, n.Size, mtSmall, len(small))
		}
		for path, want := range map[string][]byte{"//shares/Team/video.bin": big, "//shares/Team/docs/notes.txt": small} {
			var out memFile
			if err := c.Download(ctx, path, &out, nil); err != nil {
				t.Fatalf("%s: download %s: %v", who, path, err)
			}
			if !bytes.Equal(out.buf, want) {
				t.Errorf("%s: download %s: content differs (%d bytes back, want %d)", who, path, len(out.buf), len(want))
			}
		}
	}
	check(bob, "bob (live)", "docs,video.bin")

	// A file alice uploads afterwards appears for bob within 2 s, named,
	// and bob's subscriber hears about the folder.
	start := time.Now()
	late := time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC)
	if _, err := alice.Upload(ctx, teamDir.ID, "late.txt", strings.NewReader("late"), 4, late, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := bob.Stat(ctx, "//shares/Team/late.txt"); return err == nil })
	t.Logf("upload into the share seen by the recipient after %v", time.Since(start))
	if e, _ := bob.Stat(ctx, "//shares/Team/late.txt"); !e.ModTime.Equal(late) {
		t.Errorf("late.txt: got mtime %v, want %v", e.ModTime, late)
	}
	expectChange(t, sub, teamDir.ID)
	var out memFile
	if err := bob.Download(ctx, "//shares/Team/late.txt", &out, nil); err != nil || string(out.buf) != "late" {
		t.Errorf("download late.txt: got %q %v, want \"late\"", out.buf, err)
	}

	// A read-only share refuses every write with model.ErrAccess.
	writes := map[string]func() error{
		"mkdir": func() error { _, err := bob.Mkdir(ctx, "//shares/Team", "mine"); return err },
		"upload": func() error {
			_, err := bob.Upload(ctx, "//shares/Team", "mine.txt", strings.NewReader("x"), 1, time.Now(), nil)
			return err
		},
		"rename":   func() error { return bob.Rename(ctx, "//shares/Team/video.bin", "other.bin") },
		"delete":   func() error { return bob.Delete(ctx, "//shares/Team/video.bin", true) },
		"trash":    func() error { return bob.Delete(ctx, "//shares/Team/video.bin", false) },
		"move out": func() error { return bob.Move(ctx, "//shares/Team/video.bin", "/") },
	}
	for name, op := range writes {
		err := op()
		if !errors.Is(err, model.ErrAccess) {
			t.Errorf("%s in a read-only share: got %v, want model.ErrAccess", name, err)
		}
		t.Logf("%s in a read-only share: %v", name, err)
	}
	if es, _ := alice.List(ctx, "/Team"); strings.Join(names(es), ",") != "docs,late.txt,video.bin" {
		t.Errorf("alice's /Team after bob's refused writes: %v", names(es))
	}

	// A later run resumes bob's saved session (no `us`, so the RSA
	// private key comes from `ug`) and reads the share from `f`.
	bob2 := connect(t, s, func(o *Options) { o.Email, o.Password, o.Store = bobEmail, "", bobStore })
	if bob2.PasswordLoginDone() {
		t.Fatal("bob's second client logged in with the password")
	}
	check(bob2, "bob (resumed)", "docs,late.txt,video.bin")
	if e, err := bob2.Stat(ctx, "//shares/Team/late.txt"); err != nil || !e.ModTime.Equal(late) {
		t.Errorf("resumed: late.txt: got %+v %v, want mtime %v", e, err, late)
	}

	// A fresh owner client learns the share key from `f` (its `ok` array)
	// and keys its uploads for the share too.
	alice2 := connect(t, s, nil)
	if _, err := alice2.Upload(ctx, "/Team/docs", "from-new-client.txt", strings.NewReader("new"), 3, late, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := bob2.Stat(ctx, "//shares/Team/docs/from-new-client.txt"); return err == nil })

	// Alice takes the share back: it leaves bob's listing live.
	if out := rawCommand(t, s, alice.Session().SessionID, map[string]any{"a": "s2", "n": teamDir.ID, "s": []any{map[string]any{"u": bobEmail}}}); !strings.HasPrefix(string(out), `[{"r":[0]`) {
		t.Fatalf("remove share: %s", out)
	}
	waitFor(t, func() bool { es, _ := bob.List(ctx, "//shares"); return len(es) == 0 })
	if _, err := bob.Stat(ctx, "//shares/Team/video.bin"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("stat in a removed share: got %v, want model.ErrNotFound", err)
	}
}

// TestShareKeyDecryption checks the RSA share-key path against fixed
// inputs: a key with a leading zero byte survives the round trip.
func TestShareKeyDecryption(t *testing.T) {
	t.Parallel()
	s := startSim(t, megasim.Account{Email: bobEmail, Password: bobPass, Version: 1})
	bob := connect(t, s, func(o *Options) { o.Email, o.Password = bobEmail, bobPass })
	var ug []struct {
		Pubk  string `json:"pubk"`
		Privk string `json:"privk"`
	}
	if out := rawCommand(t, s, bob.Session().SessionID, map[string]any{"a": "ug"}); json.Unmarshal(out, &ug) != nil || len(ug) != 1 {
		t.Fatalf("ug: %s", out)
	}
	priv, err := parsePrivk(bob.Session().MasterKey, ug[0].Privk)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range [][]byte{
		bytes.Repeat([]byte{0xab}, 16),
		append([]byte{0, 0}, bytes.Repeat([]byte{1}, 14)...),
	} {
		enc, _ := b64decode(rsaEncryptKey(t, ug[0].Pubk, key))
		got, err := priv.decryptKey(enc, 16)
		if err != nil || !bytes.Equal(got, key) {
			t.Errorf("decrypt: got %x %v, want %x", got, err, key)
		}
	}
	if _, err := priv.decryptKey([]byte{0, 8, 1, 2}, 16); err == nil {
		t.Error("decrypt of a malformed key: got no error")
	}
}

// TestReadWriteShareUpload: a recipient with write access uploads into
// the share and creates a folder; the owner lists and downloads them (the
// node keys travel under the share key, in the `cr` megaclient adds).
func TestReadWriteShareUpload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t,
		megasim.Account{Email: testEmail, Password: testPass, Version: 1},
		megasim.Account{Email: bobEmail, Password: bobPass, Version: 1})
	alice := connect(t, s, nil)
	drop, err := alice.MkdirAll(ctx, "/Dropbox")
	if err != nil {
		t.Fatal(err)
	}
	shareFolder(t, s, alice, drop.ID, bobEmail, shareReadWrite)
	bob := connect(t, s, func(o *Options) { o.Email, o.Password = bobEmail, bobPass })

	data := randomBytes(300<<10, 3)
	mtime := time.Date(2018, 8, 8, 8, 8, 8, 0, time.UTC)
	if _, err := bob.Upload(ctx, "//shares/Dropbox", "from-bob.bin", bytes.NewReader(data), int64(len(data)), mtime, nil); err != nil {
		t.Fatalf("upload into a read-write share: %v", err)
	}
	if _, err := bob.Mkdir(ctx, "//shares/Dropbox", "bob's folder"); err != nil {
		t.Fatalf("mkdir in a read-write share: %v", err)
	}
	if es, err := bob.List(ctx, "//shares/Dropbox"); err != nil || strings.Join(names(es), ",") != "bob's folder,from-bob.bin" {
		t.Fatalf("bob's listing: %v %v", names(es), err)
	}
	waitFor(t, func() bool { es, _ := alice.List(ctx, "/Dropbox"); return len(es) == 2 })
	es, _ := alice.List(ctx, "/Dropbox")
	if got := strings.Join(names(es), ","); got != "bob's folder,from-bob.bin" {
		t.Fatalf("alice's listing: got %s", got)
	}
	if f := es[1]; !f.ModTime.Equal(mtime) || f.Size != int64(len(data)) {
		t.Errorf("alice sees from-bob.bin as %+v, want mtime %v size %d", f, mtime, len(data))
	}
	var out memFile
	if err := alice.Download(ctx, "/Dropbox/from-bob.bin", &out, nil); err != nil || !bytes.Equal(out.buf, data) {
		t.Errorf("alice's download of bob's upload: %v (%d bytes, want %d identical)", err, len(out.buf), len(data))
	}
}

// TestFullAccessShare: with full access a recipient renames (keeping the
// modification time) and deletes inside the share; the owner sees both.
func TestFullAccessShare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t,
		megasim.Account{Email: testEmail, Password: testPass, Version: 1},
		megasim.Account{Email: bobEmail, Password: bobPass, Version: 1})
	alice := connect(t, s, nil)
	proj, err := alice.MkdirAll(ctx, "/Project")
	if err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2017, 7, 7, 7, 7, 7, 0, time.UTC)
	for _, name := range []string{"draft.txt", "old.txt"} {
		if _, err := alice.Upload(ctx, proj.ID, name, strings.NewReader(name), int64(len(name)), mtime, nil); err != nil {
			t.Fatal(err)
		}
	}
	shareFolder(t, s, alice, proj.ID, bobEmail, shareFull)
	bob := connect(t, s, func(o *Options) { o.Email, o.Password = bobEmail, bobPass })

	if err := bob.Rename(ctx, "//shares/Project/draft.txt", "final.txt"); err != nil {
		t.Fatalf("rename with full access: %v", err)
	}
	if err := bob.Delete(ctx, "//shares/Project/old.txt", true); err != nil {
		t.Fatalf("delete with full access: %v", err)
	}
	waitFor(t, func() bool { es, _ := alice.List(ctx, "/Project"); return strings.Join(names(es), ",") == "final.txt" })
	e, err := alice.Stat(ctx, "/Project/final.txt")
	if err != nil || !e.ModTime.Equal(mtime) || !e.ModTimeKnown {
		t.Errorf("alice's final.txt: got %+v %v, want mtime %v kept", e, err, mtime)
	}
	if es, _ := bob.List(ctx, "//shares/Project"); strings.Join(names(es), ",") != "final.txt" {
		t.Errorf("bob's listing: %v", names(es))
	}
	if err := bob.Delete(ctx, "//shares/Project", true); !errors.Is(err, model.ErrAccess) {
		t.Errorf("deleting the share root: got %v, want model.ErrAccess", err)
	}
}
