package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/viewer"
)

// viewSession is the open file viewer (F3): the screen and the file it
// reads, by ranges, in Cmds.
type viewSession struct {
	seq    uint64
	name   string
	r      RangeReader // nil until opened
	screen viewer.Model
	ctx    context.Context
	cancel context.CancelFunc
}

// Messages of the viewer; seq is the session's.
type (
	viewOpenedMsg struct {
		seq uint64
		r   RangeReader
		err error
	}
	viewChunkMsg struct {
		seq  uint64
		req  viewer.ReadRequest
		data []byte
		err  error
	}
	viewFoundMsg struct {
		seq uint64
		off int64
		err error
	}
)

// viewing is the open viewer (nil when closed).
func (a *App) viewing() *viewSession { o, _ := findOverlay[*viewSession](a); return o }

// openViewer opens the cursor file of the focused pane in the viewer.
func (a *App) openViewer() tea.Cmd {
	op, ok := a.fs[a.focus].(Opener)
	if !ok {
		return nil
	}
	l := a.cur().Listing
	e, ok := l.Current()
	if !ok {
		return nil
	}
	if e.IsDir() {
		a.setMessage(msgInfo, pane.DisplayName(e.Name)+" is a folder: enter opens it")
		return nil
	}
	a.viewSeq++
	ctx, cancel := context.WithCancel(a.ctx)
	s := &viewSession{seq: a.viewSeq, name: e.Name, ctx: ctx, cancel: cancel}
	s.screen = viewer.New(e.Name, max(e.Size, 0), a.keys.Viewer)
	s.screen.SetStyles(a.st)
	s.screen.SetSize(a.width, max(a.height-2, 0))
	a.push(s)
	p, seq := a.entryPath(a.focus, l.Dir(), e), s.seq
	return func() tea.Msg {
		r, err := op.OpenFile(ctx, p)
		return viewOpenedMsg{seq: seq, r: r, err: err}
	}
}

func (s *viewSession) update(a *App, msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	s.screen, cmd = s.screen.Update(msg)
	return tea.Batch(cmd, a.viewRequest(s))
}

// viewRequest turns the screen's request into a Cmd.
func (a *App) viewRequest(s *viewSession) tea.Cmd {
	switch r := s.screen.Request().(type) {
	case viewer.CloseRequest:
		a.closeViewer(s)
	case viewer.ReadRequest:
		if s.r == nil {
			return nil // asked again once the file is open
		}
		return readRangeCmd(s.ctx, s.seq, s.r, r)
	case viewer.SearchRequest:
		if s.r == nil {
			return nil
		}
		return searchCmd(s.ctx, s.seq, s.r, r)
	}
	return nil
}

func (a *App) closeViewer(s *viewSession) {
	s.cancel()
	if s.r != nil {
		_ = s.r.Close()
	}
	a.close(s)
}

func (a *App) onViewMsg(msg tea.Msg) tea.Cmd {
	s := a.viewing()
	switch m := msg.(type) {
	case viewOpenedMsg:
		if s == nil || m.seq != s.seq {
			if m.r != nil {
				_ = m.r.Close()
			}
			return nil
		}
		if m.err != nil {
			a.closeViewer(s)
			a.setError(fmt.Errorf("view %s: %w", pane.DisplayName(s.name), m.err))
			return nil
		}
		s.r = m.r
		size := m.r.Size()
		s.screen = viewer.New(s.name, size, a.keys.Viewer)
		s.screen.SetStyles(a.st)
		s.screen.SetSize(a.width, max(a.height-2, 0))
		return a.viewRequest(s)
	case viewChunkMsg:
		if s != nil && m.seq == s.seq {
			s.screen.SetChunk(m.req, m.data, m.err)
			return a.viewRequest(s) // the screen may want the next range at once
		}
	case viewFoundMsg:
		if s != nil && m.seq == s.seq {
			s.screen.SetFound(m.off, m.err)
			return a.viewRequest(s)
		}
	}
	return nil
}

func readRangeCmd(ctx context.Context, seq uint64, r RangeReader, req viewer.ReadRequest) tea.Cmd {
	return func() tea.Msg {
		n := min(max(req.N, 0), int64(viewer.Window))
		buf := make([]byte, n)
		k, err := r.ReadAt(buf, req.Off)
		if errors.Is(err, io.EOF) {
			err = nil
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return viewChunkMsg{seq: seq, req: req, data: buf[:k], err: err}
	}
}

// searchStep is how much a search reads at a time.
const searchStep = 1 << 20

// searchCmd looks for the pattern from req.From to the end of the file,
// ASCII case folded, a range at a time (ctx stops it when the viewer
// closes).
func searchCmd(ctx context.Context, seq uint64, r RangeReader, req viewer.SearchRequest) tea.Cmd {
	return func() tea.Msg {
		pat := bytes.ToLower([]byte(req.Pattern))
		size := r.Size()
		buf := make([]byte, searchStep+len(pat))
		for off := max(req.From, 0); off < size; off += searchStep {
			if err := ctx.Err(); err != nil {
				return viewFoundMsg{seq: seq, off: -1, err: err}
			}
			k, err := r.ReadAt(buf, off)
			if err != nil && !errors.Is(err, io.EOF) {
				return viewFoundMsg{seq: seq, off: -1, err: err}
			}
			if i := bytes.Index(bytes.ToLower(buf[:k]), pat); i >= 0 {
				return viewFoundMsg{seq: seq, off: off + int64(i)}
			}
		}
		return viewFoundMsg{seq: seq, off: -1}
	}
}

// viewable reports whether the cursor entry of the focused pane can be
// viewed.
func (a *App) viewable() bool {
	if _, ok := a.fs[a.focus].(Opener); !ok {
		return false
	}
	e, ok := a.cur().Listing.Current()
	return ok && e.Kind == model.KindFile
}

// viewerSanitize is viewer.Sanitize on a string (for tests).
func viewerSanitize(s string) string { return viewer.Sanitize([]byte(s)) }
