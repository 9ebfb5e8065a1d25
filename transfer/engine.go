package transfer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// Options configure an Engine. The zero value of every field has a sensible
// default.
type Options struct {
	// Remote is the MEGA account; nil allows local copies only.
	Remote Remote
	// Workers is the number of files in flight (default 4).
	Workers int
	// Conflict is the policy for requests that leave theirs at
	// ConflictDefault (default ConflictSkip).
	Conflict model.Conflict
	// BandwidthLimit caps the bytes per second of all workers together;
	// 0 means no limit.
	BandwidthLimit int64
	// BandwidthSchedule, when set, replaces BandwidthLimit by the limit
	// in force at each moment (a timetable; 0 = no limit then).
	BandwidthSchedule func(now time.Time) int64
	// JournalPath is the journal file (for example config.StateDir() +
	// "/transfers.jsonl"); empty disables resume.
	JournalPath string
	// Retry bounds retries of transient failures.
	Retry RetryPolicy
	// Fingerprint computes MEGA's fingerprint (`c` attribute) of a local
	// file; identical-file checks compare it with the node's when both are
	// known. Default: model.ComputeFingerprint.
	Fingerprint func(path string, size int64, mtime time.Time) (string, error)
	// Now is the clock (default time.Now).
	Now func() time.Time
	// DryRun decides every job (conflicts included) without creating,
	// transferring or deleting anything: each job ends skipped with a
	// reason starting "dry run: would ...".
	DryRun bool
	// TempDir holds the private temporary files of MEGA to MEGA copies
	// (default: the journal's folder, else os.TempDir()).
	TempDir string
}

// Engine runs transfer jobs. Create it with New, then call Start once.
// Queue state (states, order, progress, speeds, totals) lives in a
// model.Queue that the engine owns; its methods are serialised by e.mu.
type Engine struct {
	opts    Options
	retry   RetryPolicy
	bucket  *bucket
	journal *journal
	events  *eventQueue

	ctx context.Context
	wg  sync.WaitGroup

	mu        sync.Mutex
	started   bool
	q         *model.Queue
	jobs      map[model.JobID]*job
	reqs      map[string]*reqRun
	active    int // jobs queued, running or waiting to retry
	busy      int // jobs held by workers
	expanding int
	pausedAll bool
	resumed   int
	changed   chan struct{} // closed and replaced on every change
	reserved  map[string]model.JobID

	adapt adaptive // files in flight, lowered while the servers struggle

	dirMu sync.Mutex
	dirs  map[string]*dirOnce
}

// job is the engine's private execution record of one queue job: one
// file, or for a server-side move one node.
type job struct {
	id     model.JobID
	token  string // unique across runs: names the partial file
	req    *reqRun
	dir    model.Direction
	key    string // relDir/name, stable across restarts
	relDir string // slash-separated folder below the request's DstDir
	name   string // wanted name in that folder
	src    Endpoint
	size   int64

	// viaTemp: a MEGA to MEGA copy through a temporary file; its
	// progress counts both halves (download and upload), each as half of
	// the file's size.
	viaTemp bool
	// copied: the copy of a move is done (journaled); only the removal of
	// the source is left. srcSize and srcMtime are the local source as it
	// was copied (zero when unknown).
	copied   bool
	srcSize  int64
	srcMtime time.Time
	// srcChanges counts the uploads whose local source changed while
	// being read (retried once, then the job fails).
	srcChanges int

	attempt     int // attempts since the last user Retry
	transferred int64
	lastEmit    time.Time
	active      bool // counted in Engine.active
	terminal    bool // counted in reqRun.final

	ctx        context.Context
	cancel     context.CancelFunc
	resolution model.Conflict
	question   *Question

	// Persisted once the job has chosen its target.
	started  bool
	target   string
	parentID string
	before   []string
	trash    []string
	partial  string
	fp       string
	reserved string

	// chunks is the chunk-level state of an upload or download: what a
	// retry or a resume goes on from.
	chunks chunkState
}

type reqRun struct {
	id        string
	req       Request
	dir       model.Direction
	policy    model.Conflict
	cancel    context.CancelFunc
	expanding bool
	total     int
	final     int
	ended     bool
	prior     *journaledRequest
	// viaTemp: MEGA to MEGA copy through a temporary file.
	viaTemp bool
	// moveSrc: remove each file's source once its copy is done.
	moveSrc bool
	// srcDir: the source is a folder (its emptied folders are removed at
	// the end of a move); cleaning is set while that runs, cleaned after.
	srcDir   bool
	cleaning bool
	cleaned  bool
}

// questionWait is how far in the future a job waiting for an answer is
// parked in the queue's waiting state.
const questionWait = 100 * 365 * 24 * time.Hour

// New returns an engine; nothing runs until Start.
func New(opts Options) *Engine {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Conflict == model.ConflictDefault {
		opts.Conflict = model.ConflictSkip
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Fingerprint == nil {
		opts.Fingerprint = fileFingerprint
	}
	e := &Engine{
		opts:     opts,
		retry:    opts.Retry.withDefaults(),
		events:   newEventQueue(),
		q:        model.NewQueue(),
		jobs:     map[model.JobID]*job{},
		reqs:     map[string]*reqRun{},
		changed:  make(chan struct{}),
		reserved: map[string]model.JobID{},
		dirs:     map[string]*dirOnce{},
		adapt:    newAdaptive(opts.Workers),
	}
	if opts.BandwidthLimit > 0 || opts.BandwidthSchedule != nil {
		e.bucket = newBucket(opts.BandwidthLimit, opts.Now)
		e.bucket.schedule = opts.BandwidthSchedule
	}
	return e
}

// Start opens the journal, brings back the requests it holds that had not
// finished (their finished files are not transferred again, their stale
// partial files are removed) and starts the workers. Every goroutine ends
// when ctx is cancelled; Wait waits for them.
func (e *Engine) Start(ctx context.Context) error {
	e.mu.Lock()
	if e.started {
		e.mu.Unlock()
		return errors.New("transfer engine already started")
	}
	e.started = true
	e.ctx = ctx
	e.mu.Unlock()

	var prior []*journaledRequest
	if e.opts.JournalPath != "" {
		j, reqs, err := openJournal(e.opts.JournalPath)
		if err != nil {
			return err
		}
		e.journal = j
		prior = reqs
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.events.run(ctx)
	}()
	for i := 0; i < e.opts.Workers; i++ {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.worker(ctx)
		}()
	}
	for _, jr := range prior {
		for key, r := range jr.started {
			if c := jr.chunks[key]; len(c.Chunks) > 0 && r.Partial != "" {
				continue // a download goes on in its partial file
			}
			removePartial(r.Partial)
		}
		if _, err := e.enqueue(jr.id, jr.req, jr); err != nil {
			e.events.push(Event{Kind: EventRequestFailed, Reason: fmt.Sprintf("resume %s: %v", describe(jr.req.Src), err)})
			continue
		}
		e.mu.Lock()
		e.resumed++
		e.mu.Unlock()
	}
	return nil
}

// Resumed is the number of unfinished requests Start brought back from the
// journal.
func (e *Engine) Resumed() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.resumed
}

// Wait blocks until every goroutine has ended (after the Start context is
// cancelled) and closes the journal.
func (e *Engine) Wait() error {
	e.wg.Wait()
	return e.journal.close()
}

// Events delivers the engine's notifications in order. It is closed after
// the Start context is cancelled.
func (e *Engine) Events() <-chan Event { return e.events.out }

// Enqueue adds a request and returns its id (the Group of its jobs).
// Folders are expanded in the background: their first files start while
// the rest is still being read.
func (e *Engine) Enqueue(req Request) (string, error) {
	return e.enqueue(newToken(), req, nil)
}

func (e *Engine) enqueue(id string, req Request, prior *journaledRequest) (string, error) {
	e.mu.Lock()
	started, ctx := e.started, e.ctx
	e.mu.Unlock()
	if !started {
		return "", errors.New("transfer engine not started")
	}
	dir, err := e.directionFor(req)
	if err != nil {
		return "", err
	}
	if req.Name == "" {
		req.Name = sourceName(req.Src)
	}
	if req.Name == "" {
		return "", fmt.Errorf("%s: %w", describe(req.Src), model.ErrUnsafeName)
	}
	rctx, cancel := context.WithCancel(ctx)
	r := &reqRun{id: id, req: req, dir: dir, policy: req.Conflict, cancel: cancel, expanding: true, prior: prior,
		viaTemp: dir == model.RemoteCopy,
		moveSrc: dir != model.RemoteMove && req.Op == model.OpMove}
	if r.policy == model.ConflictDefault {
		r.policy = e.opts.Conflict
	}
	if prior == nil {
		rq := req
		if err := e.journal.append(record{T: "req", Req: id, Request: &rq}); err != nil {
			cancel()
			return "", err
		}
	}
	e.mu.Lock()
	e.reqs[id] = r
	e.expanding++
	e.mu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		err := e.expand(rctx, r)
		failed := err != nil && rctx.Err() == nil
		if failed {
			e.events.push(Event{Kind: EventRequestFailed, Reason: fmt.Sprintf("%s: %v", describe(req.Src), err)})
		}
		e.mu.Lock()
		r.expanding = false
		e.expanding--
		if !failed && rctx.Err() == nil {
			e.checkRequestLocked(r)
		}
		e.mu.Unlock()
		e.broadcast()
	}()
	return id, nil
}

func (e *Engine) directionFor(req Request) (model.Direction, error) {
	switch {
	case !req.Src.Remote && !req.DstDir.Remote:
		if req.Src.Path == "" || req.DstDir.Path == "" {
			return 0, errors.New("local copy needs a source and a destination path")
		}
		return model.LocalCopy, nil
	case e.opts.Remote == nil:
		return 0, errors.New("no MEGA account connected")
	case !req.Src.Remote:
		if req.Src.Path == "" || (req.DstDir.Entry.ID == "" && !e.opts.DryRun) {
			return 0, errors.New("upload needs a local source and a MEGA folder")
		}
		return model.Upload, nil
	case !req.DstDir.Remote:
		if req.Src.Entry.ID == "" || req.DstDir.Path == "" {
			return 0, errors.New("download needs a MEGA source and a local folder")
		}
		return model.Download, nil
	default:
		// A dry run into a MEGA folder still to be created has no folder
		// id yet, as for uploads.
		if req.Src.Entry.ID == "" || (req.DstDir.Entry.ID == "" && !e.opts.DryRun) {
			return 0, errors.New("copy within MEGA needs a MEGA source and a MEGA folder")
		}
		if req.Op == model.OpCopy {
			return model.RemoteCopy, nil
		}
		return model.RemoteMove, nil // OpMove, and OpDefault as before Op existed
	}
}

// prepare fills in a job expanded from r; it reports false when the
// journal says the job already finished in an earlier run.
func (e *Engine) prepare(r *reqRun, j *job) bool {
	j.req = r
	j.dir = r.dir
	if j.key == "" { // set ahead only for a skipped same-name duplicate
		j.key = joinRel(j.relDir, j.name)
	}
	j.token = newToken()
	j.viaTemp = r.viaTemp
	if p := r.prior; p != nil {
		switch p.ended[j.key] {
		case model.StateDone.String(), model.StateSkipped.String(), model.StateCancelled.String():
			return false
		}
		if rec, ok := p.started[j.key]; ok {
			j.token = rec.Job
			j.started = true
			j.target = rec.Target
			j.parentID = rec.Parent
			j.before = rec.Before
			j.trash = rec.Trash
			j.partial = rec.Partial
		}
		if c, ok := p.chunks[j.key]; ok && j.started {
			j.chunks.cur = c
		}
		if rec, ok := p.copied[j.key]; ok && r.moveSrc {
			j.copied = true
			j.srcSize = rec.Size
			if rec.MTime != 0 {
				j.srcMtime = time.Unix(0, rec.MTime)
			}
		}
	}
	return true
}

func (e *Engine) modelJob(j *job) model.Job {
	dst := describe(j.req.req.DstDir)
	if j.relDir != "" {
		dst = joinDisplay(dst, j.relDir)
	}
	srcRef := j.src.Path
	if j.src.Remote {
		srcRef = j.src.Entry.ID
	}
	return model.Job{
		Direction: j.dir,
		Src:       model.Location{Display: describe(j.src), Ref: srcRef},
		Dst:       model.Location{Display: joinDisplay(dst, j.name), Ref: j.key},
		Group:     j.req.id,
		Size:      j.size,
	}
}

// addJob puts a job expanded from r into the queue, unless the journal says
// it already finished.
func (e *Engine) addJob(r *reqRun, j *job) {
	if !e.prepare(r, j) {
		return
	}
	e.mu.Lock()
	j.id = e.q.Add(e.modelJob(j))
	e.jobs[j.id] = j
	r.total++
	if e.pausedAll {
		_ = e.q.Pause(j.id)
	}
	e.trackLocked(j)
	e.emitLocked(EventAdded, j)
	e.mu.Unlock()
	e.broadcast()
}

// addFinalJob records a job that ends as soon as it is found: a symlink
// that is not followed (skipped) or a folder that cannot be read (failed).
func (e *Engine) addFinalJob(r *reqRun, j *job, st model.State, reason string) {
	if !e.prepare(r, j) {
		return
	}
	now := e.opts.Now()
	e.mu.Lock()
	j.id = e.q.Add(e.modelJob(j))
	e.jobs[j.id] = j
	r.total++
	if st == model.StateSkipped {
		_ = e.q.Skip(j.id, reason, now)
	} else {
		_ = e.q.Fail(j.id, reason, now)
	}
	e.trackLocked(j)
	e.emitLocked(EventAdded, j)
	e.mu.Unlock()
	_ = e.journal.append(record{T: "end", Req: r.id, Key: j.key, State: st.String()})
}

// trackLocked updates the engine's counters after j's queue state changed.
func (e *Engine) trackLocked(j *job) {
	mj, _ := e.q.Get(j.id)
	active := mj.State == model.StateQueued || mj.State == model.StateRunning ||
		(mj.State == model.StateWaiting && j.question == nil)
	if active != j.active {
		j.active = active
		if active {
			e.active++
		} else {
			e.active--
		}
	}
	terminal := mj.State.Terminal()
	if terminal != j.terminal {
		j.terminal = terminal
		if terminal {
			j.req.final++
		} else {
			j.req.final--
		}
	}
}

func (e *Engine) emitLocked(kind EventKind, j *job) {
	mj, _ := e.q.Get(j.id)
	e.events.push(Event{Kind: kind, Job: mj})
}

// broadcast wakes everything waiting for a change.
func (e *Engine) broadcast() {
	e.mu.Lock()
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// worker runs jobs until ctx ends.
func (e *Engine) worker(ctx context.Context) {
	for {
		j := e.next(ctx)
		if j == nil {
			return
		}
		e.run(ctx, j)
	}
}

// next starts the first runnable job, waiting for one.
func (e *Engine) next(ctx context.Context) *job {
	for {
		e.mu.Lock()
		if ctx.Err() != nil {
			e.mu.Unlock()
			return nil
		}
		now := e.opts.Now()
		if e.busy < e.adapt.cur {
			if mj, ok := e.q.Start(now); ok {
				j := e.jobs[mj.ID]
				j.attempt++
				j.transferred = 0
				j.question = nil
				j.ctx, j.cancel = context.WithCancel(ctx)
				e.busy++
				e.trackLocked(j)
				e.emitLocked(EventState, j)
				e.mu.Unlock()
				return j
			}
		}
		ch := e.changed
		var t *time.Timer
		var timer <-chan time.Time
		if at, ok := e.q.NextWake(); ok {
			t = time.NewTimer(max(at.Sub(now), time.Millisecond))
			timer = t.C
		}
		e.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-ch:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// run executes one attempt of a job and records how it went.
func (e *Engine) run(ctx context.Context, j *job) {
	out, err := e.attempt(j.ctx, j)
	j.cancel()
	now := e.opts.Now()
	rt := e.remoteThrottle()
	e.mu.Lock()
	e.busy--
	if ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, model.ErrCancelled) {
		e.adapt.observe(err, rt, now)
	}
	j.cancel = nil
	if j.reserved != "" {
		delete(e.reserved, j.reserved)
		j.reserved = ""
	}
	mj, _ := e.q.Get(j.id)
	switch {
	case mj.State != model.StateRunning:
		// Paused or cancelled while running. If the work completed anyway,
		// record that, since the file is in place.
		if err == nil && out.kind == outcomeDone {
			e.forceFinishLocked(j, now)
		}
	case ctx.Err() != nil:
		// Shutting down: the job stays unfinished in the journal.
	case err != nil:
		c := classify(err)
		if e.retry.retryable(j.attempt, c) {
			d := e.retry.delay(j.attempt, c)
			if c == classQuotaWait {
				d = quotaWait(err) // as long as the server said, no longer
			}
			_ = e.q.Wait(j.id, waitReason(c, d), now.Add(d))
		} else {
			_ = e.q.Fail(j.id, failReason(err), now)
		}
	case out.kind == outcomeAsk:
		j.question = out.question
		_ = e.q.Wait(j.id, "target exists: waiting for an answer", now.Add(questionWait))
	case out.kind == outcomeSkipped:
		_ = e.q.Skip(j.id, out.reason, now)
	default:
		_ = e.q.Finish(j.id, now)
	}
	e.trackLocked(j)
	e.emitLocked(EventState, j)
	if j.question != nil {
		mj, _ := e.q.Get(j.id)
		q := *j.question
		e.events.push(Event{Kind: EventQuestion, Job: mj, Question: &q})
	}
	e.endLocked(j)
	e.mu.Unlock()
	e.broadcast()
}

// forceFinishLocked marks a paused or cancelled job done because its file
// was completely transferred before the stop took effect.
func (e *Engine) forceFinishLocked(j *job, now time.Time) {
	mj, _ := e.q.Get(j.id)
	switch mj.State {
	case model.StatePaused:
		_ = e.q.Resume(j.id)
	case model.StateCancelled:
		_ = e.q.Retry(j.id)
	}
	if e.q.StartJob(j.id, now) == nil {
		_ = e.q.Finish(j.id, now)
	}
}

// endLocked journals a job that reached a final state, and its request
// once every job of it is final.
func (e *Engine) endLocked(j *job) {
	mj, _ := e.q.Get(j.id)
	if mj.State == model.StateCancelled && j.cancel == nil && j.chunks.hasChunks() {
		// A cancelled job starts from byte 0 if it is retried.
		if j.dir == model.Download {
			removePartial(j.partial)
		}
		j.chunks.merge(model.ChunkResume{Fresh: true})
	}
	if mj.State.Terminal() {
		_ = e.journal.append(record{T: "end", Req: j.req.id, Key: j.key, State: mj.State.String()})
	}
	e.checkRequestLocked(j.req)
}

// checkRequestLocked ends a request in the journal once it is fully
// expanded and every job is final.
func (e *Engine) checkRequestLocked(r *reqRun) {
	if r.ended || r.expanding || r.final < r.total || e.ctx.Err() != nil || r.cleaning {
		return
	}
	if r.moveSrc && r.srcDir && !r.cleaned && !e.opts.DryRun {
		// A folder move ends by removing the source folders it emptied;
		// the request ends in the journal only after that, so a crash
		// before it is finished on resume. It counts as expansion work
		// for WaitIdle.
		r.cleaning = true
		e.expanding++
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			e.removeEmptiedFolders(e.ctx, r)
			e.mu.Lock()
			r.cleaning = false
			r.cleaned = e.ctx.Err() == nil
			e.expanding--
			e.checkRequestLocked(r)
			e.mu.Unlock()
			e.broadcast()
		}()
		return
	}
	r.ended = true
	_ = e.journal.append(record{T: "reqend", Req: r.id})
}

// attempt runs one try of a job: its copy (or server-side move), then,
// for a move across sides, the removal of its source.
func (e *Engine) attempt(ctx context.Context, j *job) (outcome, error) {
	if !j.req.moveSrc || e.opts.DryRun {
		return e.copyAttempt(ctx, j)
	}
	if !j.copied {
		out, err := e.copyAttempt(ctx, j)
		if err != nil || !(out.kind == outcomeDone || out.identical) {
			return out, err
		}
		// The copy is in place (or an identical file was): journal that
		// before touching the source, so a crash from here on finishes
		// the removal on resume and never repeats the copy.
		rec := record{T: "copied", Req: j.req.id, Key: j.key, Size: j.srcSize}
		if !j.srcMtime.IsZero() {
			rec.MTime = j.srcMtime.UnixNano()
		}
		if err := e.journal.append(rec); err != nil {
			return outcome{}, err
		}
		j.copied = true
		if err := e.removeSource(ctx, j); err != nil {
			return outcome{}, err
		}
		if out.identical {
			return skipped("identical file exists: source removed")
		}
		return outcome{}, nil
	}
	return outcome{}, e.removeSource(ctx, j)
}

func (e *Engine) copyAttempt(ctx context.Context, j *job) (outcome, error) {
	switch j.dir {
	case model.Upload:
		return e.upload(ctx, j)
	case model.Download:
		return e.download(ctx, j)
	case model.RemoteCopy:
		return e.remoteCopy(ctx, j)
	case model.RemoteMove:
		return e.move(ctx, j)
	case model.LocalCopy:
		return e.localCopy(ctx, j)
	}
	return outcome{}, fmt.Errorf("unknown direction %v", j.dir)
}

// progress records n more bytes on j and emits a throttled event.
func (e *Engine) progress(j *job, n int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	j.transferred += n
	now := e.opts.Now()
	done := j.transferred
	if j.viaTemp {
		done /= 2
	}
	if j.size >= 0 && done > j.size {
		done = j.size
	}
	if e.q.Progress(j.id, done, now) != nil {
		return
	}
	if now.Sub(j.lastEmit) < 100*time.Millisecond && done < j.size {
		return
	}
	j.lastEmit = now
	e.emitLocked(EventProgress, j)
}

// setSize records the size learnt when a job opened its source.
func (e *Engine) setSize(j *job, size int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if j.size != size {
		j.size = size
		if e.q.SetSize(j.id, size) != nil {
			// A source that shrank since an earlier attempt: that
			// attempt's progress is void, and the size is the new one.
			_ = e.q.Progress(j.id, 0, e.opts.Now())
			_ = e.q.SetSize(j.id, size)
		}
	}
}

// markStarted persists the job's chosen target before any data moves.
func (e *Engine) markStarted(j *job) error {
	j.started = true
	return e.journal.append(record{T: "start", Req: j.req.id, Key: j.key, Job: j.token,
		Target: j.target, Parent: j.parentID, Before: j.before, Trash: j.trash, Partial: j.partial})
}

func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
