package transfer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	group, err := e.Enqueue(Request{Src: Endpoint{Remote: true, Entry: tree}, DstDir: Endpoint{Remote: true, Entry: dst}, Op: model.OpCopy})
	if err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	for _, j := range e.Snapshot() {
		if j.Group == group && j.Direction != model.RemoteCopy {
			t.Errorf("%s: direction %v, want %v", j.Dst.Display, j.Direction, model.RemoteCopy)
		}
	}
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
	req.Op = model.OpMove
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
	req.Op = model.OpMove
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

// A dry run of a copy or move within MEGA into a folder that does not
// exist yet (the CLI passes a folder entry without id) plans every file
// and changes nothing.
func TestMegasimRemoteDryRunIntoNewFolder(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, _ := c.Roots()
	ctx := context.Background()
	src := t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), smallTree)
	e := start(t, Options{Remote: c, Retry: simRetry, TempDir: t.TempDir()})
	tree := simUpload(t, e, c, root, filepath.Join(src, "tree"))
	before, err := c.List(ctx, tree.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		op   model.Op
		want model.Direction
		verb string
	}{
		{"copy", model.OpCopy, model.RemoteCopy, "dry run: would copy"},
		{"move", model.OpMove, model.RemoteMove, "dry run: would move"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dry := start(t, Options{Remote: c, Retry: simRetry, TempDir: t.TempDir(), DryRun: true})
			req := Request{Src: Endpoint{Remote: true, Entry: tree}, DstDir: Endpoint{Remote: true, Entry: model.Entry{Kind: model.KindDir}},
				Op: tc.op, Contents: true}
			if _, err := dry.Enqueue(req); err != nil {
				t.Fatalf("enqueue: got %v, want a planned dry run", err)
			}
			waitIdle(t, dry)
			jobs := dry.Snapshot()
			if len(jobs) == 0 {
				t.Fatal("no jobs planned")
			}
			for _, j := range jobs {
				if j.State != model.StateSkipped || j.Reason != tc.verb || j.Direction != tc.want {
					t.Errorf("%s: got %v %q %v, want skipped %q %v", j.Dst.Display, j.State, j.Reason, j.Direction, tc.verb, tc.want)
				}
			}
			ents, err := c.List(ctx, root)
			if err != nil || len(ents) != 1 || ents[0].ID != tree.ID {
				t.Errorf("root after a dry run: got %v (%v), want only the tree", ents, err)
			}
			kids, err := c.List(ctx, tree.ID)
			if err != nil || len(kids) != len(before) {
				t.Errorf("source after a dry run: got %v (%v), want %v", kids, err, before)
			}
		})
	}
}

// MEGA lets a folder hold same-name files and folders; a local folder
// holds one file per name. A download keeps the newest copy of each name
// and skips the others (rclone ignores duplicate source objects) or, with
// rename, gives them free names; same-name folders are merged. Nothing
// fails, and a second run skips everything.
func TestMegasimDownloadSameNameDuplicates(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, _ := c.Roots()
	ctx := context.Background()
	top, err := c.Mkdir(ctx, root, "dup")
	if err != nil {
		t.Fatal(err)
	}
	put := func(parent, name, content string, year int) {
		t.Helper()
		mt := time.Date(year, 1, 2, 3, 4, 5, 0, time.UTC)
		if _, err := c.Upload(ctx, parent, name, strings.NewReader(content), int64(len(content)), mt, nil); err != nil {
			t.Fatal(err)
		}
	}
	put(top.ID, "a.txt", "old a", 2020)
	put(top.ID, "a.txt", "newest a", 2024)
	put(top.ID, "a.txt", "middle a", 2022)
	put(top.ID, "a (1).txt", "a name already taken", 2021)
	for i, content := range []string{"older x", "newer x"} {
		sub, err := c.Mkdir(ctx, top.ID, "sub")
		if err != nil {
			t.Fatal(err)
		}
		put(sub.ID, "x.txt", content, 2020+i)
		put(sub.ID, fmt.Sprintf("only-%d.txt", i), content, 2020)
	}
	for _, tc := range []struct {
		policy  model.Conflict
		want    map[string]string
		skipped int
	}{
		{model.ConflictSkip, map[string]string{"a.txt": "newest a", "a (1).txt": "a name already taken",
			"sub/x.txt": "newer x", "sub/only-0.txt": "older x", "sub/only-1.txt": "newer x"}, 3},
		{model.ConflictRename, map[string]string{"a.txt": "newest a", "a (1).txt": "a name already taken",
			"a (2).txt": "middle a", "a (3).txt": "old a", "sub/x.txt": "newer x", "sub/x (1).txt": "older x",
			"sub/only-0.txt": "older x", "sub/only-1.txt": "newer x"}, 0},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			dst := t.TempDir()
			journal := filepath.Join(t.TempDir(), "transfers.jsonl")
			e := start(t, Options{Remote: c, Retry: simRetry, TempDir: t.TempDir(), Conflict: tc.policy, JournalPath: journal})
			if _, err := e.Enqueue(Request{Src: Endpoint{Remote: true, Entry: top}, DstDir: Endpoint{Path: dst}, Contents: true}); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			skipped := 0
			for _, j := range e.Snapshot() {
				switch j.State {
				case model.StateDone:
				case model.StateSkipped:
					skipped++
				default:
					t.Errorf("%s: got %v (%s %s), want done or skipped", j.Dst.Display, j.State, j.Reason, j.Err)
				}
			}
			if skipped != tc.skipped {
				t.Errorf("skipped: got %d, want %d", skipped, tc.skipped)
			}
			got := map[string]string{}
			_ = filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					b, _ := os.ReadFile(p)
					rel, _ := filepath.Rel(dst, p)
					got[filepath.ToSlash(rel)] = string(b)
				}
				return nil
			})
			if !maps.Equal(got, tc.want) {
				t.Errorf("downloaded: got %v, want %v", got, tc.want)
			}
			// Run again: everything is there already.
			again := start(t, Options{Remote: c, Retry: simRetry, TempDir: t.TempDir(), Conflict: tc.policy})
			if _, err := again.Enqueue(Request{Src: Endpoint{Remote: true, Entry: top}, DstDir: Endpoint{Path: dst}, Contents: true}); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, again)
			if tc.policy == model.ConflictSkip {
				assertStates(t, again, model.StateSkipped)
			}
		})
	}
}
