package dedupe

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/megatui/megatui/model"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Permanent deletes removed copies for good instead of moving them to
	// the Rubbish Bin. Such deletes are journaled but cannot be undone.
	Permanent bool
	// Journal records every applied action; nil records nothing (tests of
	// Apply alone; the CLI always journals).
	Journal *JournalWriter
	// Plan is used when a changed group is planned again (verified hashes).
	Plan model.PlanOptions
	// OnAction, when set, is told about each action after it ran (err nil
	// on success).
	OnAction func(a model.Action, err error)
}

// Failure is an action that failed.
type Failure struct {
	Action model.Action
	Err    error
}

// Report says what Apply did.
type Report struct {
	Applied []model.Action
	Failed  []Failure
	// Changes are groups that changed between plan and apply: planned
	// again from their current state (Replanned) or dropped.
	Changes []model.Change
}

// Apply carries out plan group by group. Just before acting on a group it
// reads the group's current state (its parent folder, the contents of
// folders being merged, or each member of a content group) and passes the
// group through model.Revalidate with replanning: a group another client
// changed since planning is planned again with the same choice from what
// is there now, or dropped; it is never emptied (model.Plan.Check). What
// this run itself moved (the children of merged folders) is left out of
// that state: the plan foresaw it, so it is no change, and a group inside
// a merged folder acts on the copies it was planned with (the merge's new
// same-name pairs are the plan's notes, for a later run). A
// failed action stops the rest of its group (a merge never trashes a
// folder it did not empty) but not other groups. ctx ends the run between
// actions.
func Apply(ctx context.Context, fs FS, plan model.Plan, opts ApplyOptions) (Report, error) {
	var rep Report
	byGroup := make([][]model.Action, len(plan.Groups))
	var loose []model.Action
	for _, a := range plan.Actions {
		if a.Group >= 0 && a.Group < len(plan.Groups) {
			byGroup[a.Group] = append(byGroup[a.Group], a)
		} else {
			loose = append(loose, a)
		}
	}
	if len(loose) > 0 {
		return rep, fmt.Errorf("dedupe: apply: %d actions outside any group: %w", len(loose), model.ErrBadPlan)
	}
	movedHere := map[string]bool{} // nodes this run moved
	for gi, g := range plan.Groups {
		if len(byGroup[gi]) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("dedupe: apply: %w", errors.Join(model.ErrCancelled, err))
		}
		sub := model.Plan{Groups: []model.PlannedGroup{g}}
		for _, a := range byGroup[gi] {
			a.Group = 0
			sub.Actions = append(sub.Actions, a)
		}
		cur, err := currentState(ctx, fs, g)
		if err != nil {
			return rep, err
		}
		cur = slices.DeleteFunc(cur, func(e model.Entry) bool { return movedHere[e.ID] })
		now, changes, err := model.Revalidate(sub, cur, model.RevalidateOptions{Replan: true, Plan: opts.Plan})
		rep.Changes = append(rep.Changes, changes...)
		if err != nil {
			rep.Failed = append(rep.Failed, Failure{Action: sub.Actions[0], Err: fmt.Errorf("re-check before acting: %w", err)})
			continue
		}
		for _, a := range now.Actions {
			if err := ctx.Err(); err != nil {
				// Stopping inside a group is safe: a merge trashes its
				// folder last, once every move succeeded.
				return rep, fmt.Errorf("dedupe: apply: %w", errors.Join(model.ErrCancelled, err))
			}
			err := do(ctx, fs, a, opts.Permanent)
			if err == nil && opts.Journal != nil {
				if jerr := opts.Journal.Record(a, opts.Permanent && a.Kind == model.ActionTrash); jerr != nil {
					// The action happened but cannot be undone: stop.
					rep.Applied = append(rep.Applied, a)
					return rep, jerr
				}
			}
			if opts.OnAction != nil {
				opts.OnAction(a, err)
			}
			if err != nil {
				rep.Failed = append(rep.Failed, Failure{Action: a, Err: err})
				break
			}
			if a.Kind == model.ActionMove {
				movedHere[a.ID] = true
			}
			rep.Applied = append(rep.Applied, a)
		}
	}
	return rep, nil
}

// currentState reads what Revalidate needs to check group g.
func currentState(ctx context.Context, fs FS, g model.PlannedGroup) ([]model.Entry, error) {
	var cur []model.Entry
	if g.Kind == model.SameContent {
		// Each member is looked for in the folder it was planned in: one
		// moved elsewhere counts as gone, which drops the group.
		folders := map[string][]model.Entry{}
		for _, m := range g.Members {
			es, ok := folders[m.Parent]
			if !ok {
				var err error
				es, err = list(ctx, fs, m.Parent)
				if err != nil && !errors.Is(err, model.ErrNotFound) {
					return nil, fmt.Errorf("dedupe: re-check: %w", err)
				}
				folders[m.Parent] = es
			}
			if i := slices.IndexFunc(es, func(e model.Entry) bool { return e.ID == m.ID }); i >= 0 {
				cur = append(cur, es[i])
			}
		}
		return cur, nil
	}
	es, err := list(ctx, fs, g.ParentID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil, nil // the folder is gone: the group is dropped
	case err != nil:
		return nil, fmt.Errorf("dedupe: re-check: %w", err)
	}
	cur = append(cur, es...)
	ids := make([]string, 0, len(g.Children))
	for id := range g.Children {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		kids, err := list(ctx, fs, id)
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("dedupe: re-check: %w", err)
		}
		cur = append(cur, kids...)
	}
	return cur, nil
}

func do(ctx context.Context, fs FS, a model.Action, permanent bool) error {
	switch a.Kind {
	case model.ActionTrash:
		return fs.Delete(ctx, a.ID, permanent)
	case model.ActionRename:
		return fs.Rename(ctx, a.ID, a.NewName)
	case model.ActionMove:
		return fs.Move(ctx, a.ID, a.NewParent)
	}
	return fmt.Errorf("dedupe: %s: %w", a.Kind, model.ErrBadPlan)
}

// UndoReport says what Undo did.
type UndoReport struct {
	Restored []model.Action
	// Skipped actions were already in effect (for example a node the user
	// restored by hand).
	Skipped []model.Action
	Failed  []Failure
	// Lost are nodes the run deleted for good.
	Lost []model.JournalEntry
}

// Undo reverses a run, newest action first (model.Journal.Undo): trashed
// nodes go back to their original folder (merged folders before their
// children), renamed nodes get their names back, moved nodes return. An
// action already in effect is skipped, so an interrupted undo can be run
// again. When every step succeeded the journal is marked undone.
func Undo(ctx context.Context, fs FS, run PastRun, onAction func(a model.Action, err error)) (UndoReport, error) {
	rep := UndoReport{Lost: run.Deleted}
	for _, a := range run.Journal.Undo().Actions {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("dedupe: undo: %w", errors.Join(model.ErrCancelled, err))
		}
		done, err := inEffect(ctx, fs, a)
		if err == nil && done {
			rep.Skipped = append(rep.Skipped, a)
			continue
		}
		if err == nil {
			err = do(ctx, fs, a, false)
		}
		if onAction != nil {
			onAction(a, err)
		}
		if err != nil {
			rep.Failed = append(rep.Failed, Failure{Action: a, Err: err})
			continue
		}
		rep.Restored = append(rep.Restored, a)
	}
	if len(rep.Failed) > 0 {
		return rep, fmt.Errorf("dedupe: undo: %d of %d steps failed (first: %w)", len(rep.Failed),
			len(run.Journal.Entries), rep.Failed[0].Err)
	}
	if run.Path != "" {
		if err := markUndone(run.Path); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// inEffect reports whether an undo step is already done: the node is in
// its target folder, or has its target name.
func inEffect(ctx context.Context, fs FS, a model.Action) (bool, error) {
	e, err := fs.Stat(ctx, a.ID)
	if err != nil {
		return false, err
	}
	switch a.Kind {
	case model.ActionRename:
		return e.Name == a.NewName, nil
	case model.ActionMove:
		if e.ParentID != "" {
			return e.ParentID == a.NewParent, nil
		}
		es, err := fs.List(ctx, a.NewParent)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(es, func(c model.Entry) bool { return c.ID == a.ID }), nil
	}
	return false, nil
}
