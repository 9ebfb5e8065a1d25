package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/transfers"
)

// The transfer panel: showing and focusing it, its keys, the queue's
// snapshots and enqueue results, and the transfer log.

// togglePanel is the panel's own key: it shows and focuses the panel, and
// from the focused panel hides it again.
func (a *App) togglePanel() {
	switch {
	case !a.flags.transfers:
		a.flags.transfers, a.panelFocus = true, true
	case !a.panelFocus:
		a.panelFocus = true
	default:
		a.flags.transfers, a.flags.transfersMax, a.panelFocus = false, false, false
	}
	a.resize(a.width, a.height)
}

func (a *App) maximisePanel() {
	a.flags.transfersMax = !a.flags.transfersMax
	a.panelFocus = a.flags.transfersMax || a.panelFocus
	a.resize(a.width, a.height)
}

// switchFocus switches between the two panes; from the transfer panel it
// goes back to the pane that had focus (the panel has its own key).
func (a *App) switchFocus() {
	if a.panelFocus {
		a.panelFocus = false
		if a.flags.transfersMax {
			a.flags.transfersMax = false
			a.resize(a.width, a.height)
		}
		return
	}
	a.focus = a.other()
}

// jobFlags tells which job controls apply to some of jobs.
func jobFlags(jobs []model.Job) (pause, cancel, retry, front bool) {
	for _, j := range jobs {
		pause = pause || pausable(j.State) || j.State == model.StatePaused
		cancel = cancel || !j.State.Terminal()
		retry = retry || j.State == model.StateFailed || j.State == model.StateCancelled
		front = front || j.State == model.StateQueued || j.State == model.StateWaiting
	}
	return pause, cancel, retry, front
}

// ids are the IDs of the jobs ok accepts.
func ids(jobs []model.Job, ok func(model.Job) bool) []model.JobID {
	var out []model.JobID
	for _, j := range jobs {
		if ok(j) {
			out = append(out, j.ID)
		}
	}
	return out
}

func (a *App) onPanelKey(k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	pk := &km.Panel
	switch {
	case key.Matches(k, km.General.Help):
		a.openHelp()
		return nil
	case key.Matches(k, km.General.Quit):
		return quitCheckCmd(a.transfers)
	case key.Matches(k, pk.Back):
		a.switchFocus()
		return nil
	case key.Matches(k, pk.Log):
		a.openLog()
		return nil
	}
	var cmd tea.Cmd
	a.panel, cmd = a.panel.Update(k)
	if a.transfers == nil {
		return cmd
	}
	t := a.transfers
	switch {
	case key.Matches(k, pk.PauseAll):
		return a.pauseOrResumeAll()
	case key.Matches(k, pk.CancelAll):
		a.confirmCancelAll()
		return nil
	case key.Matches(k, pk.RetryFailed):
		return queueCtlCmd("retrying", t.RetryFailed)
	case key.Matches(k, pk.ClearFinished):
		return queueCtlCmd("cleared", t.ClearFinished)
	}
	sel, label := a.panel.Selected()
	if len(sel) == 0 {
		return cmd
	}
	switch {
	case key.Matches(k, pk.Answer):
		if j, ok := a.panel.Current(); ok {
			a.askAgain(j.ID)
		}
		return nil
	case key.Matches(k, pk.Pause):
		if ps := ids(sel, func(j model.Job) bool { return pausable(j.State) }); len(ps) > 0 {
			return jobCtlCmd("paused", label, ps, t.Pause)
		}
		return jobCtlCmd("resumed", label, ids(sel, func(j model.Job) bool { return j.State == model.StatePaused }), t.Resume)
	case key.Matches(k, pk.Cancel):
		return a.confirmCancel(sel, label)
	case key.Matches(k, pk.Retry):
		return jobCtlCmd("retrying", label, ids(sel, func(j model.Job) bool {
			return j.State == model.StateFailed || j.State == model.StateCancelled
		}), t.Retry)
	case key.Matches(k, pk.Front):
		return jobCtlCmd("moved to the front", label, ids(sel, func(j model.Job) bool {
			return j.State == model.StateQueued || j.State == model.StateWaiting
		}), t.MoveToFront)
	}
	return cmd
}

// cancelConfirmedMsg is the yes of "cancel this transfer?".
type cancelConfirmedMsg struct {
	ids   []model.JobID
	label string
}

// confirmCancel cancels the unfinished jobs of sel, asking first when one
// of them is running or has bytes already transferred (work would be
// lost); queued jobs that never started are cancelled at once.
func (a *App) confirmCancel(sel []model.Job, label string) tea.Cmd {
	cs := ids(sel, func(j model.Job) bool { return !j.State.Terminal() })
	if len(cs) == 0 {
		return nil
	}
	var running int
	var done, size int64
	for _, j := range sel {
		if j.State.Terminal() {
			continue
		}
		if j.State == model.StateRunning || j.Done > 0 {
			running++
		}
		done += j.Done
		size += max(j.Size, 0)
	}
	if running == 0 {
		return a.update(cancelConfirmedMsg{ids: cs, label: label})
	}
	what := fmt.Sprintf("%s of %s transferred", bytesText(done), bytesText(size))
	a.pushDialog(&dialog.Confirm{
		ID: "cancel", Title: "Cancel " + label + "?", Danger: true, SafeDefault: true,
		Lines: []string{fmt.Sprintf("%d transfer(s) running or started, %s.", running, what),
			"Partial downloads are removed; retry (R) starts them again."},
		OnYes: func(int) tea.Msg { return cancelConfirmedMsg{ids: cs, label: label} },
	})
	return nil
}

func (a *App) onEnqueued(m enqueuedMsg) {
	if m.err != nil {
		a.setError(m.err)
		return
	}
	a.setMessage(msgSuccess, fmt.Sprintf("queued %s of %d item(s)", m.op, m.n))
	// Unmark what was queued, where it was marked: the focus (and the
	// marks) may have moved on while the request was on its way. A find's
	// results come from many folders: their pane is the source pane.
	for i := range a.panes {
		if a.fs[i] == m.fs && (a.panes[i].Listing.Dir() == m.dir || (i == m.pane && a.found[i] != nil)) {
			a.panes[i].Listing.Unmark(m.sources)
		}
	}
	if !a.flags.transfers {
		a.flags.transfers = true
		a.resize(a.width, a.height)
	}
}

func (a *App) onSnapshot(m snapshotMsg) tea.Cmd {
	if !m.ok {
		return nil
	}
	a.snapshots++
	a.panel.SetSnapshot(m.snap)
	if !a.panelFocus {
		a.panel.FollowActive()
	}
	if a.snapshots == 1 && !a.flags.transfers && a.panel.Active() > 0 {
		// Transfers resumed from the last session: show where they are.
		a.flags.transfers = true
		a.resize(a.width, a.height)
	}
	a.logJobs(m.snap)
	a.onQuestions()
	var cmds []tea.Cmd
	if done := m.snap.Totals.ByState[model.StateDone]; done != a.lastDone {
		if done > a.lastDone {
			// Finished jobs changed what the panes show, and the quota.
			for i := range a.panes {
				cmds = append(cmds, a.refreshPane(i))
			}
			cmds = append(cmds, a.refreshQuotas(nil)...)
		}
		a.lastDone = done
	}
	return tea.Batch(append(cmds, snapshotCmd(m.ch))...)
}

// logEntry is one line of the transfer log.
type logEntry struct {
	at       time.Time
	state    model.State
	src, dst string
	why      string // the skip reason or the error
}

// maxLog bounds the transfer log.
const maxLog = 5000

// logJobs adds the jobs that reached an end state to the transfer log, and
// says on the message line what was skipped (identical files) or failed,
// naming the files.
func (a *App) logJobs(s transfers.Snapshot) {
	var skipped, failed []string
	for _, j := range s.Jobs {
		if !j.State.Terminal() || a.logged[j.ID] == j.State {
			if !j.State.Terminal() {
				delete(a.logged, j.ID) // retried: log it again when it ends
			}
			continue
		}
		a.logged[j.ID] = j.State
		e := logEntry{at: j.FinishedAt, state: j.State, src: j.Src.Display, dst: j.Dst.Display, why: j.Reason}
		if j.State == model.StateFailed {
			e.why = j.Err
		}
		if e.at.IsZero() {
			e.at = s.Now
		}
		a.log = append(a.log, e)
		switch j.State {
		case model.StateSkipped:
			skipped = append(skipped, pane.DisplayName(baseName(j.Src.Display))+" ("+j.Reason+")")
		case model.StateFailed:
			failed = append(failed, pane.DisplayName(baseName(j.Src.Display))+": "+j.Err)
		}
	}
	if n := len(a.log) - maxLog; n > 0 {
		a.log = slices.Delete(a.log, 0, n)
	}
	if len(a.logged) > 4*maxLog {
		// Forget the oldest marks of jobs the queue no longer holds.
		live := map[model.JobID]bool{}
		for _, j := range s.Jobs {
			live[j.ID] = true
		}
		for id := range a.logged {
			if !live[id] {
				delete(a.logged, id)
			}
		}
	}
	log := a.keys.Panel.Log.Help().Key
	switch {
	case a.snapshots <= 1:
		// The queue as the last session left it: logged, not announced.
	case len(failed) == 1:
		a.setMessage(msgError, "failed: "+failed[0])
	case len(failed) > 1:
		a.setMessage(msgError, fmt.Sprintf("%d transfers failed (first: %s) · %s: transfer log", len(failed), failed[0], log))
	case len(skipped) == 1:
		a.setMessage(msgInfo, "skipped "+skipped[0])
	case len(skipped) > 1:
		a.setMessage(msgInfo, fmt.Sprintf("skipped %d files (first: %s) · %s: transfer log", len(skipped), skipped[0], log))
	}
}

func bytesText(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

// baseName is the last element of a display path.
func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return p
}
