package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// sortedBy reports whether the pane's files (folders first) are ordered by
// the given key.
func sortedBy(l *model.Listing, key model.SortKey) bool {
	for i := 1; i < l.Len(); i++ {
		a, b := l.Row(i-1), l.Row(i)
		if a.IsDir() != b.IsDir() {
			continue
		}
		switch key {
		case model.SortBySize:
			if a.Size > b.Size {
				return false
			}
		case model.SortByTime:
			if a.ModTime.After(b.ModTime) {
				return false
			}
		default:
			if strings.ToLower(a.Name) > strings.ToLower(b.Name) {
				return false
			}
		}
	}
	return true
}

// asyncSortHarness: a 2,000-entry folder that App treats as big.
func asyncSortHarness(t *testing.T) *harness {
	t.Helper()
	h := bigHarness(t, 2000)
	h.app.asyncFilterAbove = 1000
	return h
}

// update sends msg without running the Cmd it returns.
func (h *harness) update(msg tea.Msg) tea.Cmd {
	_, cmd := h.app.Update(msg)
	return cmd
}

func TestBigSortRunsInCmdAndKeepsCursor(t *testing.T) {
	t.Parallel()
	h := asyncSortHarness(t)
	l := h.app.Pane(0)
	l.SetCursor(777)
	want := h.current()
	cmd := h.update(keyMsg("s")) // name -> size
	if cmd == nil {
		t.Fatal("got no Cmd for a big folder's sort, want the sort in a Cmd")
	}
	if !sortedBy(l, model.SortByName) || !l.SortPending() {
		t.Fatalf("got rows re-sorted inside Update (pending %v), want the old order until the result arrives", l.SortPending())
	}
	if k, _ := l.Sort(); k != model.SortBySize {
		t.Errorf("got sort key %v, want size at once", k)
	}
	h.run(cmd)
	if !sortedBy(l, model.SortBySize) || l.SortPending() {
		t.Errorf("got rows not sorted by size after the result (pending %v)", l.SortPending())
	}
	if got := h.current(); got != want {
		t.Errorf("got cursor on %q after the sort, want %q", got, want)
	}
}

func TestStaleSortResultDropped(t *testing.T) {
	t.Parallel()
	h := asyncSortHarness(t)
	l := h.app.Pane(0)
	l.SetCursor(123)
	want := h.current()
	first := h.update(keyMsg("s"))  // size
	second := h.update(keyMsg("s")) // time
	h.run(first)                    // arrives late: size is no longer wanted
	if !sortedBy(l, model.SortByName) || !l.SortPending() {
		t.Fatalf("got the stale size result applied, want it dropped")
	}
	h.run(second)
	if !sortedBy(l, model.SortByTime) || l.SortPending() {
		t.Errorf("got rows not sorted by time after the current result")
	}
	if got := h.current(); got != want {
		t.Errorf("got cursor on %q, want %q", got, want)
	}
}

func TestSortResultDroppedAfterReload(t *testing.T) {
	t.Parallel()
	h := asyncSortHarness(t)
	l := h.app.Pane(0)
	sortCmd := h.update(keyMsg("s")) // size, pending
	// The folder changes and is reloaded before the sort finishes; the
	// reload is sorted (by size, the new key) in its own Cmd.
	h.local.dirs["/big"] = h.local.dirs["/big"][:500]
	h.press("ctrl+r")
	if l.Total() != 500 || !sortedBy(l, model.SortBySize) || l.SortPending() {
		t.Fatalf("got %d entries, sorted by size %v, pending %v after the reload; want 500, true, false",
			l.Total(), sortedBy(l, model.SortBySize), l.SortPending())
	}
	h.run(sortCmd) // sorted the 2,000 old entries: must not come back
	if l.Total() != 500 {
		t.Errorf("got %d entries after the stale sort result, want 500", l.Total())
	}
}

func TestSortChangedWhileLoading(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.local.add("/home/u/s/big.bin", 900)
	h.local.add("/home/u/s/alpha.txt", 50)
	h.local.add("/home/u/s/mid.txt", 300)
	h.app.asyncFilterAbove = 1
	h.press("ctrl+r")
	if !h.app.Pane(0).SelectName("s") {
		t.Fatal("folder s not listed")
	}
	load := h.update(keyMsg("enter")) // listing requested, sorted by name in its Cmd
	h.run(h.update(keyMsg("s")))      // sort by size meanwhile (on the old folder)
	h.run(load)
	if got, want := h.rows(0), []string{"alpha.txt", "mid.txt", "big.bin"}; !slices.Equal(got, want) {
		t.Errorf("got rows %v, want %v (sorted by the key chosen while loading)", got, want)
	}
}

func TestListingSortedInCmd(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	msg := listCmd(h.app.ctx, h.local, 0, 1, "/home/u", "", h.app.fold, model.SortBySize, true)().(listingMsg)
	if msg.sorted == nil || msg.sorted.Len() != len(msg.entries) {
		t.Fatalf("got no presorted entries in the listing message")
	}
}

// TestGoldenEmptyStates: what a pane with nothing to show says.
func TestGoldenEmptyStates(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T, leftDir string, fail error) (*harness, tea.Cmd) {
		local, mega := fixture()
		local.dirs["/empty"] = nil
		if fail != nil {
			local.failList[leftDir] = fail
		}
		st := theme.New(true, false)
		app := New(Options{Left: local, Right: mega, LeftDir: leftDir, RightDir: "/Cloud",
			Transfers: &fakeTransfers{}, Styles: &st, Location: time.UTC})
		h := &harness{t: t, app: app, local: local, mega: mega}
		h.send(tea.WindowSizeMsg{Width: 80, Height: 16})
		return h, app.Init()
	}
	tests := []struct {
		name, dir string
		fail      error
		run       bool
		want      []string
	}{
		{"empty-loading", "/home/u", nil, false, []string{"loading…"}},
		{"empty-folder", "/empty", nil, true, []string{"(empty folder)", "0/0"}},
		{"empty-error", "/home/u", fmt.Errorf("list: \x1b[31mboom: %w", model.ErrPermission), true,
			[]string{"cannot list: list: \\x1b[31mb", "╰─ cannot list ─"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, init := setup(t, tc.dir, tc.fail)
			if tc.run {
				h.run(init)
			}
			v := h.app.render()
			checkFrame(t, v, 80, 16)
			plain := stripANSI(v)
			for _, w := range tc.want {
				if !strings.Contains(plain, w) {
					t.Errorf("got view without %q:\n%s", w, plain)
				}
			}
			if strings.Contains(plain, "(empty)") || (!strings.Contains(tc.name, "folder") && strings.Contains(plain, "0/0")) {
				t.Errorf("got a false empty state in:\n%s", plain)
			}
			golden(t, tc.name+".txt", plain)
			golden(t, tc.name+".ansi256", downsample(t, v, colorprofile.ANSI256))
		})
	}
}

// TestLoginPaneSaysNotLoggedIn: the pane behind the login form.
func TestLoginPaneSaysNotLoggedIn(t *testing.T) {
	t.Parallel()
	h := newLoginHarness(t, 100, 30, newLockedFS("me@example.com", testPassword, "123456"))
	var found bool
	for _, p := range h.app.panes {
		if p.Problem == "not logged in" {
			found = true
		}
	}
	if !found {
		t.Errorf("got no pane saying \"not logged in\" while the login form is open")
	}
	if plain := stripANSI(h.app.render()); strings.Contains(plain, "(empty)") {
		t.Errorf("got \"(empty)\" behind the login form:\n%s", plain)
	}
}

func TestHelpGoldenLarge(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 40)
	h.press("?")
	v := h.app.render()
	checkFrame(t, v, 140, 40)
	golden(t, "help-140x40.txt", stripANSI(v))
	golden(t, "help-140x40.ansi256", downsample(t, v, colorprofile.ANSI256))
	plain := stripANSI(v)
	for _, w := range []string{"General", "F10/q", "Actions"} {
		if !strings.Contains(plain, w) {
			t.Errorf("got help without %q", w)
		}
	}
}

func TestFlowHelpNeverSplitsWithoutHeading(t *testing.T) {
	t.Parallel()
	groups := []helpGroup{
		{"Navigation", []string{"n1", "n2", "n3", "n4", "n5"}},
		{"Actions", []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"}},
		{"General", []string{"g1", "g2", "g3"}},
	}
	for _, perCol := range []int{2, 3, 4, 5, 6, 7, 9, 12, 40} {
		t.Run(fmt.Sprint(perCol), func(t *testing.T) {
			cols := flowHelp(groups, perCol)
			var keys []string
			for ci, c := range cols {
				if len(c) > max(perCol, 2) {
					t.Errorf("column %d has %d lines, want at most %d", ci, len(c), perCol)
				}
				if !c[0].heading {
					t.Errorf("column %d starts with %q, want a heading", ci, c[0].text)
				}
				if c[len(c)-1].heading || c[len(c)-1].text == "" {
					t.Errorf("column %d ends with %q, want a key", ci, c[len(c)-1].text)
				}
				group := ""
				for _, l := range c {
					switch {
					case l.heading:
						group = strings.TrimSuffix(l.text, " (cont.)")
					case l.text != "":
						if !strings.HasPrefix(l.text, strings.ToLower(group[:1])) {
							t.Errorf("key %q under heading %q", l.text, group)
						}
						keys = append(keys, l.text)
					}
				}
			}
			if len(keys) != 15 {
				t.Errorf("got %d keys laid out, want 15", len(keys))
			}
		})
	}
}

// BenchmarkSortKey100k: Update time of one sort-key press ("s") in a
// folder of 100,000 entries, with 100 entries as the baseline.
//   - async: App's default (above 20,000 entries the sort runs in a Cmd;
//     100 entries still sort inside Update);
//   - sync:  the sort forced inside Update (what it cost before).
func BenchmarkSortKey100k(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		for _, how := range []string{"async", "sync"} {
			b.Run(fmt.Sprintf("entries=%d/%s", n, how), func(b *testing.B) {
				h := bigHarness(b, n)
				if how == "sync" {
					h.app.asyncFilterAbove = 1 << 30
				}
				s := keyMsg("s")
				for b.Loop() {
					h.app.Update(s)
				}
			})
		}
	}
}

// BenchmarkListingArrives100k: Update time of a folder's listing arriving,
// 100,000 entries against 100: "presorted" is App's path (sorted in the
// list Cmd), "unsorted" the old one (sorted inside Update).
func BenchmarkListingArrives100k(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		for _, how := range []string{"presorted", "unsorted"} {
			b.Run(fmt.Sprintf("entries=%d/%s", n, how), func(b *testing.B) {
				h := bigHarness(b, n)
				es := h.local.dirs["/big"]
				s := model.SortEntries(es, model.SortByName, false)
				for b.Loop() {
					m := listingMsg{pane: 0, seq: h.app.seq[0], dir: "/big", entries: es}
					if how == "presorted" {
						m.sorted = &s
					}
					h.app.Update(m)
				}
			})
		}
	}
}

// TestHelpPagesShowEveryKey: at 80x24 the help does not fit on one
// screen; tab pages through it so that every binding that applies can be
// read, shift+tab goes back, and any other key closes it.
func TestHelpPagesShowEveryKey(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {60, 20}, {140, 40}} {
		h := newHarness(t, size[0], size[1])
		h.press("tab") // the MEGA pane: rubbish bin, export and more apply
		var want []string
		for _, g := range h.app.Keys().FullHelp() {
			for _, b := range g {
				if b.Enabled() {
					want = append(want, b.Help().Desc)
				}
			}
		}
		h.press("?")
		pages := len(h.app.helpPages())
		seen := ""
		for i := range pages {
			v := h.app.render()
			checkFrame(t, v, size[0], size[1])
			seen += stripANSI(v)
			if i < pages-1 {
				h.press("tab")
				if h.app.help() == nil {
					t.Fatalf("%dx%d: tab closed the help on page %d of %d", size[0], size[1], i+1, pages)
				}
			}
		}
		for _, d := range want {
			if !strings.Contains(seen, d) {
				t.Errorf("%dx%d: %q is on no help page (%d page(s))", size[0], size[1], d, pages)
			}
		}
		if pages > 1 {
			h.press("shift+tab")
			if o := h.app.help(); o == nil || o.page != pages-2 {
				t.Errorf("%dx%d: got help %+v after shift+tab, want page %d open", size[0], size[1], o, pages-2)
			}
		}
		h.press("x")
		if h.app.help() != nil {
			t.Errorf("%dx%d: got the help still open after x", size[0], size[1])
		}
	}
}
