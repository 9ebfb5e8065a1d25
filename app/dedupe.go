package app

import (
	"context"
	"errors"

	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
)

// The guided dedupe screen of the UI works through these methods of the
// MEGA pane: scans come from the client's tree, verify downloads through
// dedupe.Verify, apply and undo go through dedupe.Apply / dedupe.Undo with
// a journal in the state directory.

func (p *megaFS) ScanDuplicates(ctx context.Context, dir string, scope ui.DedupeScope) (ui.DedupeScan, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return ui.DedupeScan{}, err
	}
	if scope == ui.ScopeAccount {
		dir = "/"
	}
	scan := dedupe.Scan
	if scope == ui.ScopeFolder {
		// The folder's own entries, plus the contents of its duplicate
		// folders: a merge plan and its preview need them.
		scan = dedupe.ScanFolder
	}
	sc, err := scan(ctx, c, dir)
	if err != nil {
		return ui.DedupeScan{}, err
	}
	entries := sc.Entries
	dirs := map[string]string{}
	for _, e := range entries {
		if _, ok := dirs[e.ParentID]; !ok {
			if pth, err := c.Path(e.ParentID); err == nil {
				dirs[e.ParentID] = pth
			}
		}
	}
	hashes := p.hashes.Hashes(entries)
	return ui.DedupeScan{Entries: entries, Dirs: dirs, Hashes: hashes,
		Groups: dedupe.Detect(sc.Searched(), false, hashes)}, nil
}

func (p *megaFS) VerifyDuplicates(ctx context.Context, files []model.Entry, progress func(int, int)) (model.Hashes, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return nil, err
	}
	return dedupe.Verify(ctx, c, files, p.hashes, func(v dedupe.VerifyProgress) { progress(v.Files, v.TotalFiles) })
}

func (p *megaFS) ApplyDedupe(ctx context.Context, plan model.Plan, progress func(int, int)) (ui.DedupeResult, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return ui.DedupeResult{}, err
	}
	j, err := dedupe.CreateJournal(p.journalDir, dedupe.RunMeta{Remote: p.remote, Scope: "tui", Mode: model.ModeKeep})
	if err != nil {
		return ui.DedupeResult{}, err
	}
	done := 0
	rep, err := dedupe.Apply(ctx, c, plan, dedupe.ApplyOptions{Journal: j, Plan: model.PlanOptions{Where: dedupe.Where(c)},
		OnAction: func(model.Action, error) {
			// A group re-planned just before acting (a folder merge) can run
			// more actions than the plan listed.
			done++
			progress(done, max(done, len(plan.Actions)))
		}})
	err = errors.Join(err, j.Close())
	res := ui.DedupeResult{Applied: len(rep.Applied), Failed: len(rep.Failed)}
	for _, f := range rep.Failed {
		res.Errors = append(res.Errors, f.Err.Error())
	}
	for _, ch := range rep.Changes {
		if !ch.Replanned {
			res.Dropped++
		}
		res.Errors = append(res.Errors, ch.Group+": "+ch.Reason)
	}
	return res, err
}

func (p *megaFS) UndoDedupe(ctx context.Context, progress func(int, int)) (ui.DedupeResult, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return ui.DedupeResult{}, err
	}
	run, err := dedupe.LastRun(p.journalDir, p.remote)
	if err != nil {
		return ui.DedupeResult{}, err
	}
	done, total := 0, len(run.Journal.Entries)
	rep, err := dedupe.Undo(ctx, c, run, func(model.Action, error) { done++; progress(done, total) })
	return ui.DedupeResult{Applied: len(rep.Restored), Failed: len(rep.Failed)}, err
}

// CountDuplicateGroups counts the duplicate groups of the whole account
// for the header, as the dedupe screen's account scan would find them
// (run in a Cmd). The client keeps the candidates from change to change,
// so only the first count reads every name.
func (p *megaFS) CountDuplicateGroups(ctx context.Context) (int, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return 0, err
	}
	return c.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
}
