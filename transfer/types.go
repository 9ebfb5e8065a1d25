package transfer

import (
	"github.com/megatui/megatui/model"
)

// Endpoint is one side of a request. For the local disk Path is an
// absolute path. For MEGA, Entry describes the node (Entry.ID is its handle;
// for a source file Size, ModTime and Fingerprint should be filled in) and
// Path is only used for display ("mega:/a/b").
type Endpoint struct {
	Remote bool        `json:"remote,omitempty"`
	Path   string      `json:"path,omitempty"`
	Entry  model.Entry `json:"entry,omitempty"`
}

// Request asks for one file or folder to be copied or moved (see Op) into
// the folder DstDir under Name. A folder source is expanded into one job
// per file, progressively, and its subfolders are created on the target.
type Request struct {
	Src    Endpoint `json:"src"`
	DstDir Endpoint `json:"dst"`
	// Op is copy or move; the zero value keeps the historical meaning
	// (see model.OpDefault). A copy MEGA to MEGA on one account goes
	// through a private temporary file: downloaded (MAC verified), then
	// uploaded with the original modification time, so the fingerprint is
	// the same. A move MEGA to MEGA is a server-side move; across sides
	// (and local to local) each file is copied, and its source (a local
	// file, or a MEGA node, sent to the Rubbish Bin, never deleted) is
	// removed only once that file's copy is done and verified. The step
	// is journaled, so a crash between copy and removal is finished on
	// resume. Folders emptied by a folder move are removed at the end.
	Op model.Op `json:"op,omitempty"`
	// Name is the name in DstDir; empty means the source's own name.
	Name string `json:"name,omitempty"`
	// Conflict is the request's policy; model.ConflictDefault uses the
	// engine's (Options.Conflict). With model.ConflictAsk a job whose
	// target exists parks and emits an EventQuestion until Answer.
	Conflict model.Conflict `json:"conflict,omitempty"`
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
