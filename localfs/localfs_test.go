package localfs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/nobodytest"
	"github.com/megatui/megatui/model"
)

func TestListShowsSymlinksWithoutFollowing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	mtime := time.Date(2020, 5, 17, 10, 11, 12, 0, time.UTC)
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte("hello"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "f.txt"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A loop: sub/up points back at dir.
	if err := os.Symlink("..", filepath.Join(dir, "sub", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing", filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	fsys := New()
	es, err := fsys.List(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		kind model.Kind
		size int64
	}{{"dangling", model.KindSymlink, int64(len("missing"))}, {"f.txt", model.KindFile, 5}, {"sub", model.KindDir, 0}}
	if len(es) != len(want) {
		t.Fatalf("got %d entries %+v, want %d", len(es), es, len(want))
	}
	for i, w := range want {
		if es[i].Name != w.name || es[i].Kind != w.kind || es[i].Size != w.size {
			t.Errorf("entry %d: got %q %v %d, want %q %v %d", i, es[i].Name, es[i].Kind, es[i].Size, w.name, w.kind, w.size)
		}
	}
	if !es[1].ModTime.Equal(mtime) || es[1].Mode != 0o640 || !es[1].ModTimeKnown {
		t.Errorf("f.txt: got mtime %v mode %o, want %v 640", es[1].ModTime, es[1].Mode, mtime)
	}
	if es[0].Target != "missing" {
		t.Errorf("dangling target: got %q, want %q", es[0].Target, "missing")
	}
	sub, err := fsys.List(ctx, filepath.Join(dir, "sub"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) != 1 || sub[0].Kind != model.KindSymlink || sub[0].Target != ".." {
		t.Errorf("sub: got %+v, want one symlink to ..", sub)
	}
}

func TestErrorsAreSentinels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	fsys := New()
	os.WriteFile(filepath.Join(dir, "a"), []byte("a"), 0o644)
	os.WriteFile(filepath.Join(dir, "b"), []byte("b"), 0o644)
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"list vanished", func() error { _, err := fsys.List(ctx, filepath.Join(dir, "gone")); return err }, model.ErrNotFound},
		{"stat vanished", func() error { _, err := fsys.Stat(ctx, filepath.Join(dir, "gone")); return err }, model.ErrNotFound},
		{"list a file", func() error { _, err := fsys.List(ctx, filepath.Join(dir, "a")); return err }, model.ErrNotDir},
		{"rename onto existing", func() error { return fsys.Rename(ctx, filepath.Join(dir, "a"), "b") }, model.ErrExists},
		{"rename escaping", func() error { return fsys.Rename(ctx, filepath.Join(dir, "a"), "../x") }, nil},
		{"mkdir existing", func() error { _, err := fsys.Mkdir(ctx, dir, "d"); return err }, model.ErrExists},
		{"move into itself", func() error { return fsys.Move(ctx, filepath.Join(dir, "d"), filepath.Join(dir, "d")) }, model.ErrCircular},
		{"open folder", func() error { _, err := fsys.Open(ctx, filepath.Join(dir, "d")); return err }, model.ErrIsDir},
		{"remove vanished", func() error { return fsys.Remove(ctx, filepath.Join(dir, "gone")) }, model.ErrNotFound},
		{"cancelled", func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			_, err := fsys.List(c, dir)
			return err
		}, model.ErrCancelled},
	}
	for _, tc := range cases {
		err := tc.run()
		if tc.want == nil {
			// "../x" is made safe (a lookalike), never a path outside dir.
			if err != nil {
				t.Errorf("%s: got %v, want success inside the folder", tc.name, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x")); err == nil {
		t.Errorf("rename escaped the folder")
	}
}

func TestPermissionDenied(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		// Root passes every permission check: run this test again as an
		// unprivileged user where the platform allows it.
		nobodytest.Rerun(t, "TestPermissionDenied")
		return
	}
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o000)
	defer os.Chmod(locked, 0o755)
	_, err := New().List(context.Background(), locked)
	if !errors.Is(err, model.ErrPermission) {
		t.Fatalf("got %v, want %v", err, model.ErrPermission)
	}
}

func TestCreateCommitAndAbort(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	fsys := New()
	mtime := time.Date(2019, 1, 2, 3, 4, 5, 0, time.UTC)
	w, err := fsys.Create(ctx, dir, "out.bin", mtime)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("world"), 6); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("hello "), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out.bin")); err == nil {
		t.Fatal("final name exists before commit")
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "out.bin"))
	if string(got) != "hello world" {
		t.Errorf("content: got %q, want %q", got, "hello world")
	}
	if fi, _ := os.Stat(filepath.Join(dir, "out.bin")); !fi.ModTime().Equal(mtime) {
		t.Errorf("mtime: got %v, want %v", fi.ModTime(), mtime)
	}
	w2, err := fsys.Create(ctx, dir, "aborted", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	w2.Write([]byte("partial"))
	if err := w2.Abort(); err != nil {
		t.Fatal(err)
	}
	es, _ := fsys.List(ctx, dir)
	if len(es) != 1 || es[0].Name != "out.bin" {
		t.Errorf("after abort: got %+v, want only out.bin (no temporary files)", es)
	}
}

func TestHostileNamesStayInside(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	parent := t.TempDir()
	dir := filepath.Join(parent, "dl")
	os.Mkdir(dir, 0o755)
	fsys := New()
	for _, name := range []string{"../../x", "a/b", "..", ".", "\x1b[31mred", "nul\x00byte", "bad\xffutf8", `back\slash`} {
		w, err := fsys.Create(ctx, dir, name, time.Time{})
		if err != nil {
			if !errors.Is(err, model.ErrUnsafeName) {
				t.Errorf("%q: got %v, want success or %v", name, err, model.ErrUnsafeName)
			}
			continue
		}
		if filepath.Dir(w.Path()) != dir {
			t.Errorf("%q: final path %q is not directly in %q", name, w.Path(), dir)
		}
		w.Write([]byte(name))
		if err := w.Commit(); err != nil {
			t.Errorf("%q: commit: %v", name, err)
		}
	}
	es, _ := os.ReadDir(parent)
	if len(es) != 1 {
		t.Errorf("parent holds %d entries, want only dl", len(es))
	}
	inside, _ := os.ReadDir(dir)
	for _, e := range inside {
		if strings.ContainsAny(e.Name(), "/\x00\x1b") {
			t.Errorf("unsafe local name %q", e.Name())
		}
	}
}
