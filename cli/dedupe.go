package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// dedupeModes lists the --mode values: rclone's, plus identical.
const dedupeModes = "interactive|skip|first|newest|oldest|largest|smallest|rename|list|identical"

type dedupeFlags struct {
	mode      string
	dryRun    bool
	byContent bool
	permanent bool
	verify    bool
	undo      bool
}

func newDedupeCmd(env Env) *cobra.Command {
	var f dedupeFlags
	cmd := &cobra.Command{
		Use:   "dedupe [MODE] REMOTE:PATH",
		Short: "Find and clean up duplicate files and folders",
		Long: "dedupe finds files and folders with the same name in one folder under\n" +
			"REMOTE:PATH, and removes or renames the extra copies as the mode says\n" +
			"(rclone's modes, with the same meanings):\n\n" +
			"  interactive  ask for each group: s skip, k keep one, r rename, q quit\n" +
			"  skip         only reduce copies with the same fingerprint to one\n" +
			"  first        keep the first copy (oldest upload)\n" +
			"  newest       keep the newest (original mtime from the fingerprint)\n" +
			"  oldest       keep the oldest\n" +
			"  largest      keep the largest\n" +
			"  smallest     keep the smallest\n" +
			"  rename       rename all copies to name-1.ext, name-2.ext, ...\n" +
			"  list         only list the groups\n" +
			"  identical    only remove copies verified identical by SHA-256\n\n" +
			"Except in list and identical modes, duplicate folders are first\n" +
			"merged into the one with most entries. Before a group is changed it is\n" +
			"checked again, so a change made elsewhere meanwhile is never acted on\n" +
			"blindly. Removed copies go to the Rubbish Bin (unless --permanent) and\n" +
			"every run is journaled: `megatui dedupe --undo REMOTE:` puts everything\n" +
			"back. Names that would collide on a case-insensitive disk are reported.",
		Example: "  megatui dedupe --dry-run newest mega:/Photos\n  megatui dedupe --by-content --mode list mega:\n  megatui dedupe --undo mega:",
		Args:    cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				if cmd.Flags().Changed("mode") {
					return errors.New("dedupe: give the mode either as the first argument or with --mode")
				}
				f.mode, args = args[0], args[1:]
			}
			loc := parseLocation(args[0])
			if loc.remote == "" {
				return fmt.Errorf("dedupe %s: want REMOTE:PATH", args[0])
			}
			if f.undo {
				return runDedupeUndo(cmd.Context(), env, loc, cmd.OutOrStdout())
			}
			return runDedupe(cmd.Context(), env, loc, f, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.mode, "mode", "interactive", "dedupe mode: "+dedupeModes)
	fl.BoolVar(&f.dryRun, "dry-run", false, "show what would be done; change nothing")
	fl.BoolVar(&f.byContent, "by-content", false, "group files with the same content (fingerprint) whatever their names")
	fl.BoolVar(&f.permanent, "permanent", false, "delete removed copies for good instead of moving them to the Rubbish Bin (cannot be undone)")
	fl.BoolVar(&f.verify, "verify", false, "download same-size copies and compare SHA-256 before deciding")
	fl.BoolVar(&f.undo, "undo", false, "undo the last dedupe run on REMOTE")
	return cmd
}

// dedupeDirs returns the journal directory and the hash cache file.
func dedupeDirs(ctx context.Context, env Env, remote string) (journal, cache string, err error) {
	d, err := config.ResolveDirs(env.Getenv)
	if err != nil {
		return "", "", fmt.Errorf("dedupe: %w", err)
	}
	return filepath.Join(d.StateDir, "dedupe"), filepath.Join(d.CacheDir, "dedupe-hashes-"+remote+".json"), nil
}

func runDedupe(ctx context.Context, env Env, loc location, f dedupeFlags, in io.Reader, out io.Writer) error {
	interactive := f.mode == "interactive"
	var mode model.Mode
	if !interactive {
		var err error
		if mode, err = model.ParseMode(f.mode); err != nil || mode == model.ModeKeep {
			return fmt.Errorf("dedupe: unknown mode %q (want one of %s)", f.mode, strings.ReplaceAll(dedupeModes, "|", ", "))
		}
	}
	journalDir, cachePath, err := dedupeDirs(ctx, env, loc.remote)
	if err != nil {
		return err
	}
	cache, err := dedupe.LoadHashCache(cachePath)
	if err != nil {
		cache = dedupe.NewHashCache() // a damaged cache only costs downloads
	}
	c, err := env.Open(ctx, loc.remote)
	if err != nil {
		return err
	}
	defer c.Close()
	lastVerified := -1
	opts := dedupe.RunOptions{
		Mode: mode, ByContent: f.byContent, DryRun: f.dryRun, Permanent: f.permanent, Verify: f.verify,
		Cache: cache, JournalDir: journalDir, Remote: loc.remote,
		OnVerify: func(p dedupe.VerifyProgress) {
			if p.Files != lastVerified {
				lastVerified = p.Files
				fmt.Fprintf(out, "verify: %d/%d files, %s of %s\n", p.Files, p.TotalFiles,
					humanize.IBytes(uint64(p.Bytes)), humanize.IBytes(uint64(p.TotalBytes)))
			}
		},
		OnAction: func(a model.Action, err error) {
			if err != nil {
				fmt.Fprintf(out, "FAILED %s: %v\n", a, err)
			}
		},
	}
	if interactive {
		pr := dedupe.NewPrompter(ctx, in, out, c)
		opts.Decide = pr.Decide
		if !f.dryRun {
			opts.Confirm = pr.Confirm
		}
	} else if mode == model.ModeList {
		// The groups themselves, with paths, are printed after the run.
	} else {
		opts.OnPlan = func(pass int, p model.Plan) {
			if pass > 1 {
				if len(p.Actions) == 0 {
					return
				}
				fmt.Fprintf(out, "\nafter merging, pass %d:\n", pass)
			}
			io.WriteString(out, p.String())
		}
	}
	if interactive && f.dryRun {
		opts.OnPlan = func(_ int, p model.Plan) { fmt.Fprintf(out, "\nPlan (dry run, nothing changed):\n%s", p) }
	}
	res, err := dedupe.Run(ctx, c, loc.path, opts)
	if cache.Len() > 0 {
		if serr := cache.Save(cachePath); serr != nil {
			fmt.Fprintf(out, "warning: %v\n", serr)
		}
	}
	if err == nil && mode == model.ModeList && !interactive && len(res.Passes) > 0 {
		listDupGroups(out, c, res.Passes[0].Groups)
	}
	if err == nil || len(res.Passes) > 0 {
		// A run that failed before planning has nothing to summarise
		// (and "dry run: nothing changed" would read like a success).
		summariseDedupe(out, res, f, loc)
	}
	if errors.Is(err, dedupe.ErrDeclined) {
		fmt.Fprintln(out, "nothing changed")
		return nil
	}
	if err != nil {
		return err
	}
	for _, p := range res.Passes {
		if len(p.Report.Failed) > 0 {
			return exitError{code: 1}
		}
	}
	return nil
}

func summariseDedupe(out io.Writer, res dedupe.Result, f dedupeFlags, loc location) {
	if len(res.Passes) > 0 && len(res.Passes[0].Groups) == 0 {
		fmt.Fprintf(out, "no duplicates in %s\n", loc)
		return
	}
	if f.dryRun {
		fmt.Fprintln(out, "dry run: nothing changed")
		return
	}
	counts := map[model.ActionKind]int{}
	var changes []model.Change
	for _, p := range res.Passes {
		for _, a := range p.Report.Applied {
			counts[a.Kind]++
		}
		changes = append(changes, p.Report.Changes...)
	}
	for _, ch := range changes {
		what := "dropped"
		if ch.Replanned {
			what = "planned again"
		}
		fmt.Fprintf(out, "changed meanwhile, %s: %s: %s\n", what, ch.Group, ch.Reason)
	}
	if res.Applied() == 0 {
		return
	}
	removed := "moved to the Rubbish Bin"
	if f.permanent {
		removed = "deleted for good"
	}
	fmt.Fprintf(out, "done: %d %s, %d renamed, %d moved\n", counts[model.ActionTrash], removed, counts[model.ActionRename], counts[model.ActionMove])
	if res.JournalPath != "" {
		fmt.Fprintf(out, "journal: %s\nundo with: megatui dedupe --undo %s:\n", res.JournalPath, loc.remote)
	}
}

func runDedupeUndo(ctx context.Context, env Env, loc location, out io.Writer) error {
	journalDir, _, err := dedupeDirs(ctx, env, loc.remote)
	if err != nil {
		return err
	}
	run, err := dedupe.LastRun(journalDir, loc.remote)
	if err != nil {
		return fmt.Errorf("dedupe --undo: %w", err)
	}
	c, err := env.Open(ctx, loc.remote)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(out, "undoing the %s run on %s:%s of %s (%d actions)\n", run.Meta.Mode, loc.remote, run.Meta.Scope,
		run.Meta.Started.Local().Format("2006-01-02 15:04:05"), len(run.Journal.Entries))
	rep, err := dedupe.Undo(ctx, c, run, func(a model.Action, err error) {
		if err != nil {
			fmt.Fprintf(out, "FAILED %s: %v\n", a, err)
		}
	})
	fmt.Fprintf(out, "restored %d, already in place %d\n", len(rep.Restored), len(rep.Skipped))
	if len(rep.Lost) > 0 {
		fmt.Fprintf(out, "%d copies were deleted for good (--permanent) and cannot be restored\n", len(rep.Lost))
	}
	return err
}

// listDupGroups prints the groups of list mode, one member per line with
// its path and handle (mega:H:... picks one copy in other commands).
func listDupGroups(out io.Writer, c *megaclient.Client, groups []model.DupGroup) {
	where := func(id string) string {
		if p, err := c.Path(id); err == nil {
			return model.DisplayName(p)
		}
		return "H:" + id
	}
	for _, g := range groups {
		if len(g.Members) == 0 {
			continue
		}
		what := "files"
		if g.Dir {
			what = "folders"
		}
		switch g.Kind {
		case model.SameName:
			fmt.Fprintf(out, "%d %s named %q in %s", len(g.Members), what, model.DisplayName(g.Name), where(g.ParentID))
		case model.Collision:
			fmt.Fprintf(out, "%d names in %s that collide on a case-insensitive disk", len(g.Members), where(g.ParentID))
		default:
			fmt.Fprintf(out, "%d %s with the same content", len(g.Members), what)
		}
		if g.Class != model.NotClassified {
			fmt.Fprintf(out, " (%s)", g.Class)
		}
		fmt.Fprintln(out)
		for _, m := range g.Members {
			size := "-"
			if !m.IsDir() {
				size = humanize.IBytes(uint64(max(m.Size, 0)))
			}
			fmt.Fprintf(out, "  %10s  %s  %s  H:%s\n", size, m.ModTime.Local().Format("2006-01-02 15:04:05"), where(m.ID), m.ID)
		}
	}
}
