package ui

// Minimum terminal size; below it App shows a "too small" message.
const (
	minWidth  = 40
	minHeight = 12
	// stackBelow is the width under which the panes are stacked.
	stackBelow = 80
)

// rect is a screen rectangle.
type rect struct{ X, Y, W, H int }

// contains reports whether (x, y) lies inside r.
func (r rect) contains(x, y int) bool {
	return x >= r.X && x < r.X+r.W && y >= r.Y && y < r.Y+r.H
}

// layoutFlags are the choices that change the layout.
type layoutFlags struct {
	transfers    bool // transfer panel shown
	transfersMax bool // transfer panel maximised (panes hidden)
}

// screenLayout is where everything goes.
type screenLayout struct {
	TooSmall  bool
	Stacked   bool
	Header    rect
	Panes     [2]rect
	Transfers rect // zero when hidden
	Message   rect
	Footer    rect
}

// layout places the header, the two panes (side by side, or stacked on a
// narrow terminal), the optional transfer panel, the message line and the
// F-key bar in a w×h terminal. It is pure.
func layout(w, h int, f layoutFlags) screenLayout {
	if w < minWidth || h < minHeight {
		return screenLayout{TooSmall: true}
	}
	l := screenLayout{
		Header:  rect{0, 0, w, 1},
		Message: rect{0, h - 2, w, 1},
		Footer:  rect{0, h - 1, w, 1},
	}
	top, bodyH := 1, h-3
	if f.transfers {
		need := 4 // two panes side by side need 4 rows, stacked 8
		if w < stackBelow {
			need = 8
		}
		th := min(max(bodyH/3, 5), bodyH-need)
		if th < 3 {
			th = 0 // no room: the panel stays hidden
		}
		if f.transfersMax {
			th = bodyH
		}
		l.Transfers = rect{0, top + bodyH - th, w, th}
		bodyH -= th
	}
	l.Stacked = w < stackBelow
	if bodyH <= 0 {
		return l
	}
	if l.Stacked {
		h0 := bodyH / 2
		l.Panes[0] = rect{0, top, w, h0}
		l.Panes[1] = rect{0, top + h0, w, bodyH - h0}
		return l
	}
	w0 := w / 2
	l.Panes[0] = rect{0, top, w0, bodyH}
	l.Panes[1] = rect{w0, top, w - w0, bodyH}
	return l
}
