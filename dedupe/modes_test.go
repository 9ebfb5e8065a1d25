package dedupe

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/model"
)

// expectation says, for one group of fixture nodes, which must stay out
// of the Rubbish Bin; every other member must be in it.
type expectation struct {
	group   string
	members []string
	keep    []string
}

func (e *env) runMode(t *testing.T, mode model.Mode) Result {
	t.Helper()
	res, err := Run(context.Background(), e.c, "/Duplicates", RunOptions{Mode: mode, JournalDir: e.dir, Remote: "mega"})
	if err != nil {
		t.Fatalf("run %s: %v", mode, err)
	}
	for i, p := range res.Passes {
		t.Logf("pass %d plan:\n%s", i+1, p.Plan)
		for _, f := range p.Report.Failed {
			t.Errorf("pass %d: %s failed: %v", i+1, f.Action, f.Err)
		}
	}
	return res
}

// TestModes runs every mode on the fixture and checks which node of
// every group survives and that the others are in the Rubbish Bin.
func TestModes(t *testing.T) {
	t.Parallel()
	for _, mode := range []model.Mode{model.ModeFirst, model.ModeNewest, model.ModeOldest, model.ModeLargest,
		model.ModeSmallest, model.ModeSkip, model.ModeList, model.ModeIdentical, model.ModeRename} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			fx := e.fx
			I, S, Z, M := fx.Identical, fx.SameSize, fx.Sizes, fx.Mixed
			a, a2, b, c := M[0], M[1], M[2], M[3]
			tc1, tc2 := fx.TripSmall[1], fx.TripBig[2]
			untouched := slices.Concat(fx.Case, fx.Norm, []string{fx.Unique, fx.ContentCopy, fx.Archive}, fx.TripSmall[:1], fx.TripBig[:2])
			firstA := e.firstOf(t, a, a2)
			// The common.txt pair meets in the surviving Trip after the merge.
			trip := []string{tc1, tc2}
			var want []expectation
			all := func(g string, m []string) expectation { return expectation{g, m, m} }
			switch mode {
			case model.ModeFirst:
				want = []expectation{{"report", I, []string{e.firstOf(t, I...)}}, {"notes", S, []string{e.firstOf(t, S...)}},
					{"song", Z, []string{e.firstOf(t, Z...)}}, {"img", M, []string{e.firstOf(t, firstA, b, c)}},
					{"common", trip, []string{e.firstOf(t, tc1, tc2)}}}
			case model.ModeNewest:
				want = []expectation{{"report", I, []string{I[1]}}, {"notes", S, []string{S[0]}}, {"song", Z, []string{Z[2]}},
					{"img", M, []string{a2}}, {"common", trip, []string{tc2}}}
			case model.ModeOldest:
				want = []expectation{{"report", I, []string{I[0]}}, {"notes", S, []string{S[1]}}, {"song", Z, []string{Z[1]}},
					{"img", M, []string{c}}, {"common", trip, []string{tc1}}}
			case model.ModeLargest:
				want = []expectation{{"report", I, []string{e.firstOf(t, I...)}}, {"notes", S, []string{e.firstOf(t, S...)}},
					{"song", Z, []string{Z[1]}}, {"img", M, []string{c}}, {"common", trip, []string{tc2}}}
			case model.ModeSmallest:
				want = []expectation{{"report", I, []string{e.firstOf(t, I...)}}, {"notes", S, []string{e.firstOf(t, S...)}},
					{"song", Z, []string{Z[0]}}, {"img", M, []string{b}}, {"common", trip, []string{tc1}}}
			case model.ModeSkip:
				want = []expectation{{"report", I, []string{e.firstOf(t, I...)}}, all("notes", S), all("song", Z),
					{"img", M, []string{firstA, b, c}}, all("common", trip)}
			case model.ModeIdentical:
				want = []expectation{{"report", I, []string{e.firstOf(t, I...)}}, all("notes", S), all("song", Z),
					{"img", M, []string{firstA, b, c}}, all("common", trip), all("trip", fx.Folders)}
			case model.ModeList, model.ModeRename:
				want = []expectation{all("notes", S), all("song", Z), all("common", trip)}
				if mode == model.ModeList {
					want = append(want, all("report", I), all("img", M), all("trip", fx.Folders))
				} else {
					want = append(want, expectation{"report", I, []string{e.firstOf(t, I...)}},
						expectation{"img", M, []string{firstA, b, c}})
				}
			}
			if mode != model.ModeList && mode != model.ModeIdentical {
				// Folders were merged into the one with more entries
				// (rename mode too, as rclone's).
				want = append(want, expectation{"trip", fx.Folders, fx.Folders[1:]})
			}
			before := e.snapshot(t)
			res := e.runMode(t, mode)
			for _, w := range want {
				for _, id := range w.members {
					keep := slices.Contains(w.keep, id)
					if got := e.inTrash(t, id); got == keep {
						t.Errorf("%s: node %s: in the Rubbish Bin = %v, want %v", w.group, id, got, !keep)
					}
				}
			}
			for _, id := range untouched {
				if e.inTrash(t, id) {
					t.Errorf("node %s (no duplicate) was trashed", id)
				}
			}
			switch mode {
			case model.ModeList:
				if after := e.snapshot(t); !maps.Equal(before, after) {
					t.Errorf("list mode changed the account")
				}
				if res.JournalPath != "" || res.Applied() != 0 {
					t.Errorf("list mode: got journal %q, %d applied; want none", res.JournalPath, res.Applied())
				}
				if n := len(res.Passes[0].Plan.Notes); n < 6 {
					t.Errorf("list mode: got %d notes, want one per group (≥ 6)", n)
				}
			case model.ModeRename:
				checkRenamed(t, e)
			default:
				if tripBig := e.stat(t, fx.Folders[1]); mode != model.ModeIdentical {
					kids, err := e.c.List(context.Background(), tripBig.ID)
					if err != nil {
						t.Fatal(err)
					}
					if len(kids) < 4 {
						t.Errorf("merged Trip holds %d entries, want the 5 children of both (less removed duplicates)", len(kids))
					}
				}
			}
		})
	}
}

func checkRenamed(t *testing.T, e *env) {
	t.Helper()
	es, err := e.c.List(context.Background(), e.fx.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range es {
		names = append(names, en.Name)
	}
	for _, want := range []string{"notes-1.txt", "notes-2.txt", "song-1.mp3", "song-2.mp3", "song-3.mp3",
		"IMG_0001-1.jpg", "IMG_0001-2.jpg", "IMG_0001-3.jpg", "Trip", "report.pdf"} {
		if !slices.Contains(names, want) {
			t.Errorf("after rename: got names %q, want %q among them", names, want)
		}
	}
	// The duplicate folders were merged first, as rclone's rename mode
	// does; the same-name files that met inside were then renamed.
	trip := e.stat(t, e.fx.Folders[1])
	kids, err := e.c.List(context.Background(), trip.ID)
	if err != nil {
		t.Fatal(err)
	}
	var inside []string
	for _, k := range kids {
		inside = append(inside, k.Name)
	}
	for _, want := range []string{"common-1.txt", "common-2.txt"} {
		if !slices.Contains(inside, want) {
			t.Errorf("merged Trip holds %q, want %q among them", inside, want)
		}
	}
	groups := Detect(es, false, nil)
	for _, g := range groups {
		if g.Kind == model.SameName {
			t.Errorf("after rename a same-name group is left: %q ×%d", g.Name, len(g.Members))
		}
	}
}

// TestDryRunChangesNothing plans every mode with DryRun and checks the
// account is untouched while the plan is not empty.
func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := e.snapshot(t)
	for _, mode := range []model.Mode{model.ModeFirst, model.ModeNewest, model.ModeOldest, model.ModeLargest,
		model.ModeSmallest, model.ModeSkip, model.ModeIdentical, model.ModeRename} {
		res, err := Run(context.Background(), e.c, "/Duplicates", RunOptions{Mode: mode, DryRun: true, JournalDir: e.dir, Remote: "mega"})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if len(res.Passes) != 1 || len(res.Passes[0].Plan.Actions) == 0 {
			t.Errorf("%s: got %d passes, want one with a non-empty plan", mode, len(res.Passes))
		}
		if res.Applied() != 0 || res.JournalPath != "" {
			t.Errorf("%s: dry run applied %d actions, journal %q", mode, res.Applied(), res.JournalPath)
		}
	}
	if after := e.snapshot(t); !maps.Equal(before, after) {
		t.Errorf("dry runs changed the account")
	}
}

// TestDetectCollisions: the case pair and the NFC/NFD pair are collision
// groups (reported, never acted on), next to the same-name groups.
func TestDetectCollisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sc, err := Scan(context.Background(), e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	var collisions [][]string
	sameName := 0
	for _, g := range Detect(sc.Entries, false, nil) {
		switch g.Kind {
		case model.Collision:
			var ids []string
			for _, m := range g.Members {
				ids = append(ids, m.ID)
			}
			slices.Sort(ids)
			collisions = append(collisions, ids)
		case model.SameName:
			sameName++
		}
	}
	want := [][]string{slices.Sorted(slices.Values(e.fx.Case)), slices.Sorted(slices.Values(e.fx.Norm))}
	slices.SortFunc(want, func(a, b []string) int { return slices.Compare(a, b) })
	slices.SortFunc(collisions, func(a, b []string) int { return slices.Compare(a, b) })
	if !slices.EqualFunc(collisions, want, slices.Equal[[]string]) {
		t.Errorf("collision groups: got %v, want %v", collisions, want)
	}
	if sameName != 5 {
		t.Errorf("same-name groups: got %d, want 5 (report, notes, song, IMG_0001, Trip)", sameName)
	}
	if FoldDisk(demo.NameCafeNFD) != FoldDisk(demo.NameCafeNFC) || FoldDisk("Photo.JPG") != "photo.jpg" {
		t.Errorf("FoldDisk does not fold case and normalisation")
	}
}
