package transfer

import (
	"errors"
	"time"

	"github.com/megatui/megatui/model"
)

// throttler is implemented by remotes that adapt their own concurrency
// (megaclient.Client: chunks per file) and say why they slowed down.
type throttler interface {
	Throttle() model.Throttle
}

// adaptive is the engine's number of files in flight: it starts at
// Options.Workers, drops by a quarter when an attempt fails for a
// transient reason or the remote reports new trouble (an EAGAIN, an HTTP
// 500, a dropped connection), at most once per adaptSettle so one burst
// counts once, and grows back by one after clean attempts numbering half
// the files now in flight. (Halving, as the chunks of a file do, made
// 300 small files at 20 ms with 10 % EAGAIN and 5 % HTTP 500 take half
// again as long in BenchmarkTransferFaults, 2.5-2.7 s against 1.7-1.8 s:
// for small files the requests are the whole transfer.)
// Guarded by Engine.mu.
type adaptive struct {
	max, cur int
	streak   int
	cutAt    time.Time
	cuts     int
	seen     int // remote slow-downs already acted on
	reason   string
}

const adaptSettle = 500 * time.Millisecond

func newAdaptive(n int) adaptive { return adaptive{max: n, cur: n} }

// observe records how an attempt went: err is its error, remote the
// remote's throttle (zero when it has none).
func (a *adaptive) observe(err error, remote model.Throttle, now time.Time) {
	reason := ""
	switch classify(err) {
	case classTransient:
		reason = "server busy or unreachable"
	case classRateLimited:
		reason = "rate limited"
	}
	if err == nil || errors.Is(err, model.ErrCancelled) {
		reason = ""
	}
	if remote.Slowdowns > a.seen {
		a.seen = remote.Slowdowns
		if remote.Reason != "" {
			reason = remote.Reason
		} else if reason == "" {
			reason = "server trouble"
		}
	}
	if reason != "" {
		a.streak = 0
		a.reason = reason
		if a.cur > 1 && now.Sub(a.cutAt) >= adaptSettle {
			a.cur = max(1, a.cur*3/4)
			a.cutAt = now
			a.cuts++
		}
		return
	}
	if err != nil {
		return // a permanent failure says nothing about the servers
	}
	if a.cur < a.max {
		a.streak++
		if a.streak >= max(1, a.cur/2) {
			a.cur++
			a.streak = 0
		}
	}
	if a.cur >= a.max && remote.Chunks >= remote.ChunksMax {
		a.reason = ""
	}
}

// state merges the engine's side with the remote's.
func (a *adaptive) state(remote model.Throttle) model.Throttle {
	t := remote
	t.Transfers, t.TransfersMax = a.cur, a.max
	t.Slowdowns = a.cuts + remote.Slowdowns
	if a.reason != "" && (a.cur < a.max || remote.Reason == "") {
		t.Reason = a.reason
	}
	if !t.Slowed() {
		t.Reason = ""
	}
	return t
}

// remoteThrottle reads the remote's throttle, if it has one.
func (e *Engine) remoteThrottle() model.Throttle {
	if th, ok := e.opts.Remote.(throttler); ok {
		return th.Throttle()
	}
	return model.Throttle{}
}

// Throttle reports how far the engine and the remote run below their
// configured concurrency, and why.
func (e *Engine) Throttle() model.Throttle {
	rt := e.remoteThrottle()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.adapt.state(rt)
}
