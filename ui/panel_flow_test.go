package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

// folderCopy is a snapshot of one folder copy of n files, the first
// running, then done ones... as the queue would show it mid-way.
func folderCopy(n, done int) transfers.Snapshot {
	var jobs []model.Job
	for i := range n {
		st := model.StateQueued
		switch {
		case i < done:
			st = model.StateDone
		case i == done:
			st = model.StateRunning
		}
		d := int64(0)
		if st == model.StateDone {
			d = 100
		}
		// The queue runs them in any order: the panel sorts by path.
		k := (i * 7) % n
		jobs = append(jobs, model.Job{ID: model.JobID(i + 1), Group: "copy-1", Size: 100, Done: d, State: st,
			Src: model.Location{Display: fmt.Sprintf("/home/u/Photos/img-%03d.jpg", k)},
			Dst: model.Location{Display: fmt.Sprintf("mega:/Cloud/Photos/img-%03d.jpg", k)}})
	}
	tot := model.Totals{Jobs: n, ByState: map[model.State]int{model.StateDone: done, model.StateRunning: 1, model.StateQueued: n - done - 1}}
	return transfers.Snapshot{Jobs: jobs, Totals: tot}
}

// TestFolderCopyIsOneGroup: a 200-file folder copy is one row with the
// whole folder's progress; it opens into its files in path order, and the
// cursor reaches the last of them with G.
func TestFolderCopyIsOneGroup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 30)
	h.snap(folderCopy(200, 50))
	h.press("t")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "▸ Photos/ (200 files) → mega:/Cloud/Photos") || !strings.Contains(v, "50/200 files") ||
		!strings.Contains(v, " 25% ") {
		t.Fatalf("got no group row with the folder's progress:\n%s", v)
	}
	if strings.Contains(v, "img-001.jpg") {
		t.Fatalf("a closed group shows its files:\n%s", v)
	}
	if !h.app.Keys().Panel.Expand.Enabled() {
		t.Fatal("open group disabled on the group's row")
	}
	h.press("enter")
	if _, n := h.app.panel.Cursor(); n != 201 {
		t.Fatalf("got %d rows after opening, want 201", n)
	}
	h.press("down")
	if j, ok := h.app.panel.Current(); !ok || !strings.HasSuffix(j.Src.Display, "img-000.jpg") {
		t.Errorf("first file: got %q, want img-000.jpg (path order)", j.Src.Display)
	}
	h.press("G")
	if c, n := h.app.panel.Cursor(); c != n-1 {
		t.Errorf("G: cursor on row %d of %d, want the last", c+1, n)
	}
	v = stripANSI(h.app.render())
	if !strings.Contains(v, "img-199.jpg") || !strings.Contains(v, "row 201 of 201") {
		t.Errorf("G does not show the last file:\n%s", v)
	}
	h.press("g", "left")
	if _, n := h.app.panel.Cursor(); n != 1 {
		t.Errorf("closing: got %d rows, want 1", n)
	}
}

// TestGroupControlsNameTheFiles: pausing a group pauses its unfinished
// jobs, and the message names the folder, not job numbers.
func TestGroupControlsNameTheFiles(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 30)
	h.snap(folderCopy(5, 2))
	h.press("t", "p")
	got := h.tr.controls()
	slices.Sort(got)
	if want := []string{"pause 3", "pause 4", "pause 5"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if msg := h.app.Message(); msg != "paused 5 files of Photos" {
		t.Errorf("got message %q, want it to name the folder", msg)
	}
}

// TestCancelRunningAsksFirst: cancelling a running transfer asks (the
// default is no); a queued one that never started is cancelled at once.
func TestCancelRunningAsksFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 30)
	h.snap(sampleSnapshot()) // done, running, waiting, failed, paused
	h.press("t", "down", "x")
	if d, ok := h.app.topDialog(); !ok || !strings.Contains(stripANSI(d.View(h.app.st)), "Cancel report.pdf?") {
		t.Fatalf("x on the running job did not ask: %v", h.app.dialogs())
	}
	h.press("enter") // the safe default: no
	if got := h.tr.controls(); len(got) != 0 {
		t.Fatalf("enter cancelled: %q", got)
	}
	h.press("x", "y")
	h.press("down", "x") // waiting, never started: no question
	if got, want := h.tr.controls(), []string{"cancel 2", "cancel 3"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestPermanentDeleteEnterDoesNothing: the permanent-delete dialog starts
// on No: enter closes it and deletes nothing; y deletes.
func TestPermanentDeleteEnterDoesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab", "D")
	if !strings.Contains(stripANSI(h.app.render()), "No (n/esc/enter)") {
		t.Fatalf("dialog does not show No as the default:\n%s", stripANSI(h.app.render()))
	}
	h.press("enter")
	for _, c := range h.mega.callLog() {
		if strings.HasPrefix(c, "remove") {
			t.Fatalf("enter removed: %q", c)
		}
	}
	if len(h.app.dialogs()) != 0 {
		t.Fatalf("dialog still open after enter")
	}
	h.press("D", "tab", "enter") // tab to Yes, then enter
	if got := h.mega.callLog(); !slices.Contains(got, "remove /Cloud/notes.md permanent=true") {
		t.Errorf("tab, enter did not delete: %q", got)
	}
}

// TestTransferLog: finished, skipped and failed jobs are in the log with
// their reasons, one key away; a skip says which file, not a number.
func TestTransferLog(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 30)
	h.snap(transfers.Snapshot{}) // the first snapshot: nothing resumed
	s := sampleSnapshot()
	s.Jobs = append(s.Jobs, model.Job{ID: 6, Src: model.Location{Display: "/home/u/same.bin"},
		Dst: model.Location{Display: "mega:/Cloud"}, State: model.StateSkipped, Reason: "identical file exists"})
	h.snap(s)
	if msg := h.app.Message(); !strings.Contains(msg, "b.txt: over storage quota") {
		t.Errorf("got message %q, want the failure named", msg)
	}
	h.press("L")
	v := stripANSI(h.app.render())
	for _, want := range []string{"Transfer log · 3 entr(ies)", "done      /home/u/a.txt → mega:/Cloud",
		"failed    /home/u/b.txt → mega:/Cloud · over storage quota", "skipped   /home/u/same.bin → mega:/Cloud · identical file exists"} {
		if !strings.Contains(v, want) {
			t.Errorf("log lacks %q:\n%s", want, v)
		}
	}
	h.press("x")
	if h.app.logOpen() {
		t.Error("log still open")
	}
}

// TestHeaderCountsEveryState: the panel's header counts running, waiting,
// paused, skipped, failed and done, and says the ETA leaves paused jobs
// out.
func TestHeaderCountsEveryState(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 200, 30)
	s := sampleSnapshot()
	s.Totals.ByState[model.StateSkipped] = 2
	h.snap(s)
	v := stripANSI(h.app.render())
	want := "5 job(s), 1 running, 1 waiting, 1 paused, 2 skipped, 1 failed, 1 done"
	if !strings.Contains(v, want) || !strings.Contains(v, "ETA 2s (paused jobs not counted)") {
		t.Errorf("header lacks %q and the ETA note:\n%s", want, v)
	}
}

// TestMessagesExpire: with a TTL a message clears itself; a timer of an
// older message never clears a newer one; the first screen says where to
// start.
func TestMessagesExpire(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", MessageTTL: time.Millisecond})
	if !strings.Contains(app.Message(), "F1/? every key") {
		t.Errorf("first screen: got %q, want the welcome hint", app.Message())
	}
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(100, 30))
	h.run(app.Init())
	h.press("down", "down", "down", "enter") // a.txt: not a folder
	if got := app.Message(); got != "" {
		t.Errorf("got %q after the TTL, want the line cleared", got)
	}
	app.setMessage(msgInfo, "old")
	old := app.msgSeq
	app.setMessage(msgError, "new")
	app.Update(messageExpiredMsg{seq: old})
	if got := app.Message(); got != "new" {
		t.Errorf("an old timer cleared the newer message: got %q", got)
	}
}

// TestRefreshesDoNotPileUp: a stream of finished transfers refreshes a
// pane one listing at a time (one more after the one on its way), without
// the loading mark, instead of cancelling each listing with the next.
func TestRefreshesDoNotPileUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	calls := func() int {
		n := 0
		for _, c := range h.local.callLog() {
			if c == "list /home/u" {
				n++
			}
		}
		return n
	}
	before := calls()
	ch := make(chan transfers.Snapshot)
	close(ch)
	var cmds []tea.Cmd
	for done := 1; done <= 5; done++ {
		s := folderCopy(10, done)
		_, cmd := h.app.Update(snapshotMsg{snap: s, ch: ch, ok: true})
		cmds = append(cmds, cmd) // the listings are on their way, not run yet
		if h.app.panes[0].Loading {
			t.Fatalf("a background refresh marked the pane loading")
		}
	}
	for _, c := range cmds {
		h.run(c)
	}
	if n := calls() - before; n < 1 || n > 2 {
		t.Errorf("5 snapshots made %d listings of the pane, want 1 and one more after it", n)
	}
}
