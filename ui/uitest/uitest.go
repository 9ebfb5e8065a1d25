// Package uitest drives a Bubble Tea model synchronously for tests: every
// Cmd runs (on its own goroutine, bounded by a timeout) and the message it
// returns is fed back to Update, as the Bubble Tea runtime would, so a
// test sends keys and then looks at the model's state or View.
package uitest

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// Driver feeds messages to Model and runs the Cmds it returns.
type Driver struct {
	T     testing.TB
	Model tea.Model
	// Timeout bounds one Cmd; a Cmd that blocks longer fails the test
	// (5 s when zero).
	Timeout time.Duration
	// Quit is set once a Cmd returned tea.QuitMsg.
	Quit bool
}

// New returns a driver of m.
func New(t testing.TB, m tea.Model) *Driver { return &Driver{T: t, Model: m} }

// Send gives msg to Update and runs what follows from it.
func (d *Driver) Send(msg tea.Msg) {
	d.T.Helper()
	var cmd tea.Cmd
	d.Model, cmd = d.Model.Update(msg)
	d.Run(cmd)
}

// Run runs cmd and every Cmd that follows from it, depth first: a batch's
// Cmds one after the other, a sequence's in order.
func (d *Driver) Run(cmd tea.Cmd) {
	d.T.Helper()
	if cmd == nil {
		return
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(timeout):
		d.T.Fatalf("a command blocked for %s (the model should start no timers)", timeout)
	}
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			d.Run(c)
		}
	case tea.QuitMsg:
		d.Quit = true
	default:
		if cmds, ok := sequence(msg); ok {
			for _, c := range cmds {
				d.Run(c)
			}
			return
		}
		d.Send(msg)
	}
}

// sequence unpacks the message of tea.Sequence, whose type Bubble Tea
// does not export: a slice of Cmds.
func sequence(msg tea.Msg) ([]tea.Cmd, bool) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Slice || v.Type().Elem() != reflect.TypeFor[tea.Cmd]() {
		return nil, false
	}
	out := make([]tea.Cmd, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface().(tea.Cmd)
	}
	return out, true
}

// Press sends key presses by name: "down", "ctrl+a", "f5", "j", "space".
func (d *Driver) Press(keys ...string) {
	d.T.Helper()
	for _, k := range keys {
		d.Send(Key(k))
	}
}

// Type types literal text, one key press per rune.
func (d *Driver) Type(s string) {
	d.T.Helper()
	for _, r := range s {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Key is the key press named s: a letter or symbol, a named key ("enter",
// "pgdown", "f8"), with "ctrl+" and "shift+" prefixes.
func Key(s string) tea.KeyPressMsg {
	special := map[string]rune{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"enter": tea.KeyEnter, "backspace": tea.KeyBackspace, "tab": tea.KeyTab, "esc": tea.KeyEscape,
		"space": tea.KeySpace, "insert": tea.KeyInsert, "delete": tea.KeyDelete, "pgup": tea.KeyPgUp,
		"pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"f1": tea.KeyF1, "f2": tea.KeyF2, "f3": tea.KeyF3, "f4": tea.KeyF4, "f5": tea.KeyF5, "f6": tea.KeyF6,
		"f7": tea.KeyF7, "f8": tea.KeyF8, "f9": tea.KeyF9, "f10": tea.KeyF10,
	}
	var mod tea.KeyMod
	for {
		if rest, ok := strings.CutPrefix(s, "ctrl+"); ok {
			mod |= tea.ModCtrl
			s = rest
		} else if rest, ok := strings.CutPrefix(s, "alt+"); ok {
			mod |= tea.ModAlt
			s = rest
		} else if rest, ok := strings.CutPrefix(s, "shift+"); ok && len(rest) > 1 {
			mod |= tea.ModShift
			s = rest
		} else {
			break
		}
	}
	if c, ok := special[s]; ok {
		k := tea.KeyPressMsg{Code: c, Mod: mod}
		if c == tea.KeySpace && mod == 0 {
			k.Text = " "
		}
		return k
	}
	r, _ := utf8.DecodeRuneInString(s)
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: s}
}
