// Package dialog holds megatui's modal dialogs: a confirmation with an
// optional choice (the conflict policy of a copy) and a one-line text
// input (rename, mkdir, go to path, select by pattern). App keeps them on
// a stack that sees key presses first and is drawn last.
//
// A dialog never performs an action itself: when accepted it returns a Cmd
// that yields the message it was built with (for Confirm) or the message
// its submit function makes from the typed text (for Input), and App
// carries the action out.
package dialog

import (
	"github.com/megatui/megatui/ui/cells"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/ui/theme"
)

// Keys are the bindings dialogs react to; App passes them from its KeyMap.
type Keys struct {
	Accept, Yes, No, Cancel, Next, Prev key.Binding
}

// Dialog is one modal dialog.
type Dialog interface {
	// Update handles a message; done reports that the dialog closed.
	Update(msg tea.Msg) (d Dialog, cmd tea.Cmd, done bool)
	// View draws the dialog at most maxWidth cells wide.
	View(st theme.Styles, maxWidth int) string
}

// ClosedMsg is sent when a dialog is cancelled.
type ClosedMsg struct{ ID string }

func emit(m tea.Msg) tea.Cmd {
	if m == nil {
		return nil
	}
	return func() tea.Msg { return m }
}

// Confirm asks a yes/no question, optionally with a choice among Choices
// (cycled with Next/Prev).
type Confirm struct {
	ID     string
	Title  string
	Lines  []string
	Danger bool // drawn with the danger frame (permanent delete)
	// ChoiceLabel and Choices, when set, show a cycling choice.
	ChoiceLabel string
	Choices     []string
	Choice      int
	// OnYes makes the message sent when the user confirms.
	OnYes func(choice int) tea.Msg
	Keys  Keys
}

// Update implements Dialog.
func (c Confirm) Update(msg tea.Msg) (Dialog, tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil, false
	}
	switch {
	case key.Matches(k, c.Keys.Accept, c.Keys.Yes):
		return c, emit(c.OnYes(c.Choice)), true
	case key.Matches(k, c.Keys.Cancel, c.Keys.No):
		return c, emit(ClosedMsg{ID: c.ID}), true
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Next):
		c.Choice = (c.Choice + 1) % len(c.Choices)
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Prev):
		c.Choice = (c.Choice + len(c.Choices) - 1) % len(c.Choices)
	}
	return c, nil, false
}

// View implements Dialog.
func (c Confirm) View(st theme.Styles, maxWidth int) string {
	inner := max(maxWidth-4, 10)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(cells.Truncate(c.Title, inner)))
	b.WriteString("\n\n")
	for _, l := range c.Lines {
		b.WriteString(cells.Truncate(l, inner) + "\n")
	}
	if len(c.Choices) > 0 {
		b.WriteString("\n" + cells.Truncate(c.ChoiceLabel+": ‹ "+c.Choices[c.Choice]+" ›", inner) + "\n")
	}
	b.WriteString("\n")
	yes, no := "Yes (y/enter)", "No (n/esc)"
	b.WriteString(st.ButtonOn.Render(yes) + " " + st.Button.Render(no))
	frame := st.Dialog
	if c.Danger {
		frame = st.DialogDanger
	}
	return frame.Render(b.String())
}

// Input asks for one line of text.
type Input struct {
	ID     string
	Title  string
	Lines  []string
	Input  textinput.Model
	Submit func(value string) tea.Msg
	Keys   Keys
}

// NewInput builds an input dialog with initial text selected for editing.
func NewInput(st theme.Styles, id, title, prompt, value string, submit func(string) tea.Msg, keys Keys) Input {
	ti := textinput.New()
	ti.SetStyles(st.Input)
	ti.Prompt = prompt
	ti.SetValue(value)
	ti.CursorEnd()
	ti.Focus()
	return Input{ID: id, Title: title, Input: ti, Submit: submit, Keys: keys}
}

// Update implements Dialog.
func (d Input) Update(msg tea.Msg) (Dialog, tea.Cmd, bool) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, d.Keys.Accept):
			return d, emit(d.Submit(d.Input.Value())), true
		case key.Matches(k, d.Keys.Cancel):
			return d, emit(ClosedMsg{ID: d.ID}), true
		}
	}
	var cmd tea.Cmd
	d.Input, cmd = d.Input.Update(msg)
	return d, cmd, false
}

// View implements Dialog.
func (d Input) View(st theme.Styles, maxWidth int) string {
	inner := max(maxWidth-4, 10)
	d.Input.SetWidth(max(inner-lipgloss.Width(d.Input.Prompt)-1, 1))
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(cells.Truncate(d.Title, inner)) + "\n\n")
	for _, l := range d.Lines {
		b.WriteString(cells.Truncate(l, inner) + "\n")
	}
	b.WriteString(d.Input.View() + "\n\n")
	b.WriteString(st.Status.Render("enter: ok · esc: cancel"))
	return st.Dialog.Render(b.String())
}
