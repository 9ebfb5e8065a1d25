package megaclient

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/megaclient/megasim"
)

// scanCount is the reference: every node under ref listed and grouped
// from scratch, as the dedupe command does.
func scanCount(t *testing.T, c *Client, ref string) int {
	t.Helper()
	sc, err := dedupe.Scan(context.Background(), c, ref)
	if err != nil {
		t.Fatal(err)
	}
	return len(dedupe.Detect(sc.Entries, false, nil))
}

func TestDuplicateCountFollowsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	a := connect(t, s, nil) // makes the changes
	b := connect(t, s, nil) // counts, seeing a's changes as action packets
	upload := func(parent, name, body string) string {
		t.Helper()
		e, err := a.Upload(ctx, parent, name, strings.NewReader(body), int64(len(body)), time.Unix(1700000000, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	for _, p := range []string{"/x", "/y", "/x/deep"} {
		if _, err := a.MkdirAll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	first := upload("/x", "f.txt", "one")
	upload("/x", "f.txt", "two") // same name: a group
	photo := upload("/x", "Photo.jpg", "p")
	upload("/x", "photo.jpg", "q") // a name collision on a case-insensitive disk
	upload("/x/deep", "café", "nfc")
	upload("/x/deep", "cafe\u0301", "nfd") // the same name spelt NFD: a collision
	y, err := a.Stat(ctx, "/y")
	if err != nil {
		t.Fatal(err)
	}
	seedFolders(t, s, a.Session(), y.ID, []string{"d", "d", "e"}, nil) // a folder group
	upload("/", "top.txt", "t")

	count := func() int {
		t.Helper()
		n, err := b.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitFor(t, func() bool { _, err := b.Stat(ctx, "/top.txt"); return err == nil })
	if got, want := count(), scanCount(t, b, "/"); got != want || got != 4 {
		t.Fatalf("first count: got %d, want %d (a full scan finds %d)", got, 4, want)
	}
	index := b.tree.dup
	if n, err := b.CountDuplicateGroups(ctx, "/x", dedupe.FoldDisk); err != nil || n != 3 {
		t.Errorf("count below /x: got %d, %v; want 3", n, err)
	}

	steps := []struct {
		name   string
		change func()
		want   int
	}{
		{"rename one copy away", func() {
			if err := a.Rename(ctx, first, "g.txt"); err != nil {
				t.Fatal(err)
			}
		}, 3},
		{"a folder group goes to the Rubbish Bin", func() {
			if err := a.Trash(ctx, "/y"); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"a new copy makes a group", func() { upload("/x", "g.txt", "three") }, 3},
		{"a collision member is deleted", func() {
			if err := a.Delete(ctx, photo, true); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"a folder holding a group moves out of the Cloud Drive", func() {
			if err := a.Trash(ctx, "/x/deep"); err != nil {
				t.Fatal(err)
			}
		}, 1},
	}
	for _, st := range steps {
		st.change()
		deadline := time.Now().Add(5 * time.Second)
		for count() != st.want && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if got, scan := count(), scanCount(t, b, "/"); got != st.want || scan != st.want {
			t.Errorf("%s: got %d, want %d (a full scan finds %d)", st.name, got, st.want, scan)
		}
	}
	if b.tree.dup != index || !index.built {
		t.Errorf("the index was rebuilt; want it kept up to date change by change")
	}
	_, _, trash := b.Roots()
	if n, err := b.CountDuplicateGroups(ctx, "H:"+trash, dedupe.FoldDisk); err != nil || n != 2 {
		t.Errorf("count in the Rubbish Bin: got %d, %v; want 2 (the folder group and the NFC/NFD collision)", n, err)
	}
}

func TestDuplicateCountChecksCandidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 500, FanOut: 50, SubFolders: 5, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 30, FanOut: 30, SubFolders: 2, NamePrefix: "copy", Seed: 4}); err != nil {
			t.Fatal(err)
		}
	}
	c := connect(t, s, nil)
	n, err := c.CountDuplicateGroups(ctx, "/", nil)
	if err != nil || n != 30 || n != scanCount(t, c, "/") {
		t.Fatalf("count: got %d, %v; want 30, as a full scan finds %d", n, err, scanCount(t, c, "/"))
	}
	// A candidate that is not a real group (as a hash collision would
	// make) is checked against the folder's names and not counted.
	es, err := c.List(ctx, "/seed-dir-1")
	if err != nil || len(es) == 0 {
		t.Fatalf("list: %v", err)
	}
	c.tree.mu.Lock()
	c.tree.dup.parents[es[0].ParentID]++
	c.tree.mu.Unlock()
	if n, err := c.CountDuplicateGroups(ctx, "/", nil); err != nil || n != 30 {
		t.Errorf("count with a false candidate: got %d, %v; want 30", n, err)
	}
	// Another fold rebuilds the index with its own keys.
	upper := func(s string) string { return strings.ToUpper(s) }
	if n, err := c.CountDuplicateGroups(ctx, "/", upper); err != nil || n != 30 {
		t.Errorf("count with another fold: got %d, %v; want 30", n, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.CountDuplicateGroups(cancelled, "/", nil); err == nil {
		t.Error("count with a cancelled context: got no error")
	}
	if _, err := c.CountDuplicateGroups(ctx, "/nope", nil); err == nil {
		t.Error("count in a missing folder: got no error")
	}
}

func TestDecryptNameAgreesWithDecryptAttrs(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789ABCDEF")
	seal := func(js string) string {
		plain := append([]byte("MEGA"), js...)
		if pad := len(plain) % aes.BlockSize; pad != 0 {
			plain = append(plain, make([]byte, aes.BlockSize-pad)...)
		}
		blk, _ := aes.NewCipher(attrKey(key))
		cipher.NewCBCEncrypter(blk, make([]byte, aes.BlockSize)).CryptBlocks(plain, plain)
		return b64encode(plain)
	}
	for _, js := range []string{
		`{"n":"plain.txt","c":"AAAA"}`,
		`{"c":"AAAA","n":"last"}`,
		`{"N":"upper key"}`,
		`{"n":"lower","N":"upper"}`,
		`{"\u006e":"escaped key"}`,
		`{"n":"tab\tand \"quotes\" and \u00e9"}`,
		"{\"n\":\"invalid \xff\xfe utf-8\"}",
		`{"n":"a","n":"b"}`,
		`{"c":"no name"}`,
		`{"n":null}`,
		`{"n":42}`,
		`{"n":"x"} trailing`,
		`["n","x"]`,
		`{"n":"nested","x":{"n":"inner"}}`,
	} {
		enc := seal(js)
		a, aerr := decryptAttrs(key, enc)
		name, nerr := decryptName(key, enc)
		if (aerr == nil) != (nerr == nil) || aerr == nil && name != a.Name {
			t.Errorf("%s: decryptName gives %q, %v; decryptAttrs %q, %v", js, name, nerr, a.Name, aerr)
		}
	}
	if _, err := decryptName(key, "not base64!"); err == nil {
		t.Error("bad base64: got no error")
	}
}

// TestDuplicateCountWhileChanging: changes that land while the index is
// being built (between its chunks) leave it exact.
func TestDuplicateCountWhileChanging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 3 * dupChunk, FanOut: 100, SubFolders: 10, Seed: 8}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 40, FanOut: 40, SubFolders: 1, NamePrefix: "copy", Seed: 9}); err != nil {
			t.Fatal(err)
		}
	}
	c := connect(t, s, nil)
	es, err := c.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
		done <- err
	}()
	// Rename copies away and delete others while the index is built.
	changed := 0
	for _, e := range es {
		if !strings.HasPrefix(e.Name, "copy-file-") || changed >= 10 {
			continue
		}
		if changed%2 == 0 {
			err = c.Rename(ctx, e.ID, "renamed-"+e.ID)
		} else {
			err = c.Delete(ctx, e.ID, true)
		}
		if err != nil {
			t.Fatal(err)
		}
		changed++
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := c.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
	// Each pair of changes hits both members of one group.
	if want := scanCount(t, c, "/"); err != nil || got != want || want != 40-changed/2 {
		t.Errorf("count: got %d, %v; want %d (a full scan finds %d)", got, err, 40-changed/2, want)
	}
}
