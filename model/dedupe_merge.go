package model

import (
	"fmt"
	"slices"
)

// MergePreview is the plan for merging duplicate folders.
type MergePreview struct {
	Survivor Entry
	// Actions move every child of the other folders into Survivor, then
	// trash each emptied folder. Their Group is -1 until placed in a Plan.
	Actions []Action
	// Collisions are the names held by more than one entry in Survivor
	// after the merge (same-name duplicates to dedupe next).
	Collisions []MergeCollision
}

// MergeCollision is a name that would be held by several entries.
type MergeCollision struct {
	Name string
	IDs  []string
	Dirs int // how many of them are folders
}

// PlanMerge plans merging a group of duplicate folders: the survivor is
// keep when given, otherwise the folder with most entries (ties: the first
// member). children maps each member folder's ID to its contents. The merge
// is one level deep: sub-folders with the same name become a new duplicate
// folder group, reported in Collisions.
func PlanMerge(g DupGroup, children map[string][]Entry, keep string) (MergePreview, error) {
	if len(g.Members) == 0 {
		return MergePreview{}, fmt.Errorf("merge: empty group: %w", ErrNotFound)
	}
	si := 0
	if keep != "" {
		si = slices.IndexFunc(g.Members, func(e Entry) bool { return e.ID == keep })
		if si < 0 {
			return MergePreview{}, fmt.Errorf("merge: keep [%s]: not a member: %w", keep, ErrNotFound)
		}
	} else {
		for i, m := range g.Members {
			if len(children[m.ID]) > len(children[g.Members[si].ID]) {
				si = i
			}
		}
	}
	mp := MergePreview{Survivor: g.Members[si]}
	names := make(map[string][]string)
	dirs := make(map[string]int)
	var order []string
	addName := func(e Entry) {
		if _, ok := names[e.Name]; !ok {
			order = append(order, e.Name)
		}
		names[e.Name] = append(names[e.Name], e.ID)
		if e.IsDir() {
			dirs[e.Name]++
		}
	}
	for _, c := range children[mp.Survivor.ID] {
		addName(c)
	}
	for i, m := range g.Members {
		if i == si {
			continue
		}
		for _, c := range children[m.ID] {
			addName(c)
			mp.Actions = append(mp.Actions, Action{Kind: ActionMove, ID: c.ID, Name: c.Name, Parent: m.ID,
				NewParent: mp.Survivor.ID, Group: -1,
				Reason: fmt.Sprintf("merging duplicate folder [%s] into [%s]", m.ID, mp.Survivor.ID)})
		}
		mp.Actions = append(mp.Actions, Action{Kind: ActionTrash, ID: m.ID, Name: m.Name, Parent: m.ParentID, Group: -1,
			Reason: fmt.Sprintf("emptied by merging into [%s]", mp.Survivor.ID)})
	}
	for _, n := range order {
		if ids := names[n]; len(ids) > 1 {
			mp.Collisions = append(mp.Collisions, MergeCollision{Name: n, IDs: ids, Dirs: dirs[n]})
		}
	}
	return mp, nil
}
