package model

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

var qT0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func qAt(sec float64) time.Time { return qT0.Add(time.Duration(sec * float64(time.Second))) }

func qJob(name string, size int64) Job {
	return Job{
		Direction: Upload,
		Src:       Location{Display: "/home/u/" + name, Ref: "/home/u/" + name},
		Dst:       Location{Display: "mega:/" + name, Ref: "h" + name},
		Size:      size,
	}
}

// qJobIn returns a queue holding one job brought into state s.
func qJobIn(t *testing.T, s State) (*Queue, JobID) {
	t.Helper()
	q := NewQueue()
	id := q.Add(qJob("a", 100))
	steps := map[State]func() error{
		StateQueued:  func() error { return nil },
		StateRunning: func() error { return q.StartJob(id, qAt(0)) },
		StateWaiting: func() error {
			if err := q.StartJob(id, qAt(0)); err != nil {
				return err
			}
			return q.Wait(id, "rate limited", qAt(10))
		},
		StatePaused: func() error { return q.Pause(id) },
		StateDone: func() error {
			if err := q.StartJob(id, qAt(0)); err != nil {
				return err
			}
			return q.Finish(id, qAt(1))
		},
		StateFailed: func() error {
			if err := q.StartJob(id, qAt(0)); err != nil {
				return err
			}
			return q.Fail(id, "boom", qAt(1))
		},
		StateCancelled: func() error { return q.Cancel(id, qAt(0)) },
		StateSkipped:   func() error { return q.Skip(id, "identical", qAt(0)) },
	}
	if err := steps[s](); err != nil {
		t.Fatalf("bringing job to %s: %v", s, err)
	}
	if j, _ := q.Get(id); j.State != s {
		t.Fatalf("job is %s, want %s", j.State, s)
	}
	return q, id
}

func TestQueueTransitions(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		do   func(q *Queue, id JobID) error
		// to is the resulting state for each legal source state.
		to map[State]State
	}
	ops := []op{
		{"start", func(q *Queue, id JobID) error { return q.StartJob(id, qAt(20)) },
			map[State]State{StateQueued: StateRunning, StateWaiting: StateRunning}},
		{"progress", func(q *Queue, id JobID) error { return q.Progress(id, 50, qAt(20)) },
			map[State]State{StateRunning: StateRunning}},
		{"wait", func(q *Queue, id JobID) error { return q.Wait(id, "busy", qAt(30)) },
			map[State]State{StateRunning: StateWaiting}},
		{"finish", func(q *Queue, id JobID) error { return q.Finish(id, qAt(20)) },
			map[State]State{StateRunning: StateDone}},
		{"fail", func(q *Queue, id JobID) error { return q.Fail(id, "x", qAt(20)) },
			map[State]State{StateQueued: StateFailed, StateRunning: StateFailed, StateWaiting: StateFailed}},
		{"skip", func(q *Queue, id JobID) error { return q.Skip(id, "x", qAt(20)) },
			map[State]State{StateQueued: StateSkipped, StateRunning: StateSkipped, StateWaiting: StateSkipped}},
		{"pause", func(q *Queue, id JobID) error { return q.Pause(id) },
			map[State]State{StateQueued: StatePaused, StateRunning: StatePaused, StateWaiting: StatePaused}},
		{"resume", func(q *Queue, id JobID) error { return q.Resume(id) },
			map[State]State{StatePaused: StateQueued}},
		{"cancel", func(q *Queue, id JobID) error { return q.Cancel(id, qAt(20)) },
			map[State]State{StateQueued: StateCancelled, StateRunning: StateCancelled, StateWaiting: StateCancelled,
				StatePaused: StateCancelled, StateFailed: StateCancelled}},
		{"retry", func(q *Queue, id JobID) error { return q.Retry(id) },
			map[State]State{StateFailed: StateQueued, StateCancelled: StateQueued}},
		{"move to front", func(q *Queue, id JobID) error { return q.MoveToFront(id) },
			map[State]State{StateQueued: StateQueued, StateWaiting: StateWaiting, StatePaused: StatePaused}},
	}
	for _, o := range ops {
		for from := StateQueued; from < numStates; from++ {
			t.Run(o.name+"/from "+from.String(), func(t *testing.T) {
				t.Parallel()
				q, id := qJobIn(t, from)
				err := o.do(q, id)
				want, legal := o.to[from]
				if !legal {
					if !errors.Is(err, ErrBadTransition) {
						t.Fatalf("err = %v, want ErrBadTransition", err)
					}
					if j, _ := q.Get(id); j.State != from {
						t.Fatalf("state after refused %s = %s, want %s", o.name, j.State, from)
					}
					return
				}
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				if j, _ := q.Get(id); j.State != want {
					t.Fatalf("state = %s, want %s", j.State, want)
				}
			})
		}
	}
}

func TestQueueUnknownJob(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	for name, err := range map[string]error{
		"start":    q.StartJob(7, qAt(0)),
		"progress": q.Progress(7, 1, qAt(0)),
		"finish":   q.Finish(7, qAt(0)),
		"cancel":   q.Cancel(7, qAt(0)),
		"front":    q.MoveToFront(7),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func TestQueueStartOrder(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	a := q.Add(qJob("a", 10))
	b := q.Add(qJob("b", 10))
	c := q.Add(qJob("c", 10))
	d := q.Add(qJob("d", 10))

	qMust(t, q.Pause(b))
	qMust(t, q.MoveToFront(d))
	j, ok := q.Start(qAt(0))
	if !ok || j.ID != d {
		t.Fatalf("first start = %d, %v; want %d (moved to front)", j.ID, ok, d)
	}
	if j.Attempts != 1 || !j.StartedAt.Equal(qAt(0)) {
		t.Fatalf("started job = %+v, want attempts 1 and start time", j)
	}
	qMust(t, q.Wait(d, "rate limited", qAt(5)))
	j, _ = q.Start(qAt(1))
	if j.ID != a {
		t.Fatalf("second start = %d, want %d", j.ID, a)
	}
	j, _ = q.Start(qAt(1))
	if j.ID != c {
		t.Fatalf("third start = %d, want %d (b is paused)", j.ID, c)
	}
	if _, ok := q.Start(qAt(2)); ok {
		t.Fatal("start while d waits and b is paused: got a job, want none")
	}
	if wake, ok := q.NextWake(); !ok || !wake.Equal(qAt(5)) {
		t.Fatalf("NextWake = %v, %v; want %v", wake, ok, qAt(5))
	}
	qMust(t, q.Resume(b))
	// At 5 s both d (due, front of the order) and b are runnable.
	j, _ = q.Start(qAt(5))
	if j.ID != d || j.Attempts != 2 || j.Reason != "" {
		t.Fatalf("start at retry time = %+v, want job %d on its 2nd attempt with no reason", j, d)
	}
	j, _ = q.Start(qAt(5))
	if j.ID != b {
		t.Fatalf("last start = %d, want %d", j.ID, b)
	}
	if _, ok := q.Start(qAt(100)); ok {
		t.Fatal("everything is running: got a job, want none")
	}
	order := []JobID{}
	for _, j := range q.Jobs() {
		order = append(order, j.ID)
	}
	if want := []JobID{d, a, b, c}; !qEqualIDs(order, want) {
		t.Fatalf("Jobs order = %v, want %v", order, want)
	}
}

func qEqualIDs(a, b []JobID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func qMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestQueueBulkOperations(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	var ids []JobID
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		ids = append(ids, q.Add(qJob(n, 10)))
	}
	q.Start(qAt(0))                             // a running
	q.Start(qAt(0))                             // b running
	qMust(t, q.Fail(ids[1], "network", qAt(1))) // b failed
	qMust(t, q.Skip(ids[4], "same", qAt(1)))    // e skipped

	if got := q.PauseAll(); !qEqualIDs(got, []JobID{ids[0], ids[2], ids[3]}) {
		t.Fatalf("PauseAll = %v, want a, c, d", got)
	}
	if got := q.ResumeAll(); !qEqualIDs(got, []JobID{ids[0], ids[2], ids[3]}) {
		t.Fatalf("ResumeAll = %v, want a, c, d", got)
	}
	if got := q.RetryFailed(); !qEqualIDs(got, []JobID{ids[1]}) {
		t.Fatalf("RetryFailed = %v, want b", got)
	}
	if j, _ := q.Get(ids[1]); j.Err != "" || j.State != StateQueued {
		t.Fatalf("retried job = %+v, want queued with no error", j)
	}
	if got := q.CancelAll(qAt(2)); len(got) != 4 {
		t.Fatalf("CancelAll changed %v, want 4 jobs", got)
	}
	if n := q.RemoveFinished(); n != 5 || q.Len() != 0 {
		t.Fatalf("RemoveFinished = %d leaving %d, want 5 leaving 0", n, q.Len())
	}
}

func TestQueueProgressAndTotals(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	a := q.Add(qJob("a", 1000))
	b := q.Add(qJob("b", 3000))
	c := q.Add(qJob("c", 500))
	q.Start(qAt(0))
	q.Start(qAt(0))
	qMust(t, q.Cancel(c, qAt(0)))
	qMust(t, q.Progress(a, 400, qAt(1)))
	qMust(t, q.Progress(b, 600, qAt(1)))
	if err := q.Progress(a, 1001, qAt(1)); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("progress past size: err = %v, want ErrBadTransition", err)
	}
	if err := q.Progress(a, -1, qAt(1)); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("negative progress: err = %v, want ErrBadTransition", err)
	}
	tot := q.Totals(qAt(1))
	if tot.BytesDone != 1000 || tot.BytesTotal != 4000 || tot.Jobs != 3 {
		t.Fatalf("totals = %+v, want 1000/4000 bytes over 3 jobs (cancelled excluded from bytes)", tot)
	}
	if tot.ByState[StateRunning] != 2 || tot.ByState[StateCancelled] != 1 {
		t.Fatalf("ByState = %v, want 2 running, 1 cancelled", tot.ByState)
	}
	// 1000 bytes in 1 s overall; the bias-corrected EWMA shows the plain
	// average at first.
	if !qNear(tot.Speed, 1000) {
		t.Fatalf("speed = %v, want 1000", tot.Speed)
	}
	if !tot.ETAKnown || tot.ETA != 3*time.Second {
		t.Fatalf("ETA = %v (%v), want 3s", tot.ETA, tot.ETAKnown)
	}
	if eta, ok := q.JobETA(a, qAt(1)); !ok || eta != 2*time.Second {
		t.Fatalf("JobETA(a) = %v, %v; want 1.5s rounded to 2s", eta, ok)
	}
	qMust(t, q.Finish(a, qAt(2)))
	if j, _ := q.Get(a); j.Done != 1000 || j.Fraction() != 1 {
		t.Fatalf("finished job = %+v, want Done == Size", j)
	}
	data, err := json.Marshal(tot)
	if err != nil || !strings.Contains(string(data), `"cancelled":1`) {
		t.Fatalf("Totals JSON = %s, %v; want state names as keys", data, err)
	}
}

func qNear(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

func TestMeterSmoothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		samples []struct{ sec, bytes float64 } // cumulative bytes at time
		now     float64
		want    func(float64) bool
	}{
		{"qSteady rate converges", qSteady(0.5, 60, 1e6), 60, func(s float64) bool { return qNear(s, 1e6) }},
		{"irregular sampling of a qSteady rate", []struct{ sec, bytes float64 }{
			{0.1, 1e5}, {0.15, 1.5e5}, {1, 1e6}, {3.5, 3.5e6}, {3.5, 3.5e6}, {4, 4e6}}, 4,
			func(s float64) bool { return qNear(s, 1e6) }},
		{"same-instant samples accumulate", []struct{ sec, bytes float64 }{
			{1, 100}, {1, 200}, {2, 300}}, 2, func(s float64) bool {
			// As if 200 bytes came in [0,1] and 100 in [1,2].
			a := 1 - math.Exp(-1/SpeedWindow.Seconds())
			r1, w1 := a*200, a
			return qNear(s, (r1+a*(100-r1))/(w1+a*(1-w1)))
		}},
		{"reports at the start instant count", []struct{ sec, bytes float64 }{
			{0, 500}, {1, 1000}}, 1, func(s float64) bool { return qNear(s, 1000) }},
		{"rate drop shows within a window", append(qSteady(1, 30, 1e6), qSteadyFrom(31, 60, 1e5, 30e6)...), 60,
			func(s float64) bool { return s > 0.99e5 && s < 1.1e5 }},
		{"stall decays", qSteady(1, 10, 1e6), 30, func(s float64) bool { return s < 1e6*math.Exp(-3) }},
		{"stall grace", qSteady(1, 10, 1e6), 11.5, func(s float64) bool { return qNear(s, 1e6) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var m meter
			m.reset(qAt(0))
			var prev float64
			for _, s := range tc.samples {
				m.add(int64(s.bytes-prev), qAt(s.sec))
				prev = s.bytes
			}
			if got := m.speed(qAt(tc.now)); !tc.want(got) {
				t.Fatalf("speed = %v, not as expected", got)
			}
		})
	}
}

func qSteady(step, until, rate float64) []struct{ sec, bytes float64 } {
	return qSteadyFrom(step, until, rate, 0)
}

func qSteadyFrom(from, until, rate, base float64) []struct{ sec, bytes float64 } {
	var out []struct{ sec, bytes float64 }
	start := from - 1
	if base == 0 {
		start = 0
	}
	for s := from; s <= until+1e-9; s++ {
		out = append(out, struct{ sec, bytes float64 }{s, base + rate*(s-start)})
	}
	return out
}

func TestQueueProgressRestartResetsSpeed(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	a := q.Add(qJob("a", 1e9))
	q.Start(qAt(0))
	qMust(t, q.Progress(a, 5e6, qAt(1)))
	qMust(t, q.Progress(a, 0, qAt(2))) // upload restarted (EFAILED)
	if s := q.JobSpeed(a, qAt(2)); s != 0 {
		t.Fatalf("speed after restart = %v, want 0", s)
	}
	qMust(t, q.Progress(a, 2e6, qAt(3)))
	if s := q.JobSpeed(a, qAt(3)); !qNear(s, 2e6) {
		t.Fatalf("speed = %v, want 2e6", s)
	}
}

func TestQueueJSONRoundTripAndRecover(t *testing.T) {
	t.Parallel()
	q := NewQueue()
	a := q.Add(qJob("a", 100))
	b := q.Add(qJob("b", 200))
	c := q.Add(qJob("c", -1))
	q.Start(qAt(0))
	qMust(t, q.Progress(a, 40, qAt(1)))
	qMust(t, q.MoveToFront(c))
	q.Start(qAt(1)) // c
	qMust(t, q.Wait(c, "rate limited", qAt(60)))

	data, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"state":"running"`, `"direction":"upload"`, `"reason":"rate limited"`} {
		if !strings.Contains(string(data), want) {
			t.Fatalf("journal %s lacks %s", data, want)
		}
	}
	var back Queue
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Recover(); !qEqualIDs(got, []JobID{a}) {
		t.Fatalf("Recover = %v, want [a]", got)
	}
	ja, _ := back.Get(a)
	if ja.State != StateQueued || ja.Done != 40 || ja.Attempts != 1 {
		t.Fatalf("recovered job = %+v, want queued with 40 bytes done", ja)
	}
	order := []JobID{}
	for _, j := range back.Jobs() {
		order = append(order, j.ID)
	}
	if !qEqualIDs(order, []JobID{c, a, b}) {
		t.Fatalf("order after reload = %v, want [c a b]", order)
	}
	if j, _ := back.Start(qAt(2)); j.ID != a {
		t.Fatalf("first start after reload = %d, want %d (c still waiting)", j.ID, a)
	}
	if j, _ := back.Start(qAt(61)); j.ID != c {
		t.Fatalf("start after retry time = %d, want %d", j.ID, c)
	}
	if id := back.Add(qJob("d", 1)); id != 4 {
		t.Fatalf("new id after reload = %d, want 4", id)
	}
	for _, bad := range []string{`{"jobs":[{"id":0}]}`, `{"jobs":[{"id":1},{"id":1}]}`, `{"jobs":[{"id":1,"state":"bogus"}]}`, `[`} {
		var q2 Queue
		if err := json.Unmarshal([]byte(bad), &q2); err == nil {
			t.Errorf("Unmarshal(%s) = nil error, want an error", bad)
		}
	}
}

func TestQueueManyJobsStartIsNotQuadratic(t *testing.T) {
	t.Parallel()
	// 100,000 jobs started and finished one by one: with a linear scan per
	// Start this would take minutes; with the heap it takes milliseconds.
	q := NewQueue()
	for i := range 100000 {
		q.Add(qJob(string(rune('a'+i%26)), 1))
	}
	for i := range 100000 {
		j, ok := q.Start(qAt(float64(i)))
		if !ok || j.ID != JobID(i+1) {
			t.Fatalf("start %d = %d, %v", i, j.ID, ok)
		}
		qMust(t, q.Finish(j.ID, qAt(float64(i))))
	}
}

// TestQueueMatchesReference drives the queue with random operations and
// compares every Start with a naive reference: scan the jobs in run order
// and take the first that is queued or waiting with its retry time reached.
func TestQueueMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(11, 12))
	for round := range 200 {
		q := NewQueue()
		var order []JobID // reference run order
		now := 0.0
		for step := range 300 {
			now += r.Float64()
			ids := q.Jobs()
			var id JobID
			if len(ids) > 0 {
				id = ids[r.IntN(len(ids))].ID
			}
			switch r.IntN(12) {
			case 0, 1:
				order = append(order, q.Add(qJob("x", int64(r.IntN(100)))))
			case 2, 3:
				var want JobID
				for _, o := range order {
					if j, _ := q.Get(o); runnableAt(&j, qAt(now)) {
						want = o
						break
					}
				}
				got, ok := q.Start(qAt(now))
				if ok != (want != 0) || got.ID != want {
					t.Fatalf("round %d step %d: Start = %d (%v), reference wants %d", round, step, got.ID, ok, want)
				}
			case 4:
				_ = q.Wait(id, "busy", qAt(now+r.Float64()*3))
			case 5:
				_ = q.Pause(id)
			case 6:
				_ = q.Resume(id)
			case 7:
				if q.MoveToFront(id) == nil {
					order = slices.DeleteFunc(order, func(o JobID) bool { return o == id })
					order = append([]JobID{id}, order...)
				}
			case 8:
				_ = q.Fail(id, "x", qAt(now))
			case 9:
				_ = q.Retry(id)
			case 10:
				_ = q.Finish(id, qAt(now))
			case 11:
				_ = q.Cancel(id, qAt(now))
			}
			running := 0
			for _, j := range q.Jobs() {
				if j.State == StateRunning {
					running++
				}
			}
			if running != q.running {
				t.Fatalf("round %d step %d: running counter %d, jobs running %d", round, step, q.running, running)
			}
			var got []JobID
			for _, j := range q.Jobs() {
				got = append(got, j.ID)
			}
			if !qEqualIDs(got, order) {
				t.Fatalf("round %d step %d: Jobs order %v, reference %v", round, step, got, order)
			}
		}
	}
}
