package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// TestMegaFSRefusesTakenNames: F7 and F2 on MEGA must not silently make
// a same-name duplicate (MEGA would accept it); the disk refuses too.
func TestMegaFSRefusesTakenNames(t *testing.T) {
	t.Parallel()
	const email, pass = "tui-fs@example.com", "tui fs password 1"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "fs", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	p := newMegaFS("fs", email, c, t.TempDir())
	if err := p.Mkdir(ctx, "/", "Photos"); err != nil {
		t.Fatalf("first mkdir: %v", err)
	}
	if _, err := c.Upload(ctx, "/", "a.txt", strings.NewReader("a"), 1, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Mkdir(ctx, "/", "Photos"); !errors.Is(err, model.ErrExists) {
		t.Errorf("mkdir of an existing folder name: got %v, want ErrExists", err)
	}
	if err := p.Mkdir(ctx, "/", "a.txt"); !errors.Is(err, model.ErrExists) {
		t.Errorf("mkdir of an existing file name: got %v, want ErrExists", err)
	}
	count := func(name string) int {
		t.Helper()
		es, err := c.Lookup(ctx, "/", name)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	if n := count("Photos"); n != 1 {
		t.Errorf("folders named Photos: got %d, want 1", n)
	}

	file, err := c.Stat(ctx, "/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	h := p.EntryPath("/", file)
	if err := p.Rename(ctx, h, "Photos"); !errors.Is(err, model.ErrExists) {
		t.Errorf("rename onto a sibling's name: got %v, want ErrExists", err)
	}
	if n := count("a.txt"); n != 1 {
		t.Errorf("a.txt after the refused rename: got %d entries, want 1", n)
	}
	if err := p.Rename(ctx, h, "A.txt"); err != nil {
		t.Errorf("rename to a free name (case change): %v", err)
	}
	if n := count("A.txt"); n != 1 {
		t.Errorf("A.txt after the rename: got %d entries, want 1", n)
	}
}

// TestMegaFSParentOfSpecialRoots: Backspace in the Rubbish Bin, the
// Inbox or the share list goes back to Cloud Drive instead of doing
// nothing.
func TestMegaFSParentOfSpecialRoots(t *testing.T) {
	t.Parallel()
	p := &megaFS{}
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"//bin", "/"},
		{"//in", "/"},
		{"//shares", "/"},
		{"//bin/x", "//bin"},
		{"//shares/Team", "//shares"},
		{"/a/b", "/a"},
		{"/a", "/"},
	} {
		if got := p.Parent(tc.in); got != tc.want {
			t.Errorf("Parent(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestLocalWatchReportsChangedFolder: a file written in a folder a pane
// listed is reported, so the pane reloads and shows its new size.
func TestLocalWatchReportsChangedFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := localFS{fs: localfs.New(), watch: &localWatch{}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := p.Watch(ctx)
	if _, err := p.List(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "grown.txt"), []byte("more bytes than before"), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-ch:
		if got != dir {
			t.Errorf("got %q, want %q", got, dir)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change reported for the listed folder")
	}
	cancel()
	for range ch { // closes once ctx ends
	}
}
