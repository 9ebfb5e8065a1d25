package ui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dedupe"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// The guided dedupe's types, re-exported so main needs only ui.
type (
	DedupeScope  = dedupe.Scope
	DedupeScan   = dedupe.Scan
	DedupeResult = dedupe.Result
)

const (
	ScopeFolder  = dedupe.ScopeFolder
	ScopeTree    = dedupe.ScopeTree
	ScopeAccount = dedupe.ScopeAccount
)

// Deduper is implemented by filesystems that offer the guided dedupe
// (MEGA; app adapts the dedupe package to it). Every method runs in a
// tea.Cmd. progress may be called from any goroutine.
type Deduper interface {
	// ScanDuplicates reads the scope rooted at dir (a path of this
	// filesystem) and finds its duplicate groups.
	ScanDuplicates(ctx context.Context, dir string, scope DedupeScope) (DedupeScan, error)
	// VerifyDuplicates hashes the plaintext of files (SHA-256), caching
	// results by node handle.
	VerifyDuplicates(ctx context.Context, files []model.Entry, progress func(done, total int)) (model.Hashes, error)
	// ApplyDedupe applies a confirmed plan in order, re-checking each group
	// just before acting on it (model.Revalidate) and journaling every
	// action so UndoDedupe can reverse the run.
	ApplyDedupe(ctx context.Context, plan model.Plan, progress func(done, total int)) (DedupeResult, error)
	// UndoDedupe reverses the last applied run.
	UndoDedupe(ctx context.Context, progress func(done, total int)) (DedupeResult, error)
}

// dedupeSession is the open guided dedupe screen and what it works on.
type dedupeSession struct {
	pane   int
	fs     FS
	d      Deduper
	screen dedupe.Model
	seq    uint64
	cancel context.CancelFunc // of the running scan, verify, plan or apply
	dirty  bool               // something was applied: panes need reloading
}

// Messages of the guided dedupe; seq is the session's, so answers to a
// closed (or reopened) screen are dropped.
type (
	ddScanMsg struct {
		seq  uint64
		scan DedupeScan
		err  error
	}
	ddHashesMsg struct {
		seq    uint64
		hashes model.Hashes
		err    error
	}
	ddPlanMsg struct {
		seq  uint64
		plan model.Plan
		err  error
	}
	ddResultMsg struct {
		seq  uint64
		res  DedupeResult
		err  error
		undo bool
	}
	// ddProgressMsg reports progress of a long step; App re-arms the wait.
	ddProgressMsg struct {
		seq         uint64
		verify      bool
		done, total int
		w           work
	}
	undoConfirmedMsg struct {
		fs FS
		d  Deduper
	}
	undoDoneMsg struct {
		fs  FS
		res DedupeResult
		err error
	}
)

// work is a running job that reports progress (coalesced: an unread
// report is replaced by a newer one) and one final message.
type work struct {
	progress chan ddProgressMsg
	final    chan tea.Msg
}

// runWork starts job in a goroutine and returns the Cmd that waits for its
// first report. The job must return when ctx ends.
func runWork(seq uint64, verify bool, job func(report func(done, total int)) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		w := work{progress: make(chan ddProgressMsg, 1), final: make(chan tea.Msg, 1)}
		go func() {
			report := func(done, total int) {
				m := ddProgressMsg{seq: seq, verify: verify, done: done, total: total}
				for {
					select {
					case w.progress <- m:
						return
					default:
					}
					select {
					case <-w.progress: // drop the unread, older report
					default:
					}
				}
			}
			w.final <- job(report)
		}()
		return waitWork(w)()
	}
}

// waitWork waits for the next report or the final message.
func waitWork(w work) tea.Cmd {
	return func() tea.Msg {
		select {
		case m := <-w.final:
			return m
		case p := <-w.progress:
			p.w = w
			return p
		}
	}
}

// openDedupe opens the guided dedupe screen on the focused pane's folder.
func (a *App) openDedupe() {
	d, ok := a.fs[a.focus].(Deduper)
	if !ok {
		return
	}
	a.ddSeq++
	s := &dedupeSession{pane: a.focus, fs: a.fs[a.focus], d: d, seq: a.ddSeq,
		screen: dedupe.New(a.cur().Listing.Dir(), a.keys.Dedupe)}
	s.screen.SetLocation(a.cur().Location)
	s.screen.SetSize(a.width, max(a.height-3, 0))
	a.push(s)
}

// onDedupeKey gives a key to the screen and carries out its request; the
// help key opens the screen's keys in full (its footer is cut on a narrow
// terminal).
func (a *App) onDedupeKey(s *dedupeSession, k tea.KeyPressMsg) tea.Cmd {
	if key.Matches(k, a.keys.General.Help) {
		a.openHelp()
		return nil
	}
	var cmd tea.Cmd
	s.screen, cmd = s.screen.Update(k)
	return tea.Batch(cmd, a.dedupeRequest(s, s.screen.Request()))
}

// workCtx cancels the previous step's work and returns a fresh context.
func (s *dedupeSession) workCtx(parent context.Context) context.Context {
	if s.cancel != nil {
		s.cancel()
	}
	ctx, cancel := context.WithCancel(parent)
	s.cancel = cancel
	return ctx
}

func (a *App) dedupeRequest(s *dedupeSession, req any) tea.Cmd {
	seq, d := s.seq, s.d
	switch r := req.(type) {
	case dedupe.ScanRequest:
		ctx, dir := s.workCtx(a.ctx), s.screen.Dir()
		return func() tea.Msg {
			scan, err := d.ScanDuplicates(ctx, dir, r.Scope)
			return ddScanMsg{seq: seq, scan: scan, err: err}
		}
	case dedupe.VerifyRequest:
		ctx := s.workCtx(a.ctx)
		return runWork(seq, true, func(report func(int, int)) tea.Msg {
			h, err := d.VerifyDuplicates(ctx, r.Files, report)
			return ddHashesMsg{seq: seq, hashes: h, err: err}
		})
	case dedupe.PlanRequest:
		// Planning is pure but linear in the scope: keep it off Update.
		return func() tea.Msg {
			p, err := model.BuildPlan(r.Entries, r.Decisions, r.Options)
			return ddPlanMsg{seq: seq, plan: p, err: err}
		}
	case dedupe.ApplyRequest:
		ctx := s.workCtx(a.ctx)
		s.dirty = true
		return runWork(seq, false, func(report func(int, int)) tea.Msg {
			res, err := d.ApplyDedupe(ctx, r.Plan, report)
			return ddResultMsg{seq: seq, res: res, err: err}
		})
	case dedupe.UndoRequest:
		ctx := s.workCtx(a.ctx)
		s.dirty = true
		return runWork(seq, false, func(report func(int, int)) tea.Msg {
			res, err := d.UndoDedupe(ctx, report)
			return ddResultMsg{seq: seq, res: res, err: err, undo: true}
		})
	case dedupe.CancelRequest:
		if s.cancel != nil {
			s.cancel()
		}
		a.setMessage(msgInfo, "stopping after the current action…")
	case dedupe.CloseRequest:
		return a.closeDedupe(s)
	}
	return nil
}

// closeDedupe closes the screen, stops its work and reloads what changed.
func (a *App) closeDedupe(s *dedupeSession) tea.Cmd {
	if s.cancel != nil {
		s.cancel()
	}
	a.close(s)
	if !s.dirty {
		return nil
	}
	return a.reloadFS(s.fs)
}

// reloadFS reloads every pane showing fs and recounts its duplicates.
func (a *App) reloadFS(fs FS) tea.Cmd {
	var cmds []tea.Cmd
	for i := range a.panes {
		if a.fs[i] == fs {
			cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
		}
	}
	if c, ok := fs.(DuplicateCounter); ok {
		cmds = append(cmds, countDupsCmd(a.ctx, fs, c))
	}
	return tea.Batch(cmds...)
}

// onDedupeMsg handles the answers of the screen's Cmds.
func (a *App) onDedupeMsg(msg tea.Msg) tea.Cmd {
	s := a.dedupe()
	switch m := msg.(type) {
	case ddProgressMsg:
		// Keep draining even for a closed screen, so the job can finish.
		next := waitWork(m.w)
		if s != nil && m.seq == s.seq {
			if m.verify {
				s.screen.SetVerifyProgress(m.done, m.total)
			} else {
				s.screen.SetProgress(m.done, m.total)
			}
		}
		return next
	case ddScanMsg:
		if s != nil && m.seq == s.seq {
			s.screen.SetScan(m.scan, m.err)
		}
	case ddHashesMsg:
		if s != nil && m.seq == s.seq {
			s.screen.SetHashes(m.hashes, m.err)
		}
	case ddPlanMsg:
		if s != nil && m.seq == s.seq {
			s.screen.SetPlan(m.plan, m.err)
		}
	case ddResultMsg:
		if s == nil || m.seq != s.seq {
			return nil
		}
		s.screen.SetResult(m.res, m.err)
		what := "dedupe"
		if m.undo {
			what = "undo"
		}
		if m.err != nil {
			a.setError(fmt.Errorf("%s: %w", what, m.err))
		} else {
			a.setMessage(msgSuccess, fmt.Sprintf("%s: %d action(s) applied, %d failed", what, m.res.Applied, m.res.Failed))
		}
		return a.reloadFS(s.fs)
	}
	return nil
}

// confirmUndoDedupe asks before undoing the last dedupe of the focused
// filesystem (from the browser, after the screen was closed).
func (a *App) confirmUndoDedupe() {
	fs := a.fs[a.focus]
	d, ok := fs.(Deduper)
	if !ok {
		return
	}
	a.pushDialog(&dialog.Confirm{ID: "undo-dedupe", Title: "Undo the last dedupe on " + pane.DisplayName(fs.Label()) + "?",
		Lines: []string{"Every copy it sent to the Rubbish Bin goes back to its folder,",
			"renamed copies get their names back and merged folders are restored."},
		OnYes: func(int) tea.Msg { return undoConfirmedMsg{fs: fs, d: d} }})
}

func (a *App) onUndoDone(m undoDoneMsg) tea.Cmd {
	if m.err != nil {
		a.setError(fmt.Errorf("undo dedupe: %w", m.err))
	} else {
		a.setMessage(msgSuccess, fmt.Sprintf("undo dedupe: %d action(s) reversed, %d failed", m.res.Applied, m.res.Failed))
	}
	return a.reloadFS(m.fs)
}

func undoDedupeCmd(ctx context.Context, m undoConfirmedMsg) tea.Cmd {
	return func() tea.Msg {
		res, err := m.d.UndoDedupe(ctx, func(int, int) {})
		return undoDoneMsg{fs: m.fs, res: res, err: err}
	}
}
