package operations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
)

// Mode is what a transfer run does with the destination.
type Mode int

const (
	// ModeCopy copies new and changed files; nothing is deleted.
	ModeCopy Mode = iota
	// ModeSync makes the destination like the source: also deletes what
	// the source does not have.
	ModeSync
)

// SyncOptions tune Sync.
type SyncOptions struct {
	Mode Mode
	// DryRun logs what would change and changes nothing.
	DryRun bool
	// Permanent deletes instead of moving to the Rubbish Bin / trash.
	Permanent bool
	// Backup, when set, receives (at the same relative path) every
	// destination file that would be deleted or replaced. It must be on
	// the destination's side.
	Backup Fs
	// MaxDelete refuses a sync that would delete more files than this;
	// -1 is no limit.
	MaxDelete int
	// Checksum compares fingerprints (fetching the samples of MEGA files
	// stored without one) even when size and time match, as rclone's -c.
	Checksum bool
	// TrackRenames turns a new file plus a deleted one with the same
	// size and fingerprint into a move of the old one on the destination
	// (no transfer), as rclone's --track-renames.
	TrackRenames bool
	// IgnoreExisting skips every file that exists on the destination;
	// Update skips files whose destination is newer; SizeOnly compares
	// sizes only.
	IgnoreExisting, Update, SizeOnly bool
	Filter                           *filter.Filter
	// Transfers is how many files move at once (default 4).
	Transfers int
	// BandwidthLimit caps bytes per second (0: none); BandwidthSchedule,
	// when set, gives the cap in force at each moment.
	BandwidthLimit    int64
	BandwidthSchedule func(time.Time) int64
	// MaxTransfer stops queueing transfers after this many bytes (0:
	// no limit).
	MaxTransfer int64
	// JournalPath makes the run resumable: transfers interrupted by a
	// crash are finished by the next run with the same path.
	JournalPath string
	// Remote is the MEGA account, when either side is on MEGA.
	Remote transfer.Remote
	// Confirm, when set, is asked before each change (-i); false skips it.
	Confirm func(action, path string) bool
	// Progress is called about twice a second while files transfer, with
	// the jobs running or waiting to retry.
	Progress func(t model.Totals, running []model.Job)
	Log      Logger
}

// SyncResult counts what a run did (or, dry, would do).
type SyncResult struct {
	New, Updated, Identical, TimesSet, Skipped, Failed, Renamed int
	Deleted, DirsCreated, DirsRemoved                           int
	Bytes                                                       int64
	// Resumed is the number of interrupted transfers finished first.
	Resumed int
	// SampledBytes is what fingerprinting MEGA files without one fetched.
	SampledBytes int64
}

// Errors of a refused run.
var (
	ErrSourceEmpty    = errors.New("source is empty")
	ErrMaxDelete      = errors.New("--max-delete limit reached")
	ErrMaxTransfer    = errors.New("max transfer limit reached")
	ErrNotDeletingIOE = errors.New("not deleting files as there were errors")
)

// action is one planned change.
type action struct {
	kind    string // "new", "update", "settime", "delete", "rmdir", "mkdir"
	path    string
	src     Object
	dst     Object // existing destination (update, settime, delete, rmdir)
	fp      model.Fingerprint
	covered int    // files removed with a folder
	fromDir string // a file removed with this folder
	name    string // the target's name when not the source's (copyto)
}

// targetName is the name a transfer gives its file.
func (a action) targetName() string {
	if a.name != "" {
		return a.name
	}
	return a.src.Entry.Name
}

// Sync copies the source tree into the destination (ModeCopy) or makes
// the destination like the source (ModeSync), as rclone does: identical
// files (size and modification time; or size and fingerprint, then only
// the time is corrected) are left alone, different ones replaced (on MEGA
// the old copy goes to the Rubbish Bin; on the local disk the verified new
// file is renamed over it, or the old one goes to --backup-dir), new ones
// copied. Deletions are
// refused when the source is empty or more than MaxDelete, and skipped
// when a transfer failed.
func Sync(ctx context.Context, src, dst Fs, o SyncOptions) (SyncResult, error) {
	log := logger(o.Log)
	var res SyncResult
	eng, err := startEngine(ctx, o)
	if err != nil {
		return res, err
	}
	defer eng.stop()
	if n := eng.e.Resumed(); n > 0 {
		log.Log(LevelNotice, "", "resuming: finishing %d interrupted transfers first", n)
		res.Resumed = n
		if err := eng.wait(ctx, o.Progress); err != nil {
			return res, err
		}
	}

	droot, err := dst.Root(ctx)
	var sl, dl *Listing
	switch {
	case errors.Is(err, model.ErrNotFound) && o.DryRun:
		// Not created in a dry run: everything would be new.
		droot = model.Entry{Kind: model.KindDir}
		dl = &Listing{Files: map[string]Object{}, Dirs: map[string]Object{}, Excluded: map[string]bool{}}
		if sl, err = Walk(ctx, src, WalkOptions{Filter: o.Filter}); err != nil {
			return res, fmt.Errorf("list source: %w", err)
		}
	case err != nil:
		return res, err
	default:
		var errD error
		done := make(chan struct{})
		go func() {
			defer close(done)
			dl, errD = Walk(ctx, dst, WalkOptions{Filter: o.Filter})
		}()
		sl, err = Walk(ctx, src, WalkOptions{Filter: o.Filter})
		<-done
		if err != nil {
			return res, fmt.Errorf("list source: %w", err)
		}
		if errD != nil {
			return res, fmt.Errorf("list destination: %w", errD)
		}
	}
	for _, d := range dl.Duplicates {
		log.Log(LevelNotice, d.Path, "duplicate name in the destination: ignoring it (megatui dedupe resolves it)")
	}
	for _, sp := range sl.Special {
		log.Log(LevelNotice, sp.Path, "skipped: %s", sp.Reason)
		res.Skipped++
	}
	plan, st, err := makePlan(ctx, src, dst, sl, dl, o, log)
	res.SampledBytes, res.Identical = st.sampled, st.identical
	res.Skipped += st.skipped
	if err != nil {
		return res, err
	}
	deletes := 0
	for _, a := range plan {
		switch a.kind {
		case "delete":
			deletes++
		case "rmdir":
			deletes += a.covered
		}
	}
	if o.Mode == ModeSync && len(sl.Files) == 0 && len(sl.Dirs) == 0 && deletes > 0 {
		return res, fmt.Errorf("%w: refusing to delete %d files from %s (use megatui delete or purge to empty it)", ErrSourceEmpty, deletes, dst)
	}
	if o.MaxDelete >= 0 && deletes > o.MaxDelete {
		return res, fmt.Errorf("%w: the sync would delete %d files, more than --max-delete %d: nothing was changed", ErrMaxDelete, deletes, o.MaxDelete)
	}

	x := &executor{ctx: ctx, src: src, dst: dst, o: o, log: log, res: &res, dirs: map[string]model.Entry{"": droot}, eng: eng, names: map[string]string{}}
	for p, d := range dl.Dirs {
		x.dirs[p] = d.Entry
	}
	for p, d := range sl.Dirs {
		x.names[p] = d.Entry.Name
	}
	runErr := x.run(plan)
	if runErr == nil && o.JournalPath != "" && !o.DryRun && res.Failed == 0 {
		eng.stop()
		_ = os.Remove(o.JournalPath) // nothing left to resume
		_ = os.Remove(o.JournalPath + ".lock")
	}
	return res, runErr
}

// makePlan compares the listings. It returns the actions in the order
// they run: folders to create (parents first), times to set, transfers,
// then deletions (files, then folders, children first).
func makePlan(ctx context.Context, src, dst Fs, sl, dl *Listing, o SyncOptions, log Logger) ([]action, planStats, error) {
	var mkdirs, settimes, transfers, deletes, rmdirs, renames, covered []action
	var st planStats
	for _, p := range sl.DirPaths() {
		if _, ok := dl.Dirs[p]; !ok {
			if f, ok := dl.Files[p]; ok {
				return nil, st, fmt.Errorf("%s: a file in the destination has the name of a source folder: %w", f.Path, model.ErrExists)
			}
			mkdirs = append(mkdirs, action{kind: "mkdir", path: p})
		}
	}
	for _, p := range sl.FilePaths() {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		s := sl.Files[p]
		d, ok := dl.Files[p]
		if !ok {
			if _, isDir := dl.Dirs[p]; isDir {
				return nil, st, fmt.Errorf("%s: a folder in the destination has the name of a source file: %w", p, model.ErrExists)
			}
			transfers = append(transfers, action{kind: "new", path: p, src: s})
			continue
		}
		a, fetched, err := compareForCopy(ctx, src, dst, s, d, o)
		st.sampled += fetched
		if err != nil {
			log.Log(LevelError, p, "failed to compare: %v", err)
			return nil, st, err
		}
		switch a.kind {
		case "identical":
			st.identical++
			log.Log(LevelDebug, p, "Unchanged skipping")
		case "skip":
			st.skipped++
			log.Log(LevelDebug, p, "%s", a.path)
		case "settime":
			a.path = p
			settimes = append(settimes, a)
		case "update":
			a.path = p
			transfers = append(transfers, a)
		}
	}
	if o.Mode == ModeSync {
		removed := map[string]bool{}
		for _, p := range dl.DirPaths() {
			if _, ok := sl.Dirs[p]; ok || dl.Excluded[p] || removed[parentRel(p)] {
				if removed[parentRel(p)] {
					removed[p] = true
				}
				continue
			}
			removed[p] = true
			rmdirs = append(rmdirs, action{kind: "rmdir", path: p, dst: dl.Dirs[p]})
		}
		for _, p := range dl.FilePaths() {
			if _, ok := sl.Files[p]; ok {
				continue
			}
			if dir := parentRel(p); dir != "" && removed[dir] {
				for i := range rmdirs {
					if p == rmdirs[i].path || strings.HasPrefix(p, rmdirs[i].path+"/") {
						rmdirs[i].covered++
						covered = append(covered, action{kind: "delete", path: p, dst: dl.Files[p], fromDir: rmdirs[i].path})
						break
					}
				}
				continue
			}
			deletes = append(deletes, action{kind: "delete", path: p, dst: dl.Files[p]})
		}
		if o.TrackRenames {
			var err error
			if transfers, deletes, renames, err = trackRenames(ctx, src, dst, transfers, deletes, covered, rmdirs, log); err != nil {
				return nil, st, err
			}
		}
		// Children before parents.
		sort.Slice(rmdirs, func(i, j int) bool { return rmdirs[i].path > rmdirs[j].path })
	}
	plan := append(mkdirs, settimes...)
	plan = append(plan, renames...)
	plan = append(plan, transfers...)
	plan = append(plan, deletes...)
	plan = append(plan, rmdirs...)
	return plan, st, nil
}

// planStats counts what the plan leaves alone.
type planStats struct {
	identical, skipped int
	sampled            int64
}

// compareForCopy decides what to do with a file present on both sides:
// "identical", "skip" (path holds the reason), "settime" or "update".
func compareForCopy(ctx context.Context, src, dst Fs, s, d Object, o SyncOptions) (action, int64, error) {
	se, de := s.Entry, d.Entry
	switch {
	case o.IgnoreExisting:
		return action{kind: "skip", path: "destination exists, skipping (--ignore-existing)"}, 0, nil
	case o.Update && de.ModTimeKnown && de.ModTime.Unix() > se.ModTime.Unix():
		return action{kind: "skip", path: "destination is newer than source, skipping (--update)"}, 0, nil
	case se.Size != de.Size:
		return action{kind: "update", src: s, dst: d}, 0, nil
	case o.SizeOnly:
		return action{kind: "identical"}, 0, nil
	}
	sameTime := se.ModTimeKnown && de.ModTimeKnown && sameSecond(se.ModTime, de.ModTime)
	if sameTime && !o.Checksum {
		// Same size and time. Fingerprints decide when both are at hand
		// without fetching content (local files are read, MEGA's are
		// stored): a rewritten file with a restored mtime is caught.
		if cheapFingerprint(src, se) && cheapFingerprint(dst, de) {
			sfp, _, _, err := src.Fingerprint(ctx, se)
			if err != nil {
				return action{}, 0, err
			}
			dfp, _, _, err := dst.Fingerprint(ctx, de)
			if err != nil {
				return action{}, 0, err
			}
			if !sfp.SameContent(dfp) {
				return action{kind: "update", src: s, dst: d}, 0, nil
			}
		}
		return action{kind: "identical"}, 0, nil
	}
	// Same size, different (or unknown) time: compare content
	// fingerprints; when they match only the time needs correcting.
	sfp, _, f1, err := src.Fingerprint(ctx, se)
	if err != nil {
		return action{}, f1, err
	}
	dfp, _, f2, err := dst.Fingerprint(ctx, de)
	if err != nil {
		return action{}, f1 + f2, err
	}
	if !sfp.SameContent(dfp) {
		return action{kind: "update", src: s, dst: d}, f1 + f2, nil
	}
	if sameTime {
		return action{kind: "identical"}, f1 + f2, nil
	}
	fp := dfp
	fp.ModTime = se.ModTime
	return action{kind: "settime", src: s, dst: d, fp: fp}, f1 + f2, nil
}

// cheapFingerprint reports whether a file's fingerprint comes without
// transferring content.
func cheapFingerprint(f Fs, e model.Entry) bool { return !f.Remote() || e.Fingerprint != "" }

type executor struct {
	ctx      context.Context
	src, dst Fs
	o        SyncOptions
	log      Logger
	res      *SyncResult
	dirs     map[string]model.Entry
	names    map[string]string // source folders' own names by path
	eng      *engine
}

func (x *executor) confirm(what, p string) bool {
	if x.o.Confirm == nil {
		return true
	}
	if x.o.Confirm(what, p) {
		return true
	}
	x.res.Skipped++
	return false
}

func (x *executor) run(plan []action) error {
	ctx, log := x.ctx, x.log
	var queued []action
	var queuedBytes int64
	var firstErr error
	limited := false
	flush := func() error {
		if len(queued) == 0 {
			return nil
		}
		err := x.transfer(queued)
		queued = nil
		return err
	}
	for _, a := range plan {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch a.kind {
		case "mkdir":
			if x.o.DryRun {
				log.Log(LevelNotice, a.path, "Skipped make directory as --dry-run is set")
				continue
			}
			if _, err := x.dir(a.path); err != nil {
				return err
			}
		case "settime":
			if x.o.DryRun {
				log.Log(LevelNotice, a.path, "Skipped update modification time as --dry-run is set")
				x.res.TimesSet++
				continue
			}
			if !x.confirm("update modification time of", a.path) {
				continue
			}
			if err := x.dst.SetModTime(ctx, a.dst.Entry, a.fp); err != nil {
				log.Log(LevelError, a.path, "failed to set modification time: %v", err)
				x.res.Failed++
				continue
			}
			x.res.TimesSet++
			log.Log(LevelInfo, a.path, "Updated modification time in destination")
		case "rename":
			x.rename(a)
		case "new", "update":
			size := a.src.Entry.Size
			if x.o.MaxTransfer > 0 && queuedBytes+size > x.o.MaxTransfer {
				limited = true
				x.res.Skipped++
				continue
			}
			if x.o.DryRun {
				verb := "copy"
				if a.kind == "update" {
					verb = "update"
				}
				log.Log(LevelNotice, a.path, "Skipped %s as --dry-run is set (size %s)", verb, sizeSuffix(size))
				x.count(a)
				queuedBytes += size // so a dry run stops where --max-transfer would
				continue
			}
			if !x.confirm(map[string]string{"new": "copy", "update": "replace"}[a.kind], a.path) {
				continue
			}
			if a.kind == "update" && x.o.Backup != nil {
				if err := x.backup(a.dst); err != nil {
					log.Log(LevelError, a.path, "failed to move to the backup folder: %v", err)
					x.res.Failed++
					continue
				}
			}
			queuedBytes += size
			queued = append(queued, a)
		case "delete", "rmdir":
			if err := flush(); err != nil {
				return err
			}
			if x.res.Failed > 0 {
				if firstErr == nil {
					log.Log(LevelError, "", "%v", ErrNotDeletingIOE)
					firstErr = ErrNotDeletingIOE
				}
				continue
			}
			x.remove(a)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if firstErr == nil && limited {
		firstErr = fmt.Errorf("%w (--max-transfer %s)", ErrMaxTransfer, sizeSuffix(x.o.MaxTransfer))
	}
	return firstErr
}

func (x *executor) count(a action) {
	if a.kind == "new" {
		x.res.New++
	} else {
		x.res.Updated++
	}
	x.res.Bytes += a.src.Entry.Size
}

// dir returns the destination folder at rel, creating it (and its
// parents) when missing.
func (x *executor) dir(rel string) (model.Entry, error) {
	if e, ok := x.dirs[rel]; ok {
		return e, nil
	}
	parent, err := x.dir(parentRel(rel))
	if err != nil {
		return model.Entry{}, err
	}
	name := baseRel(rel)
	if n, ok := x.names[rel]; ok {
		name = n // the source folder's own name
	}
	e, err := x.dst.Mkdir(x.ctx, parent.ID, name)
	if err != nil {
		return model.Entry{}, fmt.Errorf("make directory %s: %w", model.DisplayName(rel), err)
	}
	x.dirs[rel] = e
	x.res.DirsCreated++
	x.log.Log(LevelDebug, rel, "Made directory")
	return e, nil
}

// backup moves a destination entry into the backup tree, at its path.
func (x *executor) backup(o Object) error {
	broot, err := x.o.Backup.Root(x.ctx)
	if err != nil {
		return err
	}
	parent := broot
	if dir := parentRel(o.Path); dir != "" {
		cur := broot
		for _, part := range strings.Split(dir, "/") {
			es, err := x.o.Backup.List(x.ctx, cur.ID)
			if err != nil {
				return err
			}
			var next *model.Entry
			for i := range es {
				if es[i].Name == part && es[i].IsDir() {
					next = &es[i]
					break
				}
			}
			if next == nil {
				e, err := x.o.Backup.Mkdir(x.ctx, cur.ID, part)
				if err != nil {
					return err
				}
				next = &e
			}
			cur = *next
		}
		parent = cur
	}
	// An older backup of the same path makes room (to the Rubbish Bin).
	es, err := x.o.Backup.List(x.ctx, parent.ID)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Name == o.Entry.Name && !e.IsDir() {
			if err := x.o.Backup.Remove(x.ctx, e, false); err != nil {
				return err
			}
		}
	}
	return x.dst.Move(x.ctx, o.Entry, parent.ID, o.Entry.Name)
}

func (x *executor) remove(a action) {
	log := x.log
	what := "delete"
	if a.kind == "rmdir" {
		what = "remove directory"
	}
	if x.o.DryRun {
		if a.kind == "rmdir" {
			log.Log(LevelNotice, a.path, "Skipped remove directory as --dry-run is set (%d files)", a.covered)
			x.res.DirsRemoved++
			x.res.Deleted += a.covered
		} else {
			log.Log(LevelNotice, a.path, "Skipped delete as --dry-run is set (size %s)", sizeSuffix(a.dst.Entry.Size))
			x.res.Deleted++
		}
		return
	}
	if !x.confirm(what, a.path) {
		return
	}
	var err error
	switch {
	case x.o.Backup != nil && a.kind == "delete":
		err = x.backup(a.dst)
	case x.o.Backup != nil:
		// A folder's files go to the backup one by one.
		err = x.backupTree(a.dst)
	default:
		err = x.dst.Remove(x.ctx, a.dst.Entry, x.o.Permanent)
	}
	if err != nil {
		log.Log(LevelError, a.path, "failed to %s: %v", what, err)
		x.res.Failed++
		return
	}
	if a.kind == "rmdir" {
		x.res.DirsRemoved++
		x.res.Deleted += a.covered
		log.Log(LevelInfo, a.path, "Removed directory")
	} else {
		x.res.Deleted++
		log.Log(LevelInfo, a.path, "Deleted")
	}
}

// backupTree moves every file under a destination folder to the backup
// tree, then removes the emptied folder.
func (x *executor) backupTree(dir Object) error {
	var walk func(o Object, depth int) error
	walk = func(o Object, depth int) error {
		if depth > maxDepth {
			return fmt.Errorf("%s: %w: more than %d levels", o.Path, model.ErrTooDeep, maxDepth)
		}
		es, err := x.dst.List(x.ctx, o.Entry.ID)
		if err != nil {
			return err
		}
		for _, e := range es {
			child := Object{Path: join(o.Path, e.Name), Entry: e}
			if e.IsDir() {
				if err := walk(child, depth+1); err != nil {
					return err
				}
				continue
			}
			if err := x.backup(child); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(dir, 0); err != nil {
		return err
	}
	return x.dst.Remove(x.ctx, dir.Entry, x.o.Permanent)
}

// sizeSuffix formats a size as rclone's logs do ("1.234Ki", "12").
func sizeSuffix(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d", n)
	}
	units := []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}
	v := float64(n)
	i := -1
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.3f%s", v, units[i])
}

// trackRenames pairs new files with deleted ones of the same size and
// fingerprint (both known without a download) and turns each pair into a
// rename of the destination's copy.
func trackRenames(ctx context.Context, src, dst Fs, transfers, deletes, covered, rmdirs []action, log Logger) ([]action, []action, []action, error) {
	sizes := map[int64]bool{}
	for _, t := range transfers {
		if t.kind == "new" {
			sizes[t.src.Entry.Size] = true
		}
	}
	type cand struct {
		a    action
		used bool
	}
	byKey := map[string][]*cand{}
	key := func(fp model.Fingerprint) string { return fmt.Sprintf("%d/%x", fp.Size, fp.CRC) }
	for _, d := range append(append([]action{}, deletes...), covered...) {
		if !sizes[d.dst.Entry.Size] || !cheapFingerprint(dst, d.dst.Entry) {
			continue
		}
		fp, _, _, err := dst.Fingerprint(ctx, d.dst.Entry)
		if err != nil {
			return nil, nil, nil, err
		}
		byKey[key(fp)] = append(byKey[key(fp)], &cand{a: d})
	}
	if len(byKey) == 0 {
		return transfers, deletes, nil, nil
	}
	var renames, kept []action
	usedDeletes := map[string]bool{}
	for _, t := range transfers {
		if t.kind != "new" || !sizes[t.src.Entry.Size] || !cheapFingerprint(src, t.src.Entry) {
			kept = append(kept, t)
			continue
		}
		fp, _, _, err := src.Fingerprint(ctx, t.src.Entry)
		if err != nil {
			return nil, nil, nil, err
		}
		var pick *cand
		for _, c := range byKey[key(fp)] {
			if !c.used {
				pick = c
				break
			}
		}
		if pick == nil {
			kept = append(kept, t)
			continue
		}
		pick.used = true
		fp.ModTime = t.src.Entry.ModTime
		renames = append(renames, action{kind: "rename", path: t.path, src: t.src, dst: pick.a.dst, fp: fp})
		if pick.a.fromDir == "" {
			usedDeletes[pick.a.path] = true
		} else {
			for i := range rmdirs {
				if rmdirs[i].path == pick.a.fromDir {
					rmdirs[i].covered--
				}
			}
		}
		log.Log(LevelDebug, t.path, "renamed from %s", model.DisplayName(pick.a.path))
	}
	var left []action
	for _, d := range deletes {
		if !usedDeletes[d.path] {
			left = append(left, d)
		}
	}
	return kept, left, renames, nil
}

// rename moves a destination file to its new path (and corrects its
// time when the source's differs).
func (x *executor) rename(a action) {
	log := x.log
	if x.o.DryRun {
		log.Log(LevelNotice, a.path, "Skipped rename from %s as --dry-run is set", model.DisplayName(a.dst.Path))
		x.res.Renamed++
		return
	}
	if !x.confirm("rename "+a.dst.Path+" to", a.path) {
		return
	}
	dir, err := x.dir(parentRel(a.path))
	if err == nil {
		err = x.dst.Move(x.ctx, a.dst.Entry, dir.ID, a.src.Entry.Name)
	}
	if err != nil {
		log.Log(LevelError, a.path, "failed to rename from %s: %v", model.DisplayName(a.dst.Path), err)
		x.res.Failed++
		return
	}
	x.res.Renamed++
	log.Log(LevelInfo, a.path, "Renamed from %s (no transfer)", model.DisplayName(a.dst.Path))
	moved := a.dst.Entry
	moved.ParentID, moved.Name = dir.ID, a.src.Entry.Name
	if !x.dst.Remote() {
		moved.ID = filepath.Join(dir.ID, a.src.Entry.Name)
	}
	if !moved.ModTimeKnown || !sameSecond(moved.ModTime, a.src.Entry.ModTime) {
		if err := x.dst.SetModTime(x.ctx, moved, a.fp); err != nil {
			log.Log(LevelError, a.path, "failed to set modification time: %v", err)
		}
	}
}
