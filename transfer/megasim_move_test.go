package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

var smallTree = []spec{{"one.txt", 11}, {"sub/two.bin", 200_000}, {"sub/ü/three", 0}, {"four", 70_000}}

// simUpload puts a local folder on MEGA (root) and returns its node.
func simUpload(t *testing.T, e *Engine, c interface {
	Stat(context.Context, string) (model.Entry, error)
	Lookup(context.Context, string, string) ([]model.Entry, error)
}, root, dir string) model.Entry {
	t.Helper()
	rootEntry, err := c.Stat(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Enqueue(uploadReq(dir, rootEntry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	ents, err := c.Lookup(context.Background(), root, filepath.Base(dir))
	if err != nil || len(ents) != 1 {
		t.Fatalf("uploaded %s: %v %v", dir, ents, err)
	}
	return ents[0]
}

func TestMegasimRemoteCopyIsIdentical(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, _ := c.Roots()
	ctx := context.Background()
	src := t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), smallTree)
	tmp := t.TempDir()
	e := start(t, Options{Remote: c, Retry: simRetry, TempDir: tmp})
	tree := simUpload(t, e, c, root, filepath.Join(src, "tree"))
	dst, err := c.Mkdir(ctx, root, "dst")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Enqueue(Request{Src: Endpoint{Remote: true, Entry: tree}, DstDir: Endpoint{Remote: true, Entry: dst}, Op: OpCopy}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if d := remoteDuplicates(t, c, root); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temporary files left: %v", ents)
	}
	if still, _ := c.Lookup(ctx, root, "tree"); len(still) != 1 {
		t.Errorf("source after a copy: %v", still)
	}
	copies, err := c.Lookup(ctx, dst.ID, "tree")
	if err != nil || len(copies) != 1 {
		t.Fatalf("copy: %v %v", copies, err)
	}
	// Same fingerprints as the originals, and byte-identical with mtimes
	// once downloaded.
	for _, s := range smallTree {
		a, errA := c.Stat(ctx, "/tree/"+s.path)
		b, errB := c.Stat(ctx, "/dst/tree/"+s.path)
		if errA != nil || errB != nil || a.Fingerprint != b.Fingerprint || a.Fingerprint == "" || a.ID == b.ID {
			t.Errorf("%s: original %+v (%v), copy %+v (%v)", s.path, a, errA, b, errB)
		}
	}
	back := t.TempDir()
	if _, err := e.Enqueue(downloadReq(copies[0], back)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(back, "tree"), smallTree)
}

func TestMegasimMoveUploadRemovesLocalSource(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, _ := c.Roots()
	ctx := context.Background()
	src, ref := t.TempDir(), t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), smallTree)
	writeTree(t, filepath.Join(ref, "tree"), smallTree) // same content and mtimes
	rootEntry, _ := c.Stat(ctx, root)
	e := start(t, Options{Remote: c, Retry: simRetry})
	req := uploadReq(filepath.Join(src, "tree"), rootEntry)
	req.Op = OpMove
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if _, err := os.Stat(filepath.Join(src, "tree")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("local source after the move: %v, want gone", err)
	}
	tops, err := c.Lookup(ctx, root, "tree")
	if err != nil || len(tops) != 1 {
		t.Fatalf("moved folder on MEGA: %v %v", tops, err)
	}
	back := t.TempDir()
	if _, err := e.Enqueue(downloadReq(tops[0], back)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	compareTrees(t, filepath.Join(ref, "tree"), filepath.Join(back, "tree"), smallTree)
}

func TestMegasimMoveDownloadTrashesNode(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, trash := c.Roots()
	ctx := context.Background()
	src := t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), smallTree)
	e := start(t, Options{Remote: c, Retry: simRetry})
	tree := simUpload(t, e, c, root, filepath.Join(src, "tree"))
	dst := t.TempDir()
	req := downloadReq(tree, dst)
	req.Op = OpMove
	if _, err := e.Enqueue(req); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(dst, "tree"), smallTree)
	if left, _ := c.Lookup(ctx, root, "tree"); len(left) != 0 {
		t.Errorf("source still in the Cloud Drive: %v", left)
	}
	binned, err := c.List(ctx, trash)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, en := range binned {
		names[en.Name] = true
	}
	// Files go to the Rubbish Bin one by one as their copies finish, then
	// the emptied folder.
	for _, want := range []string{"one.txt", "four", "tree"} {
		if !names[want] {
			t.Errorf("%s not in the Rubbish Bin: %v", want, names)
		}
	}
}
