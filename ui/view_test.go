package ui

import (
	"bytes"
	"flag"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/transfers"
)

// updateGolden reports whether -update was given (the flag is defined by
// charmbracelet/x/exp/golden, which teatest imports; defining it twice
// panics).
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func stripANSI(s string) string { return ansi.Strip(s) }

// downsample renders s for a fixed colour profile (ANSI 256), so golden
// files do not depend on the terminal running the tests.
func downsample(t *testing.T, s string, p colorprofile.Profile) string {
	t.Helper()
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: p}
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if updateGolden() {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestGoldenViews(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w, h int
		keys []string
	}{
		{"wide", 120, 30, []string{"down", "down", "space", "space"}},
		{"standard", 80, 24, nil},
		{"narrow-stacked", 60, 24, []string{"tab"}},
		{"minimum", minWidth, minHeight, nil},
		{"too-small", 30, 8, nil},
		{"copy-dialog", 100, 30, []string{"down", "down", "f5"}},
		{"delete-permanent", 100, 30, []string{"tab", "D"}},
		{"rename", 100, 30, []string{"down", "down", "f2"}},
		{"filter", 100, 30, []string{"/", "t", "x"}},
		{"help", 100, 30, []string{"?"}},
		{"help-narrow", 60, 24, []string{"?"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.w, tc.h)
			h.press(tc.keys...)
			v := h.app.render()
			lines := strings.Split(v, "\n")
			if len(lines) != tc.h {
				t.Errorf("got %d lines, want %d", len(lines), tc.h)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != tc.w {
					t.Errorf("line %d is %d cells wide, want %d: %q", i, w, tc.w, stripANSI(l))
				}
			}
			golden(t, tc.name+".txt", stripANSI(v))
			golden(t, tc.name+".ansi256", downsample(t, v, colorprofile.ANSI256))
		})
	}
}

func TestGoldenNoColor(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	st := theme.New(true, true)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Styles: &st, Transfers: &fakeTransfers{}})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(80, 24))
	h.run(app.Init())
	v := app.render()
	if strings.Contains(v, "38;") || strings.Contains(v, "48;") {
		t.Errorf("NO_COLOR view holds colour sequences")
	}
	golden(t, "nocolor.ansi", v)
}

// TestLayoutManySizes checks every size from tiny to huge: rectangles never
// overlap or leave the screen, and below the minimum the view says so.
func TestLayoutManySizes(t *testing.T) {
	t.Parallel()
	for _, f := range []layoutFlags{{}, {transfers: true}, {transfers: true, transfersMax: true}} {
		for w := 0; w <= 240; w += 7 {
			for h := 0; h <= 80; h += 3 {
				l := layout(w, h, f)
				if (w < minWidth || h < minHeight) != l.TooSmall {
					t.Fatalf("%dx%d: TooSmall=%v", w, h, l.TooSmall)
				}
				if l.TooSmall {
					continue
				}
				rs := []rect{l.Header, l.Panes[0], l.Panes[1], l.Transfers, l.Message, l.Footer}
				area := 0
				for i, r := range rs {
					if r.W < 0 || r.H < 0 || r.X < 0 || r.Y < 0 || r.X+r.W > w || r.Y+r.H > h {
						t.Fatalf("%dx%d %+v: rect %d %+v off screen", w, h, f, i, r)
					}
					area += r.W * r.H
					for j := i + 1; j < len(rs); j++ {
						if overlap(r, rs[j]) {
							t.Fatalf("%dx%d: rects %d %+v and %d %+v overlap", w, h, i, r, j, rs[j])
						}
					}
				}
				if area != w*h {
					t.Fatalf("%dx%d %+v: rects cover %d cells, want %d", w, h, f, area, w*h)
				}
				if !f.transfersMax && (l.Panes[0].H < 4 || l.Panes[1].H < 4) {
					t.Fatalf("%dx%d %+v: panes too short: %+v", w, h, f, l.Panes)
				}
				if l.Stacked != (w < stackBelow) {
					t.Fatalf("%dx%d: stacked=%v", w, h, l.Stacked)
				}
			}
		}
	}
}

func overlap(a, b rect) bool {
	if a.W == 0 || a.H == 0 || b.W == 0 || b.H == 0 {
		return false
	}
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// TestViewAtManySizes renders the app at many sizes, with resizes in
// between, and checks the frame is exactly the terminal size.
func TestViewAtManySizes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 80, 24)
	for _, sz := range [][2]int{{200, 60}, {39, 12}, {40, 11}, {40, 12}, {79, 30}, {80, 12}, {13, 3}, {1, 1}, {150, 15}, {0, 0}} {
		h.send(windowSize(sz[0], sz[1]))
		h.press("down")
		v := h.app.render()
		if sz[0] == 0 {
			if v != "" {
				t.Errorf("0x0: got %q", v)
			}
			continue
		}
		lines := strings.Split(v, "\n")
		if len(lines) != sz[1] {
			t.Errorf("%v: got %d lines", sz, len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w != sz[0] {
				t.Errorf("%v line %d: width %d", sz, i, w)
			}
		}
		if small := sz[0] < minWidth || sz[1] < minHeight; small != strings.Contains(stripANSI(v), "too small") && sz[0] >= 20 {
			t.Errorf("%v: too-small message shown=%v", sz, !small)
		}
	}
}

func TestPaneRendersOnlyVisibleRows(t *testing.T) {
	t.Parallel()
	h := bigHarness(t, 100_000)
	calls := 0
	h.app.panes[0].Badge = func(e entryT) (pane.Badge, bool) { calls++; return pane.Badge{}, false }
	h.app.render()
	if want := h.app.panes[0].RowsHeight(); calls != want {
		t.Errorf("rendered %d rows, want only the %d visible", calls, want)
	}
}

func TestThemeFollowsBackground(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	app := New(Options{Left: local, Right: mega})
	if !app.st.Dark {
		t.Fatalf("got a light theme before the terminal answered, want dark")
	}
	app.Update(tea.BackgroundColorMsg{Color: color.White})
	if app.st.Dark {
		t.Errorf("got a dark theme on a white background")
	}
	app.Update(tea.BackgroundColorMsg{Color: color.Black})
	if !app.st.Dark {
		t.Errorf("got a light theme on a black background")
	}
	st := theme.New(false, true)
	fixed := New(Options{Left: local, Right: mega, Styles: &st})
	fixed.Update(tea.BackgroundColorMsg{Color: color.Black})
	if fixed.st.Dark || !fixed.st.NoColor {
		t.Errorf("a fixed theme changed")
	}
}

// TestWideAndCombiningNamesAlign renders names with CJK, emoji, ZWJ
// sequences and combining marks at several widths: every line keeps the
// terminal width.
func TestWideAndCombiningNamesAlign(t *testing.T) {
	t.Parallel()
	local := newMemFS("local")
	for _, n := range []string{"cafe\u0301.txt", "👩‍👩‍👧 family.png", "漢字かな交じり文のとても長いファイル名.txt", "a\u200bb", "x\u202eevil.txt", "🇯🇵.md"} {
		local.add("/w/"+n, 12)
	}
	for _, w := range []int{40, 57, 80, 101, 132} {
		st := theme.New(true, false)
		h := &harness{t: t, local: local}
		h.app = New(Options{Left: local, Right: local, LeftDir: "/w", RightDir: "/w", Styles: &st, Location: time.UTC})
		h.send(windowSize(w, 20))
		h.run(h.app.Init())
		for _, k := range []string{"", "down", "end"} {
			if k != "" {
				h.press(k)
			}
			for i, l := range strings.Split(h.app.render(), "\n") {
				if got := ansi.StringWidth(l); got != w {
					t.Errorf("width %d after %q, line %d: %d cells: %q", w, k, i, got, stripANSI(l))
				}
			}
		}
	}
}

func TestTransferPanelWidths(t *testing.T) {
	t.Parallel()
	for _, w := range []int{40, 60, 80, 120, 200} {
		h := newHarness(t, w, 30)
		ch := make(chan transfers.Snapshot)
		close(ch)
		h.send(snapshotMsg{snap: sampleSnapshot(), ch: ch, ok: true})
		h.press("t")
		for i, l := range strings.Split(h.app.render(), "\n") {
			if got := ansi.StringWidth(l); got != w {
				t.Errorf("width %d line %d: %d cells: %q", w, i, got, stripANSI(l))
			}
		}
	}
}
