package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/viewer"
)

// Quick look (Q): the other pane's place shows the start of the focused
// pane's cursor file (the viewer's first range, or a binary's summary)
// and follows the cursor, as yazi's preview column does.

type quickLook struct {
	key    string // the file shown (filesystem label + path)
	seq    uint64
	screen viewer.Model
	r      RangeReader
	cancel context.CancelFunc
	note   string // for folders and files that cannot be read
}

type (
	previewOpenedMsg struct {
		seq uint64
		r   RangeReader
		err error
	}
	previewChunkMsg struct {
		seq  uint64
		req  viewer.ReadRequest
		data []byte
		err  error
	}
)

func (a *App) toggleQuickLook() tea.Cmd {
	if a.look != nil {
		a.stopLook()
		a.look = nil
		return nil
	}
	a.look = &quickLook{}
	return a.followLook()
}

func (a *App) stopLook() {
	if a.look.cancel != nil {
		a.look.cancel()
	}
	if a.look.r != nil {
		_ = a.look.r.Close()
		a.look.r = nil
	}
}

// followLook opens the focused pane's cursor file when it changed.
func (a *App) followLook() tea.Cmd {
	if a.look == nil || a.panelFocus {
		return nil
	}
	e, ok := a.cur().Listing.Current()
	key := ""
	if ok {
		key = a.fs[a.focus].Label() + "\x00" + a.entryPath(a.focus, a.cur().Listing.Dir(), e)
	}
	if key == a.look.key {
		return nil
	}
	a.stopLook()
	a.lookSeq++
	a.look = &quickLook{key: key, seq: a.lookSeq}
	op, canOpen := a.fs[a.focus].(Opener)
	switch {
	case !ok:
		a.look.note = "(nothing under the cursor)"
		return nil
	case e.IsDir():
		a.look.note = pane.DisplayName(e.Name) + "/ is a folder: enter opens it"
		return nil
	case !canOpen:
		a.look.note = "this filesystem cannot show file contents"
		return nil
	}
	a.look.screen = viewer.New(e.Name, max(e.Size, 0), a.keys.Viewer)
	ctx, cancel := context.WithCancel(a.ctx)
	a.look.cancel = cancel
	p, seq := a.entryPath(a.focus, a.cur().Listing.Dir(), e), a.look.seq
	return func() tea.Msg {
		r, err := op.OpenFile(ctx, p)
		return previewOpenedMsg{seq: seq, r: r, err: err}
	}
}

func (a *App) onPreview(msg tea.Msg) tea.Cmd {
	l := a.look
	switch m := msg.(type) {
	case previewOpenedMsg:
		if l == nil || m.seq != l.seq {
			if m.r != nil {
				_ = m.r.Close()
			}
			return nil
		}
		if m.err != nil {
			l.note = "cannot read: " + pane.DisplayName(m.err.Error())
			return nil
		}
		l.r = m.r
		req := viewer.ReadRequest{Off: 0, N: min(int64(viewer.Chunk), m.r.Size()), Replace: true}
		seq, r := l.seq, m.r
		return func() tea.Msg {
			buf := make([]byte, req.N)
			n, err := r.ReadAt(buf, 0)
			if n == len(buf) {
				err = nil
			}
			return previewChunkMsg{seq: seq, req: req, data: buf[:n], err: err}
		}
	case previewChunkMsg:
		if l != nil && m.seq == l.seq {
			l.screen.SetChunk(m.req, m.data, m.err)
		}
	}
	return nil
}

// renderLook draws the quick look in pane i's place.
func (a *App) renderLook(i int) string {
	r := a.lay.Panes[i]
	w, h := r.W, r.H
	if w < 6 || h < 3 {
		return ""
	}
	st := a.st
	side := st.Border.Render("│")
	title := " quick look (Q closes) "
	lines := []string{st.Border.Render("╭─") + st.PaneTitle.Render(cells.Truncate(title, w-3)) +
		st.Border.Render(strings.Repeat("─", max(w-3-len([]rune(title)), 0))+"╮")}
	var body []string
	if a.look.note != "" {
		body = []string{"", " " + a.look.note}
	} else {
		a.look.screen.SetSize(w-2, h-1) // its own title line, then the text; no status
		body = strings.Split(a.look.screen.View(st), "\n")
		if len(body) > 0 {
			body = body[:len(body)-1] // drop the viewer's key line
		}
	}
	for j := 0; j < h-2; j++ {
		line := ""
		if j < len(body) {
			line = body[j]
		}
		lines = append(lines, side+cells.Pad(cells.Truncate(line, w-2), w-2)+side)
	}
	lines = append(lines, st.Border.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return strings.Join(lines, "\n")
}
