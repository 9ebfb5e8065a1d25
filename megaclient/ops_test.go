package megaclient

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/model"
)

func TestFolderOperations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	if _, err := c.MkdirAll(ctx, "/a/b/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MkdirAll(ctx, "/a/b/c"); err != nil {
		t.Fatalf("mkdir existing path: %v", err)
	}
	if es, _ := c.List(ctx, "/a/b"); len(es) != 1 || es[0].Name != "c" || !es[0].IsDir() {
		t.Fatalf("after mkdir: got %+v, want one folder c", es)
	}
	if _, err := c.Upload(ctx, "/a", "doc.txt", strings.NewReader("hello"), 5, time.Unix(1600000000, 0), nil); err != nil {
		t.Fatal(err)
	}
	// Rename keeps the fingerprint.
	before, _ := c.Stat(ctx, "/a/doc.txt")
	if err := c.Rename(ctx, "/a/doc.txt", "renamed.txt"); err != nil {
		t.Fatal(err)
	}
	after, err := c.Stat(ctx, "/a/renamed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if after.ID != before.ID || after.Fingerprint != before.Fingerprint || after.Fingerprint == "" {
		t.Errorf("rename: got %+v, want same handle and fingerprint as %+v", after, before)
	}
	// Move, and the errors of bad moves.
	if err := c.Move(ctx, "/a/renamed.txt", "/a/b/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stat(ctx, "/a/b/c/renamed.txt"); err != nil {
		t.Errorf("after move: %v", err)
	}
	if err := c.Move(ctx, "/a", "/a/b/c"); !errors.Is(err, model.ErrCircular) {
		t.Errorf("move into itself: got %v, want %v", err, model.ErrCircular)
	}
	if _, err := c.Stat(ctx, "/nope/x"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("stat missing: got %v, want %v", err, model.ErrNotFound)
	}
	if _, err := c.List(ctx, "/a/b/c/renamed.txt"); !errors.Is(err, model.ErrNotDir) {
		t.Errorf("list a file: got %v, want %v", err, model.ErrNotDir)
	}
	// Handles address nodes directly.
	if e, err := c.Stat(ctx, "H:"+after.ID); err != nil || e.Name != "renamed.txt" {
		t.Errorf("stat by handle: got %+v %v", e, err)
	}
	if p, err := c.Path(after.ID); err != nil || p != "/a/b/c/renamed.txt" {
		t.Errorf("path: got %q %v, want /a/b/c/renamed.txt", p, err)
	}
	// Quota and link.
	q, err := c.Quota(ctx)
	if err != nil || q.Total == 0 || q.Used < 5 {
		t.Errorf("quota: got %+v %v, want used ≥ 5 of a non-zero total", q, err)
	}
	link, err := c.Link(ctx, after.ID)
	if l, perr := ParseLink(link); err != nil || perr != nil || !strings.HasPrefix(link, "https://mega.nz/file/") || len(l.Key) != 32 {
		t.Errorf("link: got %q %v, want https://mega.nz/file/HANDLE#KEY", link, err)
	}
	// Permanent delete.
	if err := c.Delete(ctx, "/a/b", true); err != nil {
		t.Fatal(err)
	}
	if es, _ := c.List(ctx, "/a"); len(es) != 0 {
		t.Errorf("after delete: got %v, want empty", names(es))
	}
	if err := c.Delete(ctx, "//bin", true); !errors.Is(err, model.ErrAccess) {
		t.Errorf("delete the rubbish bin: got %v, want %v", err, model.ErrAccess)
	}
}

func TestTrashAndRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	other := connect(t, s, nil)
	docs, _ := c.MkdirAll(ctx, "/docs")
	gone, _ := c.MkdirAll(ctx, "/gone")
	f1, err := c.Upload(ctx, docs.ID, "one.txt", strings.NewReader("1"), 1, time.Unix(1500000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	f2, err := c.Upload(ctx, gone.ID, "two.txt", strings.NewReader("2"), 1, time.Unix(1500000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, f1.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := c.Trash(ctx, f2.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, gone.ID, true); err != nil {
		t.Fatal(err)
	}
	bin, _ := c.List(ctx, "//bin")
	if got := names(bin); !slices.Equal(got, []string{"one.txt", "two.txt"}) {
		t.Fatalf("rubbish bin: got %v, want [one.txt two.txt]", got)
	}
	inf, _ := c.tree.info(f1.ID)
	if got := inf.attrs.String(attrRestore); got != docs.ID {
		t.Errorf("rr after trash: got %q, want %q", got, docs.ID)
	}
	if inf.attrs.String("c") == "" {
		t.Error("trashing dropped the fingerprint")
	}
	// Another client restores what this one trashed: it honours rr.
	waitFor(t, func() bool { _, err := other.Stat(ctx, "//bin/one.txt"); return err == nil })
	e, note, err := other.Restore(ctx, "//bin/one.txt")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := other.Path(e.ID); p != "/docs/one.txt" || note != "" {
		t.Errorf("restore: got %q (note %q), want /docs/one.txt", p, note)
	}
	oinf, _ := other.tree.info(e.ID)
	if _, ok := oinf.attrs.Other[attrRestore]; ok {
		t.Error("restore kept rr")
	}
	if oinf.attrs.String("c") == "" {
		t.Error("restore dropped the fingerprint")
	}
	// The original folder is gone: back to the root, with a note.
	e2, note, err := c.Restore(ctx, f2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Path(e2.ID); p != "/two.txt" || note == "" {
		t.Errorf("restore with parent gone: got %q (note %q), want /two.txt with a note", p, note)
	}
	// Empty the Rubbish Bin.
	c.Trash(ctx, "/two.txt")
	c.Trash(ctx, "/docs")
	if err := c.EmptyTrash(ctx); err != nil {
		t.Fatal(err)
	}
	if bin, _ := c.List(ctx, "//bin"); len(bin) != 0 {
		t.Errorf("after empty: got %v, want nothing", names(bin))
	}
	if _, err := c.List(ctx, "//in"); err != nil {
		t.Errorf("inbox: %v", err)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTwoClientsLiveChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	a := connect(t, s, nil)
	b := connect(t, s, nil)
	sub := b.Subscribe()
	defer sub.Close()
	root, _, _ := b.Roots()

	start := time.Now()
	f, err := a.Upload(ctx, "/", "live.txt", strings.NewReader("live"), 4, time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := b.Stat(ctx, "/live.txt"); return err == nil })
	t.Logf("upload seen by the other client after %v", time.Since(start))
	expectChange(t, sub, root)

	// Rename from a: b sees the new name with the fingerprint kept.
	if err := a.Rename(ctx, f.ID, "renamed.txt"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := b.Stat(ctx, "/renamed.txt"); return err == nil })
	e, _ := b.Stat(ctx, "/renamed.txt")
	if e.Fingerprint != f.Fingerprint || !e.ModTime.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("second client after rename: got fingerprint %q mtime %v, want %q and the original mtime", e.Fingerprint, e.ModTime, f.Fingerprint)
	}
	expectChange(t, sub, root)

	// Delete from b: a sees it go.
	if err := b.Delete(ctx, e.ID, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { es, _ := a.List(ctx, "/"); return len(es) == 0 })
}

func expectChange(t *testing.T, sub *Subscription, folder string) {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		select {
		case batch := <-sub.Changes():
			if slices.Contains(batch, folder) {
				return
			}
		case <-deadline:
			t.Fatalf("no change notice for folder %s within 2 s", folder)
		}
	}
}

func TestSubscriberNeverBlocksThePoller(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	a := connect(t, s, nil)
	b := connect(t, s, nil)
	slow := b.Subscribe() // never read until the end
	defer slow.Close()
	dir, _ := a.MkdirAll(ctx, "/many")
	for i := range 20 {
		if _, err := a.Mkdir(ctx, dir.ID, "d"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	// The poller kept applying packets although nobody read the channel.
	waitFor(t, func() bool { es, _ := b.List(ctx, "/many"); return len(es) == 20 })
	// And the notices were merged: one read holds the folder.
	expectChange(t, slow, dir.ID)
}

func TestHostileNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	hostile := []string{"../../x", "a/b", "\x1b[2J\x1b]0;pwned\x07", "nul\x00byte", "bad\xff\xfeutf8", "..", `back\slash`, "line\nbreak"}
	for i, name := range hostile {
		if _, err := c.Upload(ctx, "/", name, bytes.NewReader([]byte{byte(i)}), 1, time.Unix(1600000000, 0), nil); err != nil {
			t.Fatalf("upload %q: %v", name, err)
		}
	}
	// A second client reads them back byte for byte.
	c2 := connect(t, s, nil)
	es, err := c2.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	got := names(es)
	want := slices.Clone(hostile)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("names: got %q, want %q", got, want)
	}
	for _, e := range es {
		d := model.DisplayName(e.Name)
		if strings.ContainsAny(d, "\x00\x1b\n\x07") {
			t.Errorf("display of %q still holds control characters: %q", e.Name, d)
		}
	}
	// Downloading all of them into one folder never escapes it.
	parent := t.TempDir()
	dl := filepath.Join(parent, "dl")
	os.Mkdir(dl, 0o755)
	fsys := localfs.New()
	for _, e := range es {
		w, err := fsys.Create(ctx, dl, e.Name, e.ModTime)
		if err != nil {
			if errors.Is(err, model.ErrUnsafeName) {
				continue
			}
			t.Fatalf("create %q: %v", e.Name, err)
		}
		if err := c2.Download(ctx, e.ID, w, nil); err != nil {
			w.Abort()
			t.Fatalf("download %q: %v", e.Name, err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	top, _ := os.ReadDir(parent)
	if len(top) != 1 {
		t.Errorf("download escaped: %d entries next to dl", len(top))
	}
	inside, _ := os.ReadDir(dl)
	if len(inside) == 0 {
		t.Error("nothing downloaded")
	}
	for _, e := range inside {
		if strings.ContainsAny(e.Name(), "/\x00\x1b\n") || e.Name() == ".." {
			t.Errorf("unsafe local name %q", e.Name())
		}
	}
}

func TestLargeFolderListing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	dir, _ := c.MkdirAll(ctx, "/big")
	ns := make([]string, 10000)
	for i := range ns {
		ns[i] = "entry-" + string(rune('a'+i%26)) + "-" + itoa(i)
	}
	ns[1] = ns[0] // same-name siblings are all listed
	seedFolders(t, s, c.Session(), dir.ID, ns, nil)
	c2 := connect(t, s, nil)
	start := time.Now()
	es, err := c2.List(ctx, "/big")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("listing 10,000 entries took %v", time.Since(start))
	if len(es) != 10000 {
		t.Fatalf("got %d entries, want 10000", len(es))
	}
	dups, _ := c2.Lookup(ctx, dir.ID, ns[0])
	if len(dups) != 2 || dups[0].ID == dups[1].ID {
		t.Errorf("same-name siblings: got %+v, want two distinct nodes", dups)
	}
	// Each can be addressed by handle.
	for _, d := range dups {
		if e, err := c2.Stat(ctx, "H:"+d.ID); err != nil || e.ID != d.ID {
			t.Errorf("stat H:%s: got %+v %v", d.ID, e, err)
		}
	}
}

func itoa(i int) string {
	return strings.TrimLeft(string([]byte{byte('0' + i/10000%10), byte('0' + i/1000%10), byte('0' + i/100%10), byte('0' + i/10%10), byte('0' + i%10)}), "")
}
