package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/theme"
)

// TestTUIGuidedDedupeAgainstMegasim runs a guided session through the
// real client, the dedupe package and megasim: keep the newest of two
// different files, verify and drop an identical copy, note a case
// collision, apply, check the account, undo, check again.
func TestTUIGuidedDedupeAgainstMegasim(t *testing.T) {
	t.Parallel()
	const email, pass = "tui-dedupe@example.com", "tui dedupe password 3"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: pass, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "dedupe", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.MkdirAll(ctx, "/Dups"); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	up := func(name, content string, mtime time.Time) model.Entry {
		t.Helper()
		e, err := c.Upload(ctx, "/Dups", name, strings.NewReader(content), int64(len(content)), mtime, nil)
		if err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
		return e
	}
	up("report.txt", "the same bytes", t0)
	up("report.txt", "the same bytes", t0)
	up("notes.txt", "old short note", t0)
	newest := up("notes.txt", "a newer and much longer note", t0.Add(time.Hour))
	up("Photo.JPG", "photo one", t0)
	up("photo.jpg", "photo two", t0)

	pane := newMegaFS("dedupe", email, c, t.TempDir())
	st := theme.New(true, false)
	// Only the filesystem and dedupe sides of the MEGA pane: its change
	// watcher would block this synchronous driver forever.
	right := struct {
		ui.FS
		ui.Deduper
	}{pane, pane}
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: right, RightDir: "/Dups", Styles: &st, Location: time.UTC})
	d := &tuiDriver{t: t, app: app}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 36})
	d.run(app.Init())
	key := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			if k == "enter" {
				d.enter()
			} else {
				d.typeText(k)
			}
		}
	}
	screen := func() string { return ansi.Strip(d.screen()) }
	d.send(tea.KeyPressMsg{Code: tea.KeyTab})
	for _, want := range []string{"×2 identical", "×2 different", "≈2 name clash", "⧉ 3 dup groups here"} {
		if !strings.Contains(screen(), want) {
			t.Fatalf("browser lacks %q:\n%s", want, screen())
		}
	}
	key("d", "enter") // this folder
	if s := screen(); !strings.Contains(s, `Group 1 of 3  "notes.txt"`) {
		t.Fatalf("first group:\n%s", s)
	}
	key("n")           // keep the newest notes.txt
	key("v", "i", "y") // verify report.txt by SHA-256, drop the identical copy
	key("x")           // the case collision: noted
	s := screen()
	for _, want := range []string{"Review the plan", "2 action(s): 2 to the Rubbish Bin", "would clobber each other"} {
		if !strings.Contains(s, want) {
			t.Fatalf("review lacks %q:\n%s", want, s)
		}
	}
	names := func(ref string) []string {
		t.Helper()
		es, err := c.List(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name)
		}
		slices.Sort(out)
		return out
	}
	before := []string{"Photo.JPG", "notes.txt", "notes.txt", "photo.jpg", "report.txt", "report.txt"}
	if got := names("/Dups"); !slices.Equal(got, before) {
		t.Fatalf("the review changed the account: %q", got)
	}
	key("y")
	if s := screen(); !strings.Contains(s, "Applied 2 action(s), 0 failed") {
		t.Fatalf("after apply:\n%s", s)
	}
	if got := names("/Dups"); !slices.Equal(got, []string{"Photo.JPG", "notes.txt", "photo.jpg", "report.txt"}) {
		t.Errorf("after apply /Dups holds %q", got)
	}
	es, _ := c.List(ctx, "/Dups")
	for _, e := range es {
		if e.Name == "notes.txt" && e.ID != newest.ID {
			t.Errorf("kept notes.txt %s, want the newest %s", e.ID, newest.ID)
		}
	}
	if got := names("//bin"); !slices.Equal(got, []string{"notes.txt", "report.txt"}) {
		t.Errorf("Rubbish Bin holds %q", got)
	}
	key("u")
	if s := screen(); !strings.Contains(s, "Undo: 2 action(s) reversed") {
		t.Fatalf("after undo:\n%s", s)
	}
	if got := names("/Dups"); !slices.Equal(got, before) {
		t.Errorf("after undo /Dups holds %q, want %q", got, before)
	}
	d.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if strings.Contains(screen(), "Guided dedupe") {
		t.Errorf("screen still open")
	}
}
