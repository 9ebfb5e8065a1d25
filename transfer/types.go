package transfer

import (
	"fmt"
	"strings"

	"github.com/megatui/megatui/model"
)

// Conflict says what to do when the target name already exists and the
// existing item is not identical to the new one (identical files, same size
// and same fingerprint or modification time, are always skipped).
type Conflict int

const (
	// ConflictDefault means "use the engine's Options.Conflict".
	ConflictDefault Conflict = iota
	// ConflictSkip leaves the existing item alone and skips the job.
	ConflictSkip
	// ConflictOverwrite replaces the existing item. On MEGA the new file
	// is stored first and the old one then moved to the Rubbish Bin, so
	// there is never a moment with zero copies.
	ConflictOverwrite
	// ConflictRename keeps both, giving the new item a free name
	// ("name (1).ext").
	ConflictRename
	// ConflictAsk parks the job and emits an EventQuestion; the job waits
	// for Answer.
	ConflictAsk
)

func (c Conflict) String() string {
	switch c {
	case ConflictSkip:
		return "skip"
	case ConflictOverwrite:
		return "overwrite"
	case ConflictRename:
		return "rename"
	case ConflictAsk:
		return "ask"
	default:
		return "default"
	}
}

// ParseConflict parses "skip", "overwrite", "rename" or "ask".
func ParseConflict(s string) (Conflict, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "skip":
		return ConflictSkip, nil
	case "overwrite":
		return ConflictOverwrite, nil
	case "rename", "keep-both", "keep both":
		return ConflictRename, nil
	case "ask":
		return ConflictAsk, nil
	default:
		return ConflictDefault, fmt.Errorf("unknown conflict policy %q (want skip, overwrite, rename or ask)", s)
	}
}

// Endpoint is one side of a request. For the local disk Path is an
// absolute path. For MEGA, Entry describes the node (Entry.ID is its handle;
// for a source file Size, ModTime and Fingerprint should be filled in) and
// Path is only used for display ("mega:/a/b").
type Endpoint struct {
	Remote bool        `json:"remote,omitempty"`
	Path   string      `json:"path,omitempty"`
	Entry  model.Entry `json:"entry,omitempty"`
}

// Op says whether a request copies or moves.
type Op int

const (
	// OpDefault is what a request meant before Op existed (and what
	// journals without the field hold): MEGA to MEGA a server-side move,
	// every other pair of sides a copy.
	OpDefault Op = iota
	// OpCopy copies. MEGA to MEGA on one account the content goes through
	// a private temporary file: downloaded (MAC verified), then uploaded
	// with the original modification time, so the fingerprint is the same.
	OpCopy
	// OpMove moves. MEGA to MEGA it is a server-side move; across sides
	// (and local to local) each file is copied, and its source (a local
	// file, or a MEGA node, sent to the Rubbish Bin, never deleted) is
	// removed only once that file's copy is done and verified. The step
	// is journaled, so a crash between copy and removal is finished on
	// resume. Folders emptied by a folder move are removed at the end.
	OpMove
)

func (o Op) String() string {
	switch o {
	case OpCopy:
		return "copy"
	case OpMove:
		return "move"
	default:
		return "default"
	}
}

// Request asks for one file or folder to be copied or moved (see Op) into
// the folder DstDir under Name. A folder source is expanded into one job
// per file, progressively, and its subfolders are created on the target.
type Request struct {
	Src    Endpoint `json:"src"`
	DstDir Endpoint `json:"dst"`
	// Op is copy or move; the zero value keeps the historical meaning.
	Op Op `json:"op,omitempty"`
	// Name is the name in DstDir; empty means the source's own name.
	Name     string   `json:"name,omitempty"`
	Conflict Conflict `json:"conflict,omitempty"`
	// Contents copies the contents of a source folder straight into
	// DstDir (rclone's "copy SRC DST") instead of into DstDir/Name.
	Contents bool `json:"contents,omitempty"`
}

// EventKind tells what an Event reports.
type EventKind int

const (
	// EventAdded: a new job entered the queue.
	EventAdded EventKind = iota + 1
	// EventState: a job changed state (or its reason changed).
	EventState
	// EventProgress: bytes moved on a running job.
	EventProgress
	// EventQuestion: a job found its target name taken and waits for Answer.
	EventQuestion
	// EventRequestFailed: a request could not be expanded (its source
	// folder could not be read, for example); Reason holds the error.
	EventRequestFailed
)

// Question describes a conflict awaiting an answer.
type Question struct {
	JobID    model.JobID
	Name     string
	Existing model.Entry
	Incoming model.Entry
}

// Event is one notification from the engine, in order.
type Event struct {
	Kind EventKind
	// Job is a snapshot of the job concerned (zero for request events).
	Job      model.Job
	Question *Question
	// Reason explains EventRequestFailed.
	Reason string
}
