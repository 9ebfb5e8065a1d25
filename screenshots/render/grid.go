package main

import (
	"bufio"
	"image/color"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"golang.org/x/text/unicode/norm"
)

// cell is one terminal cell: a rune (0 for the right half of a wide rune),
// the combining marks that follow it, and its attributes.
type cell struct {
	r     rune
	marks []rune
	attr  attr
}

// text is what the cell shows: its rune with its combining marks,
// composed (NFC) when Unicode has a precomposed form.
func (c cell) text() string {
	if len(c.marks) == 0 {
		return string(c.r)
	}
	return norm.NFC.String(string(c.r) + string(c.marks))
}

type attr struct {
	fg, bg    color.RGBA
	fgSet     bool
	bgSet     bool
	bold      bool
	faint     bool
	underline bool
	reverse   bool
}

// grid is a captured screen.
type grid struct {
	cols, rows int
	cells      [][]cell
}

// parseCapture reads the output of `tmux capture-pane -p -e` (text with SGR
// escape sequences, one line per screen row) into a grid of cols×rows.
// Escape sequences other than SGR are skipped.
func parseCapture(r io.Reader, cols, rows int, pal palette) (*grid, error) {
	g := &grid{cols: cols, rows: rows, cells: make([][]cell, rows)}
	for y := range g.cells {
		g.cells[y] = make([]cell, cols)
		for x := range g.cells[y] {
			g.cells[y][x] = cell{r: ' '}
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var cur attr // tmux resets attributes at line starts only on change; keep state across lines
	for y := 0; y < rows && sc.Scan(); y++ {
		line := []rune(sc.Text())
		x := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == 0x1b {
				i = skipEscape(line, i, &cur, pal)
				continue
			}
			if c < 0x20 {
				continue
			}
			w := runewidth.RuneWidth(c)
			if w == 0 {
				// A combining mark belongs to the last glyph drawn.
				if px, ok := lastGlyph(g.cells[y], x); ok {
					g.cells[y][px].marks = append(g.cells[y][px].marks, c)
				}
				continue
			}
			if x+w > cols {
				break
			}
			g.cells[y][x] = cell{r: c, attr: cur}
			for k := 1; k < w; k++ {
				g.cells[y][x+k] = cell{r: 0, attr: cur}
			}
			x += w
		}
		// The rest of the row keeps the background of the last attribute
		// only when tmux emitted explicit spaces; leave it default.
	}
	return g, sc.Err()
}

// lastGlyph returns the cell of the glyph left of column x (skipping the
// right half of a wide rune).
func lastGlyph(row []cell, x int) (int, bool) {
	for px := x - 1; px >= 0; px-- {
		if row[px].r != 0 {
			return px, true
		}
	}
	return 0, false
}

// skipEscape consumes the escape sequence starting at line[i] (ESC) and
// applies it when it is SGR. It returns the index of its last rune.
func skipEscape(line []rune, i int, cur *attr, pal palette) int {
	if i+1 >= len(line) {
		return i
	}
	switch line[i+1] {
	case '[':
		j := i + 2
		for j < len(line) && !(line[j] >= 0x40 && line[j] <= 0x7e) {
			j++
		}
		if j < len(line) && line[j] == 'm' {
			applySGR(string(line[i+2:j]), cur, pal)
		}
		return j
	case ']':
		// OSC: up to BEL or ST.
		j := i + 2
		for j < len(line) {
			if line[j] == 0x07 {
				return j
			}
			if line[j] == 0x1b && j+1 < len(line) && line[j+1] == '\\' {
				return j + 1
			}
			j++
		}
		return j
	default:
		return i + 1
	}
}

func applySGR(params string, a *attr, pal palette) {
	if params == "" {
		*a = attr{}
		return
	}
	parts := strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' })
	nums := make([]int, len(parts))
	for k, p := range parts {
		nums[k], _ = strconv.Atoi(p)
	}
	for k := 0; k < len(nums); k++ {
		n := nums[k]
		switch {
		case n == 0:
			*a = attr{}
		case n == 1:
			a.bold = true
		case n == 2:
			a.faint = true
		case n == 4:
			a.underline = true
		case n == 7:
			a.reverse = true
		case n == 22:
			a.bold, a.faint = false, false
		case n == 24:
			a.underline = false
		case n == 27:
			a.reverse = false
		case n >= 30 && n <= 37:
			a.fg, a.fgSet = pal.ansi[n-30], true
		case n >= 90 && n <= 97:
			a.fg, a.fgSet = pal.ansi[n-90+8], true
		case n == 39:
			a.fgSet = false
		case n >= 40 && n <= 47:
			a.bg, a.bgSet = pal.ansi[n-40], true
		case n >= 100 && n <= 107:
			a.bg, a.bgSet = pal.ansi[n-100+8], true
		case n == 49:
			a.bgSet = false
		case n == 38 || n == 48:
			c, used, ok := extendedColor(nums[k+1:], pal)
			k += used
			if !ok {
				continue
			}
			if n == 38 {
				a.fg, a.fgSet = c, true
			} else {
				a.bg, a.bgSet = c, true
			}
		}
	}
}

// extendedColor decodes the arguments after 38/48: "5;N" or "2;R;G;B".
func extendedColor(args []int, pal palette) (color.RGBA, int, bool) {
	if len(args) >= 2 && args[0] == 5 {
		return pal.xterm(args[1]), 2, true
	}
	if len(args) >= 4 && args[0] == 2 {
		return color.RGBA{uint8(args[1]), uint8(args[2]), uint8(args[3]), 255}, 4, true
	}
	return color.RGBA{}, len(args), false
}
