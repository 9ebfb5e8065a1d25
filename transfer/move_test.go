package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// fakeTreeAt builds specs as MEGA files below folder parent of f and
// returns path -> content.
func fakeTreeAt(f *fakeRemote, parent string, specs []spec) map[string][]byte {
	out := map[string][]byte{}
	dirs := map[string]string{"": parent}
	var dirOf func(rel string) string
	dirOf = func(rel string) string {
		if id, ok := dirs[rel]; ok {
			return id
		}
		id := f.mkdirAt(dirOf(parentRel(rel)), baseRel(rel)).ID
		dirs[rel] = id
		return id
	}
	for i, s := range specs {
		data := bytes.Repeat([]byte{byte(i + 1)}, s.size)
		f.fileAt(dirOf(parentRel(s.path)), baseRel(s.path), data, time.Date(2020, 5, 6, 7, 8, 9+i, 0, time.UTC))
		out[s.path] = data
	}
	return out
}

var moveSpecs = []spec{{"m/a.txt", 10}, {"m/sub/b.bin", 300_000}, {"m/sub/deeper/c", 0}, {"m/d", 4096}}

func TestMoveUploadRemovesEachSourceOnlyAfterItsCopy(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeTree(t, src, moveSpecs)
	fake := newFakeRemote()
	fake.tryAgainEvery = 3
	fake.ambiguousUploads = 2
	// At the start of every upload its own source must still be there,
	// and every source removed so far must already be stored on MEGA.
	var mu sync.Mutex
	var bad []string
	fake.uploadHook = func(name string) {
		mu.Lock()
		defer mu.Unlock()
		for _, s := range moveSpecs {
			p := filepath.Join(src, filepath.FromSlash(s.path))
			if _, err := os.Stat(p); err == nil {
				continue
			}
			if _, ok := fake.tree(fake.root)[s.path]; !ok {
				bad = append(bad, s.path+" removed before its copy was stored")
			}
		}
	}
	root := fake.nodes[fake.root].entry
	e := start(t, Options{Remote: fake, Workers: 2})
	req := uploadReq(filepath.Join(src, "m"), root)
	req.Op = model.OpMove
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if len(bad) > 0 {
		t.Errorf("ordering: %v", bad)
	}
	tree := fake.tree(fake.root)
	for _, s := range moveSpecs {
		if n, ok := tree[s.path]; !ok || len(n.data) != s.size {
			t.Errorf("%s: not stored on MEGA", s.path)
		}
	}
	if d := fake.duplicates(); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
	if _, err := os.Stat(filepath.Join(src, "m")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("source folder after the move: %v, want it gone", err)
	}
	if _, err := os.Stat(filepath.Join(src, "empty-folder")); err != nil {
		t.Errorf("folder outside the move was touched: %v", err)
	}
}

func TestMoveKeepsSourcesWhoseCopyFailed(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeTree(t, src, moveSpecs)
	fake := newFakeRemote()
	fake.quota = true
	root := fake.nodes[fake.root].entry
	e := start(t, Options{Remote: fake})
	req := uploadReq(filepath.Join(src, "m"), root)
	req.Op = model.OpMove
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	for _, j := range e.Snapshot() {
		if j.State != model.StateFailed {
			t.Errorf("%s: %s, want failed", j.Dst.Display, j.State)
		}
	}
	for _, s := range moveSpecs {
		if _, err := os.Stat(filepath.Join(src, filepath.FromSlash(s.path))); err != nil {
			t.Errorf("%s: source removed although its copy failed: %v", s.path, err)
		}
	}
}

func TestMoveDownloadTrashesNodeAfterVerifiedCopy(t *testing.T) {
	t.Parallel()
	fake := newFakeRemote()
	data := fakeTreeAt(fake, fake.root, moveSpecs)
	fake.corruptDownloads = 1 // retried: the node must survive the bad attempt
	top := fake.tree(fake.root)["m/"].entry
	dst := t.TempDir()
	rem := &trashCheck{fakeRemote: fake, dst: dst, paths: map[string]string{}}
	for p, n := range fake.tree(fake.root) {
		rem.paths[n.entry.ID] = p
	}
	e := start(t, Options{Remote: rem, Retry: RetryPolicy{BaseDelay: time.Millisecond, MaxAttempts: 5, IntegrityAttempts: 3}, Workers: 2})
	req := downloadReq(top, dst)
	req.Op = model.OpMove
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if len(rem.bad) > 0 {
		t.Errorf("ordering: %v", rem.bad)
	}
	if rem.files != len(moveSpecs) {
		t.Errorf("files trashed one by one: %d, want %d", rem.files, len(moveSpecs))
	}
	for p, want := range data {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: downloaded %d bytes (%v), want %d", p, len(got), err, len(want))
		}
	}
	if left := fake.tree(fake.root); len(left) != 0 {
		t.Errorf("left in the Cloud Drive after the move: %v", keys(left))
	}
	if _, ok := fake.tree(fake.rubbish)["m/"]; !ok {
		t.Errorf("moved folder not in the Rubbish Bin: %v", keys(fake.tree(fake.rubbish)))
	}
}

// trashCheck checks, whenever a file node is trashed, that its copy is
// already complete under its final name in dst.
type trashCheck struct {
	*fakeRemote
	dst   string
	paths map[string]string // node id -> path below the Cloud Drive

	mu    sync.Mutex
	bad   []string
	files int
}

func (c *trashCheck) Trash(ctx context.Context, id string) error {
	c.fakeRemote.mu.Lock()
	n := c.fakeRemote.nodes[id]
	c.fakeRemote.mu.Unlock()
	if n != nil && n.entry.Kind == model.KindFile {
		c.mu.Lock()
		c.files++
		got, err := os.ReadFile(filepath.Join(c.dst, filepath.FromSlash(c.paths[id])))
		if err != nil || !bytes.Equal(got, n.data) {
			c.bad = append(c.bad, c.paths[id]+" trashed before its copy was complete")
		}
		c.mu.Unlock()
	}
	return c.fakeRemote.Trash(ctx, id)
}

// trashCrash crashes the engine (as kill -9 would) when the n-th Trash is
// called, before it acts: the copy is done and journaled, the source not
// yet removed.
type trashCrash struct {
	*fakeRemote
	crash context.CancelFunc
}

func (c *trashCrash) Trash(ctx context.Context, id string) error {
	c.crash()
	return errors.New("killed")
}

func TestMoveCrashBetweenCopyAndRemovalResumes(t *testing.T) {
	t.Parallel()
	fake := newFakeRemote()
	fakeTreeAt(fake, fake.root, []spec{{"one.bin", 5000}})
	node := fake.tree(fake.root)["one.bin"].entry
	dst := t.TempDir()
	journalPath := filepath.Join(t.TempDir(), "transfers.jsonl")

	ctx1, crash := context.WithCancel(context.Background())
	e1 := New(Options{Remote: &trashCrash{fakeRemote: fake, crash: crash}, JournalPath: journalPath, Retry: fastRetry})
	if err := e1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	req := downloadReq(node, dst)
	req.Op = model.OpMove
	if _, err := e1.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	<-ctx1.Done()
	if err := e1.Wait(); err != nil {
		t.Fatal(err)
	}
	if fake.downloads != 1 || fake.trashes != 0 {
		t.Fatalf("before the crash: %d downloads, %d trashes; want 1, 0", fake.downloads, fake.trashes)
	}
	if _, ok := fake.tree(fake.root)["one.bin"]; !ok {
		t.Fatal("source gone before the crash")
	}

	e2 := start(t, Options{Remote: fake, JournalPath: journalPath})
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	if fake.downloads != 1 {
		t.Errorf("downloads after resume: %d, want 1 (the copy is not repeated)", fake.downloads)
	}
	if _, ok := fake.tree(fake.rubbish)["one.bin"]; !ok {
		t.Errorf("source not moved to the Rubbish Bin on resume")
	}
	if got, err := os.ReadFile(filepath.Join(dst, "one.bin")); err != nil || len(got) != 5000 {
		t.Errorf("copy after resume: %d bytes, %v", len(got), err)
	}
}

func TestMoveCrashRightAfterUploadAdoptsAndRemoves(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	writeTree(t, src, []spec{{"f.txt", 1234}})
	fake := newFakeRemote()
	root := fake.nodes[fake.root].entry
	journalPath := filepath.Join(t.TempDir(), "transfers.jsonl")
	ctx1, crash := context.WithCancel(context.Background())
	// The upload is stored, then the process dies before anything else.
	e1 := New(Options{Remote: &crashingRemote{fakeRemote: fake, at: 1, crash: crash}, JournalPath: journalPath, Retry: fastRetry})
	if err := e1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	req := uploadReq(filepath.Join(src, "f.txt"), root)
	req.Op = model.OpMove
	if _, err := e1.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	<-ctx1.Done()
	if err := e1.Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "f.txt")); err != nil {
		t.Fatalf("source removed although the upload was never confirmed: %v", err)
	}
	e2 := start(t, Options{Remote: fake, JournalPath: journalPath})
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	if fake.uploads != 1 {
		t.Errorf("uploads: %d, want 1 (the stored node is adopted)", fake.uploads)
	}
	if _, err := os.Stat(filepath.Join(src, "f.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("source after resume: %v, want removed", err)
	}
}

func TestRemoteCopyThroughTempFile(t *testing.T) {
	t.Parallel()
	fake := newFakeRemote()
	data := fakeTreeAt(fake, fake.root, moveSpecs)
	dst := fake.mkdirAt(fake.root, "dst")
	top := fake.tree(fake.root)["m/"].entry
	tmp := t.TempDir()
	e := start(t, Options{Remote: fake, TempDir: tmp, Workers: 2})
	req := Request{Src: Endpoint{Remote: true, Entry: top}, DstDir: Endpoint{Remote: true, Entry: dst}, Op: model.OpCopy}
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	for _, j := range e.Snapshot() {
		if j.Done != j.Size {
			t.Errorf("%s: progress %d of %d", j.Dst.Display, j.Done, j.Size)
		}
	}
	src, got := fake.tree(top.ID), fake.tree(dst.ID)
	for p, want := range data {
		rel := p[len("m/"):]
		n, ok := got["m/"+rel]
		if !ok || !bytes.Equal(n.data, want) {
			t.Errorf("%s: copy missing or different", p)
			continue
		}
		o := src[rel].entry
		if n.entry.Fingerprint != o.Fingerprint || !n.entry.ModTime.Equal(o.ModTime) {
			t.Errorf("%s: fingerprint/mtime %s %v, want %s %v", p, n.entry.Fingerprint, n.entry.ModTime, o.Fingerprint, o.ModTime)
		}
	}
	if len(src) != 6 {
		t.Errorf("source changed: %v", keys(src))
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
	// A second copy finds identical files.
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	if fake.uploads != len(moveSpecs) {
		t.Errorf("uploads after a second copy: %d, want %d", fake.uploads, len(moveSpecs))
	}
}

func TestOpZeroValueKeepsServerSideMove(t *testing.T) {
	t.Parallel()
	for _, op := range []model.Op{model.OpDefault, model.OpMove} {
		t.Run(op.String(), func(t *testing.T) {
			fake := newFakeRemote()
			fakeTreeAt(fake, fake.root, []spec{{"x", 3}})
			dst := fake.mkdirAt(fake.root, "dst")
			e := start(t, Options{Remote: fake})
			req := Request{Src: Endpoint{Remote: true, Entry: fake.tree(fake.root)["x"].entry}, DstDir: Endpoint{Remote: true, Entry: dst}, Op: op}
			if _, err := e.Enqueue(req); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			assertStates(t, e, model.StateDone)
			if fake.moves != 1 || fake.uploads != 0 || fake.downloads != 0 {
				t.Errorf("moves %d uploads %d downloads %d, want a single server-side move", fake.moves, fake.uploads, fake.downloads)
			}
		})
	}
}

func TestRemoteCopyCrashResumesWithoutDuplicateOrTemp(t *testing.T) {
	t.Parallel()
	fake := newFakeRemote()
	fakeTreeAt(fake, fake.root, []spec{{"c.bin", 9000}})
	node := fake.tree(fake.root)["c.bin"].entry
	dst := fake.mkdirAt(fake.root, "dst")
	state := t.TempDir()
	journalPath := filepath.Join(state, "transfers.jsonl")
	ctx1, crash := context.WithCancel(context.Background())
	// Call 1 is the download, call 2 the upload: stored, then the crash.
	e1 := New(Options{Remote: &crashingRemote{fakeRemote: fake, at: 2, crash: crash}, JournalPath: journalPath, Retry: fastRetry})
	if err := e1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	req := Request{Src: Endpoint{Remote: true, Entry: node}, DstDir: Endpoint{Remote: true, Entry: dst}, Op: model.OpCopy}
	if _, err := e1.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	<-ctx1.Done()
	if err := e1.Wait(); err != nil {
		t.Fatal(err)
	}
	e2 := start(t, Options{Remote: fake, JournalPath: journalPath, Conflict: model.ConflictRename})
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	if fake.uploads != 1 {
		t.Errorf("uploads: %d, want 1 (the stored copy is adopted)", fake.uploads)
	}
	if got := keys(fake.tree(dst.ID)); len(got) != 1 {
		t.Errorf("dst holds %v, want one copy", got)
	}
	m, _ := filepath.Glob(filepath.Join(state, copyTempPrefix+"*"))
	if len(m) != 0 {
		t.Errorf("temporary folders left: %v", m)
	}
}
