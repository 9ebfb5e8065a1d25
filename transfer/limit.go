package transfer

import (
	"context"
	"io"
	"sync"
	"time"
)

// bucket is a token bucket shared by every worker: rate bytes per second,
// holding at most burst tokens. Callers reserve tokens and sleep until the
// reservation is covered, so concurrent callers are served in order.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
	// schedule, when set, gives the rate in force at each moment (0: no
	// limit).
	schedule func(time.Time) int64
}

func newBucket(rate int64, now func() time.Time) *bucket {
	burst := float64(rate) / 4 // a quarter second of traffic
	if burst < 64<<10 {
		burst = 64 << 10
	}
	t := now()
	return &bucket{rate: float64(rate), burst: burst, tokens: burst, last: t, now: now}
}

// reserve takes n tokens (the balance may go negative) and returns how long
// the caller must wait before using them.
func (b *bucket) reserve(n int) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.now()
	if b.schedule != nil {
		if r := float64(b.schedule(t)); r != b.rate {
			b.rate, b.burst = r, max(r/4, 64<<10)
		}
		if b.rate <= 0 {
			b.last, b.tokens = t, b.burst
			return 0
		}
	}
	if el := t.Sub(b.last); el > 0 {
		b.tokens += el.Seconds() * b.rate
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = t
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// wait blocks until n bytes may pass or ctx ends.
func (b *bucket) wait(ctx context.Context, n int) error {
	if b == nil || n <= 0 {
		return ctx.Err()
	}
	d := b.reserve(n)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// limitedReaderAt throttles ReadAt through a bucket.
type limitedReaderAt struct {
	ctx context.Context
	r   io.ReaderAt
	b   *bucket
}

func (l limitedReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if err := l.b.wait(l.ctx, len(p)); err != nil {
		return 0, err
	}
	return l.r.ReadAt(p, off)
}

// limitedWriterAt throttles WriteAt through a bucket.
type limitedWriterAt struct {
	ctx context.Context
	w   io.WriterAt
	b   *bucket
}

func (l limitedWriterAt) WriteAt(p []byte, off int64) (int, error) {
	if err := l.b.wait(l.ctx, len(p)); err != nil {
		return 0, err
	}
	return l.w.WriteAt(p, off)
}
