package ui

import (
	"errors"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/transfers"
)

// question makes an open question of job id in group g: the existing
// report.pdf on MEGA is older and larger than the incoming one.
func question(id model.JobID, name, g string) transfers.Question {
	return transfers.Question{JobID: id, Name: name, Group: g,
		Existing: model.Entry{Name: name, Size: 4_500_000, ModTime: testTime},
		Incoming: model.Entry{Name: name, Size: 1200, ModTime: testTime.Add(26 * time.Hour)}}
}

// askSnapshot is a queue whose jobs wait for the given questions, plus
// the jobs in extra.
func askSnapshot(qs []transfers.Question, extra ...model.Job) transfers.Snapshot {
	now := testTime.Add(48 * time.Hour)
	s := transfers.Snapshot{Now: now, Questions: qs, Totals: model.Totals{ByState: map[model.State]int{}}}
	for _, q := range qs {
		s.Jobs = append(s.Jobs, model.Job{ID: q.JobID, Direction: model.Upload, Group: q.Group,
			Src: model.Location{Display: "/home/u/" + q.Name}, Dst: model.Location{Display: "mega:/Cloud/" + q.Name},
			Size: q.Incoming.Size, State: model.StateWaiting, Reason: "target exists: waiting for an answer",
			RetryAt: now.Add(100 * 365 * 24 * time.Hour)})
	}
	s.Jobs = append(s.Jobs, extra...)
	for _, j := range s.Jobs {
		s.Totals.Jobs++
		s.Totals.ByState[j.State]++
	}
	return s
}

// snap delivers a snapshot as the engine's channel would.
func (h *harness) snap(s transfers.Snapshot) {
	h.t.Helper()
	ch := make(chan transfers.Snapshot)
	close(ch)
	h.send(snapshotMsg{snap: s, ch: ch, ok: true})
}

// asking is the job of the question dialog on top, 0 when none.
func (h *harness) asking() model.JobID {
	id, _ := h.app.topAsk()
	return id
}

func (h *harness) answers() []string {
	var out []string
	for _, c := range h.tr.controls() {
		if strings.HasPrefix(c, "answer ") {
			out = append(out, c)
		}
	}
	return out
}

func TestAskOneQuestion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"s skips", []string{"s"}, "answer 7 skip all=false"},
		{"o overwrites", []string{"o"}, "answer 7 overwrite all=false"},
		{"k keeps both", []string{"k"}, "answer 7 rename (keep both) all=false"},
		{"enter takes the highlighted skip", []string{"enter"}, "answer 7 skip all=false"},
		{"tab tab enter keeps both", []string{"tab", "tab", "enter"}, "answer 7 rename (keep both) all=false"},
		{"left wraps to keep both", []string{"left", "enter"}, "answer 7 rename (keep both) all=false"},
		{"a then o overwrites all", []string{"a", "o"}, "answer 7 overwrite all=true"},
		{"a twice is off again", []string{"a", "a", "right", "enter"}, "answer 7 overwrite all=false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 100, 30)
			h.snap(askSnapshot([]transfers.Question{question(7, "report.pdf", "g1")}))
			if got := h.asking(); got != 7 {
				t.Fatalf("got question dialog for job %d, want 7", got)
			}
			k := h.app.Keys()
			if !k.Ask.Skip.Enabled() || !k.Ask.All.Enabled() || k.Dialog.Yes.Enabled() || k.Browse.Actions.Copy.Enabled() {
				t.Errorf("keys while asking: skip %v all %v yes %v copy %v, want skip and all only",
					k.Ask.Skip.Enabled(), k.Ask.All.Enabled(), k.Dialog.Yes.Enabled(), k.Browse.Actions.Copy.Enabled())
			}
			h.press(tc.keys...)
			if got := h.answers(); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("got answers %q, want %q", got, tc.want)
			}
			if len(h.app.dialogs()) != 0 {
				t.Errorf("got %d dialogs open after the answer, want 0", len(h.app.dialogs()))
			}
			// A snapshot taken before the answer reached the queue must not
			// ask again.
			h.snap(askSnapshot([]transfers.Question{question(7, "report.pdf", "g1")}))
			if got := h.asking(); got != 0 {
				t.Errorf("stale snapshot asked job %d again", got)
			}
			h.snap(askSnapshot(nil, model.Job{ID: 7, State: model.StateRunning, Size: 1200}))
			if len(h.app.ask.answered) != 0 {
				t.Errorf("answered questions not forgotten: %v", h.app.ask.answered)
			}
		})
	}
}

func TestAskDialogShowsBothSides(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	h.snap(askSnapshot([]transfers.Question{question(7, "report.pdf", "g1")}))
	v := stripANSI(h.app.render())
	for _, want := range []string{`"report.pdf" already exists`, "from /home/u/report.pdf", "to mega:/Cloud/report.pdf",
		"existing  4.3 MiB  2026-03-04 05:06  larger", "incoming  1.2 KiB  2026-03-05 07:06  newer",
		"skip (s)", "overwrite (o)", "keep both (k)", "[ ] apply to all remaining in this copy (a)",
		"esc: decide later"} {
		if !strings.Contains(v, want) {
			t.Errorf("dialog lacks %q:\n%s", want, v)
		}
	}
	// The footer lists the dialog's keys.
	lines := strings.Split(v, "\n")
	footer := lines[len(lines)-1]
	for _, want := range []string{"s skip", "o overwrite", "k keep both", "a apply to all", "esc decide later"} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
	h.press("a")
	if v := stripANSI(h.app.render()); !strings.Contains(v, "[x] apply to all remaining in this copy") {
		t.Errorf("toggle not shown ticked:\n%s", v)
	}
}

func TestAskTwoQuestionsInSequence(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	qs := []transfers.Question{question(3, "a.txt", "g1"), question(4, "b.txt", "g2")}
	h.snap(askSnapshot(qs))
	if got := h.asking(); got != 3 {
		t.Fatalf("got job %d asked first, want 3", got)
	}
	if v := stripANSI(h.app.render()); !strings.Contains(v, "1 more question waits") {
		t.Errorf("first dialog does not say another question waits")
	}
	h.press("s")
	// The second question follows at once, without waiting for a snapshot.
	if got := h.asking(); got != 4 {
		t.Fatalf("got job %d asked second, want 4", got)
	}
	if v := stripANSI(h.app.render()); strings.Contains(v, "more question") {
		t.Errorf("last dialog still says more questions wait")
	}
	h.press("k")
	want := []string{"answer 3 skip all=false", "answer 4 rename (keep both) all=false"}
	if got := h.answers(); !slices.Equal(got, want) {
		t.Errorf("got answers %q, want %q", got, want)
	}
	h.snap(askSnapshot(qs))
	if got := h.asking(); got != 0 {
		t.Errorf("stale snapshot asked job %d again", got)
	}
}

func TestAskApplyToAllAnswersOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	qs := []transfers.Question{question(1, "a.txt", "copy1"), question(2, "b.txt", "copy1"),
		question(5, "c.txt", "copy2"), question(6, "d.txt", "copy1")}
	h.snap(askSnapshot(qs))
	if v := stripANSI(h.app.render()); !strings.Contains(v, "3 more questions wait") {
		t.Errorf("dialog does not count 3 more questions")
	}
	h.press("a", "o")
	// The rest of copy1 is covered: the next question is copy2's.
	if got := h.asking(); got != 5 {
		t.Fatalf("got job %d asked after the answer for all, want 5 (the other copy)", got)
	}
	if v := stripANSI(h.app.render()); strings.Contains(v, "more question") {
		t.Errorf("questions covered by the answer for all still counted")
	}
	// The queue has not applied the answer yet: copy1's questions are
	// still in the next snapshot, and are not asked.
	h.snap(askSnapshot(qs[1:]))
	h.press("s")
	h.snap(askSnapshot([]transfers.Question{qs[1], qs[3]}))
	if got := h.asking(); got != 0 {
		t.Errorf("job %d asked although its copy was answered for all", got)
	}
	want := []string{"answer 1 overwrite all=true", "answer 5 skip all=false"}
	if got := h.answers(); !slices.Equal(got, want) {
		t.Errorf("got answers %q, want %q", got, want)
	}
	h.snap(askSnapshot(nil))
	if len(h.app.ask.groups) != 0 {
		t.Errorf("answered groups not forgotten: %v", h.app.ask.groups)
	}
}

func TestAskClosesWhenJobCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	h.snap(askSnapshot([]transfers.Question{question(9, "notes.md", "g")},
		model.Job{ID: 10, State: model.StateRunning, Size: 100, Done: 10, Src: model.Location{Display: "/x"}}))
	if h.asking() != 9 {
		t.Fatalf("question not asked")
	}
	// The queue goes on behind the dialog: a new snapshot updates the
	// panel while the question stays open.
	h.snap(askSnapshot([]transfers.Question{question(9, "notes.md", "g")},
		model.Job{ID: 10, State: model.StateDone, Size: 100, Done: 100, Src: model.Location{Display: "/x"}}))
	if h.asking() != 9 {
		t.Fatalf("question closed by an unrelated snapshot")
	}
	if j, _ := h.app.panel.Snapshot().Job(10); j.State != model.StateDone {
		t.Errorf("panel did not follow the queue behind the dialog: job 10 is %s", j.State)
	}
	// Someone cancels job 9 (cancel all from the CLI, say).
	h.snap(askSnapshot(nil, model.Job{ID: 9, State: model.StateCancelled, Dst: model.Location{Display: "mega:/Cloud/notes.md"}}))
	if len(h.app.dialogs()) != 0 {
		t.Fatalf("question dialog still open after its job was cancelled")
	}
	if got := h.app.Message(); !strings.Contains(got, "question closed: mega:/Cloud/notes.md") {
		t.Errorf("got message %q, want it to say the question closed", got)
	}
	if got := h.answers(); len(got) != 0 {
		t.Errorf("got answers %q, want none", got)
	}
	if !h.app.Keys().Browse.Nav.Up.Enabled() {
		t.Errorf("browser keys not live again after the dialog closed")
	}
}

func TestAskLaterAndAgainFromPanel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	q := question(2, "report.pdf", "g")
	h.snap(askSnapshot([]transfers.Question{q}, model.Job{ID: 1, State: model.StateDone, Size: 1, Done: 1}))
	h.press("esc")
	if len(h.app.dialogs()) != 0 {
		t.Fatalf("esc did not put the question off")
	}
	h.snap(askSnapshot([]transfers.Question{q}, model.Job{ID: 1, State: model.StateDone, Size: 1, Done: 1}))
	if h.asking() != 0 {
		t.Fatalf("a put-off question came back by itself")
	}
	// The panel shows the job as waiting for an answer, with no countdown.
	h.press("t")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "waiting") || !strings.Contains(v, "asking: name exists") || strings.Contains(v, "retry in") {
		t.Errorf("panel does not show the job as waiting: asking:\n%s", v)
	}
	if !strings.Contains(v, "(1 asking)") {
		t.Errorf("panel totals lack the question count")
	}
	h.press("down") // job 1, done
	if h.app.Keys().Panel.Answer.Enabled() {
		t.Errorf("answer key enabled on a job without a question")
	}
	h.press("enter")
	if h.asking() != 0 {
		t.Fatalf("enter on a job without a question opened a dialog")
	}
	h.press("up")
	if !h.app.Keys().Panel.Answer.Enabled() {
		t.Fatalf("answer key disabled on the asking job")
	}
	h.press("enter")
	if h.asking() != 2 {
		t.Fatalf("enter on the job did not ask again")
	}
	h.press("o")
	if got := h.answers(); !slices.Equal(got, []string{"answer 2 overwrite all=false"}) {
		t.Errorf("got answers %q", got)
	}
}

func TestAskWaitsForOtherDialogs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	h.press("f7")
	h.snap(askSnapshot([]transfers.Question{question(4, "a.txt", "g")}))
	if _, ok := h.app.dialogs()[len(h.app.dialogs())-1].(*dialog.Input); !ok || len(h.app.dialogs()) != 1 {
		t.Fatalf("question pushed over the mkdir input")
	}
	h.typeText("sok")
	h.press("esc")
	if h.asking() != 4 {
		t.Fatalf("question not asked once the input closed")
	}
	if got := h.answers(); len(got) != 0 {
		t.Errorf("keys typed into the input answered: %q", got)
	}
}

func TestAskAnswerFailsAsksAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 100, 30)
	h.tr.answerErr = errors.New("job 4 has no open question")
	h.snap(askSnapshot([]transfers.Question{question(4, "a.txt", "g")}))
	h.press("a", "k")
	if got := h.app.Message(); !strings.Contains(got, "answer for a.txt: job 4 has no open question") {
		t.Errorf("got message %q", got)
	}
	if h.asking() != 4 || len(h.app.ask.groups) != 0 {
		t.Errorf("failed answer: asking %d, groups %v; want the question asked again", h.asking(), h.app.ask.groups)
	}
}

func TestQueueControls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	s := sampleSnapshot() // done, running, waiting, failed, paused
	h.snap(s)
	h.press("t", "down") // the running job: cancel applies to it
	k := h.app.Keys()
	for name, b := range map[string]bool{"pause all": k.Panel.PauseAll.Enabled(), "cancel all": k.Panel.CancelAll.Enabled(),
		"retry failed": k.Panel.RetryFailed.Enabled(), "clear finished": k.Panel.ClearFinished.Enabled()} {
		if !b {
			t.Errorf("%s disabled with the panel focused", name)
		}
	}
	footer := stripANSI(h.app.renderFooter())
	for _, want := range []string{"P pause/resume all", "X cancel all", "ctrl+r retry failed", "C clear finished", "x cancel"} {
		if !strings.Contains(footer, want) {
			t.Errorf("panel footer %q lacks %q", footer, want)
		}
	}
	h.press("P")
	// Cancel all asks first; "n" keeps everything.
	h.press("X")
	if d, ok := h.app.dialogs()[len(h.app.dialogs())-1].(*dialog.Confirm); !ok || d.ID != "cancel-all" ||
		!strings.Contains(d.Title, "Cancel all 3 unfinished") {
		t.Fatalf("X did not ask to cancel all: %+v", h.app.dialogs())
	}
	h.press("n", "X", "y", "ctrl+r", "C")
	want := []string{"pause all", "cancel all", "retry failed", "clear finished"}
	if got := h.tr.controls(); !slices.Equal(got, want) {
		t.Errorf("got controls %q, want %q", got, want)
	}
	if got := h.app.Message(); got != "cleared: 2 job(s)" {
		t.Errorf("got message %q", got)
	}

	// Everything paused: P resumes; nothing failed or finished: those keys
	// are off, in the footer too.
	paused := transfers.Snapshot{Jobs: []model.Job{{ID: 1, State: model.StatePaused, Size: 5}, {ID: 2, State: model.StatePaused, Size: 5}},
		Totals: model.Totals{Jobs: 2}}
	h.snap(paused)
	k = h.app.Keys()
	if !k.Panel.PauseAll.Enabled() || k.Panel.RetryFailed.Enabled() || k.Panel.ClearFinished.Enabled() {
		t.Errorf("all paused: pause all %v, retry failed %v, clear %v; want on, off, off",
			k.Panel.PauseAll.Enabled(), k.Panel.RetryFailed.Enabled(), k.Panel.ClearFinished.Enabled())
	}
	if footer := stripANSI(h.app.renderFooter()); strings.Contains(footer, "retry failed") {
		t.Errorf("footer shows a disabled key: %q", footer)
	}
	h.press("P")
	if got := h.tr.controls(); got[len(got)-1] != "resume all" {
		t.Errorf("got %q, want resume all", got[len(got)-1])
	}

	// Not focused: the queue keys are off.
	h.press("tab")
	if h.app.Keys().Panel.PauseAll.Enabled() || h.app.Keys().Panel.CancelAll.Enabled() {
		t.Errorf("queue keys enabled without panel focus")
	}
}

func TestQueueKeysInHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 140, 40)
	h.snap(sampleSnapshot())
	h.press("t", "?")
	v := stripANSI(h.app.render())
	for _, want := range []string{"pause/resume all", "cancel all", "retry failed", "clear finished"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestSettingsOptions(t *testing.T) {
	t.Parallel()
	dark := func(tm ThemeMode) (start, afterLightBG bool) {
		local, mega := fixture()
		a := New(Options{Left: local, Right: mega, Theme: tm})
		start = a.st.Dark
		a.Update(tea.BackgroundColorMsg{Color: color.White})
		return start, a.st.Dark
	}
	tests := []struct {
		mode        ThemeMode
		start, then bool
	}{
		{ThemeAuto, true, false},
		{ThemeDark, true, true},
		{ThemeLight, false, false},
	}
	for _, tc := range tests {
		if s, th := dark(tc.mode); s != tc.start || th != tc.then {
			t.Errorf("theme %d: got dark %v then %v, want %v then %v", tc.mode, s, th, tc.start, tc.then)
		}
	}

	// show_hidden: hidden files listed from the start, in both panes.
	local, mega := fixture()
	st := theme.New(true, false)
	tr := &fakeTransfers{}
	h := &harness{t: t, local: local, mega: mega, tr: tr,
		app: New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Transfers: tr, Styles: &st,
			ShowHidden: true, DefaultConflict: model.ConflictAsk})}
	h.send(windowSize(100, 30))
	h.run(h.app.Init())
	if !slices.Contains(h.rows(0), ".hidden") {
		t.Errorf("got rows %q, want .hidden shown", h.rows(0))
	}
	// The copy dialog starts at the configured conflict policy.
	h.press("down", "down", "f5")
	if v := stripANSI(h.app.render()); !strings.Contains(v, "if the name exists (tab to change): ‹ ask ›") {
		t.Errorf("copy dialog does not start at ask:\n%s", v)
	}
	h.press("enter")
	if len(tr.reqs) != 1 || tr.reqs[0].Conflict != model.ConflictAsk {
		t.Errorf("got requests %+v, want one with the ask policy", tr.reqs)
	}

	// Without settings the defaults hold: hidden files off, skip.
	h2 := newHarness(t, 100, 30)
	if slices.Contains(h2.rows(0), ".hidden") {
		t.Errorf("hidden files shown by default")
	}
	h2.press("down", "down", "f5")
	if v := stripANSI(h2.app.render()); !strings.Contains(v, "‹ skip ›") {
		t.Errorf("copy dialog does not start at skip by default")
	}
}

func TestGoldenAskDialog(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		w, h int
	}{{"ask-dialog", 100, 30}, {"ask-dialog-narrow", 46, 24}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.w, tc.h)
			h.snap(askSnapshot([]transfers.Question{question(7, "report.pdf", "g"), question(8, "日本語ファイル.txt", "g")}))
			h.press("tab")
			v := h.app.render()
			lines := strings.Split(v, "\n")
			if len(lines) != tc.h {
				t.Errorf("got %d lines, want %d", len(lines), tc.h)
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != tc.w {
					t.Errorf("line %d is %d cells wide, want %d: %q", i, w, tc.w, stripANSI(l))
				}
			}
			golden(t, tc.name+".txt", stripANSI(v))
			golden(t, tc.name+".ansi256", downsample(t, v, colorprofile.ANSI256))
		})
	}
}
