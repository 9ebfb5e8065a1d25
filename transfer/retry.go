package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/megatui/megatui/model"
)

// errClass says how the engine reacts to an error.
type errClass int

const (
	classPermanent errClass = iota
	classTransient
	classRateLimited
	classIntegrity
	classQuota
	classQuotaWait // transfer quota, with the wait the server announced
	// classBadReply: a malformed reply worth another try (a bad data
	// URL, a body cut short); retried as transient, shown for what it is.
	classBadReply
)

// maxQuotaWaits bounds how often one job waits for the transfer quota.
const maxQuotaWaits = 50

// quotaWait is the wait a transfer-quota error announces (its
// RetryAfter), 0 if none.
func quotaWait(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

func classify(err error) errClass {
	switch {
	case err == nil:
		return classPermanent
	case errors.Is(err, model.ErrTransferQuota) && quotaWait(err) > 0:
		return classQuotaWait
	case errors.Is(err, model.ErrQuota), errors.Is(err, model.ErrTransferQuota):
		return classQuota
	case errors.Is(err, model.ErrRateLimited), errors.Is(err, model.ErrTooManyConns):
		return classRateLimited
	case errors.Is(err, model.ErrIntegrity):
		return classIntegrity
	case diskFull(err), errors.Is(err, model.ErrPermission), errors.Is(err, model.ErrQuarantined):
		return classPermanent // local faults, and what the server sent: trying again changes nothing
	case errors.Is(err, model.ErrInvalidReply) && errors.Is(err, model.ErrTryAgain):
		return classBadReply
	case errors.Is(err, model.ErrTryAgain), errors.Is(err, model.ErrUnreachable),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE):
		return classTransient
	}
	var ne net.Error
	var errno syscall.Errno
	if errors.As(err, &ne) && !errors.As(err, &errno) {
		return classTransient // a bare errno is a net.Error too; the network ones are above
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return classTransient
	}
	return classPermanent
}

// RetryPolicy bounds retries of transient failures.
type RetryPolicy struct {
	// MaxAttempts is the number of tries for transient errors (default 8).
	MaxAttempts int
	// IntegrityAttempts is the number of tries after MAC mismatches
	// (default 3).
	IntegrityAttempts int
	// BaseDelay is the first backoff (default 1 s); it doubles per
	// attempt up to MaxDelay (default 30 s). Rate limits start at 4×BaseDelay.
	BaseDelay, MaxDelay time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 8
	}
	if p.IntegrityAttempts <= 0 {
		p.IntegrityAttempts = 3
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	return p
}

// delay returns the backoff before attempt+1 after a failure of class c.
func (p RetryPolicy) delay(attempt int, c errClass) time.Duration {
	d := p.BaseDelay
	if c == classRateLimited {
		d *= 4
	}
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

// retryable reports whether a failure of class c on attempt may be retried.
func (p RetryPolicy) retryable(attempt int, c errClass) bool {
	switch c {
	case classTransient, classRateLimited, classBadReply:
		return attempt < p.MaxAttempts
	case classIntegrity:
		return attempt < p.IntegrityAttempts
	case classQuotaWait:
		return attempt < maxQuotaWaits
	default:
		return false
	}
}

// waitReason is the text shown while a job waits to retry.
func waitReason(c errClass, d time.Duration) string {
	secs := int((d + time.Second/2) / time.Second)
	what := "server busy"
	switch c {
	case classQuotaWait:
		// The countdown is the job's RetryAt (shown live by the views).
		return "transfer quota exceeded"
	case classRateLimited:
		what = "rate limited"
	case classIntegrity:
		what = "integrity check failed"
	case classBadReply:
		what = "invalid reply from the server"
	}
	if secs < 1 {
		return what + ", retrying"
	}
	return fmt.Sprintf("%s, retry in %d s", what, secs)
}

// failReason is the text shown for a failed job.
func failReason(err error) string {
	switch classify(err) {
	case classQuota:
		if errors.Is(err, model.ErrTransferQuota) {
			return "stopped: over transfer quota (wait for it to refill or upgrade): " + err.Error()
		}
		return "stopped: over storage quota (free space on MEGA or upgrade): " + err.Error()
	case classIntegrity:
		return "integrity check failed after retries: " + err.Error()
	}
	if diskFull(err) {
		return "local disk full (free space and retry): " + err.Error()
	}
	return err.Error()
}

// diskFull reports whether err is the local disk (or quota) running out,
// translated or not.
func diskFull(err error) bool {
	return errors.Is(err, model.ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
