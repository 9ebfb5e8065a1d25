package transfer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// failedWith returns the failed jobs whose error says want.
func failedWith(e *Engine, want string) []model.Job {
	var out []model.Job
	for _, j := range e.Snapshot() {
		if j.State == model.StateFailed && strings.Contains(j.Err, want) {
			out = append(out, j)
		}
	}
	return out
}

func TestRemoteTreeTooDeepFailsLoudly(t *testing.T) {
	t.Parallel()
	rem := newFakeRemote()
	top := rem.mkdirAt(rem.root, "deep")
	parent := top
	for i := 0; i < model.MaxTreeDepth+20; i++ {
		parent = rem.mkdirAt(parent.ID, fmt.Sprintf("d%d", i))
	}
	rem.fileAt(parent.ID, "bottom.txt", []byte("x"), time.Unix(1700000000, 0))
	dst := t.TempDir()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(downloadReq(top, dst)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	fails := failedWith(e, "folder tree too deep: more than 256 levels")
	if len(fails) != 1 {
		t.Fatalf("failed jobs %v, want one saying the tree is too deep", e.Snapshot())
	}
	if want := "/d254/d255"; !strings.Contains(fails[0].Err, want) {
		t.Fatalf("error %q does not name the path (…%s)", fails[0].Err, want)
	}
}

func TestRemoteFolderCycleEnds(t *testing.T) {
	t.Parallel()
	rem := newFakeRemote()
	top := rem.mkdirAt(rem.root, "loop")
	child := rem.mkdirAt(top.ID, "child")
	rem.fileAt(child.ID, "f.txt", []byte("data"), time.Unix(1700000000, 0))
	rem.nodes[top.ID].parent = child.ID // child lists top again: a cycle
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(downloadReq(top, t.TempDir())); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	if fails := failedWith(e, "folder met twice (a cycle)"); len(fails) != 1 {
		t.Fatalf("jobs %v, want one failed for the cycle", e.Snapshot())
	}
}

func TestLocalTreeTooDeepFailsLoudly(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	p := filepath.Join(src, "deep")
	for i := 0; i < model.MaxTreeDepth+5; i++ {
		p = filepath.Join(p, "d")
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	rem := newFakeRemote()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(uploadReq(filepath.Join(src, "deep"), rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	if fails := failedWith(e, "folder tree too deep"); len(fails) != 1 {
		t.Fatalf("jobs %v, want one failed as too deep", e.Snapshot())
	}
}

func TestLocalSpecialFilesSkippedWithReason(t *testing.T) {
	t.Parallel()
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "plain.txt"), []byte("plain"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(src, "pipe"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	// A symlink loop: following it would never end.
	if err := os.Symlink("loop-b", filepath.Join(src, "loop-a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop-a", filepath.Join(src, "loop-b")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pipe":   "special file (named pipe)",
		"loop-a": "special file (symbolic link, not followed)",
		"loop-b": "special file (symbolic link, not followed)",
	}
	if err := syscall.Mknod(filepath.Join(src, "null"), syscall.S_IFCHR|0o644, 1<<8|3); err == nil {
		want["null"] = "special file (character device)"
	}
	rem := newFakeRemote()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(uploadReq(src, rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	got := map[string]string{}
	for _, j := range e.Snapshot() {
		name := filepath.Base(j.Src.Display)
		switch j.State {
		case model.StateSkipped:
			got[name] = j.Reason
		case model.StateDone:
			if name != "plain.txt" {
				t.Errorf("%s copied", name)
			}
		default:
			t.Errorf("%s: state %s (%s)", name, j.State, j.Err)
		}
	}
	for name, reason := range want {
		if got[name] != reason {
			t.Errorf("%s: reason %q, want %q", name, got[name], reason)
		}
	}
}
