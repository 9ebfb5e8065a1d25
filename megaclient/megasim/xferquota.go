package megasim

import (
	"math"
	"time"
)

// transferQuota is the bandwidth quota of downloads (Options.TransferQuota),
// kept for the whole server. Fields are guarded by Server.mu.
type transferQuota struct {
	limit    int64
	wait     time.Duration
	used     int64
	overAt   time.Time // when used reached limit (zero: not over)
	deniedDL int       // data-path requests refused with 509
}

const defaultTransferQuotaWait = 30 * time.Second

// left returns the wait before downloads are allowed again, 0 when they
// are allowed now. Called under s.mu.
func (q *transferQuota) left(now time.Time) time.Duration {
	if q.limit <= 0 || q.used < q.limit {
		return 0
	}
	wait := q.wait
	if wait <= 0 {
		wait = defaultTransferQuotaWait
	}
	if q.overAt.IsZero() {
		q.overAt = now
	}
	if d := q.overAt.Add(wait).Sub(now); d > 0 {
		return d
	}
	q.used, q.overAt = 0, time.Time{} // the quota is back
	return 0
}

// spend records n bytes served.
func (q *transferQuota) spend(n int64, now time.Time) {
	if q.limit <= 0 {
		return
	}
	q.used += n
	if q.used >= q.limit && q.overAt.IsZero() {
		q.overAt = now
	}
}

// waitSeconds rounds a wait up to whole seconds (at least 1), as the
// service announces it.
func waitSeconds(d time.Duration) int64 {
	return max(1, int64(math.Ceil(d.Seconds())))
}

// SetTransferQuota changes the download bandwidth quota at run time
// (limit 0: none) and starts counting afresh.
func (s *Server) SetTransferQuota(limit int64, wait time.Duration) {
	s.mu.Lock()
	s.xfer = transferQuota{limit: limit, wait: wait}
	s.mu.Unlock()
}

// TransferQuotaRefusals reports how many download requests the storage
// host refused with 509 so far.
func (s *Server) TransferQuotaRefusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.xfer.deniedDL
}
