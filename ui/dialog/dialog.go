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
	// SafeDefault makes No the highlighted button: enter answers no, and
	// only y (or tab to Yes, then enter) confirms. For what cannot be
	// undone.
	SafeDefault bool
	// Input, when set, is an editable line (the target of a copy); y and
	// n are then typed, so enter confirms and esc cancels, and OnSubmit
	// (not OnYes) makes the message from the choice and the text.
	Input    *textinput.Model
	OnSubmit func(choice int, value string) tea.Msg
	onNo     bool // the No button is highlighted
	started  bool
	frame
}

func (c *Confirm) start() {
	if !c.started {
		c.started, c.onNo = true, c.SafeDefault
	}
}

// Update implements Dialog.
func (c *Confirm) Update(msg tea.Msg) (Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return c, nil
	}
	c.start()
	if c.Input != nil {
		return c.updateInput(k, msg)
	}
	switch {
	case key.Matches(k, c.Keys.Yes), !c.onNo && key.Matches(k, c.Keys.Accept):
		c.done = true
		return c, emit(c.OnYes(c.Choice))
	case key.Matches(k, c.Keys.Cancel, c.Keys.No), c.onNo && key.Matches(k, c.Keys.Accept):
		c.done = true
		return c, emit(ClosedMsg{ID: c.ID})
	case len(c.Choices) == 0 && key.Matches(k, c.Keys.Next, c.Keys.Prev):
		c.onNo = !c.onNo
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Next):
		c.Choice = (c.Choice + 1) % len(c.Choices)
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Prev):
		c.Choice = (c.Choice + len(c.Choices) - 1) % len(c.Choices)
	}
	return c, nil
}

func (c *Confirm) updateInput(k tea.KeyPressMsg, msg tea.Msg) (Dialog, tea.Cmd) {
	switch {
	case key.Matches(k, c.Keys.Accept):
		c.done = true
		return c, emit(c.OnSubmit(c.Choice, c.Input.Value()))
	case key.Matches(k, c.Keys.Cancel):
		c.done = true
		return c, emit(ClosedMsg{ID: c.ID})
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Next) && k.String() == "tab":
		c.Choice = (c.Choice + 1) % len(c.Choices)
		return c, nil
	case len(c.Choices) > 0 && key.Matches(k, c.Keys.Prev) && k.String() == "shift+tab":
		c.Choice = (c.Choice + len(c.Choices) - 1) % len(c.Choices)
		return c, nil
	}
	in, cmd := c.Input.Update(msg)
	*c.Input = in
	return c, cmd
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
	if c.Input != nil {
		c.Input.SetWidth(max(inner-lipgloss.Width(c.Input.Prompt)-1, 1))
		b.WriteString(c.Input.View() + "\n")
	}
	if len(c.Choices) > 0 {
		b.WriteString("\n" + cells.Truncate(c.ChoiceLabel+": ‹ "+c.Choices[c.Choice]+" ›", inner) + "\n")
	}
	b.WriteString("\n")
	c.start()
	switch {
	case c.Input != nil:
		b.WriteString(st.ButtonOn.Render("OK (enter)") + " " + st.Button.Render("Cancel (esc)"))
	case c.onNo:
		b.WriteString(st.Button.Render("Yes (y)") + " " + st.ButtonOn.Render("No (n/esc/enter)"))
	default:
		b.WriteString(st.ButtonOn.Render("Yes (y/enter)") + " " + st.Button.Render("No (n/esc)"))
	}
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
	// Complete, when set, makes tab complete the text: it returns the Cmd
	// whose CompletedMsg (with this ID) replaces the text.
	Complete func(value string) tea.Cmd
	frame
}

// CompletedMsg answers an Input's Complete: the new text, and a note
// (the candidates when several fit) shown under it.
type CompletedMsg struct {
	ID, Value, Note string
	// From is the text the completion started from: a completion that
	// returns after the user typed on is dropped, never typed over them.
	From string
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
	if c, ok := msg.(CompletedMsg); ok {
		if c.ID == d.ID && c.From == d.Input.Value() {
			d.Input.SetValue(c.Value)
			d.Input.CursorEnd()
			d.Lines = nil
			if c.Note != "" {
				d.Lines = []string{c.Note}
			}
		}
		return d, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if d.Complete != nil && k.String() == "tab" {
			return d, d.Complete(d.Input.Value())
		}
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
