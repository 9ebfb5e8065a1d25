package ui

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/ui/dedupe"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/login"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/transfers"
	"github.com/megatui/megatui/ui/viewer"
)

// Everything that takes the keyboard from the browser is an overlay on
// one stack: a dialog, the help, the filter and in-place rename inputs,
// the login form and the guided dedupe screen. The top overlay sees key
// presses (and the other input messages, such as paste) first; the
// browser gets them only when the stack is empty. Each overlay is App's
// handle on one child component, which has the Bubbles shape (Update
// returning itself and a Cmd, View, SetSize): see dialog.Dialog,
// login.Model, dedupe.Model and transfers.Model.
type overlay interface {
	// update handles a message while the overlay is on top.
	update(a *App, msg tea.Msg) tea.Cmd
}

// dialogOverlay is a modal dialog.
type dialogOverlay struct{ d dialog.Dialog }

// helpOverlay is the key help, open at page.
type helpOverlay struct{ page int }

// filterOverlay is the focused pane's filter input.
type filterOverlay struct{ input textinput.Model }

// renameOverlay is the in-place rename of the focused pane's cursor entry.
type renameOverlay struct {
	input  textinput.Model
	target renameSubmitMsg // newName filled on submit
	start  string          // the input's initial text
}

func newTextInput(st theme.Styles, prompt string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.SetStyles(st.Input)
	return in
}

// push puts o on top of the stack.
func (a *App) push(o overlay) {
	if d, ok := o.(*dialogOverlay); ok {
		d.d.SetSize(dialogWidth(a.width), a.height)
	}
	a.modes = append(a.modes, o)
	a.syncKeys()
}

// pushDialog opens a dialog on top of the stack.
func (a *App) pushDialog(d dialog.Dialog) { a.push(&dialogOverlay{d: d}) }

// top is the overlay on top of the stack (nil when the browser has the
// keyboard).
func (a *App) top() overlay {
	if len(a.modes) == 0 {
		return nil
	}
	return a.modes[len(a.modes)-1]
}

// close takes o off the stack, wherever it is.
func (a *App) close(o overlay) {
	for i := len(a.modes) - 1; i >= 0; i-- {
		if a.modes[i] == o {
			a.modes = append(a.modes[:i], a.modes[i+1:]...)
			return
		}
	}
}

// closeAll takes every overlay that keep rejects off the stack.
func (a *App) closeAll(drop func(overlay) bool) {
	kept := a.modes[:0]
	for _, o := range a.modes {
		if !drop(o) {
			kept = append(kept, o)
		}
	}
	clear(a.modes[len(kept):])
	a.modes = kept
}

// findOverlay returns the topmost overlay of type T on the stack.
func findOverlay[T overlay](a *App) (T, bool) {
	for i := len(a.modes) - 1; i >= 0; i-- {
		if o, ok := a.modes[i].(T); ok {
			return o, true
		}
	}
	var zero T
	return zero, false
}

// dialogs are the open dialogs, bottom first.
func (a *App) dialogs() []dialog.Dialog {
	var out []dialog.Dialog
	for _, o := range a.modes {
		if d, ok := o.(*dialogOverlay); ok {
			out = append(out, d.d)
		}
	}
	return out
}

// topDialog is the dialog on top of the stack, if the top is a dialog.
func (a *App) topDialog() (dialog.Dialog, bool) {
	if d, ok := a.top().(*dialogOverlay); ok {
		return d.d, true
	}
	return nil, false
}

// help is the open help overlay (nil when closed).
func (a *App) help() *helpOverlay { o, _ := findOverlay[*helpOverlay](a); return o }

// filter is the open filter input (nil when closed).
func (a *App) filter() *filterOverlay { o, _ := findOverlay[*filterOverlay](a); return o }

// renaming is the open in-place rename (nil when closed).
func (a *App) renaming() *renameOverlay { o, _ := findOverlay[*renameOverlay](a); return o }

// loginForm is the open login form (nil when closed).
func (a *App) loginForm() *loginSession { o, _ := findOverlay[*loginSession](a); return o }

// dedupe is the open guided dedupe screen (nil when closed).
func (a *App) dedupe() *dedupeSession { o, _ := findOverlay[*dedupeSession](a); return o }

// logOpen reports whether the transfer log is open.
func (a *App) logOpen() bool { _, ok := findOverlay[*logOverlay](a); return ok }

// spaceOpen reports whether the space view is open.
func (a *App) spaceOpen() bool { _, ok := findOverlay[*spaceOverlay](a); return ok }

// placesOpen reports whether the places list is open.
func (a *App) placesOpen() bool { _, ok := findOverlay[*placesOverlay](a); return ok }

// browsing reports that the browser has the keyboard, the filter input
// aside: mouse clicks and the wheel reach the panes.
func (a *App) browsing() bool {
	for _, o := range a.modes {
		if _, ok := o.(*filterOverlay); !ok {
			return false
		}
	}
	return true
}

// closeInputs closes the filter and rename inputs (the focused pane
// changed folder under them).
func (a *App) closeInputs() {
	a.closeAll(func(o overlay) bool {
		switch o := o.(type) {
		case *filterOverlay:
			o.input.Blur()
			return true
		case *renameOverlay:
			o.input.Blur()
			return true
		}
		return false
	})
}

func (o *dialogOverlay) update(a *App, msg tea.Msg) tea.Cmd {
	d, cmd := o.d.Update(msg)
	o.d = d
	if d.Done() {
		a.close(o)
		if ad, ok := d.(*dialog.Ask); ok {
			cmd = tea.Batch(cmd, a.onAskClosed(ad))
		}
	}
	return cmd
}

func (o *helpOverlay) update(a *App, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	return a.onHelpKey(o, k)
}

func (o *filterOverlay) update(a *App, msg tea.Msg) tea.Cmd { return a.updateFilter(o, msg) }

func (o *renameOverlay) update(a *App, msg tea.Msg) tea.Cmd { return a.updateRename(o, msg) }

func (s *loginSession) update(a *App, msg tea.Msg) tea.Cmd { return a.onLoginKey(s, msg) }

func (s *dedupeSession) update(a *App, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	return a.onDedupeKey(s, k)
}

// component is the contract every child of App follows, as Bubbles'
// components do: Update returns the child itself and a Cmd (an outcome
// App must act on is read right after, as Done or Request), View draws it
// with the theme at the size SetSize gave.
type component[T any] interface {
	Update(msg tea.Msg) (T, tea.Cmd)
	View(st theme.Styles) string
	SetSize(w, h int)
}

var (
	_ component[dialog.Dialog]   = dialog.Dialog(nil)
	_ component[login.Model]     = (*login.Model)(nil)
	_ component[dedupe.Model]    = (*dedupe.Model)(nil)
	_ component[transfers.Model] = (*transfers.Model)(nil)
	_ component[viewer.Model]    = (*viewer.Model)(nil)
)
