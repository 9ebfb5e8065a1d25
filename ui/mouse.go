package ui

import tea "charm.land/bubbletea/v2"

// The mouse reaches the panes while the browser (or the filter input) has
// the keyboard: a click focuses a pane and moves its cursor, a right or
// ctrl click also toggles the mark, the wheel scrolls.

func (a *App) paneAt(x, y int) (int, bool) {
	for i, r := range a.lay.Panes {
		if r.contains(x, y) {
			return i, true
		}
	}
	return 0, false
}

func (a *App) onClick(m tea.Mouse) {
	i, ok := a.paneAt(m.X, m.Y)
	if !ok {
		return
	}
	a.focus = i
	p := &a.panes[i]
	row, ok := p.RowAt(m.Y - a.lay.Panes[i].Y)
	if !ok {
		return
	}
	p.Listing.SetCursor(row)
	if m.Button == tea.MouseRight || m.Mod.Contains(tea.ModCtrl) {
		p.Listing.MarkRow(row, !p.Listing.IsMarked(p.Listing.Row(row)))
	}
}

func (a *App) onWheel(m tea.Mouse) {
	i, ok := a.paneAt(m.X, m.Y)
	if !ok {
		return
	}
	switch m.Button {
	case tea.MouseWheelUp:
		a.panes[i].Listing.Move(-3)
	case tea.MouseWheelDown:
		a.panes[i].Listing.Move(3)
	}
}
