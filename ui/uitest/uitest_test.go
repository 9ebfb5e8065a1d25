package uitest

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// counter counts key presses and asks for work in batches and sequences.
type counter struct {
	keys  []string
	steps []string
}

type stepMsg string

func step(s string) tea.Cmd { return func() tea.Msg { return stepMsg(s) } }

func (c *counter) Init() tea.Cmd { return nil }

func (c *counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		c.keys = append(c.keys, m.String())
		switch m.String() {
		case "b":
			return c, tea.Batch(step("b1"), step("b2"))
		case "s":
			return c, tea.Sequence(step("s1"), step("s2"))
		case "q":
			return c, tea.Quit
		}
	case stepMsg:
		c.steps = append(c.steps, string(m))
	}
	return c, nil
}

func (c *counter) View() tea.View { return tea.NewView("") }

func TestDriverRunsBatchesSequencesAndQuit(t *testing.T) {
	t.Parallel()
	c := &counter{}
	d := New(t, c)
	d.Press("ctrl+a", "enter", "b", "s")
	d.Type("xy")
	want := []string{"ctrl+a", "enter", "b", "s", "x", "y"}
	if len(c.keys) != len(want) {
		t.Fatalf("got keys %q, want %q", c.keys, want)
	}
	for i := range want {
		if c.keys[i] != want[i] {
			t.Fatalf("got keys %q, want %q", c.keys, want)
		}
	}
	if got := c.steps; len(got) != 4 || got[0] != "b1" || got[1] != "b2" || got[2] != "s1" || got[3] != "s2" {
		t.Errorf("got steps %q, want b1 b2 s1 s2", got)
	}
	if d.Quit {
		t.Fatal("quit before q")
	}
	d.Press("q")
	if !d.Quit {
		t.Error("q did not quit")
	}
}
