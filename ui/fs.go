// Package ui is megatui's terminal interface: one root model (App) hosting
// two browsing panes, a dialog stack, a help overlay and, later, the
// transfer panel, the duplicate views and the login form.
//
// ui owns the small interfaces it consumes (FS, Transfers and the optional
// capabilities below); megaclient, the local-disk backend and the transfer
// engine provide concrete types that package app wires in. Every call through
// these interfaces happens inside a tea.Cmd, never in Update or View.
package ui

import (
	"context"
	"io"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

// FS is one pane's filesystem: the local disk or a MEGA account.
// Implementations translate their errors into model sentinels.
type FS interface {
	// Label names the filesystem in the UI: "local", "mega:user@example.com".
	Label() string
	// List returns the entries of dir (unsorted; the UI sorts).
	List(ctx context.Context, dir string) ([]model.Entry, error)
	// Mkdir creates the folder name inside dir.
	Mkdir(ctx context.Context, dir, name string) error
	// Rename renames the entry at path to newName within its folder.
	Rename(ctx context.Context, path, newName string) error
	// Remove deletes path: to the Rubbish Bin (or the OS trash, if any) when
	// permanent is false, for good when it is true.
	Remove(ctx context.Context, path string, permanent bool) error
	// Join and Parent are pure path helpers in the filesystem's syntax.
	Join(dir, name string) string
	Parent(path string) string
}

// EntryPather is implemented by filesystems where a path does not name one
// entry for sure (MEGA allows several entries with the same name in one
// folder): rename, delete, restore and export then address the entry the
// user picked through EntryPath instead of Join(dir, e.Name).
type EntryPather interface {
	EntryPath(dir string, e model.Entry) string
}

// RubbishBin is implemented by filesystems with a rubbish bin (MEGA).
type RubbishBin interface {
	// RubbishPath is the folder to browse to see deleted items.
	RubbishPath() string
	// Restore moves an item out of the Rubbish Bin back to where it came
	// from and returns the folder it went to.
	Restore(ctx context.Context, path string) (string, error)
}

// Exporter is implemented by filesystems that can make public links.
type Exporter interface {
	// ExportLink returns a public link (with its key) to path.
	ExportLink(ctx context.Context, path string) (string, error)
}

// LinkRemover is implemented by filesystems that can remove the public
// link of an item again.
type LinkRemover interface {
	RemoveLink(ctx context.Context, path string) error
}

// QuotaReporter is implemented by filesystems with a storage quota.
type QuotaReporter interface {
	Quota(ctx context.Context) (used, total int64, err error)
}

// Watcher is implemented by filesystems that change behind the UI's back
// (a MEGA account used elsewhere). The channel carries the folders that
// changed (an empty string means "anything may have changed") and is
// closed when ctx ends.
type Watcher interface {
	Watch(ctx context.Context) <-chan string
}

// conflictLabel is how the copy dialog names a conflict policy.
func conflictLabel(c model.Conflict) string {
	if c == model.ConflictRename {
		return "rename (keep both)"
	}
	return c.String()
}

// TransferRequest asks the queue to copy or move Sources (entries of
// SrcDir on SrcFS) into DstDir on DstFS. app's adapter maps the FS values
// to the engine's locations (local path or MEGA node).
type TransferRequest struct {
	Op       model.Op
	SrcFS    FS
	SrcDir   string
	Sources  []model.Entry
	DstFS    FS
	DstDir   string
	Conflict model.Conflict
}

// Transfers is the transfer queue as the UI sees it. Every method must
// return quickly (the work happens in the engine's goroutines); they are
// still only called from tea.Cmds.
type Transfers interface {
	Enqueue(ctx context.Context, req TransferRequest) error
	// Active is the number of jobs not yet finished; App asks it from a
	// Cmd when the user quits.
	Active() int
	// Job controls.
	Pause(id model.JobID) error
	Resume(id model.JobID) error
	Cancel(id model.JobID) error
	Retry(id model.JobID) error
	MoveToFront(id model.JobID) error
	// Controls of the whole queue; each returns how many jobs it changed.
	PauseAll() int
	ResumeAll() int
	CancelAll() int
	RetryFailed() int
	// ClearFinished drops done, skipped and cancelled jobs from the queue.
	ClearFinished() int
	// Answer resolves the open conflict question of job id (see
	// transfers.Snapshot.Questions) with ConflictSkip, ConflictOverwrite or
	// ConflictRename; with all set the answer also applies to the other
	// questions of the same copy or move (transfers.Question.Group),
	// asked or still to come.
	Answer(id model.JobID, choice model.Conflict, all bool) error
	// Updates delivers queue snapshots, open conflict questions included;
	// the engine should coalesce them (a buffer of one, replacing an
	// unread snapshot) and close the channel when it stops. App drains it with a re-armed Cmd.
	Updates() <-chan transfers.Snapshot
}

// Opener is implemented by filesystems whose files the viewer (F3) can
// read: by ranges, so a huge file opens at once (MEGA files are fetched
// and decrypted range by range). OpenFile runs in a tea.Cmd; so do the
// reader's calls.
type Opener interface {
	OpenFile(ctx context.Context, path string) (RangeReader, error)
}

// RangeReader reads byte ranges of one open file.
type RangeReader interface {
	io.ReaderAt
	Size() int64
	Close() error
}

// FolderSizer is implemented by filesystems that can tell the size of
// folders' contents cheaply (MEGA, from the node tree in memory). It runs
// in a tea.Cmd after a listing; keys are model.EntryKey of the folders.
type FolderSizer interface {
	FolderSizes(ctx context.Context, dir string, folders []model.Entry) (map[string]int64, error)
}
