package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

// linkFs is a public link as a read-only tree for the listing commands
// (ls, lsf, lsl, lsjson, tree, size, cat): the link's folder (or its one
// file) is the root.
type linkFs struct{ p *megaclient.Public }

var _ operations.Fs = linkFs{}

func (l linkFs) String() string                            { return "mega link '" + l.p.Label() + "'" }
func (l linkFs) Remote() bool                              { return true }
func (l linkFs) Root(context.Context) (model.Entry, error) { return l.p.Root(), nil }
func (l linkFs) List(ctx context.Context, id string) ([]model.Entry, error) {
	return l.p.List(ctx, id)
}

func (l linkFs) Fingerprint(_ context.Context, e model.Entry) (model.Fingerprint, bool, int64, error) {
	if e.Fingerprint == "" {
		return model.Fingerprint{}, false, 0, fmt.Errorf("%s: no fingerprint stored: %w", model.DisplayName(e.Name), model.ErrNotFound)
	}
	fp, err := model.ParseFingerprint(e.Fingerprint, e.Size)
	return fp, err == nil, 0, err
}

func (l linkFs) Open(context.Context, model.Entry) (operations.ReadAtCloser, error) {
	return nil, fmt.Errorf("random reads of a public link: %w", model.ErrAccess)
}

func (l linkFs) Stream(ctx context.Context, e model.Entry, w io.WriterAt) error {
	return l.p.Download(ctx, e.ID, w, nil)
}

func linkReadOnly(what string) error {
	return fmt.Errorf("%s: a public link is read-only: %w", what, model.ErrAccess)
}

func (l linkFs) Mkdir(context.Context, string, string) (model.Entry, error) {
	return model.Entry{}, linkReadOnly("mkdir")
}
func (l linkFs) Remove(context.Context, model.Entry, bool) error { return linkReadOnly("remove") }
func (l linkFs) Rmdir(context.Context, model.Entry) error        { return linkReadOnly("rmdir") }
func (l linkFs) Move(context.Context, model.Entry, string, string) error {
	return linkReadOnly("move")
}
func (l linkFs) SetModTime(context.Context, model.Entry, model.Fingerprint) error {
	return linkReadOnly("set the time")
}
