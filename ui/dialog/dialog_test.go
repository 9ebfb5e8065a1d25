package dialog

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/ui/theme"
)

func testKeys() Keys {
	b := func(k ...string) key.Binding { return key.NewBinding(key.WithKeys(k...)) }
	return Keys{Accept: b("enter"), Yes: b("y"), No: b("n"), Cancel: b("esc"), Next: b("tab"), Prev: b("shift+tab")}
}

type yesMsg struct{ choice int }

func press(d Dialog, k tea.KeyPressMsg) (Dialog, tea.Msg, bool) {
	d, cmd, done := d.Update(k)
	var m tea.Msg
	if cmd != nil {
		m = cmd()
	}
	return d, m, done
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keys     []tea.KeyPressMsg
		wantMsg  tea.Msg
		wantDone bool
	}{
		{"enter", []tea.KeyPressMsg{{Code: tea.KeyEnter}}, yesMsg{0}, true},
		{"y", []tea.KeyPressMsg{{Code: 'y', Text: "y"}}, yesMsg{0}, true},
		{"tab tab y", []tea.KeyPressMsg{{Code: tea.KeyTab}, {Code: tea.KeyTab}, {Code: 'y', Text: "y"}}, yesMsg{2}, true},
		{"shift+tab wraps", []tea.KeyPressMsg{{Code: tea.KeyTab, Mod: tea.ModShift}, {Code: tea.KeyEnter}}, yesMsg{2}, true},
		{"n", []tea.KeyPressMsg{{Code: 'n', Text: "n"}}, ClosedMsg{ID: "c"}, true},
		{"esc", []tea.KeyPressMsg{{Code: tea.KeyEscape}}, ClosedMsg{ID: "c"}, true},
		{"other key stays open", []tea.KeyPressMsg{{Code: 'q', Text: "q"}}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d Dialog = Confirm{ID: "c", Title: "t", Choices: []string{"a", "b", "c"}, Keys: testKeys(),
				OnYes: func(c int) tea.Msg { return yesMsg{c} }}
			var msg tea.Msg
			var done bool
			for _, k := range tc.keys {
				d, msg, done = press(d, k)
			}
			if msg != tc.wantMsg || done != tc.wantDone {
				t.Errorf("got %#v done=%v, want %#v done=%v", msg, done, tc.wantMsg, tc.wantDone)
			}
		})
	}
}

func TestInput(t *testing.T) {
	t.Parallel()
	var d Dialog = NewInput(theme.New(true, false), "i", "Name", "name: ", "ab",
		func(v string) tea.Msg { return v }, testKeys())
	for _, r := range "cy" { // y and n are text here, not answers
		d, _, _ = press(d, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	d, msg, done := press(d, tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg != "abcy" || !done {
		t.Errorf("got %#v done=%v, want abcy true", msg, done)
	}
	v := ansi.Strip(d.View(theme.New(true, true), 30))
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 30 {
			t.Errorf("line wider than 30: %q", l)
		}
	}
}
