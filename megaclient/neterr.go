package megaclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/megatui/megatui/model"
)

// When the API cannot be reached, go-mega retries each command about ten
// times over some ten seconds and then returns no reply and no error,
// which its caller reports as "unexpected end of JSON input". The
// transport instead tries an API request a few times within a second or
// two and then answers go-mega locally, so go-mega fails at once, and the
// operation reports the network failure in plain words (see
// UnreachableError): "cannot reach the MEGA API at https://…: connection
// refused".

const (
	csAttempts   = 3
	csRetryFirst = 200 * time.Millisecond
	csAnswerWait = 20 * time.Second // a server that accepts but never answers
)

// errNoAnswer is a request the server accepted but did not answer in
// time (not context.DeadlineExceeded: the caller's context is alive).
var errNoAnswer = errors.New("no answer")

// UnreachableError is a request that never got an HTTP answer; its
// message says where and why in plain words. It wraps
// model.ErrUnreachable.
type UnreachableError struct {
	where string // "the MEGA API at https://g.api.mega.co.nz"
	cause string // "connection refused", "host not found", ...
	err   error
}

func (e *UnreachableError) Error() string { return "cannot reach " + e.where + ": " + e.cause }
func (e *UnreachableError) Unwrap() []error {
	return []error{model.ErrUnreachable, e.err}
}

// apiWhere names the API endpoint of a request for messages.
func apiWhere(u string) string {
	return "the MEGA API at " + u
}

// netFailure describes err, a failed request to where, in plain words; it
// returns nil for an error that is not a network failure (a cancelled
// request, for one).
func netFailure(where string, err error) *UnreachableError {
	if err == nil || errors.Is(err, context.Canceled) {
		return nil
	}
	var u *UnreachableError
	if errors.As(err, &u) {
		return u
	}
	cause := ""
	var dns *net.DNSError
	var cert x509.UnknownAuthorityError
	var host x509.HostnameError
	var inval x509.CertificateInvalidError
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		cause = "host " + dns.Name + " not found (DNS)"
		if !dns.IsNotFound {
			cause = "DNS lookup of " + dns.Name + " failed"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		cause = "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		cause = "connection reset"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		cause = "network unreachable"
	case errors.As(err, &cert), errors.As(err, &host), errors.As(err, &inval):
		cause = "TLS certificate not trusted (" + lastPart(err) + ")"
	case errors.As(err, &rec), errors.As(err, &alert), strings.Contains(err.Error(), "tls:"):
		cause = "TLS handshake failed (" + lastPart(err) + ")"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		cause = "timed out"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		cause = "the connection closed without an answer"
	case errors.As(err, &ne):
		cause = lastPart(err)
	default:
		return nil
	}
	return &UnreachableError{where: where, cause: cause, err: err}
}

// dataNetError is a failed request to a storage server in plain words,
// without the request's URL (a data URL is a credential for its file).
func dataNetError(req *http.Request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if u := netFailure("the storage server "+req.URL.Host, err); u != nil {
		return u
	}
	return err
}

// lastPart is the innermost part of a wrapped error message.
func lastPart(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// sendCS sends one API request, retrying network failures a few times
// quickly (the service replays a repeated request id, so a retry never
// runs a command twice). Once the response headers are in, the body is
// read without a deadline (an `f` reply may be large).
func (t *transport) sendCS(req *http.Request, body []byte) (*http.Response, error) {
	delay := csRetryFirst
	wait := csAnswerWait
	if h := t.hub(); h != nil && h.answerWait > 0 {
		wait = h.answerWait
	}
	var last error
	for attempt := 0; attempt < csAttempts; attempt++ {
		if attempt > 0 {
			timer := time.NewTimer(delay)
			select {
			case <-req.Context().Done():
				timer.Stop()
				return nil, req.Context().Err()
			case <-t.ctx.Done():
				timer.Stop()
				return nil, errors.New("megaclient: client closed")
			case <-timer.C:
			}
			delay *= 2
		}
		out := req.Clone(req.Context())
		out.Body = io.NopCloser(strings.NewReader(string(body)))
		out.ContentLength = int64(len(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(body))), nil }
		ctx, cancel := context.WithCancel(req.Context())
		timer := time.AfterFunc(wait, cancel)
		resp, err := t.base.RoundTrip(out.WithContext(ctx))
		timedOut := !timer.Stop()
		if err == nil {
			t.clearBrokenConnection()
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		cancel()
		if req.Context().Err() != nil {
			return nil, req.Context().Err()
		}
		if timedOut {
			// Waited long enough already: no second wait of as long.
			return nil, &UnreachableError{where: apiWhere(req.URL.Scheme + "://" + req.URL.Host),
				cause: fmt.Sprintf("no answer within %v", wait), err: errNoAnswer}
		}
		last = err
		u := netFailure(apiWhere(req.URL.Scheme+"://"+req.URL.Host), err)
		if u == nil {
			return nil, err // not a network failure: go-mega decides
		}
		if !hostUnreachable(u) {
			// The server was reached and the connection broke: go-mega's
			// own retries (with the same request id) are right here; the
			// failure is kept in case they all fail.
			t.setInvalid(u)
			return nil, err
		}
	}
	return nil, netFailure(apiWhere(req.URL.Scheme+"://"+req.URL.Host), last)
}

// hostUnreachable reports whether a failure means the API cannot be
// reached at all (nothing listens, no such host, TLS refused, no answer),
// as opposed to a connection that broke.
func hostUnreachable(u *UnreachableError) bool {
	var dns *net.DNSError
	return errors.Is(u.err, syscall.ECONNREFUSED) || errors.As(u.err, &dns) || errors.Is(u.err, errNoAnswer) ||
		strings.HasPrefix(u.cause, "TLS") || errors.Is(u.err, syscall.ENETUNREACH) || errors.Is(u.err, syscall.EHOSTUNREACH)
}

// clearBrokenConnection forgets a broken connection recorded by sendCS
// once a later attempt of the same command got through.
func (t *transport) clearBrokenConnection() {
	t.mu.Lock()
	var u *UnreachableError
	if errors.As(t.invalid, &u) {
		t.invalid = nil
	}
	t.mu.Unlock()
}
