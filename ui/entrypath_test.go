package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// handleFS is a MEGA-like filesystem: one folder holding two entries with
// the same name, told apart only by their IDs, and operations that take
// "H:id" references.
type handleFS struct {
	*memFS
	mu      sync.Mutex
	entries []model.Entry
	removed []string
	renamed []string
}

func (f *handleFS) List(context.Context, string) ([]model.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.entries), nil
}

func (f *handleFS) EntryPath(_ string, e model.Entry) string { return "H:" + e.ID }

func (f *handleFS) Remove(_ context.Context, p string, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, p)
	f.entries = slices.DeleteFunc(f.entries, func(e model.Entry) bool { return "H:"+e.ID == p })
	return nil
}

func (f *handleFS) Rename(_ context.Context, p, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renamed = append(f.renamed, p+" -> "+name)
	return nil
}

// TestSameNameEntriesAddressedByIdentity: with two files called
// "dup.txt" in one folder, deleting or renaming the second must act on
// the second, not on whichever one a path lookup would find.
func TestSameNameEntriesAddressedByIdentity(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fs := &handleFS{memFS: newMemFS("mega"), entries: []model.Entry{
		{Name: "dup.txt", Size: 1, ID: "AAAAAAAA", ModTime: when},
		{Name: "dup.txt", Size: 2, ID: "BBBBBBBB", ModTime: when},
	}}
	st := theme.New(true, false)
	app := New(Options{Left: newMemFS("local"), Right: fs, Styles: &st, Location: time.UTC})
	h := &harness{t: t, app: app}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	h.run(app.Init())
	h.press("tab")
	l := app.panes[1].Listing
	second, ok := l.Current()
	for ok && second.ID != "BBBBBBBB" {
		h.press("down")
		second, ok = app.panes[1].Listing.Current()
	}
	if !ok {
		t.Fatal("second dup.txt not reachable with the cursor")
	}
	h.press("r")
	h.press("ctrl+u")
	for _, r := range "kept.txt" {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	h.press("enter")
	if want := []string{"H:BBBBBBBB -> kept.txt"}; !slices.Equal(fs.renamed, want) {
		t.Errorf("rename: got %q, want %q", fs.renamed, want)
	}
	h.press("f8", "y")
	if want := []string{"H:BBBBBBBB"}; !slices.Equal(fs.removed, want) {
		t.Errorf("remove: got %q, want %q (message %q)", fs.removed, want, app.Message())
	}
	if got := fmt.Sprint(fs.entries); !strings.Contains(got, "AAAAAAAA") {
		t.Errorf("the other copy went too: %s", got)
	}
}
