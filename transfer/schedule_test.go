package transfer

import (
	"testing"
	"time"
)

func TestBucketFollowsSchedule(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	rate := int64(0)
	b := newBucket(0, func() time.Time { return now })
	b.schedule = func(time.Time) int64 { return rate }
	if d := b.reserve(1 << 30); d != 0 {
		t.Fatalf("unlimited period: wait %v, want 0", d)
	}
	rate = 1 << 20
	// The unlimited period left the minimum burst (64 KiB) of tokens: the
	// rest waits at the new rate.
	if d, want := b.reserve(2<<20), 1937500*time.Microsecond; d < want-10*time.Millisecond || d > want+10*time.Millisecond {
		t.Errorf("limited period: wait %v, want about %v", d, want)
	}
	rate = 0
	if d := b.reserve(1 << 30); d != 0 {
		t.Errorf("back to unlimited: wait %v, want 0", d)
	}
}
