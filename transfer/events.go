package transfer

import (
	"context"
	"sync"

	"github.com/megatui/megatui/model"
)

// eventQueue decouples the workers from the consumer: push never blocks,
// and one goroutine forwards events, in order, to out. A progress event
// replaces an undelivered progress event of the same job, so a slow
// consumer sees fewer, fresher updates rather than an ever-growing backlog.
type eventQueue struct {
	mu       sync.Mutex
	buf      []Event
	progress map[model.JobID]int // job id -> index in buf of its pending progress event
	signal   chan struct{}
	out      chan Event
}

func newEventQueue() *eventQueue {
	return &eventQueue{
		progress: map[model.JobID]int{},
		signal:   make(chan struct{}, 1),
		out:      make(chan Event, 64),
	}
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if ev.Kind == EventProgress {
		if i, ok := q.progress[ev.Job.ID]; ok {
			q.buf[i] = ev
			q.mu.Unlock()
			return
		}
		q.progress[ev.Job.ID] = len(q.buf)
	}
	q.buf = append(q.buf, ev)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// run forwards events until ctx ends, then closes out.
func (q *eventQueue) run(ctx context.Context) {
	defer close(q.out)
	for {
		q.mu.Lock()
		batch := q.buf
		q.buf = nil
		clear(q.progress)
		q.mu.Unlock()
		for _, ev := range batch {
			select {
			case q.out <- ev:
			case <-ctx.Done():
				return
			}
		}
		if len(batch) > 0 {
			continue
		}
		select {
		case <-q.signal:
		case <-ctx.Done():
			return
		}
	}
}
