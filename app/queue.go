package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/transfers"
)

// queueAdapter presents the transfer engine to the UI: it maps the UI's
// requests (entries of a pane) to engine requests (local paths or MEGA
// nodes), and turns the engine's event stream into coalesced snapshots
// that carry the open conflict questions.
//
// One UI copy of several selected entries is several engine requests; the
// adapter groups them in a batch so that an answer "for all" covers the
// whole copy: the engine applies it to the rest of the answered request,
// and the adapter answers the batch's other questions, open or still to
// come, the same way.
type queueAdapter struct {
	e       *transfer.Engine
	remote  *megaFS // the MEGA account the engine works with
	updates chan transfers.Snapshot
	poke    chan struct{} // asks run for a snapshot (a change without an event)

	mu       sync.Mutex
	batchOf  map[string]string         // request id -> batch (the UI action)
	batchAll map[string]model.Conflict // batch -> its answer for all
}

func newQueueAdapter(ctx context.Context, e *transfer.Engine, remote *megaFS) *queueAdapter {
	q := &queueAdapter{e: e, remote: remote, updates: make(chan transfers.Snapshot, 1), poke: make(chan struct{}, 1),
		batchOf: map[string]string{}, batchAll: map[string]model.Conflict{}}
	go q.run(ctx)
	return q
}

// run drains engine events and publishes at most one snapshot every 100 ms
// (and one right after the last event of a burst).
func (q *queueAdapter) run(ctx context.Context) {
	defer close(q.updates)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	dirty := true
	events := q.e.Events()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				q.publish()
				return
			}
			dirty = true
		case <-q.poke:
			dirty = true
		case <-tick.C:
			if dirty {
				q.publish()
				dirty = false
			}
		}
	}
}

func (q *queueAdapter) publish() {
	jobs := q.e.Snapshot()
	s := transfers.Snapshot{Jobs: jobs, Totals: q.e.Totals(), Speed: map[model.JobID]float64{},
		ETA: map[model.JobID]time.Duration{}, Now: time.Now()}
	for _, j := range jobs {
		if j.State != model.StateRunning {
			continue
		}
		sp := q.e.Speed(j.ID)
		s.Speed[j.ID] = sp
		if sp > 0 && j.Size > 0 {
			s.ETA[j.ID] = time.Duration(float64(j.Size-j.Done) / sp * float64(time.Second))
		}
	}
	s.Questions = q.questions(jobs)
	select {
	case <-q.updates: // drop the unread one
	default:
	}
	q.updates <- s
}

// batch is the UI action request id belongs to (the request itself for
// requests resumed from the journal).
func (q *queueAdapter) batch(reqID string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	if b, ok := q.batchOf[reqID]; ok {
		return b
	}
	return reqID
}

// questions returns the open conflict questions of jobs, in run order.
// A question of a batch already answered "for all" is answered here
// instead of being shown.
func (q *queueAdapter) questions(jobs []model.Job) []transfers.Question {
	var out []transfers.Question
	for _, j := range jobs {
		if j.State != model.StateWaiting {
			continue
		}
		eq, ok := q.e.Question(j.ID)
		if !ok {
			continue
		}
		b := q.batch(j.Group)
		q.mu.Lock()
		c, answered := q.batchAll[b]
		q.mu.Unlock()
		if answered && q.e.Answer(j.ID, c, true) == nil {
			continue
		}
		out = append(out, transfers.Question{JobID: eq.JobID, Name: eq.Name, Existing: eq.Existing,
			Incoming: eq.Incoming, Group: b})
	}
	return out
}

// changed asks run for a fresh snapshot.
func (q *queueAdapter) changed() {
	select {
	case q.poke <- struct{}{}:
	default:
	}
}

func (q *queueAdapter) Enqueue(ctx context.Context, req ui.TransferRequest) error {
	if lfs, ok := req.SrcFS.(linkFS); ok {
		return q.enqueueFromLink(lfs, req)
	}
	srcMega, srcIsMega := req.SrcFS.(*megaFS)
	dstMega, dstIsMega := req.DstFS.(*megaFS)
	for _, side := range []*megaFS{srcMega, dstMega} {
		if side == nil || side == q.remote {
			continue
		}
		if srcIsMega && dstIsMega && srcMega != dstMega {
			return errors.New("copying between two MEGA accounts is not supported yet")
		}
		// The engine (and its journal) belongs to one account: the one
		// megatui started with.
		return fmt.Errorf("transfers work with remote %s in this session: to copy with %s, start megatui --remote %s",
			q.remoteName(), side.remote, side.remote)
	}
	// A move within one MEGA account is a server-side move; a copy there
	// goes through a temporary file; across sides the engine copies each
	// file and then removes its source (journaled, so resumable).
	dst := transfer.Endpoint{Remote: dstIsMega, Path: req.DstDir}
	if dstIsMega {
		c, err := dstMega.clientCtx(ctx)
		if err != nil {
			return fmt.Errorf("destination %s: %w", req.DstDir, err)
		}
		e, err := c.Stat(ctx, req.DstDir)
		if err != nil {
			return fmt.Errorf("destination %s: %w", req.DstDir, err)
		}
		dst.Entry = e
		dst.Path = dstMega.Label() + req.DstDir
	}
	var errs []error
	batch := ""
	for _, src := range req.Sources {
		ep := transfer.Endpoint{Remote: srcIsMega, Path: req.SrcFS.Join(req.SrcDir, src.Name), Entry: src}
		if srcIsMega {
			ep.Path = srcMega.Label() + ep.Path
		}
		id, err := q.e.Enqueue(transfer.Request{Src: ep, DstDir: dst, Op: req.Op, Conflict: req.Conflict})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.Name, err))
			continue
		}
		if batch == "" {
			batch = id
		}
		q.mu.Lock()
		q.batchOf[id] = batch
		q.mu.Unlock()
	}
	return errors.Join(errs...)
}

func (q *queueAdapter) remoteName() string {
	if q.remote == nil {
		return "(none)"
	}
	return q.remote.remote
}

func (q *queueAdapter) Active() int {
	n := 0
	for _, j := range q.e.Snapshot() {
		if !j.State.Terminal() {
			n++
		}
	}
	return n
}

func (q *queueAdapter) Pause(id model.JobID) error       { return q.e.Pause(id) }
func (q *queueAdapter) Resume(id model.JobID) error      { return q.e.Resume(id) }
func (q *queueAdapter) Cancel(id model.JobID) error      { return q.e.Cancel(id) }
func (q *queueAdapter) Retry(id model.JobID) error       { return q.e.Retry(id) }
func (q *queueAdapter) MoveToFront(id model.JobID) error { return q.e.MoveToFront(id) }

func (q *queueAdapter) PauseAll() int    { return len(q.e.PauseAll()) }
func (q *queueAdapter) ResumeAll() int   { return len(q.e.ResumeAll()) }
func (q *queueAdapter) CancelAll() int   { return len(q.e.CancelAll()) }
func (q *queueAdapter) RetryFailed() int { return len(q.e.RetryFailed()) }

// ClearFinished drops finished jobs; the engine sends no event for that,
// so the adapter asks for a snapshot itself.
func (q *queueAdapter) ClearFinished() int {
	n := q.e.RemoveFinished()
	live := map[string]bool{}
	for _, j := range q.e.Snapshot() {
		live[j.Group] = true
	}
	q.mu.Lock()
	for id, b := range q.batchOf {
		if !live[id] {
			delete(q.batchOf, id)
			delete(q.batchAll, b)
		}
	}
	q.mu.Unlock()
	q.changed()
	return n
}

// Answer resolves job id's conflict question. With all, the answer covers
// every other question of the same UI copy: the rest of the job's own
// request (the engine does that), the open questions of the batch's other
// requests now, and their later questions as they come (see questions).
func (q *queueAdapter) Answer(id model.JobID, c model.Conflict, all bool) error {
	if c != model.ConflictSkip && c != model.ConflictOverwrite && c != model.ConflictRename {
		return errors.New("answer must be skip, overwrite or rename")
	}
	j, ok := q.e.Job(id)
	if !ok {
		return fmt.Errorf("job %d: %w", id, model.ErrNotFound)
	}
	if err := q.e.Answer(id, c, all); err != nil {
		return err
	}
	defer q.changed()
	if !all {
		return nil
	}
	b := q.batch(j.Group)
	q.mu.Lock()
	q.batchAll[b] = c
	q.mu.Unlock()
	for _, o := range q.e.Snapshot() {
		if o.ID == id || o.State != model.StateWaiting || q.batch(o.Group) != b {
			continue
		}
		if _, open := q.e.Question(o.ID); open {
			_ = q.e.Answer(o.ID, c, true)
		}
	}
	return nil
}

func (q *queueAdapter) Updates() <-chan transfers.Snapshot { return q.updates }

// enqueueFromLink downloads entries of a public link open in a pane: the
// engine reads them through its remote, which routes a link's nodes to
// the link (see linkRoutes).
func (q *queueAdapter) enqueueFromLink(lfs linkFS, req ui.TransferRequest) error {
	if _, ok := req.DstFS.(linkFS); ok || req.Op == model.OpMove {
		return errors.New("a public link is read-only: copy from it (F5) to the local disk")
	}
	if _, ok := req.DstFS.(*megaFS); ok {
		return errors.New("to save a link in your account use megatui import LINK REMOTE:PATH")
	}
	dst := transfer.Endpoint{Path: req.DstDir}
	var errs []error
	batch := ""
	for _, src := range req.Sources {
		ep := transfer.Endpoint{Remote: true, Path: lfs.Label() + lfs.Join(req.SrcDir, src.Name), Entry: src}
		id, err := q.e.Enqueue(transfer.Request{Src: ep, DstDir: dst, Op: model.OpCopy, Conflict: req.Conflict})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", src.Name, err))
			continue
		}
		if batch == "" {
			batch = id
		}
		q.mu.Lock()
		q.batchOf[id] = batch
		q.mu.Unlock()
	}
	return errors.Join(errs...)
}
