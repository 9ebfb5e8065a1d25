package model

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// SpeedWindow is the time constant of the smoothed speeds: a change in
// throughput shows about 63% after one window.
const SpeedWindow = 5 * time.Second

// speedStall is how long a meter may go without samples before its speed
// starts decaying towards zero.
const speedStall = 2 * time.Second

// Queue is the pure state of the transfer queue: jobs in their run order
// and the legal transitions between their states. It never reads the clock;
// every method that needs the time takes it. A Queue is not safe for
// concurrent use: the transfer engine owns it and serialises access.
//
// Illegal transitions return an error wrapping ErrBadTransition; an unknown
// id returns an error wrapping ErrNotFound. A Queue marshals to JSON for the
// engine's journal (see MarshalJSON); it holds no secrets unless a caller
// puts one in a Location.
type Queue struct {
	jobs     map[JobID]*jobRec
	order    []JobID // run order; includes finished jobs until RemoveFinished
	nextID   JobID
	front    int64 // order key handed out by MoveToFront (decreasing)
	back     int64 // order key handed out by Add (increasing)
	runnable keyHeap
	waiting  wakeHeap
	running  int
	overall  meter
}

type jobRec struct {
	job   Job
	key   int64 // run order: smaller runs first
	meter meter
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{jobs: make(map[JobID]*jobRec)}
}

func (q *Queue) lazyInit() {
	if q.jobs == nil {
		q.jobs = make(map[JobID]*jobRec)
	}
}

func badTransition(j *Job, op string) error {
	return fmt.Errorf("%s job %d: it is %s: %w", op, j.ID, j.State, ErrBadTransition)
}

func (q *Queue) rec(id JobID) (*jobRec, error) {
	r, ok := q.jobs[id]
	if !ok {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	return r, nil
}

// transition looks up a job for op and checks that op is legal in its
// current state.
func (q *Queue) transition(id JobID, op string, legal func(State) bool) (*jobRec, error) {
	r, err := q.rec(id)
	if err != nil {
		return nil, err
	}
	if !legal(r.job.State) {
		return nil, badTransition(&r.job, op)
	}
	return r, nil
}

// oneOf returns a predicate that holds for the given states.
func oneOf(states ...State) func(State) bool {
	return func(s State) bool { return slices.Contains(states, s) }
}

// active holds for jobs with work still ahead of them: queued, running or
// waiting.
func active(s State) bool { return s == StateQueued || s == StateRunning || s == StateWaiting }

// settled holds for jobs that will never run again: done, skipped or
// cancelled (failed jobs may be retried).
func settled(s State) bool { return s == StateDone || s == StateSkipped || s == StateCancelled }

// halt takes a job out of the running set and out of the wait for a retry,
// and puts it in state with reason.
func (q *Queue) halt(r *jobRec, state State, reason string) {
	q.leaveRunning(r)
	r.job.State, r.job.Reason, r.job.RetryAt = state, reason, time.Time{}
}

// Add appends a job to the end of the queue in the queued state and returns
// its id. The job's ID, state, progress and error fields are reset; Size
// may be -1 when not yet known.
func (q *Queue) Add(j Job) JobID {
	q.lazyInit()
	q.nextID++
	q.back++
	j.ID = q.nextID
	j.State, j.Done, j.Reason, j.Err, j.Attempts = StateQueued, 0, "", "", 0
	j.RetryAt, j.StartedAt, j.FinishedAt = time.Time{}, time.Time{}, time.Time{}
	if j.Size < -1 {
		j.Size = -1
	}
	r := &jobRec{job: j, key: q.back}
	q.jobs[j.ID] = r
	q.order = append(q.order, j.ID)
	heap.Push(&q.runnable, keyItem{key: r.key, id: j.ID})
	return j.ID
}

// Len is the number of jobs in the queue, finished ones included.
func (q *Queue) Len() int { return len(q.order) }

// Get returns a copy of one job.
func (q *Queue) Get(id JobID) (Job, bool) {
	r, ok := q.jobs[id]
	if !ok {
		return Job{}, false
	}
	return r.job, true
}

// Jobs returns copies of all jobs in run order.
func (q *Queue) Jobs() []Job {
	out := make([]Job, len(q.order))
	for i, id := range q.order {
		out[i] = q.jobs[id].job
	}
	return out
}

// runnableAt reports whether the job may be started now.
func runnableAt(j *Job, now time.Time) bool {
	return j.State == StateQueued || (j.State == StateWaiting && !now.Before(j.RetryAt))
}

// promoteDue moves waiting jobs whose retry time has come into the runnable
// heap.
func (q *Queue) promoteDue(now time.Time) {
	for q.waiting.Len() > 0 {
		top := q.waiting[0]
		if now.Before(top.at) {
			return
		}
		heap.Pop(&q.waiting)
		r, ok := q.jobs[top.id]
		if ok && r.job.State == StateWaiting && r.job.RetryAt.Equal(top.at) {
			heap.Push(&q.runnable, keyItem{key: r.key, id: top.id})
		}
	}
}

// Next returns the job Start would start at now, without starting it.
func (q *Queue) Next(now time.Time) (JobID, bool) {
	q.promoteDue(now)
	for q.runnable.Len() > 0 {
		top := q.runnable[0]
		r, ok := q.jobs[top.id]
		if ok && r.key == top.key && runnableAt(&r.job, now) {
			return top.id, true
		}
		heap.Pop(&q.runnable) // stale entry
	}
	return 0, false
}

// Start marks the first runnable job (queued, or waiting with its retry
// time reached) as running and returns it. ok is false when nothing can run
// now; NextWake says when a waiting job becomes due.
func (q *Queue) Start(now time.Time) (Job, bool) {
	id, ok := q.Next(now)
	if !ok {
		return Job{}, false
	}
	heap.Pop(&q.runnable)
	r := q.jobs[id]
	q.markRunning(r, now)
	return r.job, true
}

// StartJob starts one particular queued or waiting job, even out of order
// or before its retry time.
func (q *Queue) StartJob(id JobID, now time.Time) error {
	r, err := q.transition(id, "start", oneOf(StateQueued, StateWaiting))
	if err != nil {
		return err
	}
	q.markRunning(r, now) // its heap entries become stale
	return nil
}

func (q *Queue) markRunning(r *jobRec, now time.Time) {
	if q.running == 0 {
		q.overall.reset(now)
	}
	q.running++
	r.job.State = StateRunning
	r.job.Reason, r.job.RetryAt = "", time.Time{}
	r.job.Attempts++
	r.job.StartedAt = now
	r.meter.reset(now)
}

func (q *Queue) leaveRunning(r *jobRec) {
	if r.job.State == StateRunning {
		q.running--
	}
}

// NextWake returns the earliest retry time of a waiting job.
func (q *Queue) NextWake() (time.Time, bool) {
	for q.waiting.Len() > 0 {
		top := q.waiting[0]
		if r, ok := q.jobs[top.id]; ok && r.job.State == StateWaiting && r.job.RetryAt.Equal(top.at) {
			return top.at, true
		}
		heap.Pop(&q.waiting)
	}
	return time.Time{}, false
}

// Progress records that a running job has transferred done bytes in total
// (not a delta) at now. done may go down when a transfer restarts; it may
// not exceed a known size.
func (q *Queue) Progress(id JobID, done int64, now time.Time) error {
	r, err := q.transition(id, "progress", oneOf(StateRunning))
	if err != nil {
		return err
	}
	if done < 0 || (r.job.Size >= 0 && done > r.job.Size) {
		return fmt.Errorf("progress job %d: %d bytes of %d: %w", id, done, r.job.Size, ErrBadTransition)
	}
	delta := done - r.job.Done
	r.job.Done = done
	if delta < 0 {
		r.meter.reset(now)
		return nil
	}
	r.meter.add(delta, now)
	q.overall.add(delta, now)
	return nil
}

// SetSize sets the size of a job that is not finished (for sources whose
// size is learnt late).
func (q *Queue) SetSize(id JobID, size int64) error {
	r, err := q.rec(id)
	if err != nil {
		return err
	}
	if r.job.State.Terminal() || size < -1 || (size >= 0 && r.job.Done > size) {
		return badTransition(&r.job, "resize")
	}
	r.job.Size = size
	return nil
}

// Wait puts a running job aside until until, with a reason shown to the
// user ("rate limited"). It becomes runnable again at that time.
func (q *Queue) Wait(id JobID, reason string, until time.Time) error {
	r, err := q.transition(id, "wait", oneOf(StateRunning))
	if err != nil {
		return err
	}
	q.leaveRunning(r)
	r.job.State, r.job.Reason, r.job.RetryAt = StateWaiting, reason, until
	heap.Push(&q.waiting, wakeItem{at: until, id: id})
	return nil
}

// Finish marks a running job done; its Done becomes its size.
func (q *Queue) Finish(id JobID, now time.Time) error {
	r, err := q.transition(id, "finish", oneOf(StateRunning))
	if err != nil {
		return err
	}
	q.leaveRunning(r)
	if r.job.Size < 0 {
		r.job.Size = r.job.Done
	}
	r.job.Done = r.job.Size
	r.job.State, r.job.FinishedAt = StateDone, now
	return nil
}

// Fail marks a queued, running or waiting job failed with an error text.
func (q *Queue) Fail(id JobID, errText string, now time.Time) error {
	r, err := q.transition(id, "fail", active)
	if err != nil {
		return err
	}
	q.halt(r, StateFailed, "")
	r.job.Err, r.job.FinishedAt = errText, now
	return nil
}

// Skip marks a queued, running or waiting job skipped, with a reason
// ("identical file exists").
func (q *Queue) Skip(id JobID, reason string, now time.Time) error {
	r, err := q.transition(id, "skip", active)
	if err != nil {
		return err
	}
	q.halt(r, StateSkipped, reason)
	r.job.FinishedAt = now
	return nil
}

// Pause pauses a queued, running or waiting job. A running job keeps its
// Done count; the engine stops its worker.
func (q *Queue) Pause(id JobID) error {
	r, err := q.transition(id, "pause", active)
	if err != nil {
		return err
	}
	q.halt(r, StatePaused, "")
	return nil
}

// Resume puts a paused job back in the queue at its old position.
func (q *Queue) Resume(id JobID) error {
	r, err := q.transition(id, "resume", oneOf(StatePaused))
	if err != nil {
		return err
	}
	q.requeue(r)
	return nil
}

func (q *Queue) requeue(r *jobRec) {
	r.job.State = StateQueued
	heap.Push(&q.runnable, keyItem{key: r.key, id: r.job.ID})
}

// Cancel cancels a job that is not done, skipped or already cancelled.
func (q *Queue) Cancel(id JobID, now time.Time) error {
	r, err := q.transition(id, "cancel", func(s State) bool { return !settled(s) })
	if err != nil {
		return err
	}
	q.halt(r, StateCancelled, "")
	r.job.FinishedAt = now
	return nil
}

// Retry puts a failed or cancelled job back in the queue at its old
// position, with its progress and error cleared.
func (q *Queue) Retry(id JobID) error {
	r, err := q.transition(id, "retry", oneOf(StateFailed, StateCancelled))
	if err != nil {
		return err
	}
	r.job.Done, r.job.Err, r.job.FinishedAt = 0, "", time.Time{}
	q.requeue(r)
	return nil
}

// MoveToFront makes a queued, waiting or paused job the first in run
// order. A waiting job keeps its retry time.
func (q *Queue) MoveToFront(id JobID) error {
	r, err := q.transition(id, "move", oneOf(StateQueued, StateWaiting, StatePaused))
	if err != nil {
		return err
	}
	q.front--
	r.key = q.front
	if i := slices.Index(q.order, id); i > 0 {
		copy(q.order[1:i+1], q.order[:i])
		q.order[0] = id
	}
	switch r.job.State {
	case StateQueued:
		heap.Push(&q.runnable, keyItem{key: r.key, id: id})
	case StateWaiting:
		heap.Push(&q.waiting, wakeItem{at: r.job.RetryAt, id: id})
	}
	return nil
}

// each applies op to every job for which it is legal and returns the ids
// it changed, in run order.
func (q *Queue) each(ok func(State) bool, op func(JobID) error) []JobID {
	var changed []JobID
	for _, id := range slices.Clone(q.order) {
		if ok(q.jobs[id].job.State) && op(id) == nil {
			changed = append(changed, id)
		}
	}
	return changed
}

// PauseAll pauses every queued, running and waiting job.
func (q *Queue) PauseAll() []JobID {
	return q.each(active, q.Pause)
}

// ResumeAll resumes every paused job.
func (q *Queue) ResumeAll() []JobID {
	return q.each(oneOf(StatePaused), q.Resume)
}

// CancelAll cancels every job that is not done, skipped or cancelled.
func (q *Queue) CancelAll(now time.Time) []JobID {
	return q.each(func(s State) bool { return !settled(s) }, func(id JobID) error { return q.Cancel(id, now) })
}

// RetryFailed re-queues every failed job.
func (q *Queue) RetryFailed() []JobID {
	return q.each(oneOf(StateFailed), q.Retry)
}

// RemoveFinished drops done, skipped and cancelled jobs and returns how
// many it removed. Failed jobs stay so they can be retried.
func (q *Queue) RemoveFinished() int {
	kept := q.order[:0]
	removed := 0
	for _, id := range q.order {
		if settled(q.jobs[id].job.State) {
			delete(q.jobs, id)
			removed++
		} else {
			kept = append(kept, id)
		}
	}
	clear(q.order[len(kept):])
	q.order = kept
	return removed
}

// Recover prepares a queue loaded from a journal after a crash or quit:
// jobs that were running go back to queued, keeping their Done count so the
// engine may resume them. It returns their ids.
func (q *Queue) Recover() []JobID {
	var ids []JobID
	for _, id := range q.order {
		r := q.jobs[id]
		if r.job.State == StateRunning {
			q.leaveRunning(r)
			q.requeue(r)
			ids = append(ids, id)
		}
	}
	return ids
}

// JobSpeed returns the smoothed speed of a running job in bytes per second
// at now (0 for a job that is not running).
func (q *Queue) JobSpeed(id JobID, now time.Time) float64 {
	r, ok := q.jobs[id]
	if !ok || r.job.State != StateRunning {
		return 0
	}
	return r.meter.speed(now)
}

// JobETA estimates the time left for a running job of known size.
func (q *Queue) JobETA(id JobID, now time.Time) (time.Duration, bool) {
	r, ok := q.jobs[id]
	if !ok || r.job.State != StateRunning || r.job.Size < 0 {
		return 0, false
	}
	return eta(r.job.Remaining(), r.meter.speed(now))
}

func eta(remaining int64, speed float64) (time.Duration, bool) {
	if remaining == 0 {
		return 0, true
	}
	if speed <= 0 {
		return 0, false
	}
	secs := float64(remaining) / speed
	if secs > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)).Round(time.Second), true
}

// Totals summarises the queue.
type Totals struct {
	Jobs    int           `json:"jobs"`
	ByState map[State]int `json:"by_state"`
	// BytesDone and BytesTotal cover jobs that are not cancelled or
	// skipped; jobs of unknown size count their Done bytes only.
	BytesDone   int64 `json:"bytes_done"`
	BytesTotal  int64 `json:"bytes_total"`
	UnknownSize int   `json:"unknown_size"`
	// Speed is the smoothed overall speed in bytes per second.
	Speed float64 `json:"speed"`
	// ETA is the estimated time to finish all queued, running and waiting
	// work; ETAKnown is false when there is no speed yet or a size is
	// unknown.
	ETA      time.Duration `json:"eta"`
	ETAKnown bool          `json:"eta_known"`
	// Throttle is the concurrency transfers run at and why it is lower
	// than configured (filled in by the transfer engine).
	Throttle Throttle `json:"throttle"`
}

// Totals computes the queue summary at now.
func (q *Queue) Totals(now time.Time) Totals {
	t := Totals{Jobs: len(q.order), ByState: make(map[State]int)}
	var pending int64
	for _, id := range q.order {
		j := &q.jobs[id].job
		t.ByState[j.State]++
		if j.State == StateCancelled || j.State == StateSkipped {
			continue
		}
		t.BytesDone += j.Done
		if j.Size < 0 {
			t.UnknownSize++
			t.BytesTotal += j.Done
			continue
		}
		t.BytesTotal += j.Size
		if active(j.State) {
			pending += j.Remaining()
		}
	}
	if q.running > 0 {
		t.Speed = q.overall.speed(now)
	}
	if t.UnknownSize == 0 {
		t.ETA, t.ETAKnown = eta(pending, t.Speed)
	}
	return t
}

// queueJSON is the journal form of a Queue.
type queueJSON struct {
	NextID JobID `json:"next_id"`
	Jobs   []Job `json:"jobs"`
}

// MarshalJSON writes the jobs in run order and the id counter. Speeds are
// not journaled.
func (q *Queue) MarshalJSON() ([]byte, error) {
	return json.Marshal(queueJSON{NextID: q.nextID, Jobs: q.Jobs()})
}

// UnmarshalJSON restores a queue written by MarshalJSON, replacing its
// contents. Running jobs stay running until Recover is called.
func (q *Queue) UnmarshalJSON(b []byte) error {
	var in queueJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("decode transfer queue: %w", err)
	}
	*q = Queue{jobs: make(map[JobID]*jobRec, len(in.Jobs)), nextID: in.NextID}
	for _, j := range in.Jobs {
		if j.ID == 0 || q.jobs[j.ID] != nil {
			return fmt.Errorf("decode transfer queue: bad or repeated job id %d", j.ID)
		}
		if j.State < 0 || j.State >= numStates {
			return fmt.Errorf("decode transfer queue: job %d: bad state", j.ID)
		}
		q.back++
		r := &jobRec{job: j, key: q.back}
		q.jobs[j.ID] = r
		q.order = append(q.order, j.ID)
		q.nextID = max(q.nextID, j.ID)
		switch j.State {
		case StateQueued:
			heap.Push(&q.runnable, keyItem{key: r.key, id: j.ID})
		case StateWaiting:
			heap.Push(&q.waiting, wakeItem{at: j.RetryAt, id: j.ID})
		case StateRunning:
			q.running++
		}
	}
	return nil
}

// meter is an exponentially weighted moving average of a byte rate over
// irregular samples, with the start-up bias corrected so that the first
// seconds show the plain average instead of ramping up from zero. Bytes
// reported at the same instant as the previous sample are folded into that
// sample, as if they had arrived with it.
type meter struct {
	rate   float64 // biased EWMA of bytes/s
	weight float64 // total weight given to samples so far, in [0, 1)
	at     time.Time
	// the state before the last sample, to fold same-instant reports in
	prevRate, prevWeight float64
	lastDt               float64
	lastBytes            int64
}

func (m *meter) reset(now time.Time) { *m = meter{at: now} }

func (m *meter) add(delta int64, now time.Time) {
	if m.at.IsZero() {
		m.at = now
	}
	dt := now.Sub(m.at).Seconds()
	switch {
	case dt > 0:
		if m.lastDt == 0 {
			delta += m.lastBytes // reported at the very start of the interval
		}
		m.prevRate, m.prevWeight, m.lastDt, m.lastBytes = m.rate, m.weight, dt, delta
		m.at = now
	case m.lastDt > 0:
		m.lastBytes += delta // same instant as the last sample: redo it
	default:
		m.lastBytes += delta // before the first interval has elapsed
		return
	}
	alpha := 1 - math.Exp(-m.lastDt/SpeedWindow.Seconds())
	m.rate = m.prevRate + alpha*(float64(m.lastBytes)/m.lastDt-m.prevRate)
	m.weight = m.prevWeight + alpha*(1-m.prevWeight)
}

func (m *meter) speed(now time.Time) float64 {
	if m.weight == 0 {
		return 0
	}
	s := m.rate / m.weight
	if idle := now.Sub(m.at) - speedStall; idle > 0 {
		s *= math.Exp(-idle.Seconds() / SpeedWindow.Seconds())
	}
	return s
}

type keyItem struct {
	key int64
	id  JobID
}

// keyHeap orders runnable jobs by run order. Entries go stale when a job
// changes state or position; they are dropped when they reach the top.
type keyHeap []keyItem

func (h keyHeap) Len() int           { return len(h) }
func (h keyHeap) Less(i, j int) bool { return h[i].key < h[j].key }
func (h keyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap) Push(x any)        { *h = append(*h, x.(keyItem)) }
func (h *keyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type wakeItem struct {
	at time.Time
	id JobID
}

// wakeHeap orders waiting jobs by retry time; stale entries as keyHeap.
type wakeHeap []wakeItem

func (h wakeHeap) Len() int           { return len(h) }
func (h wakeHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h wakeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *wakeHeap) Push(x any)        { *h = append(*h, x.(wakeItem)) }
func (h *wakeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
