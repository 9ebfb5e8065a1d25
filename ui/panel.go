package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
)

// The transfer panel: showing it, focus, its keys, and the queue's
// snapshots and enqueue results.

func (a *App) togglePanel() {
	a.flags.transfers = !a.flags.transfers
	a.flags.transfersMax = false
	a.panelFocus = a.flags.transfers && a.panelFocus
	a.resize(a.width, a.height)
}

func (a *App) maximisePanel() {
	a.flags.transfersMax = !a.flags.transfersMax
	a.panelFocus = a.flags.transfersMax || a.panelFocus
	a.resize(a.width, a.height)
}

// switchFocus cycles left pane → right pane → transfer panel (when shown).
func (a *App) switchFocus() {
	switch {
	case a.flags.transfersMax:
		a.panelFocus = true
	case a.panelFocus:
		a.panelFocus = false
		a.focus = 0
	case a.focus == 1 && a.flags.transfers:
		a.panelFocus = true
	default:
		a.focus = a.other()
	}
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
	j, ok := a.panel.Current()
	if !ok {
		return cmd
	}
	switch {
	case key.Matches(k, pk.Answer):
		a.askAgain(j.ID)
		return nil
	case key.Matches(k, pk.Pause):
		if j.State == model.StatePaused {
			return jobCtlCmd("resume", j.ID, t.Resume)
		}
		return jobCtlCmd("pause", j.ID, t.Pause)
	case key.Matches(k, pk.Cancel):
		return jobCtlCmd("cancel", j.ID, t.Cancel)
	case key.Matches(k, pk.Retry):
		return jobCtlCmd("retry", j.ID, t.Retry)
	case key.Matches(k, pk.Front):
		return jobCtlCmd("move to front", j.ID, t.MoveToFront)
	}
	return cmd
}

func (a *App) onEnqueued(m enqueuedMsg) {
	if m.err != nil {
		a.setError(m.err)
		return
	}
	a.setMessage(msgSuccess, fmt.Sprintf("queued %s of %d item(s)", m.op, m.n))
	// Unmark what was queued, where it was marked: the focus (and the
	// marks) may have moved on while the request was on its way.
	for i := range a.panes {
		if a.fs[i] == m.fs && a.panes[i].Listing.Dir() == m.dir {
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
	a.panel.SetSnapshot(m.snap)
	if !a.panelFocus {
		a.panel.FollowActive()
	}
	a.onQuestions()
	var cmds []tea.Cmd
	if done := m.snap.Totals.ByState[model.StateDone]; done != a.lastDone {
		if done > a.lastDone {
			// Finished jobs changed what the panes show.
			for i := range a.panes {
				cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
			}
		}
		a.lastDone = done
	}
	return tea.Batch(append(cmds, snapshotCmd(m.ch))...)
}
