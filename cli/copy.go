package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
)

// copyOptions are the flags of megatui copy.
type copyOptions struct {
	transfers int
	dryRun    bool
	conflict  string
	bwlimit   string
	prog      *progress
	move      bool // megatui move: remove each source once its copy is done
}

// newMoveCmd is megatui move: copy's semantics, then each source file is
// removed once its copy is done and verified (a MEGA source goes to the
// Rubbish Bin), and the source folders it emptied are removed. Within one
// MEGA remote it is a server-side move.
func newMoveCmd(env Env, g *globals) *cobra.Command {
	o := copyOptions{move: true}
	cmd := &cobra.Command{
		Use:   "move [--conflict overwrite|skip|rename] SRC DST",
		Short: "Move files between the local disk and MEGA (or within MEGA)",
		Long: "Move SRC to DST: like copy, then each source file is removed once its\n" +
			"copy is done and verified (MEGA sources go to the Rubbish Bin, never\n" +
			"deleted), and emptied source folders are removed. Files that were not\n" +
			"copied (skipped or failed) keep their source. Within one MEGA remote the\n" +
			"move is done on the server. An interrupted move resumes when the same\n" +
			"command is run again. A different file of the same name in DST is\n" +
			"replaced, as rclone does (the old one to the Rubbish Bin); --conflict\n" +
			"skip keeps it, rename keeps both.",
		Args: args(2, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := refuseUnsupported(cmd, "move"); err != nil {
				return err
			}
			o.transfers, o.dryRun, o.bwlimit = g.transfers, g.dryRun, g.bwlimit
			o.prog = newProgress(g, cmd.ErrOrStderr())
			return runCopy(cmd.Context(), env, cmd.ErrOrStderr(), cmd.OutOrStdout(), parseLocation(args[0]), parseLocation(args[1]), o)
		},
	}
	copyFlags(cmd, &o)
	return cmd
}

// copyQueueUnsupported are the flags the queue-based copy (move, a folder
// moveto, a copy from a public link) does not apply yet: refused rather
// than silently ignored, since an ignored --exclude moves what the user
// meant to keep.
var copyQueueUnsupported = []string{"include", "include-from", "exclude", "exclude-from", "filter", "filter-from",
	"min-size", "max-size", "min-age", "max-age", "interactive", "max-transfer",
	"ignore-existing", "update", "size-only", "checksum", "backup-dir"}

// refuseUnsupported fails with a usage error when cmd was given a flag
// that what runs it would ignore.
func refuseUnsupported(cmd *cobra.Command, what string) error {
	for _, name := range copyQueueUnsupported {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return usagef("%s does not take --%s yet (use copy, then delete the source)", what, name)
		}
	}
	return nil
}

func copyFlags(cmd *cobra.Command, o *copyOptions) {
	cmd.Flags().StringVar(&o.conflict, "conflict", "overwrite", "when a different file exists: overwrite, skip or rename")
}

// copySides is what copy opened: the engine request and the remote (or
// the public link the files come from), if any.
type copySides struct {
	req    transfer.Request
	remote *megaclient.Client
	link   *megaclient.Public
}

func runCopy(ctx context.Context, env Env, stderr, stdout io.Writer, src, dst location, o copyOptions) error {
	policy, err := model.ParseConflict(o.conflict)
	if err != nil || policy == model.ConflictAsk {
		return fmt.Errorf("--conflict: want skip, overwrite or rename, not %q", o.conflict)
	}
	if o.transfers < 1 {
		return fmt.Errorf("--transfers: want at least 1, not %d", o.transfers)
	}
	schedule, limit, err := bwSchedule(o.bwlimit)
	if err != nil {
		return err
	}
	sides, err := openCopySides(ctx, env, src, dst, o.dryRun, o.move)
	if err != nil {
		return err
	}
	if sides.remote != nil {
		defer sides.remote.Close()
	}
	if sides.link != nil {
		defer sides.link.Close()
	}
	sides.req.Conflict = policy
	kind := "copy"
	if o.move {
		sides.req.Op = model.OpMove
		kind = "move"
	}

	journal := ""
	if !o.dryRun {
		if journal, err = copyJournalPath(ctx, env, kind, src, dst); err != nil {
			return err
		}
	}
	opts := transfer.Options{Workers: o.transfers, Conflict: policy, BandwidthLimit: limit, BandwidthSchedule: schedule, JournalPath: journal, DryRun: o.dryRun}
	if sides.remote != nil {
		opts.Remote = sides.remote
	}
	if sides.link != nil {
		opts.Remote = sides.link
	}
	engCtx, stop := context.WithCancel(ctx)
	defer stop()
	e := transfer.New(opts)
	if err := e.Start(engCtx); err != nil {
		return err
	}
	var requestErrs []string
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ev := range e.Events() {
			if ev.Kind == transfer.EventRequestFailed {
				requestErrs = append(requestErrs, ev.Reason)
			}
		}
	}()
	if e.Resumed() == 0 {
		if _, err := e.Enqueue(sides.req); err != nil {
			stop()
			_ = e.Wait()
			return err
		}
	} else {
		fmt.Fprintln(stderr, "megatui: resuming the interrupted copy")
	}

	idle := make(chan error, 1)
	go func() { idle <- e.WaitIdle(engCtx) }()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-idle:
			break loop
		case <-tick.C:
			var jobs []model.Job
			for _, j := range e.Snapshot() {
				if j.State == model.StateRunning || j.State == model.StateWaiting {
					jobs = append(jobs, j)
				}
			}
			o.prog.update(e.Totals(), jobs)
		}
	}
	jobs := e.Snapshot()
	tot := e.Totals()
	stop()
	werr := e.Wait()
	<-drained
	if waitErr != nil || ctx.Err() != nil {
		fmt.Fprintln(stderr, "megatui: copy interrupted; run the same command again to resume")
		return exitError{code: 130}
	}
	if werr != nil {
		return werr
	}
	failed := printCopySummary(stderr, stdout, jobs, tot, requestErrs, o.dryRun, o.move)
	if failed == 0 && journal != "" {
		_ = os.Remove(journal) // nothing left to resume
		_ = os.Remove(journal + ".lock")
	}
	if failed > 0 {
		return exitError{code: 1}
	}
	return nil
}

// openCopySides resolves SRC and DST into an engine request, creating DST
// (unless dryRun). A move of a folder into itself is refused first.
func openCopySides(ctx context.Context, env Env, src, dst location, dryRun, move bool) (copySides, error) {
	var s copySides
	switch {
	case dst.link != "":
		return s, fmt.Errorf("copy %s %s: a public link is read-only", src, dst)
	case src.link != "" && move:
		return s, fmt.Errorf("move %s %s: a public link is read-only: use copy", src, dst)
	case src.link != "" && dst.remote != "":
		return s, fmt.Errorf("copy %s %s: to save a link in your account use megatui import LINK %s", src, dst, dst)
	case src.link != "":
		return openLinkSides(ctx, env, src, dst, dryRun)
	}
	if src.remote != "" && dst.remote != "" && src.remote != dst.remote {
		return s, fmt.Errorf("copy %s %s: copying between two MEGA remotes is not supported; copy through the local disk", src, dst)
	}
	// Within one MEGA remote the engine copies through a private temporary
	// file (download, MAC verified, then upload with the same mtime).
	s.req.Op = model.OpCopy
	if src.remote != "" || dst.remote != "" {
		name := src.remote
		if name == "" {
			name = dst.remote
		}
		c, err := env.Open(ctx, name)
		if err != nil {
			return s, err
		}
		s.remote = c
	}
	fail := func(err error) (copySides, error) {
		if s.remote != nil {
			s.remote.Close()
		}
		return copySides{}, err
	}
	// Source.
	var srcIsDir bool
	if src.remote == "" {
		abs, err := filepath.Abs(src.path)
		if err != nil {
			return fail(fmt.Errorf("copy: %s: %w", src, err))
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return fail(fmt.Errorf("copy: %w", err))
		}
		srcIsDir = fi.IsDir()
		s.req.Src = transfer.Endpoint{Path: abs}
	} else {
		en, err := s.remote.Stat(ctx, src.path)
		if err != nil {
			return fail(fmt.Errorf("copy: %s: %w", src, err))
		}
		srcIsDir = en.IsDir()
		s.req.Src = transfer.Endpoint{Remote: true, Path: src.String(), Entry: en}
	}
	s.req.Contents = srcIsDir
	// As rclone: moving a folder into itself (or onto itself) would move
	// the destination along with the rest. Checked before DST is created,
	// so a refused move leaves nothing behind.
	if move && srcIsDir && src.remote == dst.remote && s.inside(dst) {
		return fail(fmt.Errorf("move %s %s: can't move a folder into itself (the destination is inside the source)", src, dst))
	}
	// Destination folder, created.
	if dst.remote == "" {
		abs, err := filepath.Abs(dst.path)
		if err != nil {
			return fail(fmt.Errorf("copy: %s: %w", dst, err))
		}
		if !dryRun {
			if err := os.MkdirAll(abs, 0o755); err != nil {
				return fail(fmt.Errorf("copy: create %s: %w", dst, err))
			}
		}
		s.req.DstDir = transfer.Endpoint{Path: abs}
	} else {
		var en model.Entry
		var err error
		if dryRun {
			if en, err = s.remote.Stat(ctx, dst.path); errors.Is(err, model.ErrNotFound) {
				// Nothing exists yet: every file would be new.
				en, err = model.Entry{Kind: model.KindDir}, nil
			}
		} else {
			en, err = s.remote.MkdirAll(ctx, dst.path)
		}
		if err != nil {
			return fail(fmt.Errorf("copy: %s: %w", dst, err))
		}
		if !en.IsDir() {
			return fail(fmt.Errorf("copy: %s: %w", dst, model.ErrNotDir))
		}
		s.req.DstDir = transfer.Endpoint{Remote: true, Path: dst.String(), Entry: en}
	}
	return s, nil
}

// inside reports whether DST is the source folder or below it (both on
// one side). DST need not exist yet.
func (s copySides) inside(dst location) bool {
	if !s.req.Src.Remote {
		src := existingPath(s.req.Src.Path)
		d := existingPath(absOr(dst.path))
		return d == src || strings.HasPrefix(d, strings.TrimSuffix(src, string(filepath.Separator))+string(filepath.Separator))
	}
	src, err := s.remote.Path(s.req.Src.Entry.ID)
	if err != nil {
		return false
	}
	d := dst.path
	if strings.HasPrefix(d, "H:") {
		if d, err = s.remote.Path(d); err != nil {
			return false
		}
	}
	return d == src || strings.HasPrefix(d, strings.TrimSuffix(src, "/")+"/")
}

// existingPath resolves the symbolic links of the longest existing prefix
// of the absolute path p and keeps the rest as written.
func existingPath(p string) string {
	rest := ""
	for cur := filepath.Clean(p); ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(cur) == cur {
			return filepath.Clean(p)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// copyJournalPath is the journal of one SRC/DST pair in the state folder,
// so that running the same copy again resumes it.
func copyJournalPath(ctx context.Context, env Env, kind string, src, dst location) (string, error) {
	dirs, err := config.ResolveDirs(env.Getenv)
	if err != nil {
		return "", fmt.Errorf("copy: state folder: %w", err)
	}
	if err := config.EnsurePrivateDir(dirs.StateDir); err != nil {
		return "", fmt.Errorf("copy: state folder: %w", err)
	}
	key := src.String() + "\x00" + dst.String()
	if src.remote == "" {
		key = absOr(src.path) + "\x00" + dst.String()
	}
	if dst.remote == "" {
		key = strings.SplitN(key, "\x00", 2)[0] + "\x00" + absOr(dst.path)
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dirs.StateDir, kind+"-"+hex.EncodeToString(sum[:8])+".jsonl"), nil
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func progressLine(t model.Totals) string {
	finished := t.ByState[model.StateDone] + t.ByState[model.StateSkipped] + t.ByState[model.StateFailed] + t.ByState[model.StateCancelled]
	line := fmt.Sprintf("%d/%d files, %s of %s, %s/s", finished, t.Jobs,
		humanize.IBytes(uint64(t.BytesDone)), humanize.IBytes(uint64(t.BytesTotal)), humanize.IBytes(uint64(t.Speed)))
	if t.ETAKnown && t.ETA > 0 {
		line += ", ETA " + t.ETA.String()
	}
	if n := t.ByState[model.StateWaiting]; n > 0 {
		line += fmt.Sprintf(", %d waiting to retry", n)
	}
	return line
}

// printCopySummary prints the dry-run plan (stdout) or the failures and a
// one-line summary (stderr), and returns the number of failures.
func printCopySummary(stderr, stdout io.Writer, jobs []model.Job, t model.Totals, requestErrs []string, dryRun, moved bool) int {
	if dryRun {
		sort.Slice(jobs, func(i, j int) bool { return jobs[i].Dst.Display < jobs[j].Dst.Display })
		for _, j := range jobs {
			reason := strings.TrimPrefix(j.Reason, "dry run: ")
			if j.State == model.StateFailed {
				reason = "error: " + j.Err
			}
			fmt.Fprintf(stdout, "%s %s -> %s (%s)\n", reason, model.DisplayName(j.Src.Display), model.DisplayName(j.Dst.Display), humanize.IBytes(uint64(max(j.Size, 0))))
		}
	}
	failed := 0
	for _, j := range jobs {
		if j.State == model.StateSkipped && strings.HasPrefix(j.Reason, transfer.SpecialFile) {
			fmt.Fprintf(stderr, "skipped: %s: %s\n", model.DisplayName(j.Src.Display), j.Reason)
		}
		if j.State == model.StateFailed {
			failed++
			fmt.Fprintf(stderr, "failed: %s: %s\n", model.DisplayName(j.Src.Display), j.Err)
		}
	}
	for _, r := range requestErrs {
		failed++
		fmt.Fprintf(stderr, "failed: %s\n", r)
	}
	if !dryRun {
		verb := "copied"
		if moved {
			verb = "moved"
		}
		// The bytes of the files copied: not the part of a failed file
		// sent before it failed, nor a file counted twice by its retries.
		var copied int64
		for _, j := range jobs {
			if j.State == model.StateDone {
				copied += max(j.Size, 0)
			}
		}
		fmt.Fprintf(stderr, "%s %d files (%s), skipped %d, failed %d\n", verb,
			t.ByState[model.StateDone], humanize.IBytes(uint64(copied)), t.ByState[model.StateSkipped], failed)
	}
	return failed
}

// openLinkSides resolves a public link SRC (no account) and a local DST
// folder: a folder link's contents, or a file link's file, go into DST.
func openLinkSides(ctx context.Context, env Env, src, dst location, dryRun bool) (copySides, error) {
	var s copySides
	p, err := env.OpenLink(ctx, src.link)
	if err != nil {
		return s, err
	}
	root := p.Root()
	s.link = p
	s.req.Op = model.OpCopy
	s.req.Src = transfer.Endpoint{Remote: true, Path: src.path, Entry: root}
	s.req.Contents = root.IsDir()
	abs, err := filepath.Abs(dst.path)
	if err == nil && !dryRun {
		err = os.MkdirAll(abs, 0o755)
	}
	if err != nil {
		p.Close()
		return copySides{}, fmt.Errorf("copy: create %s: %w", dst, err)
	}
	s.req.DstDir = transfer.Endpoint{Path: abs}
	return s, nil
}

// quotaWatch remembers the transfer-quota wait last announced, so that
// stderr gets one line per wait, not one per tick.
type quotaWatch struct {
	until    time.Time
	announce bool // the last quotaCountdown found a new wait
}

// quotaCountdown returns "transfer quota exceeded, retry in 12 min" for
// the earliest job waiting for the transfer quota ("" if none).
func quotaCountdown(jobs []model.Job, now time.Time, w *quotaWatch) string {
	var until time.Time
	for _, j := range jobs {
		if j.State == model.StateWaiting && strings.HasPrefix(j.Reason, "transfer quota exceeded") &&
			(until.IsZero() || j.RetryAt.Before(until)) {
			until = j.RetryAt
		}
	}
	w.announce = false
	if until.IsZero() {
		return ""
	}
	if until.Sub(w.until).Abs() > time.Second {
		w.until, w.announce = until, true
	}
	return "transfer quota exceeded, retry in " + model.FormatWait(until.Sub(now))
}
