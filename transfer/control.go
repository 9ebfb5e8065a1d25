package transfer

import (
	"context"
	"fmt"

	"github.com/megatui/megatui/model"
)

// Snapshot returns every job in run order.
func (e *Engine) Snapshot() []model.Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.q.Jobs()
}

// Job returns one job's snapshot.
func (e *Engine) Job(id model.JobID) (model.Job, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.q.Get(id)
}

// Totals summarises the queue (counts, bytes, smoothed speed, ETA).
func (e *Engine) Totals() model.Totals {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.q.Totals(e.opts.Now())
	t.Throttle = e.adapt.state(e.remoteThrottle())
	return t
}

// Speed returns a running job's smoothed speed in bytes per second.
func (e *Engine) Speed(id model.JobID) float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.q.JobSpeed(id, e.opts.Now())
}

// Question returns the open conflict question of a job, if any.
func (e *Engine) Question(id model.JobID) (Question, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j, ok := e.jobs[id]
	if !ok || j.question == nil || j.cancel != nil {
		return Question{}, false
	}
	return *j.question, true
}

// WaitIdle blocks until no request is being expanded and no job is queued,
// running or waiting to retry (paused jobs and open questions do not
// count), or ctx ends.
func (e *Engine) WaitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		idle := e.expanding == 0 && e.busy == 0 && e.active == 0
		ch := e.changed
		e.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// control applies one queue operation to a job under the lock, stops its
// worker when it was running, and journals it when it became final.
func (e *Engine) control(id model.JobID, op func(j *job) error) error {
	e.mu.Lock()
	j, ok := e.jobs[id]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("job %d: %w", id, model.ErrNotFound)
	}
	err := e.applyLocked(j, op)
	e.mu.Unlock()
	e.broadcast()
	return err
}

func (e *Engine) applyLocked(j *job, op func(j *job) error) error {
	if err := op(j); err != nil {
		return err
	}
	mj, _ := e.q.Get(j.id)
	if mj.State != model.StateRunning && j.cancel != nil {
		j.cancel() // the worker notices the state change when it returns
	}
	if mj.State != model.StateWaiting {
		j.question = nil
	}
	e.trackLocked(j)
	e.emitLocked(EventState, j)
	if j.cancel == nil {
		e.endLocked(j)
	}
	return nil
}

// Pause stops a job; a running job is interrupted and later goes on from
// its last finished chunk (on MEGA remotes; from the beginning of its
// file otherwise).
func (e *Engine) Pause(id model.JobID) error {
	return e.control(id, func(j *job) error { return e.q.Pause(j.id) })
}

// Resume puts a paused job back in the queue at its old position.
func (e *Engine) Resume(id model.JobID) error {
	return e.control(id, func(j *job) error { return e.q.Resume(j.id) })
}

// Cancel stops a job for good (Retry can bring it back). A partial
// download is removed.
func (e *Engine) Cancel(id model.JobID) error {
	return e.control(id, func(j *job) error { return e.q.Cancel(j.id, e.opts.Now()) })
}

// Retry queues a failed or cancelled job again.
func (e *Engine) Retry(id model.JobID) error {
	return e.control(id, func(j *job) error { return e.retryLocked(j) })
}

func (e *Engine) retryLocked(j *job) error {
	if err := e.q.Retry(j.id); err != nil {
		return err
	}
	j.attempt = 0
	if j.req.ended {
		// The request had been closed in the journal: open it again.
		j.req.ended = false
		rq := j.req.req
		_ = e.journal.append(record{T: "req", Req: j.req.id, Request: &rq})
	}
	return nil
}

// MoveToFront makes a queued, waiting or paused job the first in run order.
func (e *Engine) MoveToFront(id model.JobID) error {
	return e.control(id, func(j *job) error { return e.q.MoveToFront(j.id) })
}

// all applies op to every job in run order and returns the ids it changed.
func (e *Engine) all(op func(j *job) error) []model.JobID {
	e.mu.Lock()
	var changed []model.JobID
	for _, mj := range e.q.Jobs() {
		j := e.jobs[mj.ID]
		if e.applyLocked(j, op) == nil {
			changed = append(changed, j.id)
		}
	}
	e.mu.Unlock()
	e.broadcast()
	return changed
}

// PauseAll pauses every queued, running and waiting job; jobs added later
// (by folders still being expanded) start paused until ResumeAll.
func (e *Engine) PauseAll() []model.JobID {
	e.mu.Lock()
	e.pausedAll = true
	e.mu.Unlock()
	return e.all(func(j *job) error { return e.q.Pause(j.id) })
}

// ResumeAll resumes every paused job.
func (e *Engine) ResumeAll() []model.JobID {
	e.mu.Lock()
	e.pausedAll = false
	e.mu.Unlock()
	return e.all(func(j *job) error { return e.q.Resume(j.id) })
}

// CancelAll stops folder expansion and cancels every unfinished job.
func (e *Engine) CancelAll() []model.JobID {
	e.mu.Lock()
	for _, r := range e.reqs {
		r.cancel()
	}
	e.mu.Unlock()
	now := e.opts.Now()
	return e.all(func(j *job) error { return e.q.Cancel(j.id, now) })
}

// RetryFailed queues every failed job again.
func (e *Engine) RetryFailed() []model.JobID {
	return e.all(func(j *job) error {
		mj, _ := e.q.Get(j.id)
		if mj.State != model.StateFailed {
			return model.ErrBadTransition
		}
		return e.retryLocked(j)
	})
}

// RemoveFinished drops done, skipped and cancelled jobs from the queue.
func (e *Engine) RemoveFinished() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.q.RemoveFinished()
	for id := range e.jobs {
		if _, ok := e.q.Get(id); !ok {
			delete(e.jobs, id)
		}
	}
	return n
}

// Answer resolves a conflict question (EventQuestion) with model.ConflictSkip,
// ConflictOverwrite or ConflictRename; the job goes to the front of the
// queue. With all set, the answer also applies to the other open and
// future questions of the same request.
func (e *Engine) Answer(id model.JobID, c model.Conflict, all bool) error {
	if c != model.ConflictSkip && c != model.ConflictOverwrite && c != model.ConflictRename {
		return fmt.Errorf("answer must be skip, overwrite or rename, not %s", c)
	}
	answer := func(j *job) error {
		if j.question == nil || j.cancel != nil {
			return fmt.Errorf("job %d has no open question", j.id)
		}
		j.resolution = c
		j.question = nil
		for _, op := range []func(model.JobID) error{e.q.Pause, e.q.Resume, e.q.MoveToFront} {
			if err := op(j.id); err != nil {
				return err
			}
		}
		return nil
	}
	e.mu.Lock()
	j, ok := e.jobs[id]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("job %d: %w", id, model.ErrNotFound)
	}
	err := e.applyLocked(j, answer)
	if err == nil && all {
		j.req.policy = c
		for _, o := range e.jobs {
			if o.req == j.req && o.question != nil && o.cancel == nil {
				_ = e.applyLocked(o, answer)
			}
		}
	}
	e.mu.Unlock()
	e.broadcast()
	return err
}
