package dialog

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/theme"
)

// AskKeys are the bindings of an Ask dialog beyond Keys: one shortcut per
// choice (pressing it answers at once), the "apply to all" toggle and
// "decide later".
type AskKeys struct {
	Choices []key.Binding
	All     key.Binding
	Later   key.Binding
}

// AskOutcome is how an Ask dialog ended.
type AskOutcome int

const (
	AskOpen     AskOutcome = iota // not ended yet
	AskAnswered                   // answered with Choice (and All)
	AskLater                      // put off without an answer
)

// Ask asks a question with several answers and a toggle that applies the
// answer to the rest of the same operation (the conflict question of a
// copy: skip, overwrite or keep both). Enter answers with the highlighted
// choice, a choice's shortcut answers with that choice, Later closes the
// dialog without answering. The dialog that Update returns when done
// carries the Outcome, so App can act on it in the same Update (before it
// decides what to ask next); OnAnswer and OnLater, when set, also make a
// message.
type Ask struct {
	ID    string
	Title string
	Lines []string
	// Choices are the answers; Choice is the highlighted one.
	Choices []string
	Choice  int
	// AllLabel describes the toggle; All is its state.
	AllLabel string
	All      bool
	// More, when positive, tells how many other questions wait.
	More int
	// Outcome says how the dialog ended.
	Outcome AskOutcome
	// OnAnswer makes the message sent when the user answers (optional).
	OnAnswer func(choice int, all bool) tea.Msg
	// OnLater makes the message sent when the user puts the question off
	// (optional).
	OnLater func() tea.Msg
	AskKeys AskKeys
	frame
}

// Update implements Dialog.
func (d *Ask) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || len(d.Choices) == 0 {
		return d, nil
	}
	answer := func() (Dialog, tea.Cmd) {
		d.Outcome, d.done = AskAnswered, true
		var m tea.Msg
		if d.OnAnswer != nil {
			m = d.OnAnswer(d.Choice, d.All)
		}
		return d, emit(m)
	}
	for i, b := range d.AskKeys.Choices {
		if i < len(d.Choices) && key.Matches(k, b) {
			d.Choice = i
			return answer()
		}
	}
	switch {
	case key.Matches(k, d.Keys.Accept):
		return answer()
	case key.Matches(k, d.AskKeys.Later, d.Keys.Cancel):
		d.Outcome, d.done = AskLater, true
		var m tea.Msg = ClosedMsg{ID: d.ID}
		if d.OnLater != nil {
			m = d.OnLater()
		}
		return d, emit(m)
	case key.Matches(k, d.AskKeys.All):
		d.All = !d.All
	case key.Matches(k, d.Keys.Next):
		d.Choice = (d.Choice + 1) % len(d.Choices)
	case key.Matches(k, d.Keys.Prev):
		d.Choice = (d.Choice + len(d.Choices) - 1) % len(d.Choices)
	}
	return d, nil
}

// View implements Dialog.
func (d *Ask) View(st theme.Styles) string {
	inner := max(d.width()-4, 10)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(cells.Truncate(d.Title, inner)) + "\n\n")
	for _, l := range d.Lines {
		b.WriteString(cells.Truncate(l, inner) + "\n")
	}
	b.WriteString("\n")
	// Buttons flow onto as many lines as the width needs.
	line, lineW := "", 0
	for i, c := range d.Choices {
		label := c
		if i < len(d.AskKeys.Choices) {
			if k := d.AskKeys.Choices[i].Help().Key; k != "" {
				label += " (" + k + ")"
			}
		}
		style := st.Button
		if i == d.Choice {
			style = st.ButtonOn
		}
		btn := style.Render(cells.Truncate(label, max(inner-2, 1)))
		w := lipgloss.Width(btn)
		if lineW > 0 && lineW+1+w > inner {
			b.WriteString(line + "\n")
			line, lineW = "", 0
		}
		if lineW > 0 {
			line += " "
			lineW++
		}
		line += btn
		lineW += w
	}
	b.WriteString(line + "\n")
	if d.AllLabel != "" {
		box := "[ ] "
		if d.All {
			box = "[x] "
		}
		label := box + d.AllLabel
		if k := d.AskKeys.All.Help().Key; k != "" {
			label += " (" + k + ")"
		}
		b.WriteString(cells.Truncate(label, inner) + "\n")
	}
	if d.More > 0 {
		more := "1 more question waits"
		if d.More > 1 {
			more = strconv.Itoa(d.More) + " more questions wait"
		}
		b.WriteString(st.Status.Render(cells.Truncate(more, inner)) + "\n")
	}
	b.WriteString("\n")
	hint := []string{}
	add := func(k key.Binding, what string) {
		if h := k.Help().Key; h != "" {
			hint = append(hint, h+": "+what)
		}
	}
	add(d.Keys.Accept, "answer")
	add(d.Keys.Next, "choose")
	add(d.AskKeys.Later, "decide later")
	b.WriteString(st.Status.Render(cells.Truncate(strings.Join(hint, " · "), inner)))
	return st.Dialog.Render(b.String())
}
