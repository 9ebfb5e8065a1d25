package model

import (
	"fmt"
	"slices"
)

// Check enforces a plan's invariants: every trashed or renamed node is a
// member of its group, every moved node is a child of a merged folder and
// goes into a member that is not trashed; no node is acted on twice; a
// group never loses all its members; a folder is trashed only once all the
// children it had when planned are moved out. Violations wrap ErrLastCopy
// (losing data) or ErrBadPlan (malformed).
func (p Plan) Check() error {
	acted := make(map[string]bool, len(p.Actions))
	trashed := make(map[string]bool)
	moved := make(map[string]bool)
	for i, a := range p.Actions {
		if acted[a.ID] {
			return fmt.Errorf("action %d: [%s] acted on twice: %w", i, a.ID, ErrBadPlan)
		}
		acted[a.ID] = true
		if a.Group < 0 || a.Group >= len(p.Groups) {
			if a.Group == -1 && a.Kind != ActionTrash {
				continue // undo steps restore, they never remove
			}
			return fmt.Errorf("action %d (%s): not in a group: %w", i, a.Kind, ErrBadPlan)
		}
		g := &p.Groups[a.Group]
		switch a.Kind {
		case ActionTrash:
			trashed[a.ID] = true
			fallthrough
		case ActionRename:
			if !slices.ContainsFunc(g.Members, func(m MemberState) bool { return m.ID == a.ID }) {
				return fmt.Errorf("action %d: [%s] is not in its group: %w", i, a.ID, ErrBadPlan)
			}
		case ActionMove:
			kids, ok := g.Children[a.Parent]
			if !ok || !slices.ContainsFunc(kids, func(m MemberState) bool { return m.ID == a.ID }) {
				return fmt.Errorf("action %d: [%s] is not a child of a merged folder: %w", i, a.ID, ErrBadPlan)
			}
			if a.NewParent == a.Parent || !slices.ContainsFunc(g.Members, func(m MemberState) bool { return m.ID == a.NewParent }) {
				return fmt.Errorf("action %d: [%s] moves outside its group: %w", i, a.ID, ErrBadPlan)
			}
			moved[a.ID] = true
		default:
			return fmt.Errorf("action %d: unknown kind: %w", i, ErrBadPlan)
		}
	}
	for gi := range p.Groups {
		g := &p.Groups[gi]
		left := 0
		for _, m := range g.Members {
			if !trashed[m.ID] {
				left++
				continue
			}
			for _, k := range g.Children[m.ID] {
				if !moved[k.ID] && !trashed[k.ID] {
					return fmt.Errorf("trash folder [%s] while [%s] is still in it: %w", m.ID, k.ID, ErrLastCopy)
				}
			}
		}
		if left == 0 && len(g.Members) > 0 {
			return fmt.Errorf("group %q in [%s]: all %d copies trashed: %w", DisplayName(g.Name), g.ParentID, len(g.Members), ErrLastCopy)
		}
	}
	for _, a := range p.Actions {
		if a.Kind == ActionMove && trashed[a.NewParent] {
			return fmt.Errorf("[%s] moves into trashed folder [%s]: %w", a.ID, a.NewParent, ErrLastCopy)
		}
	}
	return nil
}

// Change reports what Revalidate did to a group whose state changed.
type Change struct {
	Group  string // human description
	Reason string
	// Replanned is true when the group was planned again from its current
	// state; false when its actions were dropped.
	Replanned bool
}

// RevalidateOptions tunes Revalidate.
type RevalidateOptions struct {
	// Replan plans changed groups again from their current state with the
	// same choice, instead of dropping them. The caller should show the
	// changes for review before applying.
	Replan bool
	Plan   PlanOptions
}

// Revalidate checks a plan against current, the state of the scope just
// before applying (for a same-name group: every current entry with that
// parent and name; for merges also the folders' contents). Groups whose
// members were added, removed, renamed, moved or replaced, whose merged
// folders' contents changed, or whose rename targets are now taken, are
// dropped or, with opt.Replan, planned again. So a concurrent change
// elsewhere can never make the plan trash the wrong node or the last copy.
func Revalidate(plan Plan, current []Entry, opt RevalidateOptions) (Plan, []Change, error) {
	need := make(map[nameKey]bool, len(plan.Groups))
	folders := make(map[string]bool)
	parents := make(map[string]bool)
	wantIDs := make(map[string]bool)
	for _, g := range plan.Groups {
		if g.Kind == SameContent {
			for _, m := range g.Members {
				wantIDs[m.ID] = true
			}
			continue
		}
		need[nameKey{g.ParentID, g.Name, g.Dir}] = true
		parents[g.ParentID] = true
		for id := range g.Children {
			folders[id] = true
		}
	}
	byKey := make(map[nameKey][]Entry, len(need))
	kids := make(map[string][]Entry, len(folders))
	names := make(map[string]map[string]bool, len(parents))
	byID := make(map[string]Entry, len(wantIDs))
	for _, e := range current {
		if wantIDs[e.ID] {
			byID[e.ID] = e
		}
		k := nameKey{e.ParentID, e.Name, e.IsDir()}
		if need[k] {
			byKey[k] = append(byKey[k], e)
		}
		if folders[e.ParentID] {
			kids[e.ParentID] = append(kids[e.ParentID], e)
		}
		if parents[e.ParentID] {
			if names[e.ParentID] == nil {
				names[e.ParentID] = make(map[string]bool)
			}
			names[e.ParentID][e.Name] = true
		}
	}
	byGroup := make([][]Action, len(plan.Groups))
	var out Plan
	out.Notes = slices.Clone(plan.Notes)
	for _, a := range plan.Actions {
		if a.Group >= 0 && a.Group < len(plan.Groups) {
			byGroup[a.Group] = append(byGroup[a.Group], a)
		} else {
			out.Actions = append(out.Actions, a)
		}
	}
	var changes []Change
	replan := newPlanBuilder(current, opt.Plan)
	type changed struct {
		gi     int
		reason string
	}
	var redo []changed
	members := func(g PlannedGroup) []Entry {
		if g.Kind != SameContent {
			return byKey[nameKey{g.ParentID, g.Name, g.Dir}]
		}
		// A content group is what is left of its planned members; new
		// copies elsewhere never make removing one wrong.
		var cur []Entry
		for _, m := range g.Members {
			if e, ok := byID[m.ID]; ok {
				cur = append(cur, e)
			}
		}
		return cur
	}
	for gi, g := range plan.Groups {
		cur := members(g)
		if reason := groupChanged(g, cur, kids, names[g.ParentID], byGroup[gi], opt.Plan); reason != "" {
			redo = append(redo, changed{gi, reason})
			continue
		}
		ni := len(out.Groups)
		out.Groups = append(out.Groups, g)
		for _, a := range byGroup[gi] {
			a.Group = ni
			out.Actions = append(out.Actions, a)
			replan.acted[a.ID] = a.Kind
		}
	}
	// Folder groups first, as in BuildPlan.
	slices.SortStableFunc(redo, func(a, b changed) int {
		return boolCmp(!plan.Groups[a.gi].Dir, !plan.Groups[b.gi].Dir)
	})
	for _, r := range redo {
		g := plan.Groups[r.gi]
		cur := members(g)
		ch := Change{Group: fmt.Sprintf("%q in %s", DisplayName(g.Name), opt.Plan.where(g.ParentID)), Reason: r.reason}
		// Content groups are dropped, never replanned: a changed member
		// may no longer share the content.
		if opt.Replan && g.Kind != SameContent && len(cur) >= 2 && (g.Choice.Mode != ModeKeep ||
			slices.ContainsFunc(cur, func(e Entry) bool { return e.ID == g.Choice.Keep })) {
			dg := DupGroup{Kind: g.Kind, ParentID: g.ParentID, Name: g.Name, Dir: g.Dir, Members: slices.Clone(cur)}
			sortMembers(dg.Members)
			if !dg.Dir {
				dg.Class, dg.Verified = Classify(dg.Members, opt.Plan.Hashes)
			}
			replan.plan = Plan{}
			if err := replan.add(dg, g.Choice); err == nil {
				base := len(out.Groups)
				out.Groups = append(out.Groups, replan.plan.Groups...)
				for _, a := range replan.plan.Actions {
					a.Group += base
					out.Actions = append(out.Actions, a)
				}
				out.Notes = append(out.Notes, replan.plan.Notes...)
				ch.Replanned = true
			}
		}
		changes = append(changes, ch)
	}
	if err := out.Check(); err != nil {
		return Plan{}, changes, err
	}
	return out, changes, nil
}

// groupChanged returns why a planned group no longer matches the current
// state, or "" when it still does.
func groupChanged(g PlannedGroup, cur []Entry, kids map[string][]Entry, taken map[string]bool, acts []Action, opt PlanOptions) string {
	if !sameStates(g.Members, cur) {
		return "its members changed since the plan was made"
	}
	for _, id := range sortedKeys(g.Children) {
		if !sameStates(g.Children[id], kids[id]) {
			return fmt.Sprintf("the contents of one of the %q folders in %s changed since the plan was made",
				DisplayName(g.Name), opt.where(g.ParentID))
		}
	}
	for _, a := range acts {
		if a.Kind == ActionRename && taken[a.NewName] {
			return fmt.Sprintf("the name %q is now taken", DisplayName(a.NewName))
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sameStates(planned []MemberState, cur []Entry) bool {
	if len(planned) != len(cur) {
		return false
	}
	byID := make(map[string]MemberState, len(planned))
	for _, m := range planned {
		byID[m.ID] = m
	}
	for _, e := range cur {
		if m, ok := byID[e.ID]; !ok || m != memberState(e) {
			return false
		}
	}
	return true
}
