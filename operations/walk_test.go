package operations

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/megatui/megatui/model"
)

// cyclicFs is a tree whose folder "b" lists "a" again as its child: what
// a server sending a parent cycle looks like to a walk.
type cyclicFs struct{ Fs }

func (cyclicFs) String() string { return "cyclic" }
func (cyclicFs) Root(context.Context) (model.Entry, error) {
	return model.Entry{ID: "root", Name: "", Kind: model.KindDir}, nil
}
func (cyclicFs) List(_ context.Context, id string) ([]model.Entry, error) {
	switch id {
	case "root":
		return []model.Entry{{ID: "a", Name: "a", Kind: model.KindDir}}, nil
	case "a":
		return []model.Entry{{ID: "b", Name: "b", Kind: model.KindDir}}, nil
	default:
		return []model.Entry{{ID: "a", Name: "a", Kind: model.KindDir}}, nil
	}
}

func TestWalkStopsAtAParentCycle(t *testing.T) {
	t.Parallel()
	_, err := Walk(context.Background(), cyclicFs{}, WalkOptions{})
	if !errors.Is(err, model.ErrInvalidReply) {
		t.Fatalf("got %v, want %v", err, model.ErrInvalidReply)
	}
	if want := "a/b/a: folder reached twice (a parent cycle)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v does not say %q", err, want)
	}
}

func TestWalkListsSpecialFilesWithTheirKind(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "plain"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "pipe"), 0o644); err != nil {
		t.Skipf("no FIFOs: %v", err)
	}
	if err := os.Symlink("link", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	f, err := NewLocal(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := Walk(context.Background(), f, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pipe": "special file (named pipe)", "link": "special file (symbolic link, not followed)"}
	got := map[string]string{}
	for _, sp := range l.Special {
		got[sp.Path] = sp.Reason
	}
	if len(got) != len(want) || len(l.Files) != 1 {
		t.Fatalf("special %v, files %v; want %v and one file", l.Special, l.FilePaths(), want)
	}
	for p, why := range want {
		if got[p] != why {
			t.Errorf("%s: %q, want %q", p, got[p], why)
		}
	}
}
