package main

import "image/color"

// palette maps the 16 ANSI colours and the terminal defaults to RGB.
type palette struct {
	fg, bg color.RGBA
	ansi   [16]color.RGBA
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// darkPalette is a neutral dark terminal scheme.
func darkPalette() palette {
	p := palette{fg: rgb(0xd4d4d8), bg: rgb(0x18181b)}
	for i, v := range []uint32{
		0x27272a, 0xef4444, 0x22c55e, 0xeab308, 0x3b82f6, 0xa855f7, 0x06b6d4, 0xd4d4d8,
		0x52525b, 0xf87171, 0x4ade80, 0xfacc15, 0x60a5fa, 0xc084fc, 0x22d3ee, 0xfafafa,
	} {
		p.ansi[i] = rgb(v)
	}
	return p
}

// xterm returns colour n of the xterm 256-colour table.
func (p palette) xterm(n int) color.RGBA {
	switch {
	case n < 0 || n > 255:
		return p.fg
	case n < 16:
		return p.ansi[n]
	case n < 232:
		n -= 16
		level := func(v int) uint8 {
			if v == 0 {
				return 0
			}
			return uint8(55 + 40*v)
		}
		return color.RGBA{level(n / 36), level(n / 6 % 6), level(n % 6), 255}
	default:
		v := uint8(8 + 10*(n-232))
		return color.RGBA{v, v, v, 255}
	}
}
