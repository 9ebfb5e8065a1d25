package dedupe

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// decideEveryKind gives each group of the demo fixture a choice that acts
// on it: every kind of group (identical, same size, sizes, mixed, duplicate
// folders, case and normalisation collisions) is in the plan.
func decideEveryKind(groups []model.DupGroup) []model.Decision {
	var ds []model.Decision
	for _, g := range groups {
		c := model.Choice{Mode: model.ModeNewest}
		switch {
		case g.Kind == model.Collision:
			c = model.Choice{Mode: model.ModeList}
		case g.Name == "notes.txt":
			c = model.Choice{Mode: model.ModeKeep, Keep: g.Members[1].ID}
		case g.Name == "song.mp3":
			c = model.Choice{Mode: model.ModeLargest}
		case g.Name == "IMG_0001.jpg":
			c = model.Choice{Mode: model.ModeRename}
		}
		ds = append(ds, model.Decision{Group: g, Choice: c})
	}
	return ds
}

func countKinds(acts []model.Action) (trash, rename, move int) {
	for _, a := range acts {
		switch a.Kind {
		case model.ActionTrash:
			trash++
		case model.ActionRename:
			rename++
		case model.ActionMove:
			move++
		}
	}
	return trash, rename, move
}

// TestReviewCountsMatchApplied: the plan a user reviews lists every action
// the apply then carries out, folder-merge moves included, in both the
// folder scope (which lists the duplicate folders' contents for the merge)
// and the tree scope; nothing is reported as changed by another client.
func TestReviewCountsMatchApplied(t *testing.T) {
	t.Parallel()
	for _, shallow := range []bool{true, false} {
		name := "tree"
		if shallow {
			name = "folder"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			scan := Scan
			if shallow {
				scan = ScanFolder
			}
			sc, err := scan(ctx, e.c, "/Duplicates")
			if err != nil {
				t.Fatal(err)
			}
			groups := Detect(sc.Searched(), false, nil)
			kinds := map[string]bool{}
			for _, g := range groups {
				switch {
				case g.Kind == model.Collision:
					kinds["collision "+model.ClashKind(g)] = true
				case g.Dir:
					kinds["folders"] = true
				default:
					kinds[g.Class.String()] = true
				}
			}
			for _, k := range []string{"folders", "collision case", "collision Unicode normalisation", "identical", "different"} {
				if !kinds[k] {
					t.Fatalf("no %q group among %v", k, kinds)
				}
			}
			popts := model.PlanOptions{Where: Where(e.c)}
			plan, err := model.BuildPlan(sc.Entries, decideEveryKind(groups), popts)
			if err != nil {
				t.Fatal(err)
			}
			trash, rename, move := countKinds(plan.Actions)
			// IMG_0001.jpg: one of the identical pair goes, the 3 left are renamed.
			if move != len(e.fx.TripSmall) || trash != 7 || rename != 3 {
				t.Fatalf("plan: %d trash, %d rename, %d move; want 7, 3 and the 2 merge moves:\n%s", trash, rename, move, plan)
			}
			for _, n := range plan.Notes {
				for _, id := range append(append([]string{}, e.fx.Folders...), e.fx.Dir) {
					if strings.Contains(n, id) {
						t.Errorf("note names handle %s: %q", id, n)
					}
				}
			}
			if !strings.Contains(plan.String(), `merging makes a new same-name group in /Duplicates/Trip: 2 files would be named "common.txt"`) {
				t.Errorf("plan does not say the merge makes a new common.txt pair:\n%s", plan)
			}
			rep, err := Apply(ctx, e.c, plan, ApplyOptions{Plan: popts})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failed) > 0 || len(rep.Changes) > 0 {
				t.Fatalf("apply: failed %v, changes %v", rep.Failed, rep.Changes)
			}
			at, ar, am := countKinds(rep.Applied)
			if len(rep.Applied) != len(plan.Actions) || at != trash || ar != rename || am != move {
				t.Errorf("applied %d (%d trash, %d rename, %d move), reviewed %d (%d, %d, %d)",
					len(rep.Applied), at, ar, am, len(plan.Actions), trash, rename, move)
			}
		})
	}
}

// TestOwnMergeMovesAreNoChange: a file group inside the folder a merge
// keeps is acted on as planned, although the merge moved another copy of
// the same name in just before: that is the run's own doing, not a change
// by another client.
func TestOwnMergeMovesAreNoChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	small, big := e.fx.Folders[0], e.fx.Folders[1]
	up := func(parent, name, text string, y int) {
		t.Helper()
		if _, err := e.c.Upload(ctx, parent, name, bytes.NewReader([]byte(text)), int64(len(text)),
			time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil); err != nil {
			t.Fatal(err)
		}
	}
	up(big, "dup.txt", "first copy", 2020)
	up(big, "dup.txt", "second copy!", 2021)
	up(small, "dup.txt", "the small Trip's copy", 2022)
	sc, err := Scan(ctx, e.c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	var ds []model.Decision
	for _, g := range Detect(sc.Searched(), false, nil) {
		if g.Dir || (g.Name == "dup.txt" && g.ParentID == big) {
			// Keep the bigger Trip: the small one's dup.txt moves in.
			c := model.Choice{Mode: model.ModeNewest}
			if g.Dir {
				c = model.Choice{Mode: model.ModeKeep, Keep: big}
			}
			ds = append(ds, model.Decision{Group: g, Choice: c})
		}
	}
	if len(ds) != 2 {
		t.Fatalf("got %d decisions, want the Trip merge and the dup.txt group", len(ds))
	}
	plan, err := model.BuildPlan(sc.Entries, ds, model.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Apply(ctx, e.c, plan, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 0 || len(rep.Applied) != len(plan.Actions) {
		t.Fatalf("got changes %v and %d of %d actions applied:\n%s", rep.Changes, len(rep.Applied), len(plan.Actions), plan)
	}
	es, err := e.c.List(ctx, big)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range es {
		if en.Name == "dup.txt" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("got %d dup.txt in the kept Trip, want 2 (the newer original and the moved-in copy)", n)
	}
}
