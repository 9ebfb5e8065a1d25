package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

func sampleSnapshot() transfers.Snapshot {
	now := testTime.Add(time.Hour)
	jobs := []model.Job{
		{ID: 1, Direction: model.Upload, Src: model.Location{Display: "/home/u/a.txt"}, Dst: model.Location{Display: "mega:/Cloud"},
			Size: 1200, Done: 1200, State: model.StateDone},
		{ID: 2, Direction: model.Download, Src: model.Location{Display: "mega:/Cloud/report.pdf"}, Dst: model.Location{Display: "/home/u"},
			Size: 4_500_000, Done: 1_500_000, State: model.StateRunning},
		{ID: 3, Direction: model.Upload, Src: model.Location{Display: "/home/u/c.jpg"}, Dst: model.Location{Display: "mega:/Cloud"},
			Size: 52000, State: model.StateWaiting, Reason: "rate limited", RetryAt: now.Add(4 * time.Second)},
		{ID: 4, Direction: model.Upload, Src: model.Location{Display: "/home/u/b.txt"}, Dst: model.Location{Display: "mega:/Cloud"},
			Size: 300, State: model.StateFailed, Err: "over storage quota"},
		{ID: 5, Direction: model.Upload, Src: model.Location{Display: "/home/u/evil\x1b]0;pwned\x07.txt"}, Dst: model.Location{Display: "mega:/Cloud"},
			Size: 7, State: model.StatePaused},
	}
	return transfers.Snapshot{
		Jobs:   jobs,
		Totals: model.Totals{Jobs: 5, ByState: map[model.State]int{model.StateDone: 1, model.StateRunning: 1, model.StateWaiting: 1, model.StateFailed: 1, model.StatePaused: 1}, BytesDone: 1_501_200, BytesTotal: 4_553_507, Speed: 2 << 20, ETA: 2 * time.Second, ETAKnown: true},
		Speed:  map[model.JobID]float64{2: 2 << 20},
		ETA:    map[model.JobID]time.Duration{2: 2 * time.Second},
		Now:    now,
	}
}

func TestTransferPanel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 40)
	ch := make(chan transfers.Snapshot)
	close(ch)
	h.send(snapshotMsg{snap: sampleSnapshot(), ch: ch, ok: true})
	if !h.app.flags.transfers || h.app.panelFocus {
		t.Fatalf("unfinished transfers (resumed at start): got panel shown %v focused %v, want shown, not focused",
			h.app.flags.transfers, h.app.panelFocus)
	}
	v := stripANSI(h.app.render())
	for _, want := range []string{"Transfers · 5 job(s), 1 running", "rate limited, retry in 4 s", "over storage quota",
		"2.0 MiB/s", "ETA 2s", "paused", `evil\x1b]0;pwned\x07.txt`, "██"} {
		if !strings.Contains(v, want) {
			t.Errorf("panel lacks %q", want)
		}
	}
	if strings.Contains(h.app.render(), "\x1b]0;pwned") {
		t.Errorf("raw OSC sequence from a job name reached the view")
	}
	golden(t, "transfers.txt", v)

	// t focuses the panel; controls act on the job under the cursor, and
	// only the controls that apply to it are live.
	h.press("t")
	k := h.app.Keys()
	if !h.app.panelFocus || k.Panel.Pause.Enabled() || k.Panel.Retry.Enabled() || !k.Panel.PauseAll.Enabled() ||
		k.Browse.Actions.Copy.Enabled() {
		// The cursor is on the finished job: no job control applies to it.
		t.Fatalf("panel focus %v, pause %v, retry %v, pause all %v, copy %v", h.app.panelFocus, k.Panel.Pause.Enabled(),
			k.Panel.Retry.Enabled(), k.Panel.PauseAll.Enabled(), k.Browse.Actions.Copy.Enabled())
	}
	h.press("down", "p", "f") // running: f does not apply
	if h.app.Keys().Panel.Front.Enabled() {
		t.Errorf("to front enabled on a running job")
	}
	h.press("down", "f", "down", "R", "down", "p", "x")
	want := []string{"pause 2", "front 3", "retry 4", "resume 5", "cancel 5"}
	if !slices.Equal(h.tr.ctl, want) {
		t.Errorf("got controls %q, want %q", h.tr.ctl, want)
	}
	h.press("T")
	if l := h.app.lay; l.Panes[0].H != 0 || l.Transfers.H != 40-3 {
		t.Errorf("maximised: got panes %+v transfers %+v", l.Panes, l.Transfers)
	}
	h.press("T", "tab")
	if h.app.panelFocus || h.app.Focus() != 0 {
		t.Errorf("tab from the panel: got panel %v focus %d", h.app.panelFocus, h.app.Focus())
	}
	h.press("t", "t") // focus, then hide
	if h.app.lay.Transfers.H != 0 {
		t.Errorf("panel still shown after t on the focused panel")
	}
}

func TestFinishedJobsReloadPanes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.local.add("/home/u/arrived.bin", 3)
	ch := make(chan transfers.Snapshot)
	close(ch)
	h.send(snapshotMsg{snap: sampleSnapshot(), ch: ch, ok: true})
	if !slices.Contains(h.rows(0), "arrived.bin") {
		t.Errorf("got %q, want the pane reloaded after a job finished", h.rows(0))
	}
}

func TestSnapshotsDrainedFromChannel(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	tr := &fakeTransfers{updates: make(chan transfers.Snapshot, 1)}
	tr.updates <- sampleSnapshot()
	close(tr.updates)
	h := &harness{t: t, local: local, mega: mega, tr: tr}
	h.app = New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Transfers: tr})
	h.send(windowSize(100, 30))
	h.run(h.app.Init())
	if got := len(h.app.panel.Snapshot().Jobs); got != 5 {
		t.Errorf("got %d jobs, want 5 from the channel", got)
	}
}

// TestPanelFollowsActiveJobs: with a long queue whose first rows are all
// done, the unfocused panel shows the running jobs, not a screenful of
// finished ones; once focused, the user's cursor is left alone.
func TestPanelFollowsActiveJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	var jobs []model.Job
	for i := range 50 {
		st := model.StateDone
		switch {
		case i == 40:
			st = model.StateRunning
		case i > 40:
			st = model.StateQueued
		}
		jobs = append(jobs, model.Job{ID: model.JobID(i + 1), Src: model.Location{Display: fmt.Sprintf("/d/file-%02d.bin", i)},
			Dst: model.Location{Display: "mega:/Cloud"}, Size: 10, State: st})
	}
	snap := transfers.Snapshot{Jobs: jobs, Totals: model.Totals{Jobs: 50, ByState: map[model.State]int{model.StateDone: 40}}}
	ch := make(chan transfers.Snapshot)
	close(ch)
	h.press("t", "tab") // show the panel, back to the panes
	h.send(snapshotMsg{snap: snap, ch: ch, ok: true})
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "file-40.bin") {
		t.Errorf("got no running job in the panel:\n%s", v)
	}
	h.press("t") // focus the panel: the cursor is on the running job
	if j, ok := h.app.panel.Current(); !ok || j.ID != 41 {
		t.Errorf("got cursor on job %d, want 41 (the running one)", j.ID)
	}
	h.press("home")
	for range 40 {
		h.press("up")
	}
	h.send(snapshotMsg{snap: snap, ch: ch, ok: true})
	if j, _ := h.app.panel.Current(); j.ID != 1 {
		t.Errorf("focused panel: got cursor moved to job %d by a snapshot, want it left on 1", j.ID)
	}
}
