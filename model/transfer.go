package model

import (
	"fmt"
	"time"
)

// JobID identifies a transfer job within its Queue. IDs are assigned by
// Queue.Add, start at 1 and are never reused by the same queue.
type JobID uint64

// Direction says what a transfer job does.
type Direction int

const (
	Upload     Direction = iota // local → MEGA
	Download                    // MEGA → local
	RemoteMove                  // MEGA → MEGA on one account (server side)
	LocalCopy                   // local → local
	RemoteCopy                  // MEGA → MEGA on one account (through a temporary local file)
)

func (d Direction) name() string {
	switch d {
	case Upload:
		return "upload"
	case Download:
		return "download"
	case RemoteMove:
		return "mega-move"
	case LocalCopy:
		return "local-copy"
	case RemoteCopy:
		return "mega-copy"
	}
	return ""
}

func (d Direction) String() string {
	if n := d.name(); n != "" {
		return n
	}
	return fmt.Sprintf("direction(%d)", int(d))
}

// MarshalText encodes the direction by name, for JSON journals.
func (d Direction) MarshalText() ([]byte, error) {
	if d.name() == "" {
		return nil, fmt.Errorf("unknown direction %d", int(d))
	}
	return []byte(d.name()), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (d *Direction) UnmarshalText(b []byte) error {
	for v := Upload; v <= RemoteCopy; v++ {
		if v.name() == string(b) {
			*d = v
			return nil
		}
	}
	return fmt.Errorf("unknown direction %q", b)
}

// State is the lifecycle state of a transfer job.
//
//	queued ──Start──▶ running ──Finish──▶ done
//	  ▲  ▲              │ │ └──Fail──▶ failed ──Retry──▶ queued
//	  │  └───Start(due)─┤ └──Wait──▶ waiting (reason, retry-at)
//	  │                 └──Skip──▶ skipped
//	  └──Resume── paused ◀──Pause── queued | running | waiting
//	cancelled ◀──Cancel── any state except done, skipped, cancelled
type State int

const (
	StateQueued State = iota
	StateRunning
	StateWaiting
	StatePaused
	StateDone
	StateFailed
	StateCancelled
	StateSkipped
	numStates
)

func (s State) name() string {
	switch s {
	case StateQueued:
		return "queued"
	case StateRunning:
		return "running"
	case StateWaiting:
		return "waiting"
	case StatePaused:
		return "paused"
	case StateDone:
		return "done"
	case StateFailed:
		return "failed"
	case StateCancelled:
		return "cancelled"
	case StateSkipped:
		return "skipped"
	}
	return ""
}

func (s State) String() string {
	if n := s.name(); n != "" {
		return n
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// MarshalText encodes the state by name, for JSON journals.
func (s State) MarshalText() ([]byte, error) {
	if s.name() == "" {
		return nil, fmt.Errorf("unknown state %d", int(s))
	}
	return []byte(s.name()), nil
}

// UnmarshalText decodes a name written by MarshalText.
func (s *State) UnmarshalText(b []byte) error {
	for v := range numStates {
		if v.name() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("unknown state %q", b)
}

// Terminal reports whether no further work will happen without a user
// action (done, failed, cancelled, skipped).
func (s State) Terminal() bool {
	return s == StateDone || s == StateFailed || s == StateCancelled || s == StateSkipped
}

// Location is one end of a transfer: what to show the user and an opaque
// reference the backend understands (a node handle, "remote:path" or a
// local path). Neither may hold a secret: queues are journaled to disk.
type Location struct {
	Display string `json:"display"`
	Ref     string `json:"ref"`
}

// Job is a snapshot of one transfer. Queue methods return copies; change a
// job only through the Queue.
type Job struct {
	ID        JobID     `json:"id"`
	Direction Direction `json:"direction"`
	Src       Location  `json:"src"`
	Dst       Location  `json:"dst"`
	// Group ties jobs created by one user action (a folder copy); opaque.
	Group string `json:"group,omitempty"`
	// Size is the number of bytes to transfer; -1 when unknown.
	Size int64 `json:"size"`
	// Done is the number of bytes transferred so far.
	Done  int64 `json:"done"`
	State State `json:"state"`
	// Reason explains a waiting or skipped job ("rate limited",
	// "identical file exists").
	Reason string `json:"reason,omitempty"`
	// RetryAt is when a waiting job becomes runnable again.
	RetryAt time.Time `json:"retry_at,omitzero"`
	// Err is the error text of a failed job.
	Err string `json:"err,omitempty"`
	// Attempts counts how many times the job was started.
	Attempts   int       `json:"attempts"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Remaining is the number of bytes still to transfer (0 when unknown).
func (j Job) Remaining() int64 {
	if j.Size < 0 || j.Done >= j.Size {
		return 0
	}
	return j.Size - j.Done
}

// Fraction is the share of the job done, in [0, 1]; 0 when the size is
// unknown, 1 for a finished empty file.
func (j Job) Fraction() float64 {
	switch {
	case j.State == StateDone:
		return 1
	case j.Size <= 0:
		return 0
	}
	return min(1, float64(j.Done)/float64(j.Size))
}

// ChunkResume is what a transfer stopped inside a file (a crash, a quit,
// a failed attempt) needs to go on from its finished chunks instead of
// from byte 0. The transfer engine journals it; the remote fills it in.
// It holds no secret: an upload's file key is kept encrypted under the
// account's master key, as MEGA itself stores node keys.
type ChunkResume struct {
	// Fresh marks a new start: chunks recorded before it are void.
	Fresh bool `json:"fresh,omitempty"`
	// URL is the upload URL the chunks were sent to (uploads only).
	URL string `json:"url,omitempty"`
	// Key is the upload's file key and nonce, encrypted under the master
	// key, base64 (uploads only).
	Key string `json:"key,omitempty"`
	// Source identifies the local file an upload reads (its size and
	// fingerprint): chunks of a file that changed since are void.
	Source string `json:"source,omitempty"`
	// Chunks are the finished chunks, in the order they finished.
	Chunks []ChunkDone `json:"chunks,omitempty"`
	// Resumed, on the record an attempt writes when it goes on from
	// earlier chunks, is the number of bytes it kept (and will not send
	// or fetch again).
	Resumed int64 `json:"resumed,omitempty"`
}

// ChunkDone is one finished chunk: its offset, length and MAC (the
// CBC-MAC of its plaintext, base64), so a resumed download can check
// what its temporary file holds and an upload can compute the file's MAC
// without reading the chunk again.
type ChunkDone struct {
	Off int64  `json:"off"`
	Len int    `json:"len"`
	MAC string `json:"mac"`
}

// Merge applies a later record to r: a Fresh record replaces it, any
// other appends its chunks (and sets the URL and key when it has them).
func (r *ChunkResume) Merge(next ChunkResume) {
	if next.Fresh {
		*r = next
		r.Chunks = append([]ChunkDone(nil), next.Chunks...)
		return
	}
	if next.URL != "" {
		r.URL = next.URL
	}
	if next.Key != "" {
		r.Key = next.Key
	}
	if next.Source != "" {
		r.Source = next.Source
	}
	r.Chunks = append(r.Chunks, next.Chunks...)
}

// Bytes is the number of content bytes the finished chunks hold.
func (r ChunkResume) Bytes() int64 {
	var n int64
	seen := make(map[int64]bool, len(r.Chunks))
	for _, c := range r.Chunks {
		if !seen[c.Off] {
			seen[c.Off] = true
			n += int64(c.Len)
		}
	}
	return n
}

// Throttle says how far transfers run below their configured
// concurrency, and why: the engine lowers the files in flight, and the
// remote the chunks of each file, while the servers answer "busy"
// (EAGAIN), fail (HTTP 500) or drop connections, and raises them again
// once they recover. The transfer panel shows Reason while Slowed.
type Throttle struct {
	// Transfers is how many files may move at once now, of
	// TransfersMax configured.
	Transfers    int `json:"transfers"`
	TransfersMax int `json:"transfers_max"`
	// Chunks is how many chunks of one file may move at once now, of
	// ChunksMax configured (both 0 when the remote does not adapt).
	Chunks    int `json:"chunks"`
	ChunksMax int `json:"chunks_max"`
	// Reason is what made it slow down last ("server busy (EAGAIN)",
	// "server errors (HTTP 500)", "connections dropped"); empty once
	// everything is back at its configured value.
	Reason string `json:"reason,omitempty"`
	// Slowdowns counts the times concurrency was lowered.
	Slowdowns int `json:"slowdowns"`
}

// Slowed reports whether anything runs below its configured value.
func (t Throttle) Slowed() bool {
	return t.Transfers < t.TransfersMax || t.Chunks < t.ChunksMax
}

// String is the one line the transfer panel shows ("" when not slowed):
// "slowed down (server busy (EAGAIN)): 2/4 files, 4/8 chunks each".
func (t Throttle) String() string {
	if !t.Slowed() {
		return ""
	}
	reason := t.Reason
	if reason == "" {
		reason = "recovering"
	}
	s := fmt.Sprintf("slowed down (%s): %d/%d files", reason, t.Transfers, t.TransfersMax)
	if t.ChunksMax > 0 {
		s += fmt.Sprintf(", %d/%d chunks each", t.Chunks, t.ChunksMax)
	}
	return s
}
