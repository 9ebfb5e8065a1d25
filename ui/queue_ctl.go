package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
)

// Controls of the whole queue, from the transfer panel: pause or resume
// all, cancel all (after a confirmation), retry every failed job, clear
// finished jobs.

// cancelAllConfirmedMsg is the "cancel all" dialog's yes.
type cancelAllConfirmedMsg struct{}

// queueCtlMsg reports a queue-wide control: what was done to how many jobs.
type queueCtlMsg struct {
	what string
	n    int
}

// pausable reports whether a job in state s can be paused.
func pausable(s model.State) bool {
	return s == model.StateQueued || s == model.StateRunning || s == model.StateWaiting
}

// queueFlags tells which queue-wide controls apply to jobs, in one pass.
func queueFlags(jobs []model.Job) (canPause, canResume, canCancel, hasFailed, hasEnded bool) {
	for _, j := range jobs {
		switch {
		case pausable(j.State):
			canPause, canCancel = true, true
		case j.State == model.StatePaused:
			canResume, canCancel = true, true
		case j.State == model.StateFailed:
			hasFailed = true
		case j.State.Terminal():
			hasEnded = true
		}
		if canPause && canResume && hasFailed && hasEnded {
			break
		}
	}
	return canPause, canResume, canCancel, hasFailed, hasEnded
}

// queueCtlCmd runs one queue-wide control.
func queueCtlCmd(what string, f func() int) tea.Cmd {
	return func() tea.Msg { return queueCtlMsg{what: what, n: f()} }
}

func (a *App) onQueueCtl(m queueCtlMsg) {
	a.setMessage(msgSuccess, fmt.Sprintf("%s: %d job(s)", m.what, m.n))
}

// pauseOrResumeAll pauses every unfinished job, or, when none is left to
// pause, resumes the paused ones.
func (a *App) pauseOrResumeAll() tea.Cmd {
	t := a.transfers
	if a.panel.Count(pausable) > 0 {
		return queueCtlCmd("paused", t.PauseAll)
	}
	return queueCtlCmd("resumed", t.ResumeAll)
}

// confirmCancelAll asks before cancelling every unfinished job.
func (a *App) confirmCancelAll() {
	n := a.panel.Count(func(s model.State) bool { return !s.Terminal() })
	if n == 0 {
		return
	}
	a.pushDialog(&dialog.Confirm{
		ID: "cancel-all", Title: fmt.Sprintf("Cancel all %d unfinished transfer(s)?", n), Danger: true,
		Lines: []string{"Queued, running, waiting and paused jobs stop; partial downloads are removed.",
			"Retry (R) brings a cancelled job back."},
		OnYes: func(int) tea.Msg { return cancelAllConfirmedMsg{} },
	})
}
