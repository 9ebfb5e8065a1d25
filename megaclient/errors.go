package megaclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// translate turns an error from go-mega (or from the HTTP layer under it)
// into a model sentinel, wrapped with what was being done. It is the only
// place that knows go-mega's error values. Errors that are already model
// sentinels pass through with the context added.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	s := sentinel(err)
	switch {
	case s == nil || errors.Is(err, s):
		return fmt.Errorf("%s: %w", op, err)
	case isMegaError(err):
		// go-mega's own text only restates the API code in capitals.
		return fmt.Errorf("%s: %w", op, s)
	default:
		return fmt.Errorf("%s: %w: %v", op, s, err)
	}
}

// isMegaError reports whether err is one of go-mega's API error values.
func isMegaError(err error) bool {
	for _, e := range []error{mega.EINTERNAL, mega.EARGS, mega.EAGAIN, mega.ERATELIMIT, mega.EBADRESP, mega.EFAILED,
		mega.ETOOMANY, mega.ERANGE, mega.EEXPIRED, mega.ENOENT, mega.ECIRCULAR, mega.EACCESS, mega.EEXIST,
		mega.EINCOMPLETE, mega.EKEY, mega.ESID, mega.EBLOCKED, mega.EOVERQUOTA, mega.ETEMPUNAVAIL,
		mega.EMACMISMATCH, mega.EBADATTR, mega.ETOOMANYCONNECTIONS, mega.EWRITE, mega.EREAD, mega.EAPPKEY,
		mega.ESSL, mega.EGOINGOVERQUOTA, mega.EMFAREQUIRED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func sentinel(err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return model.ErrCancelled
	case errors.Is(err, mega.ENOENT):
		return model.ErrNotFound
	case errors.Is(err, mega.EEXIST):
		return model.ErrExists
	case errors.Is(err, mega.ECIRCULAR):
		return model.ErrCircular
	case errors.Is(err, mega.EACCESS):
		return model.ErrAccess
	case errors.Is(err, mega.ESID):
		return model.ErrSessionExpired
	case errors.Is(err, mega.EBLOCKED):
		return model.ErrBlocked
	case errors.Is(err, mega.ERATELIMIT):
		return model.ErrRateLimited
	case errors.Is(err, mega.ETOOMANYCONNECTIONS), errors.Is(err, mega.ETOOMANY):
		return model.ErrTooManyConns
	case errors.Is(err, mega.EAGAIN), errors.Is(err, mega.ETEMPUNAVAIL), errors.Is(err, mega.EINTERNAL),
		errors.Is(err, mega.EFAILED), errors.Is(err, mega.EEXPIRED):
		return model.ErrTryAgain
	case errors.Is(err, mega.EOVERQUOTA), errors.Is(err, mega.EGOINGOVERQUOTA):
		return model.ErrQuota
	case errors.Is(err, mega.EMACMISMATCH), errors.Is(err, mega.EKEY):
		return model.ErrIntegrity
	case errors.Is(err, mega.EMFAREQUIRED):
		return model.ErrMFARequired
	case errors.Is(err, model.ErrTransferQuota):
		return model.ErrTransferQuota
	case errors.Is(err, model.ErrUnreachable):
		return model.ErrUnreachable
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return model.ErrDiskFull // writing the download, not the network
	}
	var ne net.Error
	var errno syscall.Errno
	if errors.As(err, &ne) && !(errors.As(err, &errno) && !isNetErrno(errno)) {
		// A bare errno is a net.Error too (it has Timeout): only network
		// ones mean the server is unreachable.
		return model.ErrUnreachable
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return model.ErrUnreachable
	}
	return nil
}

// isNetErrno reports whether a system error comes from the network.
func isNetErrno(e syscall.Errno) bool {
	switch e {
	case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.ETIMEDOUT,
		syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.ENETDOWN, syscall.EPIPE:
		return true
	}
	return false
}

// translateLogin is translate for a password login, where ENOENT means a
// wrong e-mail or password and a rejected code comes back as "MFA
// required" again.
func translateLogin(email string, gaveCode bool, err error) error {
	what := "login " + email
	switch {
	case errors.Is(err, mega.ENOENT):
		return fmt.Errorf("%s: %w", what, model.ErrLoginFailed)
	case errors.Is(err, mega.EMFAREQUIRED) && gaveCode:
		return fmt.Errorf("%s: %w", what, model.ErrMFAInvalid)
	}
	return translate(what, err)
}

// errSessionExpired is the error a caller sees when the session is gone and
// no password is at hand to log in again.
func errSessionExpired(cause error) error {
	if cause == nil {
		return fmt.Errorf("%w: run megatui login", model.ErrSessionExpired)
	}
	return fmt.Errorf("%w: run megatui login (%v)", model.ErrSessionExpired, cause)
}
