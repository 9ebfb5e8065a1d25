package model

import "time"

// Kind says what an entry is.
type Kind int

const (
	KindFile Kind = iota
	KindDir
	KindSymlink
	KindOther
)

func (k Kind) String() string {
	switch k {
	case KindFile:
		return "file"
	case KindDir:
		return "folder"
	case KindSymlink:
		return "symlink"
	default:
		return "other"
	}
}

// Entry is one item of a listing, local or remote. Name is the raw name as
// the backend stores it (it may hold control characters or '/' on MEGA);
// display and local-disk code must sanitise it first.
type Entry struct {
	Name string
	Kind Kind
	Size int64
	// ModTime is the file's original modification time: the local mtime,
	// or on MEGA the time recorded in the fingerprint attribute when
	// present, otherwise the upload time.
	ModTime time.Time
	// UploadTime is when the node was created on MEGA (zero for local).
	UploadTime time.Time
	// ModTimeKnown is false on MEGA when ModTime fell back to UploadTime.
	ModTimeKnown bool
	// ID identifies the entry within its backend: a MEGA node handle, or
	// the full local path.
	ID string
	// ParentID is the ID of the folder holding the entry (a MEGA node
	// handle, or the local folder path); empty when unknown.
	ParentID string
	// Fingerprint is MEGA's `c` attribute in its base64url form, if known.
	Fingerprint string
	// Target is the link target of a symlink.
	Target string
	// Mode holds permission bits for local entries.
	Mode uint32
}

// IsDir reports whether the entry is a folder.
func (e Entry) IsDir() bool { return e.Kind == KindDir }
