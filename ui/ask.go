package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/transfers"
)

// Conflict questions: a job whose target name exists parks in the queue
// and its question arrives with the queue snapshots. App asks the open
// questions one at a time in a dialog, whenever nothing else is open; the
// rest of the UI keeps working behind it, and the transfer panel shows the
// job as waiting ("asking"). Esc puts a question off; Enter on its job in
// the panel asks it again.

// askChoices are the answers of the question dialog, in order.
var askChoices = [...]model.Conflict{model.ConflictSkip, model.ConflictOverwrite, model.ConflictRename}

// askState remembers what the user did with questions, so snapshots taken
// before an answer reached the queue do not ask again. Entries are dropped
// once the snapshot no longer shows their question.
type askState struct {
	answered map[model.JobID]bool // answered, the answer on its way
	groups   map[string]bool      // groups answered "for all"
	later    map[model.JobID]bool // put off by the user
}

func newAskState() askState {
	return askState{answered: map[model.JobID]bool{}, groups: map[string]bool{}, later: map[model.JobID]bool{}}
}

// waiting reports whether q still needs the user.
func (s askState) waiting(q transfers.Question) bool {
	return !s.answered[q.JobID] && !s.groups[q.Group]
}

// prune forgets questions the snapshot no longer holds.
func (s askState) prune(snap transfers.Snapshot) {
	ids := map[model.JobID]bool{}
	groups := map[string]bool{}
	for _, q := range snap.Questions {
		ids[q.JobID] = true
		groups[q.Group] = true
	}
	for id := range s.answered {
		if !ids[id] {
			delete(s.answered, id)
		}
	}
	for id := range s.later {
		if !ids[id] {
			delete(s.later, id)
		}
	}
	for g := range s.groups {
		if !groups[g] {
			delete(s.groups, g)
		}
	}
}

// askAnswer is the user's answer to one question.
type askAnswer struct {
	q      transfers.Question
	choice model.Conflict
	all    bool
}

// askAnsweredMsg reports what the queue made of an answer.
type (
	askAnsweredMsg struct {
		q      transfers.Question
		choice model.Conflict
		all    bool
		err    error
	}
)

const askIDPrefix = "ask-"

func askDialogID(id model.JobID) string { return askIDPrefix + strconv.FormatUint(uint64(id), 10) }

// askDialogJob returns the job a dialog asks about, if it is a question.
func askDialogJob(d dialog.Dialog) (model.JobID, bool) {
	ad, ok := d.(*dialog.Ask)
	if !ok {
		return 0, false
	}
	n, ok := strings.CutPrefix(ad.ID, askIDPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(n, 10, 64)
	return model.JobID(id), err == nil
}

// topAsk is the job of the question dialog on top of the stack, if any.
func (a *App) topAsk() (model.JobID, bool) {
	ds := a.dialogs()
	if len(ds) == 0 {
		return 0, false
	}
	return askDialogJob(ds[len(ds)-1])
}

// onQuestions reconciles the dialogs with a new snapshot: a question that
// is gone (its job was cancelled, or answered elsewhere) closes its
// dialog, and the open dialog's count of waiting questions is refreshed.
func (a *App) onQuestions() {
	snap := a.panel.Snapshot()
	a.ask.prune(snap)
	a.closeAll(func(o overlay) bool {
		do, ok := o.(*dialogOverlay)
		if !ok {
			return false
		}
		id, ok := askDialogJob(do.d)
		if !ok {
			return false
		}
		q, open := snap.Question(id)
		if !open {
			j, _ := snap.Job(id)
			name := pane.DisplayName(strings.TrimSpace(j.Dst.Display))
			if name == "" {
				name = fmt.Sprintf("job %d", id)
			}
			a.setMessage(msgInfo, "question closed: "+name+" no longer waits for an answer")
			return true
		}
		do.d.(*dialog.Ask).More = a.moreQuestions(q.JobID)
		return false
	})
}

// moreQuestions counts the questions besides id that still need the user.
func (a *App) moreQuestions(id model.JobID) int {
	n := 0
	for _, q := range a.panel.Snapshot().Questions {
		if q.JobID != id && a.ask.waiting(q) {
			n++
		}
	}
	return n
}

// maybeAsk opens the next question when the screen is free: no dialog,
// form, overlay or input is open.
func (a *App) maybeAsk() {
	if a.transfers == nil || len(a.modes) > 0 {
		return
	}
	for _, q := range a.panel.Snapshot().Questions {
		if a.ask.waiting(q) && !a.ask.later[q.JobID] {
			a.openAsk(q)
			return
		}
	}
}

// askLines are the question dialog's lines for q, fitted to the width the
// dialog has now.
func (a *App) askLines(q transfers.Question) []string {
	j, _ := a.panel.Snapshot().Job(q.JobID)
	lines := []string{}
	if j.Src.Display != "" {
		lines = append(lines, "from "+pane.DisplayName(j.Src.Display))
	}
	if j.Dst.Display != "" {
		lines = append(lines, "  to "+pane.DisplayName(j.Dst.Display))
	}
	if len(lines) > 0 {
		lines = append(lines, "")
	}
	return append(lines, a.compareEntries(q.Existing, q.Incoming, dialogWidth(a.width)-4)...)
}

// dialogWidth is the widest a dialog may be on a screen w cells wide.
func dialogWidth(w int) int { return min(w-2, 72) }

// refitAsks rebuilds the question dialogs' lines after a resize.
func (a *App) refitAsks() {
	snap := a.panel.Snapshot()
	for _, d := range a.dialogs() {
		id, ok := askDialogJob(d)
		if !ok {
			continue
		}
		if q, open := snap.Question(id); open {
			d.(*dialog.Ask).Lines = a.askLines(q)
		}
	}
}

// openAsk shows the question of q.
func (a *App) openAsk(q transfers.Question) {
	lines := a.askLines(q)
	choices := make([]string, len(askChoices))
	for i, c := range askChoices {
		choices[i] = c.String()
	}
	choices[2] = "keep both"
	a.pushDialog(&dialog.Ask{
		ID:       askDialogID(q.JobID),
		Title:    `"` + pane.DisplayName(q.Name) + `" already exists`,
		Lines:    lines,
		Choices:  choices,
		AllLabel: "apply to all remaining in this copy",
		More:     a.moreQuestions(q.JobID),
		AskKeys:  a.keys.Ask.dialog(),
	})
}

// compareEntries is the dialog's table: size and modification time of
// the existing item and of the incoming one, the larger and the newer
// marked (on a line of their own when the rows would not fit in width).
func (a *App) compareEntries(old, inc model.Entry, width int) []string {
	size := func(e model.Entry) string {
		switch {
		case e.IsDir():
			return "folder"
		case e.Size < 0:
			return "?"
		}
		return humanize.IBytes(uint64(e.Size))
	}
	when := func(e model.Entry) string {
		if e.ModTime.IsZero() {
			return "?"
		}
		return e.ModTime.In(a.loc).Format("2006-01-02 15:04")
	}
	note := func(e, o model.Entry) string {
		var n []string
		if !e.IsDir() && !o.IsDir() && e.Size >= 0 && o.Size >= 0 && e.Size > o.Size {
			n = append(n, "larger")
		}
		if !e.ModTime.IsZero() && !o.ModTime.IsZero() && e.ModTime.Sub(o.ModTime) >= time.Minute {
			n = append(n, "newer")
		}
		return strings.Join(n, ", ")
	}
	sw := max(lipgloss.Width(size(old)), lipgloss.Width(size(inc)), lipgloss.Width("size"))
	row := func(label, s, t, n string) string {
		line := fmt.Sprintf("%-8s  %*s  %-16s", label, sw, s, t)
		if n != "" {
			line += "  " + n
		}
		return strings.TrimRight(line, " ")
	}
	oldNote, incNote := note(old, inc), note(inc, old)
	rows := []string{
		row("", "size", "modified", ""),
		row("existing", size(old), when(old), oldNote),
		row("incoming", size(inc), when(inc), incNote),
	}
	if lipgloss.Width(rows[1]) <= width && lipgloss.Width(rows[2]) <= width {
		return rows
	}
	rows[1] = row("existing", size(old), when(old), "")
	rows[2] = row("incoming", size(inc), when(inc), "")
	var notes []string
	if oldNote != "" {
		notes = append(notes, "existing: "+oldNote)
	}
	if incNote != "" {
		notes = append(notes, "incoming: "+incNote)
	}
	if len(notes) > 0 {
		rows = append(rows, strings.Join(notes, " · "))
	}
	return rows
}

// onAskClosed acts on a question dialog that just closed, in the same
// Update, so the next question shown is never one this answer covers.
func (a *App) onAskClosed(d *dialog.Ask) tea.Cmd {
	id, ok := askDialogJob(d)
	if !ok {
		return nil
	}
	q, open := a.panel.Snapshot().Question(id)
	if !open {
		return nil
	}
	switch d.Outcome {
	case dialog.AskAnswered:
		if d.Choice < 0 || d.Choice >= len(askChoices) {
			return nil
		}
		return a.onAskAnswer(askAnswer{q: q, choice: askChoices[d.Choice], all: d.All})
	case dialog.AskLater:
		a.ask.later[id] = true
		a.setMessage(msgInfo, "question put off: "+a.keys.Panel.Answer.Help().Key+" on its job in the transfer panel asks again")
	}
	return nil
}

func (a *App) onAskAnswer(m askAnswer) tea.Cmd {
	a.ask.answered[m.q.JobID] = true
	if m.all {
		a.ask.groups[m.q.Group] = true
	}
	if a.transfers == nil {
		return nil
	}
	return answerCmd(a.transfers, m)
}

func (a *App) onAskAnswered(m askAnsweredMsg) {
	name := pane.DisplayName(m.q.Name)
	if m.err != nil {
		// Ask again (the job may still be waiting) unless it is gone.
		delete(a.ask.answered, m.q.JobID)
		if m.all {
			delete(a.ask.groups, m.q.Group)
		}
		a.setError(fmt.Errorf("answer for %s: %w", name, m.err))
		return
	}
	what := m.choice.String() + ": " + name
	if m.choice == model.ConflictRename {
		what = "keep both: " + name
	}
	if m.all {
		what += " and the rest of this copy"
	}
	a.setMessage(msgSuccess, what)
}

// answerCmd passes an answer to the queue.
func answerCmd(t Transfers, m askAnswer) tea.Cmd {
	return func() tea.Msg {
		err := t.Answer(m.q.JobID, m.choice, m.all)
		return askAnsweredMsg{q: m.q, choice: m.choice, all: m.all, err: err}
	}
}

// askAgain reopens the put-off question of the panel's cursor job.
func (a *App) askAgain(id model.JobID) {
	q, ok := a.panel.Snapshot().Question(id)
	if !ok {
		return
	}
	delete(a.ask.later, id)
	delete(a.ask.answered, id)
	delete(a.ask.groups, q.Group)
	a.openAsk(q)
}
