package ui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/megatui/megatui/ui/theme"
)

// TestProgramRun drives App inside a real tea.Program (teatest v2) with a
// fixed size and colour profile: browse, copy a file to the other pane,
// see it queued, quit.
func TestProgramRun(t *testing.T) {
	local, mega := fixture()
	tr := &fakeTransfers{}
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Transfers: tr,
		Styles: &st, Location: time.UTC})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ANSI256)))
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second))
	}
	waitFor("report.pdf")
	for _, k := range []string{"down", "down", "f5"} {
		tm.Send(keyMsg(k))
	}
	waitFor("if the name exists")
	tm.Send(keyMsg("enter"))
	waitFor("queued copy of 1 item(s)")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	final := tm.FinalModel(t).(*App)
	if len(tr.reqs) != 1 || tr.reqs[0].Sources[0].Name != "a.txt" || final.Pane(0).Dir() != "/home/u" {
		t.Errorf("got %d requests, final dir %s", len(tr.reqs), final.Pane(0).Dir())
	}
}
