package app

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/demo"
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
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 36})
	d.Run(app.Init())
	key := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			if k == "enter" {
				d.Press("enter")
			} else {
				d.Type(k)
			}
		}
	}
	screen := func() string { return ansi.Strip(d.screen()) }
	d.Send(tea.KeyPressMsg{Code: tea.KeyTab})
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
	d.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	if strings.Contains(screen(), "Guided dedupe") {
		t.Errorf("screen still open")
	}
}

// TestTUIDedupeReviewMatchesApplied walks the guided dedupe over the demo
// fixture (every kind of group, duplicate folders included) in the folder
// scope, newest for all: the review lists the merge's moves, names
// folders by path in its notes, and "Applied" reports exactly the number
// of actions reviewed, with nothing dropped or replanned.
func TestTUIDedupeReviewMatchesApplied(t *testing.T) {
	t.Parallel()
	const email, pass = "tui-dedupe-all@example.com", "tui dedupe password 4"
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
	fx, err := demo.SeedDuplicates(ctx, c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	pane := newMegaFS("dedupe", email, c, t.TempDir())
	st := theme.New(true, true)
	right := struct {
		ui.FS
		ui.Deduper
	}{pane, pane}
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: right, RightDir: "/Duplicates", Styles: &st, Location: time.UTC})
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 200, Height: 60})
	d.Run(app.Init())
	d.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	screen := func() string { return ansi.Strip(d.screen()) }
	d.Type("d")
	d.Press("enter") // this folder
	if s := screen(); !strings.Contains(s, "Merge preview") && !strings.Contains(s, "Group 1 of") {
		t.Fatalf("no groups:\n%s", s)
	}
	d.Type("an") // apply to all: newest
	s := screen()
	m := regexp.MustCompile(`(\d+) action\(s\): (\d+) to the Rubbish Bin, (\d+) rename\(s\), (\d+) move\(s\)`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no review:\n%s", s)
	}
	if m[4] != strconv.Itoa(len(fx.TripSmall)) && m[4] != strconv.Itoa(len(fx.TripBig)) {
		t.Errorf("review shows %s move(s), want the merge's moves:\n%s", m[4], s)
	}
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "note:") {
			continue
		}
		for _, id := range append([]string{fx.Dir}, fx.Folders...) {
			if strings.Contains(l, id) {
				t.Errorf("note names the handle %s: %q", id, l)
			}
		}
	}
	if !strings.Contains(s, `new same-name group in /Duplicates/Trip`) || !strings.Contains(s, "Unicode normalisation") {
		t.Errorf("review lacks the merge's new pair or the normalisation clash:\n%s", s)
	}
	d.Type("y")
	s = screen()
	want := "Applied " + m[1] + " action(s), 0 failed, 0 dropped because their group changed (the review listed " + m[1] + ")."
	if !strings.Contains(s, want) || strings.Contains(s, "changed since the plan was made") || strings.Contains(s, "more than reviewed") {
		t.Fatalf("after apply, want %q and no change notes:\n%s", want, s)
	}
}
