// Package localfs is the local disk behind the same operations megaclient
// offers for MEGA: List, Stat, Mkdir, Rename, Move, Remove, Open and
// Create. Entries carry mtime, size and mode; symlinks are reported as
// symlinks (with their target) and never followed, so a listing cannot
// loop. Errors are model sentinels (ErrNotFound for vanished files,
// ErrPermission, ErrExists, ...) wrapped with the path.
package localfs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/megatui/megatui/model"
)

// FS is the local filesystem. The zero value is ready to use.
type FS struct{}

// New returns the local filesystem.
func New() *FS { return &FS{} }

// Translate maps an OS error to the model sentinel it stands for
// (model.ErrNotFound, ErrExists, ErrPermission, ErrNotDir, ErrIsDir,
// ErrDiskFull, ErrCancelled), keeping err in the chain and in the message. Errors of no
// known kind, and nil, are returned as they are. This is the one
// translation of local file system errors.
func Translate(err error) error {
	s := sentinel("", err)
	if err == nil || s == nil || errors.Is(err, s) {
		return err
	}
	return fmt.Errorf("%w: %w", s, err)
}

// sentinel is the model sentinel of an OS error of operation op, or nil.
func sentinel(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return model.ErrCancelled
	case errors.Is(err, fs.ErrNotExist):
		return model.ErrNotFound
	case errors.Is(err, fs.ErrExist), errors.Is(err, syscall.ENOTEMPTY):
		return model.ErrExists
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return model.ErrPermission
	case errors.Is(err, syscall.ENOTDIR):
		return model.ErrNotDir
	case errors.Is(err, syscall.EISDIR):
		return model.ErrIsDir
	case errors.Is(err, syscall.EINVAL) && op == "move":
		return model.ErrCircular
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return model.ErrDiskFull
	}
	return nil
}

// translate is Translate for the operations of FS: the message names the
// operation and the path once.
func translate(op, path string, err error) error {
	if err == nil {
		return nil
	}
	s := sentinel(op, err)
	if s == nil || errors.Is(err, s) {
		return fmt.Errorf("%s %s: %w", op, model.DisplayName(path), err)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return fmt.Errorf("%s %s: %w (%v)", op, model.DisplayName(path), s, err)
}

// entry builds a model entry from Lstat information.
func entry(path string, fi fs.FileInfo) model.Entry {
	e := model.Entry{
		Name:         fi.Name(),
		Size:         fi.Size(),
		ModTime:      fi.ModTime(),
		ModTimeKnown: true,
		ID:           path,
		Mode:         uint32(fi.Mode().Perm()),
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		e.Kind, e.Size = model.KindDir, 0
	case m&fs.ModeSymlink != 0:
		e.Kind = model.KindSymlink
		e.Target, _ = os.Readlink(path)
	case m.IsRegular():
		e.Kind = model.KindFile
	default:
		e.Kind = model.KindOther
	}
	return e
}

// List returns the entries of a folder sorted by name. An entry that
// vanishes between reading the folder and looking at it is left out.
func (*FS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, translate("list", dir, err)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, translate("list", dir, err)
	}
	out := make([]model.Entry, 0, len(des))
	for i, de := range des {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, translate("list", dir, err)
			}
		}
		p := filepath.Join(dir, de.Name())
		fi, err := os.Lstat(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, translate("list", p, err)
		}
		out = append(out, entry(p, fi))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Stat describes one path without following a final symlink.
func (*FS) Stat(ctx context.Context, path string) (model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return model.Entry{}, translate("stat", path, err)
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return model.Entry{}, translate("stat", path, err)
	}
	return entry(path, fi), nil
}

// Mkdir creates a folder called name (made safe with model.LocalName) in
// parent and returns it.
func (f *FS) Mkdir(ctx context.Context, parent, name string) (model.Entry, error) {
	p, err := model.SafeJoin(parent, name)
	if err != nil {
		return model.Entry{}, fmt.Errorf("mkdir: %w", err)
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		return model.Entry{}, translate("mkdir", p, err)
	}
	return f.Stat(ctx, p)
}

// MkdirAll creates a folder path with its parents.
func (f *FS) MkdirAll(ctx context.Context, path string) (model.Entry, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return model.Entry{}, translate("mkdir", path, err)
	}
	return f.Stat(ctx, path)
}

// Rename gives path a new name (made safe) in the same folder; an existing
// entry of that name is an error (ErrExists), never replaced.
func (*FS) Rename(ctx context.Context, path, name string) error {
	dst, err := model.SafeJoin(filepath.Dir(path), name)
	if err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	return renameNoReplace(path, dst, "rename")
}

// Move moves path into folder dir, keeping its name.
func (*FS) Move(ctx context.Context, path, dir string) error {
	dst := filepath.Join(dir, filepath.Base(path))
	abs, _ := filepath.Abs(path)
	absDst, _ := filepath.Abs(dir)
	if rel, err := filepath.Rel(abs, absDst); err == nil && (rel == "." || filepath.IsLocal(rel)) {
		return fmt.Errorf("move %s: %w", model.DisplayName(path), model.ErrCircular)
	}
	return renameNoReplace(path, dst, "move")
}

func renameNoReplace(src, dst, op string) error {
	if _, err := os.Lstat(src); err != nil {
		return translate(op, src, err)
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s %s: %w", op, model.DisplayName(dst), model.ErrExists)
	}
	if err := os.Rename(src, dst); err != nil {
		return translate(op, src, err)
	}
	return nil
}

// Remove deletes a file, symlink (not its target) or a folder with its
// content.
func (*FS) Remove(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err != nil {
		return translate("remove", path, err)
	}
	if err := os.RemoveAll(path); err != nil {
		return translate("remove", path, err)
	}
	return nil
}

// Open opens a file for reading. A folder is ErrIsDir.
func (*FS) Open(ctx context.Context, path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, translate("open", path, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", model.DisplayName(path), model.ErrIsDir)
	}
	return f, nil
}

// Writer is a file being created: content goes to a temporary file in the
// target folder, which Commit renames into place; Abort (or a failed
// Commit) removes it, so no partial file ever carries the final name.
type Writer struct {
	f      *os.File
	final  string
	mtime  time.Time
	closed bool
}

// TempPrefix starts the name of every temporary file Create makes.
const TempPrefix = ".megatui-tmp-"

// Create starts writing a file called name (made safe with model.SafeJoin,
// so it can never land outside dir). mtime, when not zero, is set on
// Commit.
func (*FS) Create(ctx context.Context, dir, name string, mtime time.Time) (*Writer, error) {
	final, err := model.SafeJoin(dir, name)
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(dir, TempPrefix+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, translate("create", final, err)
	}
	return &Writer{f: f, final: final, mtime: mtime}, nil
}

// Write appends to the temporary file.
func (w *Writer) Write(p []byte) (int, error) { return w.f.Write(p) }

// WriteAt writes at an offset (downloads arrive in parallel chunks).
func (w *Writer) WriteAt(p []byte, off int64) (int, error) { return w.f.WriteAt(p, off) }

// Path is the final path the file will have.
func (w *Writer) Path() string { return w.final }

// TempPath is the temporary file's path.
func (w *Writer) TempPath() string { return w.f.Name() }

// Commit syncs and closes the temporary file, sets its mtime and renames it
// to the final name, replacing an existing file of that name.
func (w *Writer) Commit() error {
	if w.closed {
		return errors.New("commit: already closed")
	}
	w.closed = true
	tmp := w.f.Name()
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !w.mtime.IsZero() {
		err = os.Chtimes(tmp, w.mtime, w.mtime)
	}
	if err == nil {
		if fi, lerr := os.Lstat(w.final); lerr == nil && fi.IsDir() {
			err = fmt.Errorf("%w", model.ErrIsDir)
		}
	}
	if err == nil {
		err = os.Rename(tmp, w.final)
	}
	if err != nil {
		os.Remove(tmp)
		return translate("create", w.final, err)
	}
	return nil
}

// Abort removes the temporary file.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return translate("abort", w.f.Name(), err)
	}
	return nil
}

var _ io.WriterAt = (*Writer)(nil)
