package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/pane"
)

// logOverlay is the transfer log: what finished, was skipped, failed or
// was cancelled, with reasons, newest last; it opens scrolled to the end.
type logOverlay struct {
	offset int // first line shown; -1: the end
}

func (a *App) openLog() { a.push(&logOverlay{offset: -1}) }

func (o *logOverlay) update(a *App, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	// The log's own keys: the panel's moves, live whatever has focus.
	live := func(b key.Binding) key.Binding { b.SetEnabled(true); return b }
	pk := a.keys.Panel
	rows := a.logRows()
	last := max(len(a.log)-rows, 0)
	if o.offset < 0 {
		o.offset = last
	}
	switch {
	case key.Matches(k, live(pk.Up)):
		o.offset--
	case key.Matches(k, live(pk.Down)):
		o.offset++
	case key.Matches(k, live(pk.PageUp)):
		o.offset -= rows
	case key.Matches(k, live(pk.PageDown)):
		o.offset += rows
	case key.Matches(k, live(pk.Home)):
		o.offset = 0
	case key.Matches(k, live(pk.End)):
		o.offset = last
	default:
		a.close(o) // any other key closes the log
		return nil
	}
	o.offset = min(max(o.offset, 0), last)
	return nil
}

func (a *App) logRows() int { return max(a.height-8, 3) }

// renderLog draws the transfer log as a dialog-sized box.
func (a *App) renderLog(o *logOverlay) string {
	w := max(min(a.width-2, 120), 20)
	inner := w - 4
	rows := a.logRows()
	start := o.offset
	if start < 0 {
		start = max(len(a.log)-rows, 0)
	}
	var b strings.Builder
	title := fmt.Sprintf("Transfer log · %d entr(ies)", len(a.log))
	b.WriteString(a.st.DialogTitle.Render(cells.Truncate(title, inner)) + "\n\n")
	if len(a.log) == 0 {
		b.WriteString(a.st.Status.Render("Nothing finished yet.") + "\n")
	}
	for i := start; i < min(start+rows, len(a.log)); i++ {
		e := a.log[i]
		when := ""
		if !e.at.IsZero() {
			when = e.at.In(a.loc).Format("15:04:05") + " "
		}
		line := when + cells.Pad(e.state.String(), 9) + " " + pane.DisplayName(e.src) + " → " + pane.DisplayName(e.dst)
		if e.why != "" {
			line += " · " + pane.DisplayName(e.why)
		}
		line = cells.Truncate(line, inner)
		switch e.state {
		case model.StateFailed:
			line = a.st.Error.Render(line)
		case model.StateSkipped, model.StateCancelled:
			line = a.st.Warning.Render(line)
		default:
			line = a.st.Success.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + a.st.Status.Render(cells.Truncate("↑/↓ pgup/pgdn home/end scroll · any other key closes", inner)))
	out := a.st.Dialog.Width(w).Render(b.String())
	if lipgloss.Height(out) > a.height {
		out = strings.Join(strings.Split(out, "\n")[:a.height], "\n")
	}
	return out
}
