package dedupe

import (
	"context"
	"errors"
	"fmt"

	"github.com/megatui/megatui/model"
)

// RunOptions configure Run.
type RunOptions struct {
	Mode      model.Mode
	ByContent bool
	DryRun    bool
	Permanent bool
	// Verify hashes the candidate copies (see Candidates) before planning;
	// ModeIdentical always does.
	Verify bool
	// Cache holds hashes between runs; nil uses a fresh one.
	Cache *HashCache
	// TrustFingerprints lets ModeIdentical accept equal fingerprints.
	TrustFingerprints bool
	// Decide, when set, chooses for each group (interactive mode) instead
	// of Mode; ok false stops asking, and the choices made so far are
	// planned and applied. Run then makes a single pass.
	Decide func(g model.DupGroup, index, total int) (c model.Choice, ok bool)
	// Confirm, when set, is shown each plan before it is applied; false
	// stops the run with nothing applied from that plan.
	Confirm func(p model.Plan) bool
	// JournalDir is where the undo journal goes (required unless DryRun).
	JournalDir string
	// Remote names the account in the journal.
	Remote string
	// MaxPasses bounds the re-scans after applying (merges create new
	// same-name groups inside the surviving folder); 0 means 4.
	MaxPasses int

	OnPlan   func(pass int, p model.Plan)
	OnAction func(a model.Action, err error)
	OnVerify func(VerifyProgress)
}

// Pass is one scan, plan and apply.
type Pass struct {
	Groups []model.DupGroup
	Plan   model.Plan
	Report Report
}

// Result is what Run did.
type Result struct {
	Passes []Pass
	// JournalPath is the undo journal ("" when nothing was applied).
	JournalPath string
}

// Applied counts the actions applied over all passes.
func (r Result) Applied() int {
	n := 0
	for _, p := range r.Passes {
		n += len(p.Report.Applied)
	}
	return n
}

// ErrDeclined is returned when Confirm refused a plan.
var ErrDeclined = errors.New("plan not confirmed")

// Run dedupes the folder ref and everything under it: scan, detect (and
// verify when asked), plan with the mode or the Decide callback, then
// apply with a journal, re-scanning after each applied pass until nothing
// is left to do (merging folders can create new same-name groups). With
// DryRun or ModeList it plans once and changes nothing.
func Run(ctx context.Context, fs FS, ref string, opts RunOptions) (Result, error) {
	var res Result
	if opts.ByContent && opts.Mode == model.ModeRename {
		return res, fmt.Errorf("dedupe: rename mode cannot be used with --by-content: %w", model.ErrBadPlan)
	}
	if opts.Cache == nil {
		opts.Cache = NewHashCache()
	}
	passes := opts.MaxPasses
	if passes <= 0 {
		passes = 4
	}
	if opts.Decide != nil || opts.DryRun || opts.Mode == model.ModeList {
		passes = 1
	}
	var journal *JournalWriter
	defer func() {
		if journal != nil {
			journal.Close()
		}
	}()
	for pass := 1; pass <= passes; pass++ {
		sc, err := Scan(ctx, fs, ref)
		if err != nil {
			return res, err
		}
		hashes := opts.Cache.Hashes(sc.Entries)
		groups := Detect(sc.Entries, opts.ByContent, hashes)
		if opts.Verify || opts.Mode == model.ModeIdentical {
			if _, err := Verify(ctx, fs, Candidates(groups), opts.Cache, opts.OnVerify); err != nil {
				return res, err
			}
			hashes = opts.Cache.Hashes(sc.Entries)
			groups = Detect(sc.Entries, opts.ByContent, hashes)
		}
		var decisions []model.Decision
		if opts.Decide != nil {
			for i, g := range groups {
				c, ok := opts.Decide(g, i, len(groups))
				if !ok {
					break
				}
				decisions = append(decisions, model.Decision{Group: g, Choice: c})
			}
		} else {
			decisions = Decide(groups, model.Choice{Mode: opts.Mode})
		}
		popts := model.PlanOptions{Hashes: hashes, TrustFingerprints: opts.TrustFingerprints, Where: Where(fs)}
		plan, err := model.BuildPlan(sc.Entries, decisions, popts)
		if err != nil {
			return res, fmt.Errorf("dedupe: plan: %w", err)
		}
		res.Passes = append(res.Passes, Pass{Groups: groups, Plan: plan})
		if opts.OnPlan != nil {
			opts.OnPlan(pass, plan)
		}
		if opts.DryRun || opts.Mode == model.ModeList || len(plan.Actions) == 0 {
			break
		}
		if opts.Confirm != nil && !opts.Confirm(plan) {
			return res, ErrDeclined
		}
		if journal == nil {
			journal, err = CreateJournal(opts.JournalDir, RunMeta{Remote: opts.Remote, Scope: ref, Mode: opts.Mode})
			if err != nil {
				return res, err
			}
		}
		rep, err := Apply(ctx, fs, plan, ApplyOptions{Permanent: opts.Permanent, Journal: journal, Plan: popts, OnAction: opts.OnAction})
		res.Passes[len(res.Passes)-1].Report = rep
		if journal.Len() > 0 {
			res.JournalPath = journal.Path()
		}
		if err != nil {
			return res, err
		}
		if len(rep.Applied) == 0 || len(rep.Failed) > 0 {
			break // a failure would only repeat in the next pass
		}
	}
	return res, nil
}
