package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

// syncFlags are the flags of copy and sync beyond the global ones.
type syncFlags struct {
	ignoreExisting, update, sizeOnly, permanent, trackRenames, checksum bool
	backupDir                                                           string
	maxDelete                                                           int
}

func (f *syncFlags) register(cmd *cobra.Command, deletes bool) {
	fl := cmd.Flags()
	fl.BoolVar(&f.ignoreExisting, "ignore-existing", false, "skip every file that exists on the destination")
	fl.BoolVarP(&f.update, "update", "u", false, "skip files that are newer on the destination")
	fl.BoolVar(&f.sizeOnly, "size-only", false, "compare sizes only (not times or fingerprints)")
	fl.BoolVarP(&f.checksum, "checksum", "c", false, "compare MEGA fingerprints even when size and time match (samples files stored without one)")
	fl.StringVar(&f.backupDir, "backup-dir", "", "move replaced and deleted files here (same side as DST) instead of the Rubbish Bin")
	fl.BoolVar(&f.permanent, "permanent", false, "delete replaced and removed files for good (default: Rubbish Bin or trash)")
	if deletes {
		fl.IntVar(&f.maxDelete, "max-delete", -1, "refuse to run if more than this many files would be deleted (-1: no limit)")
		fl.BoolVar(&f.trackRenames, "track-renames", false, "move a renamed file on DST (same size and fingerprint) instead of copying it again")
	}
}

func newCopyCmd(env Env, g *globals) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "copy SRC DST",
		Short: "Copy files from SRC to DST, skipping identical files",
		Long: "Copy the contents of SRC into DST as rclone does: new files are copied,\n" +
			"files that changed replace the old copy (which goes to the Rubbish Bin or\n" +
			"the trash), identical files are left alone. Identical means same size\n" +
			"and modification time (plus MEGA's fingerprint when it is at hand); a\n" +
			"file whose content matches but whose time differs only gets its time\n" +
			"set. Nothing is deleted from DST. SRC and DST are local paths or\n" +
			"REMOTE:PATH; DST is created. An interrupted copy resumes when the same\n" +
			"command is run again. Exit status 1 if any file failed.\n\n" +
			"SRC may be a public MEGA link (https://mega.nz/file/…#KEY or\n" +
			"https://mega.nz/folder/…#KEY), downloaded without an account into the\n" +
			"local folder DST; \"-\" reads the link from stdin, keeping its key out\n" +
			"of the process list.",
		Example: "  megatui copy -P ~/Photos mega:/Photos\n  megatui copy --include '*.jpg' mega:/Photos ./photos\n  megatui copy https://mega.nz/folder/HANDLE#KEY ./album",
		Args:    args(2, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			srcArg, err := linkArg(env, a[0])
			if err != nil {
				return err
			}
			if src := parseLocation(srcArg); src.link != "" {
				if err := refuseUnsupported(cmd, "copy from a public link"); err != nil {
					return err
				}
				// A public link: read with no account, through the engine.
				o := copyOptions{transfers: g.transfers, dryRun: g.dryRun, bwlimit: g.bwlimit, conflict: "skip",
					prog: newProgress(g, cmd.ErrOrStderr())}
				return runCopy(cmd.Context(), env, cmd.ErrOrStderr(), cmd.OutOrStdout(), src, parseLocation(a[1]), o)
			}
			return runSync(cmd, env, g, f, operations.ModeCopy, parseLocation(a[0]), parseLocation(a[1]))
		},
	}
	f.register(cmd, false)
	return cmd
}

func newSyncCmd(env Env, g *globals) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync SRC DST",
		Short: "Make DST identical to SRC (one way)",
		Long: "Make DST like SRC: as copy, then delete from DST what SRC does not have\n" +
			"(to the Rubbish Bin, or the local trash, unless --permanent; into\n" +
			"--backup-dir if given). Files excluded by filters are neither copied nor\n" +
			"deleted. As rclone, sync refuses to delete anything when SRC is empty or\n" +
			"cannot be read, and skips deletions after a failed transfer; --max-delete\n" +
			"N refuses a sync that would delete more than N files. Try --dry-run first.",
		Example: "  megatui sync --dry-run ~/Documents mega:/Documents\n  megatui sync -P --max-delete 50 mega:/Backup /mnt/backup",
		Args:    args(2, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			return runSync(cmd, env, g, f, operations.ModeSync, parseLocation(a[0]), parseLocation(a[1]))
		},
	}
	f.register(cmd, true)
	return cmd
}

// runSync runs copy or sync.
func runSync(cmd *cobra.Command, env Env, g *globals, f syncFlags, mode operations.Mode, src, dst location) error {
	ctx := cmd.Context()
	stderr := cmd.ErrOrStderr()
	o, s, cleanup, err := syncOptions(ctx, cmd, env, g, f, src, dst)
	if err != nil {
		return err
	}
	defer cleanup()
	o.Mode = mode
	kind := map[operations.Mode]string{operations.ModeCopy: "copy", operations.ModeSync: "sync"}[mode]
	sfs, err := s.fs(ctx, src)
	if err != nil {
		return err
	}
	root, err := sfs.Root(ctx)
	if err != nil {
		return err
	}
	dfs, err := s.fs(ctx, dst)
	if err != nil {
		return err
	}
	if !root.IsDir() {
		// A file: copied into the folder DST, as rclone does.
		if mode == operations.ModeSync {
			return &usageError{cmd: cmd, err: fmt.Errorf("sync: SRC must be a folder (to copy one file, use copy or copyto)")}
		}
		if !o.DryRun {
			if o.JournalPath, err = journalPath(env, kind, src, dst); err != nil {
				return err
			}
		}
		return copyOne(ctx, cmd, g, o, sfs, root, dfs, root.Name)
	}
	if err := ensureDir(ctx, s, dst, o.DryRun); err != nil {
		return err
	}
	if !o.DryRun {
		if o.JournalPath, err = journalPath(env, kind, src, dst); err != nil {
			return err
		}
	}
	res, err := operations.Sync(ctx, sfs, dfs, o)
	return finishRun(ctx, stderr, g, o, kind, res, err)
}

// syncOptions builds the options shared by copy, sync, copyto and moveto.
func syncOptions(ctx context.Context, cmd *cobra.Command, env Env, g *globals, f syncFlags, src, dst location) (operations.SyncOptions, *sides, func(), error) {
	var o operations.SyncOptions
	flt, err := g.filter()
	if err != nil {
		return o, nil, nil, err
	}
	schedule, limit, err := bwSchedule(g.bwlimit)
	if err != nil {
		return o, nil, nil, err
	}
	if g.transfers < 1 || g.transfers > 64 {
		return o, nil, nil, usagef("--transfers: want 1 to 64, not %d", g.transfers)
	}
	var maxTransfer int64
	if g.maxTransfer != "" {
		if maxTransfer, err = filter.ParseSize(g.maxTransfer); err != nil {
			return o, nil, nil, usagef("--max-transfer: %v", err)
		}
	}
	log, err := g.log(cmd.ErrOrStderr())
	if err != nil {
		return o, nil, nil, err
	}
	s := newSides(env)
	cleanup := func() { s.close(); g.close() }
	c, err := s.remote(ctx, src, dst)
	if err != nil {
		cleanup()
		return o, nil, nil, err
	}
	prog := newProgress(g, cmd.ErrOrStderr())
	o = operations.SyncOptions{
		DryRun: g.dryRun, Permanent: f.permanent, MaxDelete: f.maxDelete,
		IgnoreExisting: f.ignoreExisting, Update: f.update, SizeOnly: f.sizeOnly, TrackRenames: f.trackRenames, Checksum: f.checksum,
		Filter: flt, Transfers: g.transfers, BandwidthLimit: limit, MaxTransfer: maxTransfer,
		Confirm: g.confirm(cmd.InOrStdin(), cmd.ErrOrStderr()), Progress: prog.update, Log: log,
	}
	o.BandwidthSchedule = schedule
	if c != nil {
		o.Remote = c
	}
	if f.backupDir != "" {
		b := parseLocation(f.backupDir)
		if b.remote != dst.remote {
			cleanup()
			return o, nil, nil, usagef("--backup-dir must be on the same side as DST (%s)", dst)
		}
		if overlaps(b, dst) {
			cleanup()
			return o, nil, nil, usagef("--backup-dir %s must not overlap DST %s: the sync would delete the backups", b, dst)
		}
		if err := ensureDir(ctx, s, b, g.dryRun); err != nil {
			cleanup()
			return o, nil, nil, err
		}
		if o.Backup, err = s.fs(ctx, b); err != nil {
			cleanup()
			return o, nil, nil, err
		}
	}
	return o, s, cleanup, nil
}

// overlaps reports whether two locations on one side are the same folder
// or one lies inside the other.
func overlaps(a, b location) bool {
	clean := func(l location) string {
		if l.remote == "" {
			if abs, err := filepath.Abs(l.path); err == nil {
				return filepath.ToSlash(abs)
			}
			return filepath.ToSlash(filepath.Clean(l.path))
		}
		return path.Clean("/" + l.path)
	}
	x, y := clean(a), clean(b)
	inside := func(p, dir string) bool { return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/") }
	return inside(x, y) || inside(y, x)
}

// ensureDir creates the folder at loc (not in a dry run).
func ensureDir(ctx context.Context, s *sides, loc location, dryRun bool) error {
	if dryRun {
		return nil
	}
	if loc.remote == "" {
		return os.MkdirAll(loc.path, 0o755)
	}
	c, err := s.client(ctx, loc.remote)
	if err != nil {
		return err
	}
	if strings.HasPrefix(loc.path, "H:") {
		return nil
	}
	_, err = c.MkdirAll(ctx, loc.path)
	return err
}

// copyOne copies the file e of sfs into folder loc under name.
func copyOne(ctx context.Context, cmd *cobra.Command, g *globals, o operations.SyncOptions, sfs operations.Fs, e model.Entry, dfs operations.Fs, name string) error {
	if err := ensureDirFs(ctx, dfs, o.DryRun); err != nil {
		return err
	}
	dir, err := dfs.Root(ctx)
	if err != nil {
		if o.DryRun && errors.Is(err, model.ErrNotFound) {
			o.Log.Log(operations.LevelNotice, name, "Skipped copy as --dry-run is set (size %d)", e.Size)
			return nil
		}
		return err
	}
	res, err := operations.CopyFile(ctx, sfs, operations.Object{Path: name, Entry: e, Raw: name}, dfs, dir, name, o)
	return finishRun(ctx, cmd.ErrOrStderr(), g, o, "copy", res, err)
}

// ensureDirFs creates the root of a tree (whose root may be missing).
func ensureDirFs(ctx context.Context, f operations.Fs, dryRun bool) error {
	if dryRun {
		return nil
	}
	switch t := f.(type) {
	case *operations.Local:
		return os.MkdirAll(t.Path(), 0o755)
	case *operations.Mega:
		if strings.HasPrefix(t.Path(), "H:") {
			return nil
		}
		if m, ok := t.Client().(interface {
			MkdirAll(context.Context, string) (model.Entry, error)
		}); ok {
			_, err := m.MkdirAll(ctx, t.Path())
			return err
		}
	}
	return nil
}

// finishRun prints the summary and turns the outcome into an exit status.
func finishRun(ctx context.Context, stderr io.Writer, g *globals, o operations.SyncOptions, kind string, res operations.SyncResult, err error) error {
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "megatui: %s interrupted; run the same command again to resume\n", kind)
		return exitError{code: 130}
	}
	if !g.quiet {
		line := fmt.Sprintf("%d new, %d updated, %d identical", res.New, res.Updated, res.Identical)
		if res.TimesSet > 0 {
			line += fmt.Sprintf(", %d with only the time set", res.TimesSet)
		}
		if res.Skipped > 0 {
			line += fmt.Sprintf(", %d skipped", res.Skipped)
		}
		if res.Renamed > 0 {
			line += fmt.Sprintf(", %d renamed", res.Renamed)
		}
		if kind == "sync" {
			line += fmt.Sprintf(", %d deleted", res.Deleted)
		}
		line += fmt.Sprintf(", %d failed; %s transferred", res.Failed, sizeUnit(res.Bytes))
		if res.SampledBytes > 0 {
			line += fmt.Sprintf(" (+%s of fingerprint samples)", sizeUnit(res.SampledBytes))
		}
		if o.DryRun {
			line = "dry run: would be " + line
		}
		o.Log.Log(operations.LevelNotice, "", "%s: %s", kind, line)
	}
	switch {
	case errors.Is(err, operations.ErrMaxTransfer):
		o.Log.Log(operations.LevelError, "", "%v", err)
		return exitError{code: 8}
	case err != nil:
		return err
	case res.Failed > 0:
		return exitError{code: 1}
	case g.quit.Load():
		return fmt.Errorf("%s stopped at the -i answer q: nothing after it was changed", kind)
	}
	return nil
}

func newCopytoCmd(env Env, g *globals) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "copyto SRC DST",
		Short: "Copy one file to a path (or a folder, as copy)",
		Long: "Copy the file SRC to the path DST, under DST's name (rclone's copyto).\n" +
			"An identical DST is left alone; a different one is replaced. If SRC is\n" +
			"a folder, copyto is copy.",
		Args: args(2, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			return runCopyto(cmd, env, g, f, parseLocation(a[0]), parseLocation(a[1]), false)
		},
	}
	f.register(cmd, false)
	return cmd
}

func newMovetoCmd(env Env, g *globals) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "moveto SRC DST",
		Short: "Move one file to a path (rename it on the way)",
		Long: "Move the file SRC to the path DST (rclone's moveto): copied (or, on one\n" +
			"MEGA account, moved on the server), then the source removed (a MEGA\n" +
			"source to the Rubbish Bin). If SRC is a folder, moveto is move.",
		Args: args(2, 2),
		RunE: func(cmd *cobra.Command, a []string) error {
			return runCopyto(cmd, env, g, f, parseLocation(a[0]), parseLocation(a[1]), true)
		},
	}
	f.register(cmd, false)
	return cmd
}

func runCopyto(cmd *cobra.Command, env Env, g *globals, f syncFlags, src, dst location, move bool) error {
	ctx := cmd.Context()
	o, s, cleanup, err := syncOptions(ctx, cmd, env, g, f, src, dst)
	if err != nil {
		return err
	}
	defer cleanup()
	sfs, err := s.fs(ctx, src)
	if err != nil {
		return err
	}
	root, err := sfs.Root(ctx)
	if err != nil {
		return err
	}
	if root.IsDir() {
		if move {
			if err := refuseUnsupported(cmd, "moveto of a folder"); err != nil {
				return err
			}
			mo := copyOptions{move: true, transfers: g.transfers, dryRun: g.dryRun, bwlimit: g.bwlimit, conflict: "overwrite", prog: newProgress(g, cmd.ErrOrStderr())}
			return runCopy(ctx, env, cmd.ErrOrStderr(), cmd.OutOrStdout(), src, dst, mo)
		}
		return runSync(cmd, env, g, f, operations.ModeCopy, src, dst)
	}
	parent, name := location{remote: dst.remote}, ""
	if dst.remote == "" {
		parent.path, name = localSplit(dst.path)
	} else {
		parent.path, name = splitLast(dst.path)
		if name == "" {
			return fmt.Errorf("copyto: %s: give DST as a path ending in the file name", dst)
		}
	}
	dfs, err := s.fs(ctx, parent)
	if err != nil {
		return err
	}
	if move && src.remote != "" && src.remote == dst.remote {
		return serverMoveto(ctx, s, o, root, src, parent, name)
	}
	kind := "copyto"
	if move {
		kind = "moveto"
	}
	if err := ensureDirFs(ctx, dfs, o.DryRun); err != nil {
		return err
	}
	dir, err := dfs.Root(ctx)
	if err != nil {
		return err
	}
	if !o.DryRun {
		if o.JournalPath, err = journalPath(env, kind, src, dst); err != nil {
			return err
		}
	}
	res, err := operations.CopyFile(ctx, sfs, operations.Object{Path: name, Entry: root, Raw: name}, dfs, dir, name, o)
	// The source goes only once its content is on the destination: a file
	// skipped (--ignore-existing, --update, an -i "no") keeps its source.
	if err == nil && move && !o.DryRun && res.Failed == 0 && res.Skipped == 0 &&
		res.New+res.Updated+res.Identical+res.TimesSet > 0 {
		if rerr := sfs.Remove(ctx, root, false); rerr != nil {
			return fmt.Errorf("moveto: the copy is done but the source stays: %w", rerr)
		}
		o.Log.Log(operations.LevelInfo, root.Name, "Deleted (moved)")
	}
	return finishRun(ctx, cmd.ErrOrStderr(), g, o, kind, res, err)
}

// serverMoveto moves a file within one MEGA account: a server-side move
// and rename; a different file at the target goes to the Rubbish Bin
// first, an identical one makes the source redundant.
func serverMoveto(ctx context.Context, s *sides, o operations.SyncOptions, e model.Entry, src, parent location, name string) error {
	c, err := s.client(ctx, src.remote)
	if err != nil {
		return err
	}
	if o.DryRun {
		o.Log.Log(operations.LevelNotice, e.Name, "Skipped move as --dry-run is set")
		return nil
	}
	dir, err := c.MkdirAll(ctx, parent.path)
	if err != nil {
		return err
	}
	es, err := c.Lookup(ctx, dir.ID, name)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	var old []model.Entry // what the target name holds now, replaced after the move
	for _, x := range es {
		if x.ID == e.ID {
			continue
		}
		if x.IsDir() {
			return fmt.Errorf("moveto: %s: a folder has that name: %w", name, model.ErrExists)
		}
		old = append(old, x)
	}
	if len(old) > 0 {
		switch {
		case o.IgnoreExisting:
			o.Log.Log(operations.LevelInfo, name, "Skipped: the destination exists (--ignore-existing)")
			return nil
		case o.Update && old[0].ModTime.After(e.ModTime):
			o.Log.Log(operations.LevelInfo, name, "Skipped: the destination is newer (--update)")
			return nil
		}
	}
	if o.Confirm != nil && !o.Confirm("move", name) {
		return nil
	}
	// Move first, then replace: a failed move leaves the old target.
	if e.ParentID != dir.ID {
		if err := c.Move(ctx, e.ID, dir.ID); err != nil {
			return err
		}
	}
	if e.Name != name {
		if err := c.Rename(ctx, e.ID, name); err != nil {
			return err
		}
	}
	for _, x := range old {
		if err := c.Delete(ctx, x.ID, o.Permanent); err != nil {
			return fmt.Errorf("moveto: moved, but the file it replaces stays beside it: %w", err)
		}
	}
	o.Log.Log(operations.LevelInfo, name, "Moved (server-side)")
	return nil
}
