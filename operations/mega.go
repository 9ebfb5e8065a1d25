package operations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// MegaClient is what a MEGA tree needs from a connected account
// (*megaclient.Client).
type MegaClient interface {
	Stat(ctx context.Context, ref string) (model.Entry, error)
	List(ctx context.Context, ref string) ([]model.Entry, error)
	OpenFile(ctx context.Context, ref string) (*megaclient.FileReader, error)
	SampledFingerprint(ctx context.Context, ref string, mtime time.Time) (megaclient.Sample, error)
	Download(ctx context.Context, ref string, dst io.WriterAt, progress func(delta int64)) error
	Mkdir(ctx context.Context, parent, name string) (model.Entry, error)
	Delete(ctx context.Context, ref string, permanent bool) error
	Move(ctx context.Context, ref, parent string) error
	Rename(ctx context.Context, ref, name string) error
	SetFingerprint(ctx context.Context, ref string, fp model.Fingerprint) error
}

// Mega is a folder on a MEGA account.
type Mega struct {
	c      MegaClient
	remote string
	root   string
}

// NewMega returns the tree under root (a path or "H:handle") of the
// account c, known to the user as remote.
func NewMega(c MegaClient, remote, root string) *Mega {
	if root == "" {
		root = "/"
	}
	return &Mega{c: c, remote: remote, root: root}
}

// Client is the account.
func (m *Mega) Client() MegaClient { return m.c }

// Path is the root as given.
func (m *Mega) Path() string { return m.root }

func (m *Mega) String() string {
	return fmt.Sprintf("%s root '%s'", m.remote, strings.TrimPrefix(m.root, "/"))
}

// Remote is true.
func (m *Mega) Remote() bool { return true }

// Root returns the root folder's entry.
func (m *Mega) Root(ctx context.Context) (model.Entry, error) {
	if m.root == "//shares" {
		// Not a node: the list of incoming shares.
		return model.Entry{Name: "shares", Kind: model.KindDir, ID: "//shares"}, nil
	}
	e, err := m.c.Stat(ctx, m.root)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return model.Entry{}, fmt.Errorf("%s:%s: %w", m.remote, m.root, model.ErrNotFound)
	case err != nil:
		return model.Entry{}, fmt.Errorf("%s:%s: %w", m.remote, m.root, err)
	}
	return e, nil
}

// List returns a folder's children (from the in-memory tree: no request).
func (m *Mega) List(ctx context.Context, dirID string) ([]model.Entry, error) {
	return m.c.List(ctx, dirID)
}

// Fingerprint returns the stored `c`, or computes it from the sampled
// bytes (with the upload time as its mtime) when the file has none.
func (m *Mega) Fingerprint(ctx context.Context, e model.Entry) (model.Fingerprint, bool, int64, error) {
	if e.Fingerprint != "" {
		fp, err := model.ParseFingerprint(e.Fingerprint, e.Size)
		if err == nil {
			return fp, true, 0, nil
		}
	}
	s, err := m.c.SampledFingerprint(ctx, e.ID, e.ModTime)
	if err != nil {
		return model.Fingerprint{}, false, s.Fetched, err
	}
	return s.Fingerprint, false, s.Fetched, nil
}

// Open opens the file for ranged reads (not MAC-verified: see Stream).
func (m *Mega) Open(ctx context.Context, e model.Entry) (ReadAtCloser, error) {
	r, err := m.c.OpenFile(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Stream downloads the file to w; nil only when the MAC verified.
func (m *Mega) Stream(ctx context.Context, e model.Entry, w io.WriterAt) error {
	return m.c.Download(ctx, e.ID, w, nil)
}

// Mkdir creates a folder.
func (m *Mega) Mkdir(ctx context.Context, parentID, name string) (model.Entry, error) {
	return m.c.Mkdir(ctx, parentID, name)
}

// Remove moves the node to the Rubbish Bin, or deletes it for good.
func (m *Mega) Remove(ctx context.Context, e model.Entry, permanent bool) error {
	return m.c.Delete(ctx, e.ID, permanent)
}

// Rmdir removes an empty folder (to the Rubbish Bin, as MEGA's apps do).
func (m *Mega) Rmdir(ctx context.Context, e model.Entry) error {
	es, err := m.c.List(ctx, e.ID)
	if err != nil {
		return err
	}
	if len(es) > 0 {
		return fmt.Errorf("rmdir %s: folder not empty: %w", model.DisplayName(e.Name), model.ErrExists)
	}
	return m.c.Delete(ctx, e.ID, false)
}

// Move moves the node into dirID and renames it to name if needed.
func (m *Mega) Move(ctx context.Context, e model.Entry, dirID, name string) error {
	if e.ParentID != dirID {
		if err := m.c.Move(ctx, e.ID, dirID); err != nil {
			return err
		}
	}
	if name != e.Name {
		return m.c.Rename(ctx, e.ID, name)
	}
	return nil
}

// SetModTime stores fp (with the new time) as the file's `c`.
func (m *Mega) SetModTime(ctx context.Context, e model.Entry, fp model.Fingerprint) error {
	return m.c.SetFingerprint(ctx, e.ID, fp)
}

var _ MegaClient = (*megaclient.Client)(nil)
