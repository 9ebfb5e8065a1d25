package main

import (
	"image/color"
	"strings"
	"testing"
)

func TestParseCapture(t *testing.T) {
	pal := darkPalette()
	tests := []struct {
		name    string
		in      string
		x, y    int
		wantR   rune
		wantFG  color.RGBA
		wantBG  color.RGBA
		fgSet   bool
		bgSet   bool
		bold    bool
		reverse bool
	}{
		{name: "plain", in: "ab", x: 1, wantR: 'b'},
		{name: "ansi fg", in: "\x1b[31mx", wantR: 'x', wantFG: pal.ansi[1], fgSet: true},
		{name: "bright bg", in: "\x1b[101mx", wantR: 'x', wantBG: pal.ansi[9], bgSet: true},
		{name: "256 colour", in: "\x1b[38;5;196mx", wantR: 'x', wantFG: color.RGBA{255, 0, 0, 255}, fgSet: true},
		{name: "truecolor bg and bold", in: "\x1b[1;48;2;1;2;3mx", wantR: 'x', wantBG: color.RGBA{1, 2, 3, 255}, bgSet: true, bold: true},
		{name: "reset", in: "\x1b[31m\x1b[0mx", wantR: 'x'},
		{name: "reverse", in: "\x1b[7mx", wantR: 'x', reverse: true},
		{name: "wide rune takes two cells", in: "日x", x: 2, wantR: 'x'},
		{name: "second line", in: "a\n\x1b[32mb", y: 1, wantR: 'b', wantFG: pal.ansi[2], fgSet: true},
		{name: "osc skipped", in: "\x1b]8;;http://x\x07y", wantR: 'y'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := parseCapture(strings.NewReader(tt.in), 10, 3, pal)
			if err != nil {
				t.Fatal(err)
			}
			c := g.cells[tt.y][tt.x]
			if c.r != tt.wantR {
				t.Errorf("rune: got %q, want %q", c.r, tt.wantR)
			}
			if c.attr.fgSet != tt.fgSet || (tt.fgSet && c.attr.fg != tt.wantFG) {
				t.Errorf("fg: got %v (set %v), want %v (set %v)", c.attr.fg, c.attr.fgSet, tt.wantFG, tt.fgSet)
			}
			if c.attr.bgSet != tt.bgSet || (tt.bgSet && c.attr.bg != tt.wantBG) {
				t.Errorf("bg: got %v (set %v), want %v (set %v)", c.attr.bg, c.attr.bgSet, tt.wantBG, tt.bgSet)
			}
			if c.attr.bold != tt.bold || c.attr.reverse != tt.reverse {
				t.Errorf("bold/reverse: got %v/%v, want %v/%v", c.attr.bold, c.attr.reverse, tt.bold, tt.reverse)
			}
		})
	}
}

func TestWideRuneFillsBothCells(t *testing.T) {
	g, err := parseCapture(strings.NewReader("日"), 4, 1, darkPalette())
	if err != nil {
		t.Fatal(err)
	}
	if g.cells[0][0].r != '日' || g.cells[0][1].r != 0 || g.cells[0][2].r != ' ' {
		t.Errorf("got %q %q %q, want '日' 0 ' '", g.cells[0][0].r, g.cells[0][1].r, g.cells[0][2].r)
	}
}

func TestCombiningMarks(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		x        int
		wantText string
		wantNext rune // the cell after x
	}{
		{name: "composes to NFC", in: "cafe\u0301.t", x: 3, wantText: "\u00e9", wantNext: '.'},
		{name: "no precomposed form keeps the mark", in: "q\u0301x", x: 0, wantText: "q\u0301", wantNext: 'x'},
		{name: "mark after a wide rune", in: "日\u0301x", x: 0, wantText: "日\u0301", wantNext: 0},
		{name: "mark at line start is dropped", in: "\u0301ab", x: 0, wantText: "a", wantNext: 'b'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := parseCapture(strings.NewReader(tt.in), 10, 1, darkPalette())
			if err != nil {
				t.Fatal(err)
			}
			if got := g.cells[0][tt.x].text(); got != tt.wantText {
				t.Errorf("text: got %q, want %q", got, tt.wantText)
			}
			if got := g.cells[0][tt.x+1].r; got != tt.wantNext {
				t.Errorf("next cell: got %q, want %q", got, tt.wantNext)
			}
		})
	}
}
