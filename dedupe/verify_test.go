package dedupe

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/megatui/megatui/model"
)

// countingFS counts downloads.
type countingFS struct {
	FS
	downloads atomic.Int32
}

func (c *countingFS) Download(ctx context.Context, ref string, dst io.WriterAt, progress func(int64)) error {
	c.downloads.Add(1)
	return c.FS.Download(ctx, ref, dst, progress)
}

func TestVerifyHashesAndCaches(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sc, err := Scan(ctx, e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	groups := Detect(sc.Entries, false, nil)
	files := Candidates(groups)
	// report.pdf ×3, notes.txt ×2, IMG_0001.jpg A and A' (B and C differ in size).
	if len(files) != 7 {
		t.Fatalf("candidates: got %d, want 7", len(files))
	}
	fs := &countingFS{FS: e.c}
	cache := NewHashCache()
	var last VerifyProgress
	hashes, err := Verify(ctx, fs, files, cache, func(p VerifyProgress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	fx := e.fx
	if hashes[fx.Identical[0]] == "" || hashes[fx.Identical[0]] != hashes[fx.Identical[1]] || hashes[fx.Identical[1]] != hashes[fx.Identical[2]] {
		t.Errorf("report.pdf copies: want equal hashes, got %v", hashes)
	}
	if hashes[fx.SameSize[0]] == hashes[fx.SameSize[1]] {
		t.Errorf("notes.txt copies have different content but equal hashes")
	}
	if hashes[fx.Mixed[0]] != hashes[fx.Mixed[1]] {
		t.Errorf("IMG_0001.jpg A and A': want equal hashes")
	}
	if last.Files != 7 || last.Bytes != last.TotalBytes || last.TotalBytes == 0 {
		t.Errorf("final progress: got %+v, want all 7 files and bytes", last)
	}
	if n := fs.downloads.Load(); n != 7 {
		t.Errorf("downloads: got %d, want 7", n)
	}
	// Classification with hashes is verified.
	for _, g := range Detect(sc.Entries, false, hashes) {
		if g.Name == "report.pdf" && (g.Class != model.Identical || !g.Verified) {
			t.Errorf("report.pdf: got %s verified=%v, want verified identical", g.Class, g.Verified)
		}
		if g.Name == "notes.txt" && (g.Class != model.Different || !g.Verified) {
			t.Errorf("notes.txt: got %s verified=%v, want verified different", g.Class, g.Verified)
		}
	}
	// A second verify is served from the cache, also after a save and load.
	path := filepath.Join(t.TempDir(), "hashes.json")
	if err := cache.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadHashCache(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Verify(ctx, fs, files, loaded, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := fs.downloads.Load(); n != 7 {
		t.Errorf("downloads after a cached verify: got %d, want still 7", n)
	}
	if len(again) != len(hashes) {
		t.Errorf("cached verify: got %d hashes, want %d", len(again), len(hashes))
	}
	// A node whose fingerprint changed is not served from the cache.
	changed := files[0]
	changed.Fingerprint = "other"
	if _, ok := loaded.Get(changed); ok {
		t.Errorf("cache served a hash for a changed node")
	}
}

func TestVerifyCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	sc, err := Scan(ctx, e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	files := Candidates(Detect(sc.Entries, false, nil))
	calls := 0
	_, err = Verify(ctx, e.c, files, NewHashCache(), func(p VerifyProgress) {
		calls++
		if p.Files == 2 {
			cancel()
		}
	})
	if !errors.Is(err, model.ErrCancelled) && !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want a cancellation", err)
	}
}

func TestOrderedHashOutOfOrder(t *testing.T) {
	t.Parallel()
	a, b := newOrderedHash(), newOrderedHash()
	data := []byte("0123456789abcdefghij")
	a.WriteAt(data, 0)
	b.WriteAt(data[15:], 15)
	b.WriteAt(data[5:15], 5)
	b.WriteAt(data[:5], 0)
	sa, na, ea := a.sum()
	sb, nb, eb := b.sum()
	if sa != sb || na != nb || ea != nil || eb != nil {
		t.Errorf("got %s/%d/%v and %s/%d/%v, want equal sums", sa, na, ea, sb, nb, eb)
	}
	c := newOrderedHash()
	c.WriteAt(data[5:], 5)
	if _, _, err := c.sum(); err == nil {
		t.Errorf("a gap: got no error")
	}
}

// TestByContent groups report.pdf's copies with Archive/report (copy).pdf
// and keeps the newest of the four (the copy, 2025).
func TestByContent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: model.ModeNewest, ByContent: true, JournalDir: e.dir, Remote: "mega"})
	if err != nil {
		t.Fatal(err)
	}
	fx := e.fx
	if g := res.Passes[0].Groups; len(g) != 2 || g[0].Kind != model.SameContent {
		t.Fatalf("groups: got %d (%v), want 2 content groups", len(g), g)
	}
	if e.inTrash(t, fx.ContentCopy) {
		t.Errorf("the newest copy (Archive/report (copy).pdf) was trashed")
	}
	for _, id := range append(fx.Identical, fx.Mixed[0]) {
		if !e.inTrash(t, id) {
			t.Errorf("%s: want it trashed", id)
		}
	}
	for _, id := range append(append([]string{fx.Mixed[1], fx.Mixed[2], fx.Mixed[3]}, fx.SameSize...), fx.Sizes...) {
		if e.inTrash(t, id) {
			t.Errorf("%s: trashed but has no identical copy", id)
		}
	}
	if _, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: model.ModeRename, ByContent: true}); !errors.Is(err, model.ErrBadPlan) {
		t.Errorf("rename with by-content: got %v, want ErrBadPlan", err)
	}
}
