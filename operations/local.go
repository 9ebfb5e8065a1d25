package operations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/model"
)

// Local is a folder on the local disk.
type Local struct {
	root  string
	disk  *localfs.FS
	trash *Trash
}

// NewLocal returns the tree under the folder root (made absolute).
// Removed entries go to trash (nil: the user's trash, see DefaultTrash).
func NewLocal(root string, trash *Trash) (*Local, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	return &Local{root: abs, disk: localfs.New(), trash: trash}, nil
}

// Path is the absolute root.
func (l *Local) Path() string { return l.root }

func (l *Local) String() string { return "Local file system at " + l.root }

// Remote is false.
func (l *Local) Remote() bool { return false }

// Root returns the root folder's entry.
func (l *Local) Root(ctx context.Context) (model.Entry, error) {
	fi, err := os.Stat(l.root)
	if errors.Is(err, os.ErrNotExist) {
		return model.Entry{}, fmt.Errorf("%s: %w", model.DisplayName(l.root), model.ErrNotFound)
	}
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", model.DisplayName(l.root), err)
	}
	e := model.Entry{Name: filepath.Base(l.root), ID: l.root, ModTime: fi.ModTime(), ModTimeKnown: true, Kind: model.KindFile, Size: fi.Size()}
	if fi.IsDir() {
		e.Kind, e.Size = model.KindDir, 0
	}
	return e, nil
}

// List returns a folder's children (symlinks are reported, not followed).
func (l *Local) List(ctx context.Context, dirID string) ([]model.Entry, error) {
	return l.disk.List(ctx, dirID)
}

// Fingerprint computes the fingerprint of the file (reads at most 8 KiB).
func (l *Local) Fingerprint(ctx context.Context, e model.Entry) (model.Fingerprint, bool, int64, error) {
	f, err := os.Open(e.ID)
	if err != nil {
		return model.Fingerprint{}, false, 0, err
	}
	defer f.Close()
	fp, err := model.ComputeFingerprint(f, e.Size, e.ModTime)
	return fp, false, 0, err
}

// Open opens the file.
func (l *Local) Open(ctx context.Context, e model.Entry) (ReadAtCloser, error) {
	return l.disk.Open(ctx, e.ID)
}

// Stream copies the file to w.
func (l *Local) Stream(ctx context.Context, e model.Entry, w io.WriterAt) error {
	f, err := l.disk.Open(ctx, e.ID)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var off int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := f.Read(buf)
		if n > 0 {
			if _, err := w.WriteAt(buf[:n], off); err != nil {
				return err
			}
			off += int64(n)
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

// Mkdir creates a folder.
func (l *Local) Mkdir(ctx context.Context, parentID, name string) (model.Entry, error) {
	return l.disk.Mkdir(ctx, parentID, name)
}

// Remove sends the entry to the trash, or deletes it when permanent.
func (l *Local) Remove(ctx context.Context, e model.Entry, permanent bool) error {
	if permanent || l.trash == nil {
		if l.trash == nil && !permanent {
			return fmt.Errorf("remove %s: no trash folder: %w", model.DisplayName(e.ID), model.ErrNotFound)
		}
		return l.disk.Remove(ctx, e.ID)
	}
	return l.trash.Put(e.ID)
}

// Rmdir removes an empty folder.
func (l *Local) Rmdir(ctx context.Context, e model.Entry) error {
	if err := os.Remove(e.ID); err != nil {
		return fmt.Errorf("rmdir %s: %w", model.DisplayName(e.ID), err)
	}
	return nil
}

// Move renames an entry into another folder (no replacing).
func (l *Local) Move(ctx context.Context, e model.Entry, dirID, name string) error {
	dst, err := model.SafeJoin(dirID, name)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("move to %s: %w", model.DisplayName(dst), model.ErrExists)
	}
	return os.Rename(e.ID, dst)
}

// SetModTime sets the file's modification time.
func (l *Local) SetModTime(ctx context.Context, e model.Entry, fp model.Fingerprint) error {
	return os.Chtimes(e.ID, time.Now(), fp.ModTime)
}

// Trash is a freedesktop.org trash folder ("$XDG_DATA_HOME/Trash"): a
// removed entry goes to files/ with its origin in info/NAME.trashinfo,
// so desktop file managers can restore it.
type Trash struct {
	Dir string
	now func() time.Time
}

// DefaultTrash is the user's trash: $XDG_DATA_HOME/Trash, else
// ~/.local/share/Trash.
func DefaultTrash(getenv func(string) string) (*Trash, error) {
	base := getenv("XDG_DATA_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return nil, errors.New("trash: no HOME")
		}
		base = filepath.Join(home, ".local", "share")
	}
	return &Trash{Dir: filepath.Join(base, "Trash"), now: time.Now}, nil
}

// Put moves path into the trash. Across file systems (where a rename is
// impossible) it fails: use --permanent or --backup-dir there.
func (t *Trash) Put(p string) error {
	files, info := filepath.Join(t.Dir, "files"), filepath.Join(t.Dir, "info")
	for _, d := range []string{files, info} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("trash: %w", err)
		}
	}
	base := filepath.Base(p)
	now := time.Now
	if t.now != nil {
		now = t.now
	}
	for i := 0; i < 1000; i++ {
		name := base
		if i > 0 {
			ext := filepath.Ext(base)
			name = fmt.Sprintf("%s.%d%s", strings.TrimSuffix(base, ext), i, ext)
		}
		infoPath := filepath.Join(info, name+".trashinfo")
		fh, err := os.OpenFile(infoPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("trash: %w", err)
		}
		_, werr := fmt.Fprintf(fh, "[Trash Info]\nPath=%s\nDeletionDate=%s\n", escapeTrashPath(p), now().Format("2006-01-02T15:04:05"))
		if cerr := fh.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(infoPath)
			return fmt.Errorf("trash: %w", werr)
		}
		if err := os.Rename(p, filepath.Join(files, name)); err != nil {
			os.Remove(infoPath)
			return fmt.Errorf("move %s to the trash (%s): %w; use --permanent or --backup-dir on this disk", model.DisplayName(p), t.Dir, err)
		}
		return nil
	}
	return fmt.Errorf("trash: too many entries called %s", model.DisplayName(base))
}

// escapeTrashPath percent-encodes a path as the trash specification asks.
func escapeTrashPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
