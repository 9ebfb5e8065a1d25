package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/transfers"
)

// adapterFixture starts a real engine (local copies need no MEGA) behind
// the UI adapter, with a source and a destination folder whose files
// collide by name but differ.
type adapterFixture struct {
	q        *queueAdapter
	src, dst string
	fs       localFS
}

func newAdapterFixture(t *testing.T, names ...string) *adapterFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	e := transfer.New(transfer.Options{Workers: 2})
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := e.Wait(); err != nil {
			t.Errorf("engine: %v", err)
		}
	})
	f := &adapterFixture{q: newQueueAdapter(ctx, e, nil), src: t.TempDir(), dst: t.TempDir(), fs: localFS{fs: localfs.New()}}
	for _, n := range names {
		write(t, filepath.Join(f.src, n), "incoming content of "+n)
		write(t, filepath.Join(f.dst, n), "old "+n)
	}
	return f
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *adapterFixture) copy(t *testing.T, names ...string) {
	t.Helper()
	var es []model.Entry
	for _, n := range names {
		st, err := os.Stat(filepath.Join(f.src, n))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, model.Entry{Name: n, Size: st.Size(), ModTime: st.ModTime()})
	}
	err := f.q.Enqueue(context.Background(), ui.TransferRequest{Op: model.OpCopy, SrcFS: f.fs, SrcDir: f.src, Sources: es,
		DstFS: f.fs, DstDir: f.dst, Conflict: model.ConflictAsk})
	if err != nil {
		t.Fatal(err)
	}
}

// await reads snapshots until one satisfies ok.
func (f *adapterFixture) await(t *testing.T, what string, ok func(transfers.Snapshot) bool) transfers.Snapshot {
	t.Helper()
	deadline := time.After(10 * time.Second)
	var last transfers.Snapshot
	for {
		select {
		case s, open := <-f.q.Updates():
			if !open {
				t.Fatalf("updates closed while waiting for %s", what)
			}
			if ok(s) {
				return s
			}
			last = s
		case <-deadline:
			t.Fatalf("no snapshot with %s in 10 s; last: jobs %+v questions %+v", what, last.Jobs, last.Questions)
		}
	}
}

func allEnded(s transfers.Snapshot, n int) bool {
	if len(s.Jobs) != n || len(s.Questions) != 0 {
		return false
	}
	for _, j := range s.Jobs {
		if !j.State.Terminal() {
			return false
		}
	}
	return true
}

func (f *adapterFixture) content(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dst, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestQueueAdapterAsksAndAnswers(t *testing.T) {
	t.Parallel()
	f := newAdapterFixture(t, "a.txt")
	f.copy(t, "a.txt")
	s := f.await(t, "a question", func(s transfers.Snapshot) bool { return len(s.Questions) == 1 })
	q := s.Questions[0]
	j, _ := s.Job(q.JobID)
	if q.Name != "a.txt" || q.Existing.Size != int64(len("old a.txt")) || q.Incoming.Size != int64(len("incoming content of a.txt")) {
		t.Errorf("got question %+v, want a.txt existing %d bytes, incoming %d", q, len("old a.txt"), len("incoming content of a.txt"))
	}
	if j.State != model.StateWaiting || q.Group == "" {
		t.Errorf("got job %+v group %q, want waiting in a group", j, q.Group)
	}
	if got := f.q.Active(); got != 1 {
		t.Errorf("got %d active, want the parked job counted", got)
	}
	if err := f.q.Answer(q.JobID, model.ConflictOverwrite, false); err != nil {
		t.Fatal(err)
	}
	s = f.await(t, "the job done", func(s transfers.Snapshot) bool { return allEnded(s, 1) })
	if s.Jobs[0].State != model.StateDone {
		t.Errorf("got %s, want done", s.Jobs[0].State)
	}
	if got := f.content(t, "a.txt"); got != "incoming content of a.txt" {
		t.Errorf("got %q in the target, want it overwritten", got)
	}
	// A second answer has no question left to resolve.
	if err := f.q.Answer(q.JobID, model.ConflictSkip, false); err == nil {
		t.Errorf("answering a resolved question succeeded")
	}
	if err := f.q.Answer(q.JobID, model.ConflictAsk, false); err == nil {
		t.Errorf("ask accepted as an answer")
	}
}

// One copy of three selected files is three engine requests; keep both
// "for all" resolves every question of the copy, including those the
// engine had not asked yet when the answer was given.
func TestQueueAdapterAnswerForAllCoversTheCopy(t *testing.T) {
	t.Parallel()
	names := []string{"a.txt", "b.txt", "c.txt"}
	f := newAdapterFixture(t, names...)
	f.copy(t, names...)
	s := f.await(t, "a question", func(s transfers.Snapshot) bool { return len(s.Questions) > 0 })
	first := s.Questions[0]
	for _, q := range s.Questions {
		if q.Group != first.Group {
			t.Errorf("questions of one copy in groups %q and %q", first.Group, q.Group)
		}
	}
	if err := f.q.Answer(first.JobID, model.ConflictRename, true); err != nil {
		t.Fatal(err)
	}
	s = f.await(t, "every job ended", func(s transfers.Snapshot) bool { return allEnded(s, 3) })
	for _, j := range s.Jobs {
		if j.State != model.StateDone {
			t.Errorf("job %s: got %s, want done", j.Dst.Display, j.State)
		}
	}
	ents, err := os.ReadDir(f.dst)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	want := []string{"a (1).txt", "a.txt", "b (1).txt", "b.txt", "c (1).txt", "c.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("got target files %q, want %q", got, want)
	}
	for _, n := range names {
		if c := f.content(t, n); c != "old "+n {
			t.Errorf("%s: got %q, want the old file kept", n, c)
		}
	}

	// Clear finished drops them and a snapshot says so without an event.
	if n := f.q.ClearFinished(); n != 3 {
		t.Errorf("cleared %d, want 3", n)
	}
	f.await(t, "an empty queue", func(s transfers.Snapshot) bool { return len(s.Jobs) == 0 })
}

func TestQueueAdapterCancelAllClosesQuestion(t *testing.T) {
	t.Parallel()
	f := newAdapterFixture(t, "a.txt")
	f.copy(t, "a.txt")
	f.await(t, "a question", func(s transfers.Snapshot) bool { return len(s.Questions) == 1 })
	if n := f.q.CancelAll(); n != 1 {
		t.Errorf("cancelled %d, want 1", n)
	}
	s := f.await(t, "the job cancelled", func(s transfers.Snapshot) bool { return allEnded(s, 1) })
	if s.Jobs[0].State != model.StateCancelled {
		t.Errorf("got %s, want cancelled", s.Jobs[0].State)
	}
	if n := f.q.RetryFailed(); n != 0 {
		t.Errorf("retried %d, want 0 (nothing failed)", n)
	}
	if got := f.content(t, "a.txt"); got != "old a.txt" {
		t.Errorf("target changed to %q", got)
	}
}

func TestQueueAdapterPauseResumeAll(t *testing.T) {
	t.Parallel()
	f := newAdapterFixture(t, "a.txt")
	f.copy(t, "a.txt")
	f.await(t, "a question", func(s transfers.Snapshot) bool { return len(s.Questions) == 1 })
	// Pausing a parked job drops its question; resuming asks again.
	if n := f.q.PauseAll(); n != 1 {
		t.Errorf("paused %d, want 1", n)
	}
	f.await(t, "the job paused", func(s transfers.Snapshot) bool {
		return len(s.Jobs) == 1 && s.Jobs[0].State == model.StatePaused && len(s.Questions) == 0
	})
	if n := f.q.ResumeAll(); n != 1 {
		t.Errorf("resumed %d, want 1", n)
	}
	s := f.await(t, "the question again", func(s transfers.Snapshot) bool { return len(s.Questions) == 1 })
	if err := f.q.Answer(s.Questions[0].JobID, model.ConflictSkip, false); err != nil {
		t.Fatal(err)
	}
	s = f.await(t, "the job skipped", func(s transfers.Snapshot) bool { return allEnded(s, 1) })
	if s.Jobs[0].State != model.StateSkipped {
		t.Errorf("got %s, want skipped", s.Jobs[0].State)
	}
}

func TestTUISettingsFromConfig(t *testing.T) {
	t.Parallel()
	if got := uiTheme(config.ThemeLight); got != ui.ThemeLight {
		t.Errorf("light: got %v", got)
	}
	if got := uiTheme(config.ThemeDark); got != ui.ThemeDark {
		t.Errorf("dark: got %v", got)
	}
	if got := uiTheme(config.ThemeAuto); got != ui.ThemeAuto {
		t.Errorf("auto: got %v", got)
	}
	for in, want := range map[string]model.Conflict{"ask": model.ConflictAsk, "skip": model.ConflictSkip,
		"overwrite": model.ConflictOverwrite, "rename": model.ConflictRename, "": model.ConflictSkip} {
		if got := configConflict(config.Config{Transfers: config.Transfers{Conflict: in}}); got != want {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
}

// A move is done by the engine: each source is removed once its copy is
// in place (no bookkeeping left in the adapter).
func TestQueueAdapterMoveRemovesSources(t *testing.T) {
	t.Parallel()
	f := newAdapterFixture(t)
	write(t, filepath.Join(f.src, "m1.txt"), "first")
	write(t, filepath.Join(f.src, "m2.txt"), "second")
	var es []model.Entry
	for _, n := range []string{"m1.txt", "m2.txt"} {
		es = append(es, model.Entry{Name: n})
	}
	err := f.q.Enqueue(context.Background(), ui.TransferRequest{Op: model.OpMove, SrcFS: f.fs, SrcDir: f.src, Sources: es,
		DstFS: f.fs, DstDir: f.dst, Conflict: model.ConflictSkip})
	if err != nil {
		t.Fatal(err)
	}
	s := f.await(t, "both moves ended", func(s transfers.Snapshot) bool { return allEnded(s, 2) })
	for _, j := range s.Jobs {
		if j.State != model.StateDone {
			t.Errorf("%s: %s %s", j.Dst.Display, j.State, j.Err)
		}
	}
	if got := f.content(t, "m1.txt") + f.content(t, "m2.txt"); got != "firstsecond" {
		t.Errorf("moved content: %q", got)
	}
	for _, n := range []string{"m1.txt", "m2.txt"} {
		if _, err := os.Stat(filepath.Join(f.src, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("source %s after the move: %v, want gone", n, err)
		}
	}
}

// The engine works with the account megatui started with: a copy to
// another remote's pane is refused in words (it would have used the wrong
// account), and one to a pane not connected yet fails instead of crashing.
func TestQueueAdapterRefusesOtherAccounts(t *testing.T) {
	t.Parallel()
	f := newAdapterFixture(t, "a.txt")
	mine := newMegaFS("mega", "me@example.com", nil, t.TempDir())
	other := newMegaFS("work", "work@example.com", nil, t.TempDir())
	f.q.remote = mine
	es, err := f.fs.List(context.Background(), f.src)
	if err != nil {
		t.Fatal(err)
	}
	enqueue := func(dst ui.FS) error {
		return f.q.Enqueue(context.Background(), ui.TransferRequest{Op: model.OpCopy, SrcFS: f.fs, SrcDir: f.src, Sources: es,
			DstFS: dst, DstDir: "/", Conflict: model.ConflictSkip})
	}
	if err := enqueue(other); err == nil || !strings.Contains(err.Error(), "start megatui --remote work") {
		t.Errorf("copy to another remote: got %v, want a refusal naming --remote work", err)
	}
	if err := enqueue(mine); !errors.Is(err, model.ErrNoCredentials) {
		t.Errorf("copy to a remote not connected: got %v, want ErrNoCredentials", err)
	}
	if n := len(f.q.e.Snapshot()); n != 0 {
		t.Errorf("%d jobs queued, want none", n)
	}
}

// With nothing configured the TUI offers the remote "mega", on
// MEGATUI_API_URL when set (as megatui login does), so a first-run login
// goes where the user pointed megatui.
func TestPaneRemotes(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"MEGATUI_API_URL": "http://127.0.0.1:9/"}
	getenv := func(k string) string { return vars[k] }
	got := paneRemotes(config.Config{}, getenv)
	if len(got) != 1 || got[0].Name != "mega" || got[0].APIURL != vars["MEGATUI_API_URL"] {
		t.Errorf("nothing configured: got %+v, want mega on MEGATUI_API_URL", got)
	}
	cfg := config.Config{Remotes: []config.Remote{{Name: "work", Email: "w@example.com"}}}
	got = paneRemotes(cfg, getenv)
	if len(got) != 1 || got[0].Name != "work" {
		t.Errorf("one configured: got %+v, want work", got)
	}
	if got := paneRemotes(config.Config{}, func(string) string { return "" }); len(got) != 1 || got[0].APIURL != "" {
		t.Errorf("nothing set: got %+v, want mega on MEGA's own API", got)
	}
}
