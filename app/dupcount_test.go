package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// TestHeaderDuplicateCount: the header's account-wide count comes from the
// client's duplicate index and agrees with a full dedupe scan, before and
// after a change.
func TestHeaderDuplicateCount(t *testing.T) {
	t.Parallel()
	const email, pass = "dup-count@example.com", "dup count password 1"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "dups", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	up := func(dir, name string) string {
		t.Helper()
		if _, err := c.MkdirAll(ctx, dir); err != nil {
			t.Fatal(err)
		}
		e, err := c.Upload(ctx, dir, name, strings.NewReader(name), int64(len(name)), time.Unix(1700000000, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	up("/a", "x.txt")
	first := up("/a", "x.txt")
	up("/a/b", "Café.txt")
	up("/a/b", "café.txt")
	up("/c", "unique.txt")
	pane := newMegaFS("dups", email, c, t.TempDir())
	check := func(want int) {
		t.Helper()
		got, err := pane.CountDuplicateGroups(ctx)
		sc, serr := dedupe.Scan(ctx, c, "/")
		if err != nil || serr != nil {
			t.Fatal(err, serr)
		}
		if scan := len(dedupe.Detect(sc.Entries, false, nil)); got != want || scan != want {
			t.Errorf("count: got %d, want %d (a full scan finds %d)", got, want, scan)
		}
	}
	check(2)
	if err := c.Rename(ctx, first, "y.txt"); err != nil {
		t.Fatal(err)
	}
	check(1)
}
