package operations

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"
)

func TestWalkIntoDuplicateFolders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	root, _ := c.MkdirAll(ctx, "/w")
	for i, name := range []string{"a.txt", "b.txt"} {
		d, err := c.Mkdir(ctx, root.ID, "Trip")
		if err != nil {
			t.Fatal(err)
		}
		body := []byte{byte('0' + i)}
		if _, err := c.Upload(ctx, d.ID, name, bytes.NewReader(body), 1, time.Unix(1700000000, 0), nil); err != nil {
			t.Fatal(err)
		}
	}
	m := NewMega(c, "mega", "/w")
	l, err := Walk(ctx, m, WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Files) != 1 || len(l.Duplicates) != 1 {
		t.Errorf("plain walk: %d files, %d duplicates; want the first folder's file and the other folder", len(l.Files), len(l.Duplicates))
	}
	l, err = Walk(ctx, m, WalkOptions{IntoDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, o := range l.Files {
		paths = append(paths, o.Path)
	}
	for _, o := range l.Duplicates {
		paths = append(paths, o.Path)
	}
	slices.Sort(paths)
	if want := []string{"Trip", "Trip/a.txt", "Trip/b.txt"}; !slices.Equal(paths, want) {
		t.Errorf("walk into duplicates: %q, want %q", paths, want)
	}
}
