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
	d, cmd := d.Update(k)
	var m tea.Msg
	if cmd != nil {
		m = cmd()
	}
	return d, m, d.Done()
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
			var d Dialog = &Confirm{ID: "c", Title: "t", Choices: []string{"a", "b", "c"}, frame: frame{Keys: testKeys()},
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
	d.SetSize(30, 24)
	v := ansi.Strip(d.View(theme.New(true, true)))
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 30 {
			t.Errorf("line wider than 30: %q", l)
		}
	}
}

func TestAsk(t *testing.T) {
	t.Parallel()
	b := func(k string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, k)) }
	ak := AskKeys{Choices: []key.Binding{b("s"), b("o"), b("k")}, All: b("a"), Later: b("esc")}
	type answer struct {
		choice int
		all    bool
	}
	tests := []struct {
		name    string
		keys    []tea.KeyPressMsg
		outcome AskOutcome
		want    answer
	}{
		{"enter", []tea.KeyPressMsg{{Code: tea.KeyEnter}}, AskAnswered, answer{0, false}},
		{"shortcut", []tea.KeyPressMsg{{Code: 'k', Text: "k"}}, AskAnswered, answer{2, false}},
		{"all then shortcut", []tea.KeyPressMsg{{Code: 'a', Text: "a"}, {Code: 'o', Text: "o"}}, AskAnswered, answer{1, true}},
		{"prev wraps", []tea.KeyPressMsg{{Code: tea.KeyTab, Mod: tea.ModShift}, {Code: tea.KeyEnter}}, AskAnswered, answer{2, false}},
		{"later", []tea.KeyPressMsg{{Code: 'a', Text: "a"}, {Code: tea.KeyEscape}}, AskLater, answer{}},
		{"y does nothing", []tea.KeyPressMsg{{Code: 'y', Text: "y"}}, AskOpen, answer{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d Dialog = &Ask{ID: "q", Title: "x exists", Choices: []string{"skip", "overwrite", "keep both"},
				AllLabel: "apply to all", frame: frame{Keys: testKeys()}, AskKeys: ak,
				OnAnswer: func(c int, all bool) tea.Msg { return answer{c, all} }}
			var msg tea.Msg
			done := false
			for _, k := range tc.keys {
				d, msg, done = press(d, k)
			}
			got := d.(*Ask)
			if got.Outcome != tc.outcome || done != (tc.outcome != AskOpen) {
				t.Fatalf("got outcome %v done %v, want %v", got.Outcome, done, tc.outcome)
			}
			if tc.outcome == AskAnswered && msg != tc.want {
				t.Errorf("got %#v, want %#v", msg, tc.want)
			}
			if tc.outcome == AskLater && msg != (ClosedMsg{ID: "q"}) {
				t.Errorf("got %#v, want ClosedMsg", msg)
			}
		})
	}
}

func TestAskViewFitsNarrowWidths(t *testing.T) {
	t.Parallel()
	st := theme.New(true, false)
	b := func(k string) key.Binding { return key.NewBinding(key.WithKeys(k), key.WithHelp(k, k)) }
	d := &Ask{Title: "\"a very long file name indeed.txt\" already exists", Lines: []string{"existing  4.3 MiB"},
		Choices: []string{"skip", "overwrite", "keep both"}, AllLabel: "apply to all remaining in this copy", More: 3,
		frame: frame{Keys: testKeys()}, AskKeys: AskKeys{Choices: []key.Binding{b("s"), b("o"), b("k")}, All: b("a"), Later: b("esc")}}
	for _, w := range []int{20, 30, 46, 72} {
		d.SetSize(w, 24)
		v := d.View(st)
		for i, l := range strings.Split(v, "\n") {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("width %d: line %d is %d cells: %q", w, i, lw, ansi.Strip(l))
			}
		}
		if w >= 30 && !strings.Contains(ansi.Strip(v), "3 more questions wait") {
			t.Errorf("width %d: waiting count missing", w)
		}
	}
}

// TestLateCompletionDropped: a completion computed for "Pho" lands only
// while the input still says "Pho", never over what was typed since.
func TestLateCompletionDropped(t *testing.T) {
	t.Parallel()
	in := NewInput(theme.New(true, false), "goto", "Go", "path: ", "Pho", func(v string) tea.Msg { return v }, testKeys())
	var d Dialog = in
	d, _ = d.Update(CompletedMsg{ID: "goto", Value: "Photos/", From: "Pho"})
	if got := in.Input.Value(); got != "Photos/" {
		t.Fatalf("a current completion: got %q, want Photos/", got)
	}
	in.Input.SetValue("Music")
	_, _ = d.Update(CompletedMsg{ID: "goto", Value: "Photos/2024/", From: "Photos/"})
	if got := in.Input.Value(); got != "Music" {
		t.Fatalf("a late completion replaced what was typed: got %q", got)
	}
}
