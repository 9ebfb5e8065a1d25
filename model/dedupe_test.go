package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func ddFileM(id, parent, name, content string, upload, mtime int) Entry {
	e := ddFile(id, parent, name, content, upload)
	fp, _ := ComputeFingerprint(strings.NewReader(content), e.Size, time.Unix(int64(mtime), 0))
	e.Fingerprint = fp.Encode()
	return e
}

// ddAccount holds every kind of duplicate in folder "root".
func ddAccount() []Entry {
	return []Entry{
		ddFile("s1", "root", "same.txt", "hello", 0),
		ddFile("s2", "root", "same.txt", "hello", 1),
		ddFileM("d1", "root", "diff.txt", "aaaa", 2, 100), // newer original mtime, older upload
		ddFileM("d2", "root", "diff.txt", "bbbb", 3, 50),
		ddFile("z1", "root", "size.txt", "short", 4),
		ddFile("z2", "root", "size.txt", "longer content", 5),
		ddFile("u1", "root", "unk.txt", "xxxx", 6),
		ddNoFP(ddFile("u2", "root", "unk.txt", "yyyy", 7)), // falls back to upload time: newest
		ddDir("D1", "root", "Docs", 8),
		ddDir("D2", "root", "Docs", 9),
		ddFile("k1", "D1", "a.txt", "1", 10),
		ddFile("k2", "D1", "b.txt", "2", 11),
		ddFile("k3", "D2", "b.txt", "3", 12),
		ddFile("k4", "D2", "c.txt", "4", 13),
		ddFile("p1", "root", "Photo.jpg", "p", 14),
		ddFile("p2", "root", "photo.jpg", "q", 15),
		ddFile("n1", "root", "diff-1.txt", "n", 16), // taken name for rename
	}
}

func ddDecide(entries []Entry, c Choice, opt DetectOptions) []Decision {
	var ds []Decision
	for _, g := range FindDuplicates(entries, opt) {
		ds = append(ds, Decision{Group: g, Choice: c})
	}
	return ds
}

func ddActions(p Plan) string {
	var out []string
	for _, a := range p.Actions {
		switch a.Kind {
		case ActionTrash:
			out = append(out, "trash "+a.ID)
		case ActionRename:
			out = append(out, "rename "+a.ID+"->"+a.NewName)
		case ActionMove:
			out = append(out, "move "+a.ID+"->"+a.NewParent)
		}
	}
	return strings.Join(out, " ")
}

const ddMerge = "move k3->D1 move k4->D1 trash D2"

func TestBuildPlanModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		choice Choice
		opt    PlanOptions
		want   string
		notes  int
	}{
		{"first", Choice{Mode: ModeFirst}, PlanOptions{}, ddMerge + " trash d2 trash s2 trash z2 trash u2", 2},
		{"skip", Choice{Mode: ModeSkip}, PlanOptions{}, ddMerge + " trash s2", 5},
		{"newest", Choice{Mode: ModeNewest}, PlanOptions{}, ddMerge + " trash d2 trash s1 trash z1 trash u1", 2},
		{"oldest", Choice{Mode: ModeOldest}, PlanOptions{}, ddMerge + " trash d1 trash s2 trash z2 trash u2", 2},
		{"largest", Choice{Mode: ModeLargest}, PlanOptions{}, ddMerge + " trash d2 trash s2 trash z1 trash u2", 2},
		{"smallest", Choice{Mode: ModeSmallest}, PlanOptions{}, ddMerge + " trash d2 trash s2 trash z2 trash u2", 2},
		{"rename", Choice{Mode: ModeRename}, PlanOptions{},
			"move k3->D1 move k4->D1 trash D2 rename d1->diff-2.txt rename d2->diff-3.txt trash s2 " +
				"rename z1->size-1.txt rename z2->size-2.txt rename u1->unk-1.txt rename u2->unk-2.txt", 2},
		{"list", Choice{Mode: ModeList}, PlanOptions{}, "", 6},
		{"identical unverified does nothing", Choice{Mode: ModeIdentical}, PlanOptions{}, "", 2},
		{"identical verified", Choice{Mode: ModeIdentical}, PlanOptions{Hashes: Hashes{"s1": "H", "s2": "H", "d1": "A", "d2": "B"}}, "trash s2", 2},
		{"identical trusting fingerprints", Choice{Mode: ModeIdentical}, PlanOptions{TrustFingerprints: true}, "trash s2", 2},
		{"newest verified identity picks the newest copy", Choice{Mode: ModeNewest}, PlanOptions{Hashes: Hashes{"u1": "X", "u2": "X"}},
			ddMerge + " trash d2 trash s1 trash z1 trash u1", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			entries := ddAccount()
			p, err := BuildPlan(entries, ddDecide(entries, tc.choice, DetectOptions{Hashes: tc.opt.Hashes}), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := ddActions(p); got != tc.want {
				t.Fatalf("actions:\n%s\nwant:\n%s\nplan:\n%s", got, tc.want, p)
			}
			if len(p.Notes) != tc.notes {
				t.Fatalf("notes = %d, want %d:\n%s", len(p.Notes), tc.notes, p)
			}
		})
	}
}

func TestBuildPlanKeepAndMergeDetails(t *testing.T) {
	t.Parallel()
	entries := ddAccount()
	var ds []Decision
	for _, g := range FindDuplicates(entries, DetectOptions{}) {
		switch {
		case g.Name == "diff.txt":
			ds = append(ds, Decision{g, Choice{Mode: ModeKeep, Keep: "d2"}})
		case g.Name == "Docs":
			ds = append(ds, Decision{g, Choice{Mode: ModeKeep, Keep: "D2"}})
		}
	}
	where := func(id string) string { return map[string]string{"root": "/Home"}[id] }
	p, err := BuildPlan(entries, ds, PlanOptions{Where: where})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ddActions(p), "move k1->D2 move k2->D2 trash D1 trash d1"; got != want {
		t.Fatalf("actions = %q, want %q", got, want)
	}
	text := p.String()
	for _, want := range []string{`trash "diff.txt" [d1]: keeping [d2], chosen by the user`,
		`merging makes a new same-name group in /Home/Docs: 2 files would be named "b.txt"`} {
		if !strings.Contains(text, want) {
			t.Fatalf("plan text lacks %q:\n%s", want, text)
		}
	}
	bad := []Decision{{ds[0].Group, Choice{Mode: ModeKeep, Keep: "nope"}}}
	if _, err := BuildPlan(entries, bad, PlanOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("keep of a non-member: err = %v, want ErrNotFound", err)
	}
	data, err := json.Marshal(p)
	if err != nil || !strings.Contains(string(data), `"kind":"move"`) || !strings.Contains(string(data), `"mode":"keep"`) {
		t.Fatalf("plan JSON = %s, %v", data, err)
	}
	var back Plan
	if err := json.Unmarshal(data, &back); err != nil || back.Check() != nil || ddActions(back) != ddActions(p) {
		t.Fatalf("plan JSON round trip: %v", err)
	}
}

func TestPlanMergeSurvivorAndHostileNames(t *testing.T) {
	t.Parallel()
	g := DupGroup{Kind: SameName, ParentID: "r", Name: "x", Dir: true, Members: []Entry{ddDir("A", "r", "x", 0), ddDir("B", "r", "x", 1)}}
	children := map[string][]Entry{
		"A": {ddFile("a1", "A", "\x1b[31m", "1", 0)},
		"B": {ddFile("b1", "B", "\x1b[31m", "2", 0), ddFile("b2", "B", "y", "3", 0)},
	}
	mp, err := PlanMerge(g, children, "")
	if err != nil {
		t.Fatal(err)
	}
	if mp.Survivor.ID != "B" {
		t.Fatalf("survivor = %s, want B (most entries)", mp.Survivor.ID)
	}
	if len(mp.Collisions) != 1 || mp.Collisions[0].Name != "\x1b[31m" {
		t.Fatalf("collisions = %+v, want the escape-named file", mp.Collisions)
	}
	for _, a := range mp.Actions {
		if strings.ContainsRune(a.String(), 0x1b) {
			t.Fatalf("action text %q contains a raw ESC", a.String())
		}
	}
	if _, err := PlanMerge(g, children, "Z"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("keep non-member: err = %v, want ErrNotFound", err)
	}
}

func TestModeParse(t *testing.T) {
	t.Parallel()
	for m := range numModes {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMode(%q) = %v, %v", m, got, err)
		}
	}
	if _, err := ParseMode("interactive"); err == nil || !strings.Contains(err.Error(), "newest") {
		t.Fatalf("ParseMode(interactive) error = %v, want a list of modes", err)
	}
}

func TestPlanCheck(t *testing.T) {
	t.Parallel()
	group := PlannedGroup{ParentID: "r", Name: "x", Members: []MemberState{{ID: "a"}, {ID: "b"}}}
	folders := PlannedGroup{ParentID: "r", Name: "F", Dir: true, Members: []MemberState{{ID: "A", Dir: true}, {ID: "B", Dir: true}},
		Children: map[string][]MemberState{"A": {{ID: "a1", Parent: "A"}}, "B": {{ID: "b1", Parent: "B"}, {ID: "b2", Parent: "B"}}}}
	tests := []struct {
		name    string
		plan    Plan
		wantErr error
	}{
		{"ok", Plan{Groups: []PlannedGroup{group}, Actions: []Action{{Kind: ActionTrash, ID: "a"}}}, nil},
		{"last copy", Plan{Groups: []PlannedGroup{group}, Actions: []Action{{Kind: ActionTrash, ID: "a"}, {Kind: ActionTrash, ID: "b"}}}, ErrLastCopy},
		{"twice", Plan{Groups: []PlannedGroup{group}, Actions: []Action{{Kind: ActionTrash, ID: "a"}, {Kind: ActionRename, ID: "a"}}}, ErrBadPlan},
		{"not a member", Plan{Groups: []PlannedGroup{group}, Actions: []Action{{Kind: ActionTrash, ID: "zzz"}}}, ErrBadPlan},
		{"trash outside group", Plan{Actions: []Action{{Kind: ActionTrash, ID: "a", Group: -1}}}, ErrBadPlan},
		{"undo move outside group", Plan{Actions: []Action{{Kind: ActionMove, ID: "a", Group: -1, NewParent: "r"}}}, nil},
		{"merge ok", Plan{Groups: []PlannedGroup{folders}, Actions: []Action{
			{Kind: ActionMove, ID: "a1", Parent: "A", NewParent: "B"}, {Kind: ActionTrash, ID: "A"}}}, nil},
		{"trash folder with unmoved child", Plan{Groups: []PlannedGroup{folders}, Actions: []Action{{Kind: ActionTrash, ID: "A"}}}, ErrLastCopy},
		{"move into trashed folder", Plan{Groups: []PlannedGroup{folders}, Actions: []Action{
			{Kind: ActionMove, ID: "a1", Parent: "A", NewParent: "B"}, {Kind: ActionMove, ID: "b1", Parent: "B", NewParent: "A"},
			{Kind: ActionMove, ID: "b2", Parent: "B", NewParent: "A"}, {Kind: ActionTrash, ID: "B"}}}, ErrLastCopy},
		{"move of a stranger", Plan{Groups: []PlannedGroup{folders}, Actions: []Action{{Kind: ActionMove, ID: "x", Parent: "A", NewParent: "B"}}}, ErrBadPlan},
		{"move out of the group", Plan{Groups: []PlannedGroup{folders}, Actions: []Action{{Kind: ActionMove, ID: "a1", Parent: "A", NewParent: "elsewhere"}}}, ErrBadPlan},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.plan.Check(); !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("Check() = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// ddRandomAccount makes a random folder with random duplicate groups.
func ddRandomAccount(r *rand.Rand) []Entry {
	contents := []string{"aaaa", "bbbb", "cc", "dddddd"}
	var es []Entry
	id := 0
	next := func() string { id++; return fmt.Sprintf("n%03d", id) }
	for g := range 1 + r.IntN(5) {
		name := fmt.Sprintf("f%d.txt", g)
		for range 1 + r.IntN(6) {
			e := ddFileM(next(), "root", name, contents[r.IntN(len(contents))], r.IntN(20), r.IntN(20))
			if r.IntN(4) == 0 {
				e = ddNoFP(e)
			}
			es = append(es, e)
		}
	}
	for g := range r.IntN(3) {
		name := fmt.Sprintf("dir%d", g)
		for range 1 + r.IntN(3) {
			d := ddDir(next(), "root", name, r.IntN(20))
			es = append(es, d)
			for range r.IntN(3) {
				es = append(es, ddFile(next(), d.ID, fmt.Sprintf("c%d", r.IntN(3)), "x", 0))
			}
		}
	}
	if r.IntN(2) == 0 {
		es = append(es, ddFile(next(), "root", "f0-1.txt", "taken", 0))
	}
	return es
}

func ddRandomHashes(r *rand.Rand, es []Entry) Hashes {
	h := Hashes{}
	for _, e := range es {
		if r.IntN(3) == 0 {
			h[e.ID] = fmt.Sprintf("sha%d-%s", r.IntN(2), e.Fingerprint)
		}
	}
	return h
}

func ddRandomDecisions(r *rand.Rand, es []Entry, hashes Hashes) []Decision {
	var ds []Decision
	for _, g := range FindDuplicates(es, DetectOptions{Hashes: hashes}) {
		c := Choice{Mode: Mode(r.IntN(int(numModes)))}
		if c.Mode == ModeKeep {
			c.Keep = g.Members[r.IntN(len(g.Members))].ID
		}
		ds = append(ds, Decision{g, c})
	}
	return ds
}

// ddSafe checks a plan against a state independently of Plan.Check: every
// trashed node is where and what the plan says; every same-name set keeps
// at least one node that is not trashed; a trashed folder has all its
// current children moved out, into a folder that is not trashed; a rename
// target is free.
func ddSafe(t *testing.T, p Plan, state []Entry) {
	t.Helper()
	byID := map[string]Entry{}
	names := map[string]map[string]bool{}
	for _, e := range state {
		byID[e.ID] = e
		if names[e.ParentID] == nil {
			names[e.ParentID] = map[string]bool{}
		}
		names[e.ParentID][e.Name] = true
	}
	trashed, moved := map[string]bool{}, map[string]string{}
	for _, a := range p.Actions {
		e, ok := byID[a.ID]
		if !ok || e.ParentID != a.Parent || e.Name != a.Name {
			t.Fatalf("action %v targets a node that is not %q in [%s] now (%+v)\n%s", a, a.Name, a.Parent, e, p)
		}
		switch a.Kind {
		case ActionTrash:
			trashed[a.ID] = true
		case ActionMove:
			moved[a.ID] = a.NewParent
		case ActionRename:
			if names[a.Parent][a.NewName] {
				t.Fatalf("rename to taken name %q\n%s", a.NewName, p)
			}
		}
	}
	left := map[nameKey]int{}
	for _, e := range state {
		if !trashed[e.ID] {
			left[nameKey{e.ParentID, e.Name, e.IsDir()}]++
		}
	}
	for id := range trashed {
		e := byID[id]
		if left[nameKey{e.ParentID, e.Name, e.IsDir()}] == 0 {
			t.Fatalf("every copy of %q in [%s] is trashed\n%s", e.Name, e.ParentID, p)
		}
		for _, c := range state {
			if c.ParentID == id && !trashed[c.ID] {
				to, ok := moved[c.ID]
				if !ok || trashed[to] {
					t.Fatalf("folder [%s] trashed with child [%s] not moved to safety\n%s", id, c.ID, p)
				}
			}
		}
	}
}

func TestDedupeNeverTheLastCopyProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 3000 {
		es := ddRandomAccount(r)
		hashes := ddRandomHashes(r, es)
		opt := PlanOptions{Hashes: hashes, TrustFingerprints: r.IntN(2) == 0}
		p, err := BuildPlan(es, ddRandomDecisions(r, es, hashes), opt)
		if err != nil {
			t.Fatalf("case %d: BuildPlan: %v", i, err)
		}
		ddSafe(t, p, es)
	}
}

// ddMutate changes the state the way another client might.
func ddMutate(r *rand.Rand, es []Entry, p Plan) ([]Entry, string) {
	es = slices.Clone(es)
	i := r.IntN(len(es))
	switch k := r.IntN(7); k {
	case 0:
		es = slices.Delete(es, i, i+1)
		return es, "delete"
	case 1:
		e := es[i]
		e.ID += "-new"
		return append(es, e), "add same-name copy"
	case 2:
		es[i].Name += "-renamed"
		return es, "rename"
	case 3:
		es[i].ParentID = "elsewhere"
		return es, "move away"
	case 4:
		if es[i].Kind == KindFile {
			es[i].Fingerprint, es[i].Size = "", es[i].Size+1
		}
		return es, "new content"
	case 5:
		for _, e := range es {
			if e.IsDir() {
				return append(es, ddFile(e.ID+"-child", e.ID, "late.txt", "z", 0)), "add child to folder"
			}
		}
		return es, "none"
	default:
		for _, a := range p.Actions {
			if a.Kind == ActionRename {
				return append(es, ddFile("squatter", a.Parent, a.NewName, "s", 0)), "take rename target"
			}
		}
		return es, "none"
	}
}

func TestRevalidateProperty(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 3000 {
		es := ddRandomAccount(r)
		hashes := ddRandomHashes(r, es)
		opt := PlanOptions{Hashes: hashes}
		p, err := BuildPlan(es, ddRandomDecisions(r, es, hashes), opt)
		if err != nil {
			t.Fatal(err)
		}
		same, changes, err := Revalidate(p, es, RevalidateOptions{Replan: true, Plan: opt})
		if err != nil || len(changes) != 0 || ddActions(same) != ddActions(p) {
			t.Fatalf("case %d: revalidating against the unchanged state: %v, changes %+v\n%s\nwant\n%s", i, err, changes, same, p)
		}
		cur, what := ddMutate(r, es, p)
		for _, replan := range []bool{false, true} {
			np, changes, err := Revalidate(p, cur, RevalidateOptions{Replan: replan, Plan: opt})
			if err != nil {
				t.Fatalf("case %d (%s, replan %v): %v", i, what, replan, err)
			}
			ddSafe(t, np, cur)
			if what == "none" && len(changes) != 0 {
				t.Fatalf("case %d: nothing changed but Revalidate reported %+v", i, changes)
			}
		}
	}
}

func TestRevalidateCases(t *testing.T) {
	t.Parallel()
	base := []Entry{
		ddFile("a", "r", "x.txt", "1111", 0),
		ddFile("b", "r", "x.txt", "2222", 1),
		ddFile("c", "r", "y.txt", "3", 2),
		ddFile("d", "r", "y.txt", "4", 3),
	}
	plan := func(c Choice) Plan {
		ds := ddDecide(base, c, DetectOptions{})
		for i := range ds {
			if c.Mode == ModeKeep && !slices.ContainsFunc(ds[i].Group.Members, func(e Entry) bool { return e.ID == c.Keep }) {
				ds[i].Choice = Choice{Mode: ModeFirst}
			}
		}
		p, err := BuildPlan(base, ds, PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		choice  Choice
		mutate  func([]Entry) []Entry
		replan  bool
		want    string
		changes int
	}{
		{"unchanged", Choice{Mode: ModeFirst}, func(es []Entry) []Entry { return es }, false, "trash b trash d", 0},
		{"kept copy deleted elsewhere: group dropped", Choice{Mode: ModeFirst},
			func(es []Entry) []Entry { return es[1:] }, false, "trash d", 1},
		{"kept copy deleted elsewhere: replan has one member, dropped", Choice{Mode: ModeFirst},
			func(es []Entry) []Entry { return es[1:] }, true, "trash d", 1},
		{"new copy uploaded: replanned with it", Choice{Mode: ModeNewest},
			func(es []Entry) []Entry { return append(es, ddFile("e", "r", "x.txt", "5555", 9)) }, true, "trash c trash a trash b", 1},
		{"member renamed away", Choice{Mode: ModeFirst},
			func(es []Entry) []Entry { es[0].Name = "other"; return es }, true, "trash d", 1},
		{"kept handle gone", Choice{Mode: ModeKeep, Keep: "a"},
			func(es []Entry) []Entry { es[0].ParentID = "moved"; return es }, true, "trash d", 1},
		{"rename target taken: replanned to a free name", Choice{Mode: ModeRename},
			func(es []Entry) []Entry { return append(es, ddFile("q", "r", "x-1.txt", "q", 0)) }, true,
			"rename c->y-1.txt rename d->y-2.txt rename a->x-2.txt rename b->x-3.txt", 1},
		{"rename target taken: dropped", Choice{Mode: ModeRename},
			func(es []Entry) []Entry { return append(es, ddFile("q", "r", "x-1.txt", "q", 0)) }, false,
			"rename c->y-1.txt rename d->y-2.txt", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := plan(tc.choice)
			cur := tc.mutate(slices.Clone(base))
			np, changes, err := Revalidate(p, cur, RevalidateOptions{Replan: tc.replan})
			if err != nil {
				t.Fatal(err)
			}
			if got := ddActions(np); got != tc.want {
				t.Fatalf("actions = %q, want %q", got, tc.want)
			}
			if len(changes) != tc.changes {
				t.Fatalf("changes = %+v, want %d", changes, tc.changes)
			}
			ddSafe(t, np, cur)
		})
	}
}

// ddLoc is where a node is in the simulated account.
type ddLoc struct{ parent, name string }

func ddApply(t *testing.T, state map[string]ddLoc, actions []Action) {
	t.Helper()
	for _, a := range actions {
		l, ok := state[a.ID]
		if !ok {
			t.Fatalf("apply %v: no such node", a)
		}
		switch a.Kind {
		case ActionTrash:
			l.parent = "rubbish"
		case ActionRename:
			l.name = a.NewName
		case ActionMove:
			l.parent = a.NewParent
		}
		state[a.ID] = l
	}
}

func TestJournalUndoRestoresEverything(t *testing.T) {
	t.Parallel()
	for _, c := range []Choice{{Mode: ModeFirst}, {Mode: ModeRename}, {Mode: ModeNewest}, {Mode: ModeSkip}} {
		t.Run(c.Mode.String(), func(t *testing.T) {
			t.Parallel()
			entries := ddAccount()
			p, err := BuildPlan(entries, ddDecide(entries, c, DetectOptions{}), PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			state := map[string]ddLoc{}
			for _, e := range entries {
				state[e.ID] = ddLoc{e.ParentID, e.Name}
			}
			orig := map[string]ddLoc{}
			for k, v := range state {
				orig[k] = v
			}
			ddApply(t, state, p.Actions)
			j := NewJournal(p.Actions)
			data, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			var back Journal
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			undo := back.Undo()
			if err := undo.Check(); err != nil {
				t.Fatalf("undo plan fails Check: %v", err)
			}
			for _, a := range undo.Actions {
				if a.Kind == ActionTrash {
					t.Fatalf("undo plan trashes: %v", a)
				}
			}
			ddApply(t, state, undo.Actions)
			for id, want := range orig {
				if got := state[id]; got != want {
					t.Fatalf("after undo [%s] is %+v, want %+v", id, got, want)
				}
			}
		})
	}
}

func TestByContentPlanAndRevalidate(t *testing.T) {
	t.Parallel()
	entries := []Entry{
		ddFile("a", "r1", "one.jpg", "photo", 0),
		ddFile("b", "r2", "two.jpg", "photo", 1),
		ddFile("c", "r3", "three.jpg", "photo", 2),
		ddFile("d", "r3", "other.jpg", "other", 3),
	}
	var ds []Decision
	for _, g := range FindContentDuplicates(entries, nil) {
		ds = append(ds, Decision{g, Choice{Mode: ModeNewest}})
	}
	p, err := BuildPlan(entries, ds, PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ddActions(p), "trash a trash b"; got != want {
		t.Fatalf("actions = %q, want %q", got, want)
	}
	tests := []struct {
		name    string
		mutate  func([]Entry) []Entry
		want    string
		changes int
	}{
		{"unchanged", func(es []Entry) []Entry { return es }, "trash a trash b", 0},
		{"another copy appears: still valid", func(es []Entry) []Entry { return append(es, ddFile("e", "r4", "x", "photo", 9)) }, "trash a trash b", 0},
		{"kept copy deleted: dropped", func(es []Entry) []Entry { return slices.Delete(es, 2, 3) }, "", 1},
		{"member renamed: dropped", func(es []Entry) []Entry { es[0].Name = "zzz"; return es }, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := tc.mutate(slices.Clone(entries))
			np, changes, err := Revalidate(p, cur, RevalidateOptions{Replan: true})
			if err != nil {
				t.Fatal(err)
			}
			if got := ddActions(np); got != tc.want || len(changes) != tc.changes {
				t.Fatalf("actions = %q with %d changes, want %q with %d", got, len(changes), tc.want, tc.changes)
			}
		})
	}
}

func TestClashKindAndNote(t *testing.T) {
	t.Parallel()
	mk := func(names ...string) DupGroup {
		g := DupGroup{Kind: Collision, ParentID: "p"}
		for i, n := range names {
			g.Members = append(g.Members, Entry{ID: fmt.Sprint("c", i), Name: n, ParentID: "p", Kind: KindFile})
		}
		return g
	}
	tests := []struct {
		name  string
		g     DupGroup
		kind  string
		inTxt string
	}{
		{"case", mk("Photo.jpg", "photo.jpg"), "case", "differ only in case"},
		{"nfc/nfd", mk("caf\u00e9.txt", "cafe\u0301.txt"), "Unicode normalisation", "differ only in Unicode normalisation"},
		{"case and nfd", mk("CAF\u00c9.txt", "cafe\u0301.txt"), "Unicode normalisation", "normalises names"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ClashKind(tc.g); got != tc.kind {
				t.Errorf("got %q, want %q", got, tc.kind)
			}
			p, err := BuildPlan(tc.g.Members, []Decision{{tc.g, Choice{Mode: ModeList}}},
				PlanOptions{Where: func(string) string { return "/Photos" }})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], tc.inTxt) || !strings.Contains(p.Notes[0], "in /Photos") {
				t.Errorf("got notes %q, want one saying %q in /Photos", p.Notes, tc.inTxt)
			}
		})
	}
}

func TestNumberedNameAsRclone(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		n    int
		dir  bool
		want string
	}{
		{"photo.jpg", 1, false, "photo-1.jpg"},
		{"archive.tar.gz", 2, false, "archive.tar-2.gz"},
		{"README", 3, false, "README-3"},
		{".bashrc", 1, false, "-1.bashrc"},
		{"v1.2 folder", 1, true, "v1.2 folder-1"},
	} {
		if got := numberedName(tc.name, tc.n, tc.dir); got != tc.want {
			t.Errorf("numberedName(%q, %d) = %q, want %q", tc.name, tc.n, got, tc.want)
		}
	}
}
