package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/megatui/megatui/model"
)

// copyTempPrefix starts the name of the private folder that holds the
// temporary file of one MEGA to MEGA copy.
const copyTempPrefix = "megatui-copy-"

// wasCopied reports whether the journal says the move job key finished its
// copy (but not its removal of the source).
func (p *journaledRequest) wasCopied(key string) bool {
	if p == nil {
		return false
	}
	_, ok := p.copied[key]
	return ok
}

// tempDir is where MEGA to MEGA copies keep their temporary files.
func (e *Engine) tempDir() string {
	switch {
	case e.opts.TempDir != "":
		return e.opts.TempDir
	case e.opts.JournalPath != "":
		return filepath.Dir(e.opts.JournalPath)
	}
	return os.TempDir()
}

// remoteCopy copies a MEGA file to a MEGA folder of the same account
// through a temporary local file: it decides the target like an upload
// (conflicts, and on a retry the adoption of a node an earlier attempt
// stored), downloads the file into a private folder (0700) with its MAC
// verified, uploads it with the original modification time (so the new
// node has the same fingerprint), and removes the temporary file whatever
// happens. Progress counts both halves.
func (e *Engine) remoteCopy(ctx context.Context, j *job) (outcome, error) {
	rem := e.opts.Remote
	src := j.src.Entry
	size := src.Size
	mtime := src.ModTime
	if !src.ModTimeKnown {
		mtime = src.UploadTime
	}
	if !j.started {
		j.partial = filepath.Join(e.tempDir(), copyTempPrefix+j.token, PartialPrefix+j.token)
	}
	incoming := src
	incoming.Name = j.name
	parent, out, err := e.remoteTarget(ctx, j, size, mtime, src.Fingerprint, incoming)
	if err != nil || out != nil {
		return deref(out), err
	}

	dir := filepath.Dir(j.partial)
	_ = os.RemoveAll(dir) // a stale one from an earlier attempt
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return outcome{}, translateLocal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return outcome{}, translateLocal(err)
	}
	defer os.RemoveAll(dir)
	f, err := os.OpenFile(j.partial, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	defer f.Close()
	var w io.WriterAt = f
	if e.bucket != nil {
		w = limitedWriterAt{ctx: ctx, w: f, b: e.bucket}
	}
	if err := rem.Download(ctx, src.ID, w, func(n int64) { e.progress(j, n) }); err != nil {
		return outcome{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return outcome{}, translateLocal(err)
	}
	if fi.Size() != size {
		return outcome{}, fmt.Errorf("downloaded %d bytes of %s, want %d: %w", fi.Size(), src.Name, size, model.ErrIntegrity)
	}
	var r io.ReaderAt = f
	if e.bucket != nil {
		r = limitedReaderAt{ctx: ctx, r: f, b: e.bucket}
	}
	if _, err := rem.Upload(ctx, parent, j.target, r, size, mtime, func(n int64) { e.progress(j, n) }); err != nil {
		return outcome{}, err
	}
	return outcome{}, e.trashOld(ctx, j)
}

// removeSource removes the source of a move whose copy is done: a local
// file is deleted, a MEGA node is moved to the Rubbish Bin (never deleted
// for good). A source that is already gone is fine (a crash may have come
// right after its removal). A local file that changed since it was copied
// is kept, and the job fails.
func (e *Engine) removeSource(ctx context.Context, j *job) error {
	if j.src.Remote {
		if err := e.opts.Remote.Trash(ctx, j.src.Entry.ID); err != nil && !errors.Is(err, model.ErrNotFound) {
			return fmt.Errorf("copied, but moving the source to the rubbish bin failed: %w", err)
		}
		return nil
	}
	fi, err := os.Lstat(j.src.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("copied, but the source could not be checked: %w", translateLocal(err))
	}
	if !j.srcMtime.IsZero() && (fi.Size() != j.srcSize || !fi.ModTime().Equal(j.srcMtime)) {
		return fmt.Errorf("copied, but %s changed meanwhile, so it is kept: %w", j.src.Path, model.ErrExists)
	}
	if err := os.Remove(j.src.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("copied, but removing the source failed: %w", translateLocal(err))
	}
	return nil
}

// removeEmptiedFolders ends a folder move: every folder of the source that
// holds no file any more (files whose move failed or was skipped stay, with
// their folders) is removed; on MEGA the emptied folders go to the Rubbish
// Bin. The source folder itself goes too, unless the request moves its
// contents.
func (e *Engine) removeEmptiedFolders(ctx context.Context, r *reqRun) {
	// A contents request (rclone's "move SRC DST") keeps SRC itself.
	keepRoot := r.req.Contents
	if r.req.Src.Remote {
		root := r.req.Src.Entry.ID
		if !keepRoot {
			if empty, err := e.pruneRemote(ctx, root); err == nil && empty {
				_ = e.retryCall(ctx, func() error { return e.opts.Remote.Trash(ctx, root) })
			}
			return
		}
		ents, err := e.listRetry(ctx, root)
		if err != nil {
			return
		}
		for _, en := range ents {
			if en.Kind != model.KindDir {
				continue
			}
			if empty, err := e.pruneRemote(ctx, en.ID); err == nil && empty {
				_ = e.retryCall(ctx, func() error { return e.opts.Remote.Trash(ctx, en.ID) })
			}
		}
		return
	}
	if !keepRoot {
		pruneLocal(r.req.Src.Path)
		return
	}
	ents, _ := os.ReadDir(r.req.Src.Path)
	for _, de := range ents {
		if de.Type().IsDir() {
			pruneLocal(filepath.Join(r.req.Src.Path, de.Name()))
		}
	}
}

// pruneRemote sends the empty folder trees below id to the Rubbish Bin and
// reports whether id itself holds no file (then its caller trashes it
// whole).
func (e *Engine) pruneRemote(ctx context.Context, id string) (bool, error) {
	ents, err := e.listRetry(ctx, id)
	if err != nil {
		return false, err
	}
	empty := true
	var emptied []string
	for _, en := range ents {
		if en.Kind != model.KindDir {
			empty = false
			continue
		}
		sub, err := e.pruneRemote(ctx, en.ID)
		if err != nil {
			return false, err
		}
		if sub {
			emptied = append(emptied, en.ID)
		} else {
			empty = false
		}
	}
	if !empty {
		for _, sub := range emptied {
			if err := e.retryCall(ctx, func() error { return e.opts.Remote.Trash(ctx, sub) }); err != nil {
				return false, err
			}
		}
	}
	return empty, nil
}

// pruneLocal removes the empty folders below and including dir, deepest
// first; folders that still hold something stay.
func pruneLocal(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, de := range ents {
		if de.Type().IsDir() {
			pruneLocal(filepath.Join(dir, de.Name()))
		}
	}
	return os.Remove(dir) == nil
}
