package dedupe

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/model"
)

// plan builds the plan of mode over the fixture, as a UI or the CLI
// would before asking for confirmation.
func (e *env) plan(t *testing.T, mode model.Mode) model.Plan {
	t.Helper()
	sc, err := Scan(context.Background(), e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.BuildPlan(sc.Entries, Decide(Detect(sc.Entries, false, nil), model.Choice{Mode: mode}), model.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func trashes(p model.Plan, id string) bool {
	return slices.ContainsFunc(p.Actions, func(a model.Action) bool { return a.Kind == model.ActionTrash && a.ID == id })
}

// TestConcurrentChangeNeverEmptiesGroup: the plan keeps notes.txt S[0] and
// trashes S[1]; before it is applied another client trashes S[0]. Applying
// must re-check the group, see one copy left, and leave it alone.
func TestConcurrentChangeNeverEmptiesGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	S := e.fx.SameSize
	p := e.plan(t, model.ModeNewest)
	if !trashes(p, S[1]) || trashes(p, S[0]) {
		t.Fatalf("plan: want S[1] trashed and S[0] kept:\n%s", p)
	}
	other := connect(t, e.srv)
	if err := other.Trash(ctx, S[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other client's trash to arrive", func() bool { return e.inTrash(t, S[0]) })

	rep, err := Apply(ctx, e.c, p, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.inTrash(t, S[1]) {
		t.Errorf("the last copy of notes.txt (%s) was trashed", S[1])
	}
	if !slices.ContainsFunc(rep.Changes, func(c model.Change) bool { return !c.Replanned }) {
		t.Errorf("changes: got %+v, want the notes.txt group reported as dropped", rep.Changes)
	}
	// The other groups were applied as planned.
	if !e.inTrash(t, e.fx.Sizes[0]) || e.inTrash(t, e.fx.Sizes[2]) {
		t.Errorf("song.mp3 group: want the plan applied (newest %s kept)", e.fx.Sizes[2])
	}
}

// TestConcurrentChangeReplans: another client trashes the copy the plan
// keeps (report.pdf I[1], the newest) and uploads a newer song.mp3. Both
// groups are planned again from what is there now.
func TestConcurrentChangeReplans(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	I, Z := e.fx.Identical, e.fx.Sizes
	p := e.plan(t, model.ModeNewest)
	other := connect(t, e.srv)
	if err := other.Trash(ctx, I[1]); err != nil {
		t.Fatal(err)
	}
	data := demo.Binary("newer song", 6000)
	newer, err := other.Upload(ctx, e.fx.Dir, "song.mp3", bytes.NewReader(data), int64(len(data)), time.Date(2025, 9, 9, 0, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other client's changes to arrive", func() bool {
		_, err := e.c.Stat(ctx, newer.ID)
		return err == nil && e.inTrash(t, I[1])
	})
	rep, err := Apply(ctx, e.c, p, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	replanned := 0
	for _, c := range rep.Changes {
		if c.Replanned {
			replanned++
		}
	}
	if replanned != 2 {
		t.Errorf("changes: got %+v, want 2 groups planned again", rep.Changes)
	}
	// report.pdf: of I[0] (2021) and I[2] (2022) the newest, I[2], stays.
	if e.inTrash(t, I[2]) || !e.inTrash(t, I[0]) {
		t.Errorf("report.pdf: want %s kept and %s trashed", I[2], I[0])
	}
	// song.mp3: the new upload is the newest; all three old ones go.
	if e.inTrash(t, newer.ID) {
		t.Errorf("song.mp3: the newest copy %s was trashed", newer.ID)
	}
	for _, id := range Z {
		if !e.inTrash(t, id) {
			t.Errorf("song.mp3: %s: want it trashed once the newer copy appeared", id)
		}
	}
}

// TestConcurrentMergeChange: a file lands in a folder being merged after
// the plan was made; the merge is planned again and moves it too, so the
// trashed folder is empty.
func TestConcurrentMergeChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	p := e.plan(t, model.ModeNewest)
	other := connect(t, e.srv)
	late, err := other.Upload(ctx, e.fx.Folders[0], "late.txt", bytes.NewReader([]byte("late")), 4, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the late upload to arrive", func() bool { _, err := e.c.Stat(ctx, late.ID); return err == nil })
	if _, err := Apply(ctx, e.c, p, ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	// The merge was planned again: the survivor is the folder with most
	// entries now (a tie, so the first), and the other one is emptied.
	survivor, gone := e.fx.Folders[0], e.fx.Folders[1]
	if e.inTrash(t, survivor) {
		survivor, gone = gone, survivor
	}
	if !e.inTrash(t, gone) {
		t.Fatalf("neither Trip was trashed")
	}
	kids, err := e.c.List(ctx, survivor)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(kids, func(k model.Entry) bool { return k.ID == late.ID }) || len(kids) != 6 {
		t.Errorf("surviving Trip: got %d entries, want all 6 including late.txt", len(kids))
	}
	left, err := e.c.List(ctx, gone)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the trashed Trip still holds %d entries", len(left))
	}
}

// TestUndoRestoresExactly runs newest (merges, two passes) and rename,
// then undoes each and compares every node's parent and name.
func TestUndoRestoresExactly(t *testing.T) {
	t.Parallel()
	for _, mode := range []model.Mode{model.ModeNewest, model.ModeRename, model.ModeSkip} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			before := e.snapshot(t)
			res, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: mode, JournalDir: e.dir, Remote: "mega"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Applied() == 0 || res.JournalPath == "" {
				t.Fatalf("got %d applied, journal %q; want a run to undo", res.Applied(), res.JournalPath)
			}
			if mid := e.snapshot(t); maps.Equal(before, mid) {
				t.Fatal("the run changed nothing")
			}
			fi, err := os.Stat(res.JournalPath)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("journal mode: got %v, want 0600", fi.Mode().Perm())
			}
			run, err := LastRun(e.dir, "mega")
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Journal.Entries) != res.Applied() || run.Meta.Mode != mode || run.Meta.Scope != "/Duplicates" {
				t.Errorf("journal: got %d entries, meta %+v; want %d entries of mode %s", len(run.Journal.Entries), run.Meta, res.Applied(), mode)
			}
			rep, err := Undo(ctx, e.c, run, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Restored) != res.Applied() {
				t.Errorf("undo restored %d of %d actions", len(rep.Restored), res.Applied())
			}
			if after := e.snapshot(t); !maps.Equal(before, after) {
				for id, p := range before {
					if after[id] != p {
						t.Errorf("node %s: got %+v after undo, want %+v", id, after[id], p)
					}
				}
			}
			if _, err := LastRun(e.dir, "mega"); !errors.Is(err, ErrNoRun) {
				t.Errorf("after undo: LastRun got %v, want ErrNoRun", err)
			}
		})
	}
}

// TestUndoIsRepeatable: an undo interrupted half-way can be run again.
func TestUndoIsRepeatable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	before := e.snapshot(t)
	if _, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: model.ModeOldest, JournalDir: e.dir, Remote: "mega"}); err != nil {
		t.Fatal(err)
	}
	run, err := LastRun(e.dir, "mega")
	if err != nil {
		t.Fatal(err)
	}
	// The user restores one node by hand first.
	first := run.Journal.Entries[len(run.Journal.Entries)-1]
	if err := e.c.Move(ctx, first.ID, first.Parent); err != nil {
		t.Fatal(err)
	}
	half := PastRun{Meta: run.Meta, Journal: model.Journal{Entries: run.Journal.Entries[len(run.Journal.Entries)/2:]}}
	if _, err := Undo(ctx, e.c, half, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := Undo(ctx, e.c, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) == 0 {
		t.Errorf("second undo skipped nothing; want the steps already done skipped")
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("undo in two goes did not restore the account")
	}
}

func TestPermanentDeleteIsJournaledAsLost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	res, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: model.ModeIdentical, Permanent: true, JournalDir: e.dir, Remote: "mega"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied() != 3 {
		t.Fatalf("got %d applied, want 3 (two report.pdf, one IMG_0001.jpg)", res.Applied())
	}
	for _, a := range res.Passes[0].Report.Applied {
		if _, err := e.c.Stat(ctx, a.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: got %v, want it deleted for good", a.ID, err)
		}
	}
	run, err := LastRun(e.dir, "mega")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Undo(ctx, e.c, run, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Lost) != 3 || len(rep.Restored) != 0 {
		t.Errorf("undo: got %d lost, %d restored; want 3 lost", len(rep.Lost), len(rep.Restored))
	}
}

func TestJournalTornLineAndOtherRemotes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := CreateJournal(dir, RunMeta{Remote: "mega", Scope: "/x", Mode: model.ModeFirst})
	if err != nil {
		t.Fatal(err)
	}
	a := model.Action{Kind: model.ActionTrash, ID: "h1", Name: "a", Parent: "p"}
	if err := j.Record(a, false); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"entry":{"kind":"tra`)
	f.Close()
	// A run of another remote whose name starts the same is not ours.
	j2, err := CreateJournal(dir, RunMeta{Remote: "mega-2", Started: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	j2.Record(a, false)
	j2.Close()
	run, err := LastRun(dir, "mega")
	if err != nil {
		t.Fatal(err)
	}
	if run.Path != j.Path() || len(run.Journal.Entries) != 1 || run.Journal.Entries[0].ID != "h1" {
		t.Errorf("got %+v, want the mega run with one entry", run)
	}
	// An empty run leaves no file.
	j3, err := CreateJournal(filepath.Join(dir, "sub"), RunMeta{Remote: "x"})
	if err != nil {
		t.Fatal(err)
	}
	j3.Close()
	if _, err := os.Stat(j3.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty journal: got %v, want it removed", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "sub")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("journal dir: got %v %v, want 0700", fi.Mode().Perm(), err)
	}
}

// TestCancelledRunIsJournaled: a run cancelled half-way stops between
// actions, its journal holds exactly what was done, and undo restores it.
func TestCancelledRunIsJournaled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := e.snapshot(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := 0
	res, err := Run(ctx, e.c, "/Duplicates", RunOptions{Mode: model.ModeOldest, JournalDir: e.dir, Remote: "mega",
		OnAction: func(a model.Action, err error) {
			if done++; done == 3 {
				cancel()
			}
		}})
	if !errors.Is(err, model.ErrCancelled) {
		t.Fatalf("got %v, want ErrCancelled", err)
	}
	if res.Applied() < 3 || res.Applied() >= len(res.Passes[0].Plan.Actions) {
		t.Errorf("applied %d of %d actions; want the run stopped part-way", res.Applied(), len(res.Passes[0].Plan.Actions))
	}
	if f := res.Passes[0].Report.Failed; len(f) > 0 {
		t.Errorf("cancel left failed actions: %v", f)
	}
	run, err := LastRun(e.dir, "mega")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Journal.Entries) != res.Applied() {
		t.Errorf("journal: %d entries, want %d", len(run.Journal.Entries), res.Applied())
	}
	if _, err := Undo(context.Background(), e.c, run, nil); err != nil {
		t.Fatal(err)
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("undo of a cancelled run did not restore the account")
	}
}
