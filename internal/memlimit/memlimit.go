// Package memlimit keeps megatui's heap close to what it really holds.
//
// With the Go runtime's default (GOGC=100) the heap may grow to twice the
// live data before a collection: a client holding the node tree of a
// million-node account (about 550 MiB) would then sit at over 1 GiB of
// memory. A soft memory limit makes the collector run earlier instead.
// The limit follows the live heap (never under Floor, and 1.25 times the
// live data above it), so a much larger account does not make the
// collector run without pause: it then behaves as GOGC=25.
package memlimit

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Floor is the least limit: below it the heap grows as it likes.
const Floor = 768 << 20

// every is how often the live heap is looked at.
const every = 2 * time.Second

// For returns the limit for live bytes of live data.
func For(live uint64) int64 {
	return int64(max(Floor, live+live/4))
}

// Start sets the limit and keeps it following the live heap until ctx
// ends. It does nothing when the user chose a limit (GOMEMLIMIT) or a
// collector setting (GOGC) of their own.
func Start(ctx context.Context, getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" || getenv("GOGC") != "" {
		return
	}
	debug.SetMemoryLimit(For(0))
	go func() {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		current := For(0)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if limit := For(sample[0].Value.Uint64()); limit != current {
				debug.SetMemoryLimit(limit)
				current = limit
			}
		}
	}()
}
