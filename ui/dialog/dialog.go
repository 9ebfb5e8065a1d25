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
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/theme"
)

// Keys are the bindings dialogs react to; App passes them from its KeyMap.
type Keys struct {
	Accept, Yes, No, Cancel, Next, Prev key.Binding
}

// Title names the group in the help.
func (Keys) Title() string { return "Dialogs" }

// Bindings lists the keys for the help and the footer, in order.
func (k Keys) Bindings() []key.Binding {
	return []key.Binding{k.Accept, k.Yes, k.No, k.Cancel, k.Next, k.Prev}
}

// Dialog is one modal dialog. Like every child of App it has the shape of
// a Bubbles component: Update returns the dialog and a Cmd, View draws it
// at the size SetSize gave; Done reports, right after Update, that the
// dialog closed.
type Dialog interface {
	Update(msg tea.Msg) (Dialog, tea.Cmd)
	View(st theme.Styles) string
	// SetSize gives the most the dialog may take: it is at most w cells
	// wide (h is the screen's height).
	SetSize(w, h int)
	// SetKeys replaces the bindings (App enables the ones that apply).
	SetKeys(k Keys)
	Done() bool
}

// frame is what every dialog has besides its content: its keys, the
// room it has and whether it closed.
type frame struct {
	Keys     Keys
	maxWidth int
	done     bool
}

func (f *frame) SetSize(w, _ int) { f.maxWidth = w }
func (f *frame) SetKeys(k Keys)   { f.Keys = k }
func (f *frame) Done() bool       { return f.done }

// width is the dialog's maximum width (72, the widest dialog, before the
// first SetSize).
func (f *frame) width() int {
	if f.maxWidth <= 0 {
		return 72
	}
	return f.maxWidth
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
	ID    string
	Title string
	Lines []string
	// Whole lines are shown in full, wrapped to the dialog's width, never
	// cut (a public link).
	Whole  []string
	Danger bool // drawn with the danger frame (permanent delete)
	// ChoiceLabel and Choices, when set, show a cycling choice.
	ChoiceLabel string
	Choices     []string
	Choice      int
	// OnYes makes the message sent when the user confirms.
	OnYes func(choice int) tea.Msg
	frame
}

// Update implements Dialog.
func (c *Confirm) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	switch {
	case key.Matches(k, c.Keys.Accept, c.Keys.Yes):
		c.done = true
		return c, emit(c.OnYes(c.Choice))
	case key.Matches(k, c.Keys.Cancel, c.Keys.No):
		c.done = true
		return c, emit(ClosedMsg{ID: c.ID})
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Next):
		c.Choice = (c.Choice + 1) % len(c.Choices)
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Prev):
		c.Choice = (c.Choice + len(c.Choices) - 1) % len(c.Choices)
	}
	return c, nil
}

// View implements Dialog.
func (c *Confirm) View(st theme.Styles) string {
	inner := max(c.width()-4, 10)
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(cells.Truncate(c.Title, inner)))
	b.WriteString("\n\n")
	for _, l := range c.Whole {
		for _, part := range cells.Wrap(l, inner) {
			b.WriteString(part + "\n")
		}
	}
	if len(c.Whole) > 0 && len(c.Lines) > 0 {
		b.WriteString("\n")
	}
	for _, l := range c.Lines {
		b.WriteString(cells.Truncate(l, inner) + "\n")
	}
	if len(c.Choices) > 0 {
		b.WriteString("\n" + cells.Truncate(c.ChoiceLabel+": ‹ "+c.Choices[c.Choice]+" ›", inner) + "\n")
	}
	b.WriteString("\n")
	yes, no := "Yes (y/enter)", "No (n/esc)"
	b.WriteString(st.ButtonOn.Render(yes) + " " + st.Button.Render(no))
	box := st.Dialog
	if c.Danger {
		box = st.DialogDanger
	}
	return box.Render(b.String())
}

// Input asks for one line of text.
type Input struct {
	ID     string
	Title  string
	Lines  []string
	Input  textinput.Model
	Submit func(value string) tea.Msg
	frame
}

// NewInput builds an input dialog with initial text selected for editing.
func NewInput(st theme.Styles, id, title, prompt, value string, submit func(string) tea.Msg, keys Keys) *Input {
	ti := textinput.New()
	ti.SetStyles(st.Input)
	ti.Prompt = prompt
	ti.SetValue(value)
	ti.CursorEnd()
	ti.Focus()
	return &Input{ID: id, Title: title, Input: ti, Submit: submit, frame: frame{Keys: keys}}
}

// Update implements Dialog.
func (d *Input) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, d.Keys.Accept):
			d.done = true
			return d, emit(d.Submit(d.Input.Value()))
		case key.Matches(k, d.Keys.Cancel):
			d.done = true
			return d, emit(ClosedMsg{ID: d.ID})
		}
	}
	var cmd tea.Cmd
	d.Input, cmd = d.Input.Update(msg)
	return d, cmd
}

// View implements Dialog.
func (d *Input) View(st theme.Styles) string {
	inner := max(d.width()-4, 10)
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
