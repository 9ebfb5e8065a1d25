package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

type entryT = model.Entry

func windowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

// bigHarness shows a folder of n entries in the left pane.
func bigHarness(tb testing.TB, n int) *harness {
	tb.Helper()
	local := newMemFS("local")
	es := make([]model.Entry, n)
	for i := range es {
		es[i] = model.Entry{Name: fmt.Sprintf("IMG_%07d_%x.jpg", (i*7919)%n, i*31), Size: int64(i * 1000),
			ModTime: testTime.Add(time.Duration(i) * time.Second)}
		if i%100 == 0 {
			es[i].Kind = model.KindDir
		}
	}
	local.dirs["/big"] = es
	mega := newMegaFS()
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/big", RightDir: "/", Styles: &st, Location: time.UTC,
		Transfers: &fakeTransfers{}})
	h := &harness{t: tb, app: app, local: local, mega: mega}
	h.send(windowSize(120, 40))
	h.run(app.Init())
	if app.Pane(0).Len() != n {
		tb.Fatalf("got %d entries, want %d", app.Pane(0).Len(), n)
	}
	return h
}

// BenchmarkKeystroke100k: one cursor-down keystroke (Update + View) in a
// folder of 100,000 entries, with a 100-entry folder as the baseline.
func BenchmarkKeystroke100k(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			h := bigHarness(b, n)
			down, up := keyMsg("down"), keyMsg("up")
			i := 0
			for b.Loop() {
				k := down
				if (i/(n-1))%2 == 1 {
					k = up // bounce so every keystroke moves the cursor
				}
				i++
				h.app.Update(k)
				_ = h.app.View()
			}
		})
	}
}

// BenchmarkFilterKeystroke100k: filter keystrokes (Update + View) in a
// folder of 100,000 entries, with a 100-entry folder as the baseline.
// Each iteration is two keystrokes: type a letter, then erase it.
//   - first:  the letter starts the filter (a full fuzzy scan);
//   - narrow: the letter extends "1" (only the previous matches rescanned);
//   - sync:   matching runs inside Update (what a keystroke costs when
//     the result must be on screen in the same frame);
//   - async:  App's default above 20,000 entries: Update only starts the
//     match in a Cmd and the UI goroutine is free at once; the result
//     arrives after the "sync" time.
func BenchmarkFilterKeystroke100k(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		for _, mode := range []string{"first", "narrow"} {
			for _, how := range []string{"sync", "async"} {
				b.Run(fmt.Sprintf("entries=%d/%s/%s", n, mode, how), func(b *testing.B) {
					h := bigHarness(b, n)
					h.app.asyncFilterAbove = 1 << 30
					h.app.Update(keyMsg("/"))
					if mode == "narrow" {
						h.app.Update(keyMsg("1"))
					}
					if how == "async" {
						h.app.asyncFilterAbove = 1
					}
					typed, erase := keyMsg("9"), keyMsg("backspace")
					for b.Loop() {
						h.app.Update(typed)
						_ = h.app.View()
						h.app.Update(erase)
						_ = h.app.View()
					}
				})
			}
		}
	}
}
