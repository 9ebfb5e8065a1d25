package transfer

import (
	"context"
	"io"
	"time"

	"github.com/megatui/megatui/model"
)

// Remote is what the engine needs from a MEGA account. Node handles are
// model.Entry.ID values. Errors are model sentinels wrapped with context
// (model.ErrTryAgain, model.ErrRateLimited, model.ErrQuota,
// model.ErrIntegrity, ...), so the engine can classify them with errors.Is.
type Remote interface {
	// List returns the children of a folder.
	List(ctx context.Context, folderID string) ([]model.Entry, error)
	// Lookup returns the children of parentID called name (MEGA allows
	// several nodes with one name, so it may return more than one).
	Lookup(ctx context.Context, parentID, name string) ([]model.Entry, error)
	// Mkdir creates a folder and returns it.
	Mkdir(ctx context.Context, parentID, name string) (model.Entry, error)
	// Upload encrypts src and stores it as a new file called name in
	// parentID, with mtime recorded in its fingerprint. progress, when not
	// nil, receives the number of bytes sent since its previous call.
	Upload(ctx context.Context, parentID, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(delta int64)) (model.Entry, error)
	// Download writes the decrypted content of file id to dst and returns
	// nil only when the MAC verified (model.ErrIntegrity otherwise).
	// progress works as for Upload.
	Download(ctx context.Context, id string, dst io.WriterAt, progress func(delta int64)) error
	// Move moves node id into folder parentID, keeping its name.
	Move(ctx context.Context, id, parentID string) error
	// Rename renames node id, keeping its other attributes.
	Rename(ctx context.Context, id, name string) error
	// Trash moves node id to the Rubbish Bin.
	Trash(ctx context.Context, id string) error
}
