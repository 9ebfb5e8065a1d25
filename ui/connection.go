package ui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/pane"
)

// Connection state of network filesystems (MEGA). An error wrapping
// model.ErrUnreachable puts a filesystem offline: the header says so, the
// panes keep what they show (a MEGA listing is the account's tree in
// memory), and the UI probes the server with backoff until it answers,
// then says it is back. Ctrl+R probes at once.

// Prober is implemented by filesystems behind a network: Probe makes one
// cheap request to the server.
type Prober interface {
	Probe(ctx context.Context) error
}

const (
	probeFirst = time.Second
	probeMax   = 30 * time.Second
)

// connState is the connection state of one filesystem.
type connState struct {
	offline bool
	why     string    // the last failure, in plain words
	retryAt time.Time // when the next probe runs
	delay   time.Duration
	seq     uint64 // of the probe in flight; older results are dropped
}

// probeMsg is the result of a probe.
type probeMsg struct {
	fs     FS
	seq    uint64
	manual bool // asked for with Ctrl+R
	err    error
}

func (a *App) connOf(fs FS) *connState {
	if a.conn == nil {
		a.conn = map[FS]*connState{}
	}
	c := a.conn[fs]
	if c == nil {
		c = &connState{}
		a.conn[fs] = c
	}
	return c
}

// noteUnreachable puts the network filesystems among the panes offline
// when err says the server cannot be reached, and returns the probe to
// run (nil if there is none to start).
func (a *App) noteUnreachable(err error) tea.Cmd {
	if err == nil || !errors.Is(err, model.ErrUnreachable) {
		return nil
	}
	var cmds []tea.Cmd
	for i, fs := range a.fs {
		if i == 1 && fs == a.fs[0] {
			break
		}
		p, ok := fs.(Prober)
		if !ok {
			continue
		}
		c := a.connOf(fs)
		c.why = err.Error()
		if c.offline {
			continue // a probe is already scheduled
		}
		c.offline, c.delay = true, probeFirst
		cmds = append(cmds, a.scheduleProbe(fs, p, c, false))
	}
	return tea.Batch(cmds...)
}

func (a *App) scheduleProbe(fs FS, p Prober, c *connState, manual bool) tea.Cmd {
	c.seq++
	seq, delay, ctx := c.seq, c.delay, a.ctx
	if manual {
		delay = 0
	}
	c.retryAt = time.Now().Add(delay)
	return func() tea.Msg {
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return probeMsg{fs: fs, seq: seq, manual: manual, err: p.Probe(pctx)}
	}
}

func (a *App) onProbe(m probeMsg) tea.Cmd {
	c := a.connOf(m.fs)
	if m.seq != c.seq {
		return nil // stale
	}
	label := pane.DisplayName(m.fs.Label())
	if m.err == nil {
		was := c.offline
		c.offline, c.why = false, ""
		switch {
		case was:
			a.setMessage(msgSuccess, label+" is back online")
			var cmds []tea.Cmd
			for i := range a.panes {
				if a.fs[i] == m.fs {
					cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
				}
			}
			return tea.Batch(cmds...)
		case m.manual:
			a.setMessage(msgSuccess, "refreshed: "+label+" is online")
		}
		return nil
	}
	if !errors.Is(m.err, model.ErrUnreachable) {
		// The server answered (with an error of its own): it is reachable.
		if c.offline {
			c.offline, c.why = false, ""
			a.setMessage(msgSuccess, label+" is back online")
		} else if m.manual {
			a.setError(m.err)
		}
		return nil
	}
	was := c.offline
	c.offline, c.why = true, m.err.Error()
	c.delay = min(max(2*c.delay, probeFirst), probeMax)
	p, _ := m.fs.(Prober)
	switch {
	case m.manual && was:
		a.setMessage(msgError, label+" is still offline: "+c.why)
	case !was:
		a.setMessage(msgError, label+" is offline: "+c.why)
	}
	return a.scheduleProbe(m.fs, p, c, false)
}

// refreshConnection is Ctrl+R's feedback for pane i: a network filesystem
// is probed at once, with a message either way.
func (a *App) refreshConnection(i int) tea.Cmd {
	fs := a.fs[i]
	p, ok := fs.(Prober)
	if !ok {
		a.setMessage(msgInfo, "refreshed "+pane.DisplayName(a.panes[i].Listing.Dir()))
		return nil
	}
	c := a.connOf(fs)
	if c.offline {
		a.setMessage(msgInfo, "retrying the connection to "+pane.DisplayName(fs.Label())+"…")
	} else {
		a.setMessage(msgInfo, "refreshing "+pane.DisplayName(a.panes[i].Listing.Dir())+"…")
	}
	if c.delay == 0 {
		c.delay = probeFirst
	}
	return a.scheduleProbe(fs, p, c, true)
}

// offlineNote is the header's note for an offline filesystem ("" when
// online).
func (a *App) offlineNote(fs FS) string {
	c := a.conn[fs]
	if c == nil || !c.offline {
		return ""
	}
	if d := time.Until(c.retryAt); d > 0 {
		return "offline, retrying in " + model.FormatWait(d)
	}
	return "offline, retrying"
}
