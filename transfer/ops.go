package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/megatui/megatui/model"
)

// existsChecker is implemented by remotes that can tell, waiting briefly
// for the server's pending change notifications, whether parent holds a
// file called name with this size and fingerprint (megaclient.Client does).
type existsChecker interface {
	Exists(ctx context.Context, parent, name string, size int64, fingerprint string) (model.Entry, bool, error)
}

type outcomeKind int

const (
	outcomeDone outcomeKind = iota
	outcomeSkipped
	outcomeAsk
)

type outcome struct {
	kind outcomeKind
	// identical: skipped because the target already holds an identical
	// file (a move then removes its source, as after a copy).
	identical bool
	reason    string
	question  *Question
}

func skipped(reason string) (outcome, error) {
	return outcome{kind: outcomeSkipped, reason: reason}, nil
}

// identicalExists ends a job whose target already holds the same file.
func identicalExists() (outcome, error) {
	return outcome{kind: outcomeSkipped, reason: "identical file exists", identical: true}, nil
}

// policyFor is the conflict policy that applies to j now.
func (e *Engine) policyFor(j *job) model.Conflict {
	if j.resolution != model.ConflictDefault {
		return j.resolution
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return j.req.policy
}

func ask(j *job, existing, incoming model.Entry) (outcome, error) {
	return outcome{kind: outcomeAsk, question: &Question{JobID: j.id, Name: j.name, Existing: existing, Incoming: incoming}}, nil
}

// reserve claims a target name for j among the engine's running jobs; it
// reports false when another job holds it.
func (e *Engine) reserve(j *job, parent, name string) bool {
	key := parent + "\x00" + name
	e.mu.Lock()
	defer e.mu.Unlock()
	if holder, ok := e.reserved[key]; ok && holder != j.id {
		return false
	}
	if j.reserved != "" && j.reserved != key {
		delete(e.reserved, j.reserved)
	}
	e.reserved[key] = j.id
	j.reserved = key
	return true
}

func (e *Engine) upload(ctx context.Context, j *job) (outcome, error) {
	f, err := os.Open(j.src.Path)
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	if !fi.Mode().IsRegular() {
		return outcome{}, fmt.Errorf("%s: %w", j.src.Path, model.ErrIsDir)
	}
	size, mtime := fi.Size(), fi.ModTime()
	e.setSize(j, size)
	if j.fp == "" {
		if j.fp, err = e.opts.Fingerprint(j.src.Path, size, mtime); err != nil {
			return outcome{}, fmt.Errorf("fingerprint %s: %w", j.src.Path, err)
		}
	}
	j.srcSize, j.srcMtime = size, mtime
	incoming := model.Entry{Name: j.name, Kind: model.KindFile, Size: size, ModTime: mtime, ModTimeKnown: true}
	parent, out, err := e.remoteTarget(ctx, j, size, mtime, j.fp, incoming)
	if err != nil || out != nil {
		return deref(out), err
	}

	var src io.ReaderAt = f
	if e.bucket != nil {
		src = limitedReaderAt{ctx: ctx, r: f, b: e.bucket}
	}
	ent, err := e.sendFile(ctx, j, parent, src, size, mtime)
	if cerr := sourceChanged(j.src.Path, size, mtime); cerr != nil && ctx.Err() == nil {
		if err == nil {
			// Stored, but from a file that changed under the reads: not
			// a copy of anything. Into the Rubbish Bin with it.
			_ = e.opts.Remote.Trash(ctx, ent.ID)
		}
		return outcome{}, e.changedSource(j, cerr)
	}
	if err != nil {
		return outcome{}, err
	}
	return outcome{}, e.trashOld(ctx, j)
}

// sourceChanged reports how a local file differs from the size and mtime
// it had when its upload started (nil if it does not).
func sourceChanged(path string, size int64, mtime time.Time) error {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%s vanished during upload: %w", path, translateLocal(err))
	case fi.Size() != size:
		return fmt.Errorf("%s changed during upload: %d bytes, now %d", path, size, fi.Size())
	case !fi.ModTime().Equal(mtime):
		return fmt.Errorf("%s changed during upload: modified at %s", path, fi.ModTime().Format(time.RFC3339))
	}
	return nil
}

// changedSource turns a source change into the job's error: the first
// time it is retried (with the file as it is then), the second it fails.
func (e *Engine) changedSource(j *job, err error) error {
	e.mu.Lock()
	j.srcChanges++
	n := j.srcChanges
	e.mu.Unlock()
	j.fp = "" // the next attempt fingerprints the file anew
	// and sends it whole: chunks read before the change are void.
	j.chunks.mu.Lock()
	j.chunks.cur = model.ChunkResume{}
	j.chunks.mu.Unlock()
	if n > 1 {
		return fmt.Errorf("%w; not uploaded", err)
	}
	return fmt.Errorf("%w: %w", err, model.ErrTryAgain)
}

// remoteTarget decides where a new MEGA file goes (its folder, created if
// needed, and its name under the job's conflict policy) and journals the
// decision. It returns a non-nil outcome when the job ends without
// sending anything: skipped, waiting for an answer, a dry run, or adopted
// (a retry found the node an earlier attempt stored).
func (e *Engine) remoteTarget(ctx context.Context, j *job, size int64, mtime time.Time, fp string, incoming model.Entry) (string, *outcome, error) {
	rem := e.opts.Remote
	end := func(o outcome, err error) (string, *outcome, error) { return "", &o, err }
	if j.parentID == "" {
		var err error
		if j.parentID, err = e.remoteDir(ctx, j.req, j.relDir); err != nil {
			return "", nil, err
		}
	}
	parent := j.parentID
	if parent == "" { // dry run: the folder does not exist yet
		j.target = j.name
		return end(e.dryRun(j))
	}

	if j.started {
		// An earlier attempt (possibly in a previous run) may have stored
		// the file even though its completion reply was lost: adopt a
		// matching node that was not there before instead of uploading a
		// duplicate.
		ents, err := rem.Lookup(ctx, parent, j.target)
		if err != nil {
			return "", nil, err
		}
		for _, en := range ents {
			if !contains(j.before, en.ID) && identicalRemote(en, size, mtime, fp) {
				return end(outcome{}, e.trashOld(ctx, j))
			}
		}
		// The remote's view may lag behind the server (MEGA reports new
		// nodes through action packets); a remote that can wait for them
		// gets the final say.
		if ex, ok := rem.(existsChecker); ok {
			en, found, err := ex.Exists(ctx, parent, j.target, size, fp)
			if err != nil {
				return "", nil, err
			}
			if found && !contains(j.before, en.ID) {
				return end(outcome{}, e.trashOld(ctx, j))
			}
		}
	} else {
		j.trash, j.before = nil, nil
		ents, err := rem.Lookup(ctx, parent, j.name)
		if err != nil {
			return "", nil, err
		}
		j.target = j.name
		if len(ents) > 0 {
			for _, en := range ents {
				if identicalRemote(en, size, mtime, fp) {
					return end(identicalExists())
				}
			}
			switch e.policyFor(j) {
			case model.ConflictSkip:
				return end(skipped("target exists"))
			case model.ConflictAsk:
				return end(ask(j, ents[0], incoming))
			case model.ConflictOverwrite:
				for _, en := range ents {
					if en.Kind == model.KindDir {
						return "", nil, fmt.Errorf("cannot overwrite folder %q with a file: %w", j.name, model.ErrIsDir)
					}
					j.trash = append(j.trash, en.ID)
				}
			case model.ConflictRename:
				if j.target, ents, err = e.freeRemoteName(ctx, j, parent); err != nil {
					return "", nil, err
				}
			}
		}
		if !e.reserve(j, parent, j.target) {
			return "", nil, fmt.Errorf("another transfer is writing %q: %w", j.target, model.ErrTryAgain)
		}
		for _, en := range ents {
			j.before = append(j.before, en.ID)
		}
		if e.opts.DryRun {
			return end(e.dryRun(j))
		}
		if err := e.markStarted(j); err != nil {
			return "", nil, err
		}
	}

	return parent, nil, nil
}

// trashOld moves the files an overwrite replaces to the Rubbish Bin, after
// the new one is safely stored.
func (e *Engine) trashOld(ctx context.Context, j *job) error {
	for len(j.trash) > 0 {
		if err := e.opts.Remote.Trash(ctx, j.trash[0]); err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("new copy stored, but moving the old one to the rubbish bin failed: %w", err)
		}
		j.trash = j.trash[1:]
	}
	return nil
}

// freeRemoteName finds "name (n).ext" not used in parent and returns it with
// the (empty) list of nodes that hold it.
func (e *Engine) freeRemoteName(ctx context.Context, j *job, parent string) (string, []model.Entry, error) {
	for n := 1; ; n++ {
		cand := renamed(j.name, n)
		ents, err := e.opts.Remote.Lookup(ctx, parent, cand)
		if err != nil {
			return "", nil, err
		}
		if len(ents) == 0 && e.reserve(j, parent, cand) {
			return cand, nil, nil
		}
	}
}

func (e *Engine) move(ctx context.Context, j *job) (outcome, error) {
	rem := e.opts.Remote
	dst := j.req.req.DstDir.Entry.ID
	src := j.src.Entry
	if dst == "" && e.opts.DryRun { // the folder does not exist yet
		j.target = j.name
		return e.dryRun(j)
	}
	if !j.started {
		j.trash, j.before = nil, nil
		ents, err := rem.Lookup(ctx, dst, j.name)
		if err != nil {
			return outcome{}, err
		}
		others := ents[:0]
		for _, en := range ents {
			if en.ID != src.ID {
				others = append(others, en)
			}
		}
		if len(ents) > len(others) && src.Name == j.name {
			return skipped("already there")
		}
		j.target = j.name
		if len(others) > 0 {
			for _, en := range others {
				if src.Kind == model.KindFile && identicalRemote(en, src.Size, src.ModTime, src.Fingerprint) && (src.ModTimeKnown || src.Fingerprint != "") {
					return skipped("identical file exists")
				}
			}
			switch e.policyFor(j) {
			case model.ConflictSkip:
				return skipped("target exists")
			case model.ConflictAsk:
				return ask(j, others[0], src)
			case model.ConflictOverwrite:
				for _, en := range others {
					if en.Kind != src.Kind {
						return outcome{}, fmt.Errorf("cannot overwrite a %s with a %s: %w", en.Kind, src.Kind, model.ErrExists)
					}
					j.trash = append(j.trash, en.ID)
				}
			case model.ConflictRename:
				var err error
				if j.target, _, err = e.freeRemoteName(ctx, j, dst); err != nil {
					return outcome{}, err
				}
			}
		}
		j.parentID = dst
		if e.opts.DryRun {
			return e.dryRun(j)
		}
		if err := e.markStarted(j); err != nil {
			return outcome{}, err
		}
	}
	// Moving to the folder it is already in and renaming to the name it
	// already has are harmless, so a retry simply repeats both.
	if err := rem.Move(ctx, src.ID, dst); err != nil {
		return outcome{}, err
	}
	if j.target != src.Name {
		if err := rem.Rename(ctx, src.ID, j.target); err != nil {
			return outcome{}, err
		}
	}
	return outcome{}, e.trashOld(ctx, j)
}

// localTarget decides the final local path of a download or local copy.
// It returns an outcome when the job ends (or asks) without writing.
func (e *Engine) localTarget(j *job, dir string, incoming model.Entry, identical func(os.FileInfo) bool) (*outcome, error) {
	j.target = j.name
	fi, err := os.Lstat(filepath.Join(dir, j.name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, translateLocal(err)
	}
	if fi.Mode().IsRegular() && identical(fi) {
		out, _ := identicalExists()
		return &out, nil
	}
	switch e.policyFor(j) {
	case model.ConflictSkip:
		out, _ := skipped("target exists")
		return &out, nil
	case model.ConflictAsk:
		existing := model.Entry{Name: fi.Name(), Kind: model.KindFile, Size: fi.Size(), ModTime: fi.ModTime(), ModTimeKnown: true, ID: filepath.Join(dir, j.name)}
		if fi.IsDir() {
			existing.Kind = model.KindDir
		}
		out, _ := ask(j, existing, incoming)
		return &out, nil
	case model.ConflictOverwrite:
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("cannot overwrite %s: not a regular file: %w", filepath.Join(dir, j.name), model.ErrExists)
		}
	case model.ConflictRename:
		for n := 1; ; n++ {
			cand := renamed(j.name, n)
			if _, err := os.Lstat(filepath.Join(dir, cand)); errors.Is(err, os.ErrNotExist) && e.reserve(j, dir, cand) {
				j.target = cand
				break
			}
		}
	}
	return nil, nil
}

func (e *Engine) download(ctx context.Context, j *job) (outcome, error) {
	src := j.src.Entry
	dir := filepath.Join(j.req.req.DstDir.Path, filepath.FromSlash(j.relDir))
	if err := e.mkdirLocal(dir); err != nil {
		return outcome{}, err
	}
	if !j.started {
		out, err := e.localTarget(j, dir, src, func(fi os.FileInfo) bool {
			if fi.Size() != src.Size {
				return false
			}
			if src.Fingerprint != "" {
				fp, err := e.opts.Fingerprint(filepath.Join(dir, j.name), fi.Size(), fi.ModTime())
				return err == nil && fp == src.Fingerprint
			}
			return src.ModTimeKnown && sameTime(fi.ModTime(), src.ModTime)
		})
		if err != nil || out != nil {
			return deref(out), err
		}
		if e.opts.DryRun {
			return e.dryRun(j)
		}
		j.partial = partialPath(dir, j.token)
		if err := e.markStarted(j); err != nil {
			return outcome{}, err
		}
	} else if src.Fingerprint != "" {
		// An earlier attempt may have put the file in place just before
		// a crash, without its end reaching the journal.
		final := filepath.Join(dir, j.target)
		if fi, err := os.Lstat(final); err == nil && fi.Mode().IsRegular() && fi.Size() == src.Size {
			if fp, err := e.opts.Fingerprint(final, fi.Size(), fi.ModTime()); err == nil && fp == src.Fingerprint {
				return outcome{}, nil
			}
		}
	}
	write := func(f *os.File) error {
		var w io.WriterAt = f
		if e.bucket != nil {
			w = limitedWriterAt{ctx: ctx, w: f, b: e.bucket}
		}
		return e.fetchFile(ctx, j, src.ID, f, w)
	}
	mtime := src.ModTime
	if !src.ModTimeKnown {
		mtime = src.UploadTime
	}
	return outcome{}, e.writeLocal(j, dir, src.Size, mtime, write)
}

func (e *Engine) localCopy(ctx context.Context, j *job) (outcome, error) {
	in, err := os.Open(j.src.Path)
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	size, mtime := fi.Size(), fi.ModTime()
	e.setSize(j, size)
	j.srcSize, j.srcMtime = size, mtime
	dir := filepath.Join(j.req.req.DstDir.Path, filepath.FromSlash(j.relDir))
	if err := e.mkdirLocal(dir); err != nil {
		return outcome{}, err
	}
	if !j.started {
		incoming := model.Entry{Name: j.name, Kind: model.KindFile, Size: size, ModTime: mtime, ModTimeKnown: true, ID: j.src.Path}
		out, err := e.localTarget(j, dir, incoming, func(o os.FileInfo) bool {
			return o.Size() == size && sameTime(o.ModTime(), mtime)
		})
		if err != nil || out != nil {
			return deref(out), err
		}
		if sameFile(filepath.Join(dir, j.target), fi) {
			return skipped("source and target are the same file")
		}
		if e.opts.DryRun {
			return e.dryRun(j)
		}
		j.partial = partialPath(dir, j.token)
		if err := e.markStarted(j); err != nil {
			return outcome{}, err
		}
	}
	write := func(f *os.File) error {
		var w io.Writer = f
		buf := make([]byte, 1<<20)
		for off := int64(0); ; {
			n, rerr := in.ReadAt(buf, off)
			if n > 0 {
				if err := e.bucket.wait(ctx, n); err != nil {
					return err
				}
				if _, err := w.Write(buf[:n]); err != nil {
					return err
				}
				off += int64(n)
				e.progress(j, int64(n))
			}
			if errors.Is(rerr, io.EOF) {
				return nil
			}
			if rerr != nil {
				return rerr
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return outcome{}, e.writeLocal(j, dir, size, mtime, write)
}

func sameFile(p string, fi os.FileInfo) bool {
	o, err := os.Stat(p)
	return err == nil && os.SameFile(o, fi)
}

func deref(o *outcome) outcome {
	if o == nil {
		return outcome{}
	}
	return *o
}

// writeLocal writes a file through a partial file next to its target and
// renames it into place only once write succeeded (for downloads: once the
// MAC verified) and the size matches; on any failure the partial file is
// removed, so no partial content ever sits under the final name.
func (e *Engine) writeLocal(j *job, dir string, size int64, mtime time.Time, write func(*os.File) error) error {
	var f *os.File
	var err error
	if j.dir == model.Download && j.chunks.hasChunks() {
		// Go on in the partial file an earlier attempt left.
		f, err = os.OpenFile(j.partial, os.O_RDWR|os.O_CREATE, 0o666)
	} else {
		removePartial(j.partial)
		f, err = os.OpenFile(j.partial, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
	}
	if err != nil {
		return translateLocal(err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(j.partial); err == nil && fi.Size() != size {
			err = fmt.Errorf("wrote %d bytes, want %d: %w", fi.Size(), size, model.ErrIntegrity)
		}
	}
	if err == nil && !mtime.IsZero() {
		err = os.Chtimes(j.partial, mtime, mtime)
	}
	if err == nil {
		err = e.placeLocal(j, dir)
	}
	if err != nil {
		if !e.keepPartial(j, err) {
			_ = os.Remove(j.partial)
		}
		return err
	}
	return nil
}

// placeLocal renames the finished partial file to its target. Unless the
// job overwrites, it never replaces a file that appeared in the meantime.
func (e *Engine) placeLocal(j *job, dir string) error {
	final := filepath.Join(dir, j.target)
	if e.policyFor(j) == model.ConflictOverwrite && j.target == j.name {
		return translateLocal(os.Rename(j.partial, final))
	}
	for n := 0; ; n++ {
		err := os.Link(j.partial, final)
		if err == nil {
			return translateLocal(os.Remove(j.partial))
		}
		if !errors.Is(err, os.ErrExist) {
			// No hard links here: check, then rename.
			if _, serr := os.Lstat(final); serr == nil {
				return fmt.Errorf("%s appeared during the transfer: %w", final, model.ErrExists)
			}
			return translateLocal(os.Rename(j.partial, final))
		}
		if e.policyFor(j) != model.ConflictRename {
			return fmt.Errorf("%s appeared during the transfer: %w", final, model.ErrExists)
		}
		j.target = renamed(j.name, n+2)
		final = filepath.Join(dir, j.target)
	}
}

// dryRun ends a job that has decided its target without doing anything.
func (e *Engine) dryRun(j *job) (outcome, error) {
	verb := map[model.Direction]string{model.Upload: "upload", model.Download: "download", model.RemoteMove: "move", model.LocalCopy: "copy", model.RemoteCopy: "copy"}[j.dir]
	switch {
	case j.req.moveSrc:
		verb += " and remove the source"
	}
	if j.target != "" && j.target != j.name {
		return skipped(fmt.Sprintf("dry run: would %s as %q", verb, j.target))
	}
	if len(j.trash) > 0 {
		return skipped(fmt.Sprintf("dry run: would %s, replacing the existing file", verb))
	}
	return skipped("dry run: would " + verb)
}

// mkdirLocal creates a local folder, except in a dry run.
func (e *Engine) mkdirLocal(p string) error {
	if e.opts.DryRun {
		return nil
	}
	return mkdirLocal(p)
}
