// Command render turns a colour capture of a terminal screen (the output of
// `tmux capture-pane -p -e`) into a PNG. screenshots/generate.sh uses it to
// produce the README's screenshots from the real binary.
package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func main() {
	if err := run(os.Args[1:], os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	cols := fs.Int("cols", 120, "screen width in cells")
	rows := fs.Int("rows", 36, "screen height in cells")
	out := fs.String("o", "", "output PNG path (required)")
	size := fs.Float64("size", 15, "font size in points at 72 dpi")
	regular := fs.String("font", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "regular monospace font")
	bold := fs.String("bold-font", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", "bold monospace font")
	fallback := fs.String("fallback", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc,/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf,/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf", "comma-separated fonts for glyphs the main font lacks (missing files are ignored)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-o is required")
	}
	pal := darkPalette()
	g, err := parseCapture(stdin, *cols, *rows, pal)
	if err != nil {
		return fmt.Errorf("read capture: %w", err)
	}
	r, err := newRenderer(*size, *regular, *bold, strings.Split(*fallback, ","))
	if err != nil {
		return err
	}
	img := r.draw(g, pal)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type face struct {
	font *sfnt.Font
	face font.Face
}

type renderer struct {
	regular, bold face
	fallback      []face
	cellW, cellH  int
	ascent        int
	size          float64
	buf           sfnt.Buffer
	// scaled holds faces at smaller sizes for glyphs wider than their
	// cells (symbols from a proportional fallback font).
	scaled map[scaledKey]font.Face
}

type scaledKey struct {
	font *sfnt.Font
	size float64
}

func loadFace(path string, size float64) (face, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return face{}, err
	}
	var f *sfnt.Font
	if strings.HasSuffix(path, ".ttc") {
		c, err := opentype.ParseCollection(data)
		if err != nil {
			return face{}, fmt.Errorf("%s: %w", path, err)
		}
		if f, err = c.Font(0); err != nil {
			return face{}, fmt.Errorf("%s: %w", path, err)
		}
	} else if f, err = opentype.Parse(data); err != nil {
		return face{}, fmt.Errorf("%s: %w", path, err)
	}
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return face{}, err
	}
	return face{font: f, face: fc}, nil
}

func newRenderer(size float64, regular, bold string, fallback []string) (*renderer, error) {
	r := &renderer{size: size, scaled: map[scaledKey]font.Face{}}
	var err error
	if r.regular, err = loadFace(regular, size); err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	if r.bold, err = loadFace(bold, size); err != nil {
		r.bold = r.regular
	}
	for _, p := range fallback {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if fb, err := loadFace(p, size); err == nil {
			r.fallback = append(r.fallback, fb)
		}
	}
	adv, _ := r.regular.face.GlyphAdvance('M')
	m := r.regular.face.Metrics()
	r.cellW = adv.Ceil()
	r.ascent = m.Ascent.Ceil()
	r.cellH = (m.Ascent + m.Descent).Ceil() + 2
	return r, nil
}

func (r *renderer) has(f face, c rune) bool {
	i, err := f.font.GlyphIndex(&r.buf, c)
	return err == nil && i != 0
}

// faceFor picks the first face that has a glyph for c.
func (r *renderer) faceFor(c rune, bold bool) face {
	primary := r.regular
	if bold {
		primary = r.bold
	}
	if r.has(primary, c) {
		return primary
	}
	for _, f := range r.fallback {
		if r.has(f, c) {
			return f
		}
	}
	return primary
}

// shrunk returns f at the size where a glyph of advance adv fits width.
func (r *renderer) shrunk(f face, adv, width fixed.Int26_6) font.Face {
	size := math.Floor(r.size*float64(width)/float64(adv)*4) / 4
	k := scaledKey{f.font, size}
	if fc, ok := r.scaled[k]; ok {
		return fc
	}
	fc, err := opentype.NewFace(f.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return f.face
	}
	r.scaled[k] = fc
	return fc
}

func (r *renderer) draw(g *grid, pal palette) *image.RGBA {
	const pad = 12
	img := image.NewRGBA(image.Rect(0, 0, g.cols*r.cellW+2*pad, g.rows*r.cellH+2*pad))
	draw.Draw(img, img.Bounds(), image.NewUniform(pal.bg), image.Point{}, draw.Src)
	colours := func(a attr) (fg, bg color.RGBA) {
		fg, bg = pal.fg, pal.bg
		if a.fgSet {
			fg = a.fg
		}
		if a.bgSet {
			bg = a.bg
		}
		if a.reverse {
			fg, bg = bg, fg
		}
		if a.faint {
			fg = blend(fg, bg)
		}
		return fg, bg
	}
	// Backgrounds first, glyphs second: a wide rune's glyph covers two
	// cells, and the second cell's background must not paint over it.
	for y, row := range g.cells {
		for x, c := range row {
			_, bg := colours(c.attr)
			x0, y0 := pad+x*r.cellW, pad+y*r.cellH
			draw.Draw(img, image.Rect(x0, y0, x0+r.cellW, y0+r.cellH), image.NewUniform(bg), image.Point{}, draw.Src)
		}
	}
	for y, row := range g.cells {
		for x, c := range row {
			fg, _ := colours(c.attr)
			x0, y0 := pad+x*r.cellW, pad+y*r.cellH
			span := 1
			if x+1 < len(row) && row[x+1].r == 0 && c.r != 0 {
				span = 2
			}
			if c.attr.underline {
				draw.Draw(img, image.Rect(x0, y0+r.cellH-2, x0+span*r.cellW, y0+r.cellH-1), image.NewUniform(fg), image.Point{}, draw.Src)
			}
			if c.r == 0 || c.r == ' ' {
				continue
			}
			r.glyph(img, image.Rect(x0, y0, x0+span*r.cellW, y0+r.cellH), c.text(), c.attr.bold, fg)
		}
	}
	return img
}

// glyph draws c centred in rect (one cell, or two for a wide rune). A
// fallback glyph wider than its cells is drawn smaller, and clipped to
// rect, so that it cannot smear into its neighbours.
//
// text is one rune, or a rune and combining marks that have no precomposed
// form: the marks are drawn over the base rune with the base's face.
func (r *renderer) glyph(img *image.RGBA, rect image.Rectangle, text string, bold bool, fg color.RGBA) {
	rs := []rune(text)
	c := rs[0]
	ff := r.faceFor(c, bold)
	f := ff.face
	width := fixed.I(rect.Dx())
	adv, ok := f.GlyphAdvance(c)
	if ok && adv > width+fixed.I(1) {
		f = r.shrunk(ff, adv, width)
		adv, ok = f.GlyphAdvance(c)
	}
	x := fixed.I(rect.Min.X)
	if ok && adv < width {
		x += (width - adv) / 2
	}
	d := font.Drawer{
		Dst:  img.SubImage(rect).(*image.RGBA),
		Src:  image.NewUniform(fg),
		Face: f,
		Dot:  fixed.Point26_6{X: x, Y: fixed.I(rect.Min.Y + r.ascent + 1)},
	}
	d.DrawString(string(c))
	for _, m := range rs[1:] {
		mf := f
		if !r.has(ff, m) {
			mf = r.faceFor(m, bold).face
		}
		// A mark's advance is zero in some fonts and a full cell in
		// others; drawn from the base's origin it lands on the base.
		d.Face = mf
		d.Dot = fixed.Point26_6{X: x, Y: d.Dot.Y}
		d.DrawString(string(m))
	}
}

func blend(a, b color.RGBA) color.RGBA {
	return color.RGBA{uint8((int(a.R) + int(b.R)) / 2), uint8((int(a.G) + int(b.G)) / 2), uint8((int(a.B) + int(b.B)) / 2), 255}
}
