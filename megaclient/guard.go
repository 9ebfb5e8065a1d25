package megaclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file wires the checks of validate.go into the transport: a cs
// reply that fails is answered to go-mega as a local error (it never
// reads the reply) and the reason is kept for the operation; a malformed
// sc reply slows the event loop down; data bodies are held to the length
// asked for. Where go-mega could still fail on data from outside, the
// call is guarded (guard) so that a panic becomes an error.

// loginCheck is a password login in progress: what the transport needs
// to check the `us` reply before go-mega reads it. The password key is
// derived as soon as the `us0` reply names the account version, while
// go-mega derives its own, so the check adds no wait to the login.
type loginCheck struct {
	password string
	once     sync.Once
	done     chan struct{}
	passKey  []byte
}

func newLoginCheck(password string) *loginCheck {
	return &loginCheck{password: password, done: make(chan struct{})}
}

// prelogin starts deriving the password key from a `us0` reply.
func (l *loginCheck) prelogin(reply []byte) {
	var r []struct {
		V int    `json:"v"`
		S string `json:"s"`
	}
	if json.Unmarshal(reply, &r) != nil || len(r) != 1 || (r[0].V != 1 && r[0].V != 2) {
		return
	}
	salt, err := b64decode(r[0].S)
	if err != nil {
		return
	}
	l.once.Do(func() {
		go func() {
			defer close(l.done)
			if k, err := passwordKey(r[0].V, l.password, salt); err == nil {
				l.passKey = k
			}
		}()
	})
}

// key returns the password key, or nil when no `us0` reply started it.
func (l *loginCheck) key() []byte {
	started := true
	l.once.Do(func() { started = false; close(l.done) })
	if !started {
		return nil
	}
	<-l.done
	return l.passKey
}

// checkReply validates a successful-looking cs reply go-mega is about to
// read; an error reply passes (go-mega handles the codes).
func (t *transport) checkReply(name string, cmd map[string]json.RawMessage, reply []byte) error {
	if _, ok := apiError(reply); ok {
		return nil
	}
	switch name {
	case "us0":
		if l := t.hub().login.Load(); l != nil {
			l.prelogin(reply)
		}
	case "us":
		var key []byte
		if l := t.hub().login.Load(); l != nil {
			key = l.key()
		}
		return validateLoginReply(reply, key)
	case "g":
		h, _ := unquoteRaw(cmd["n"])
		if h == "" {
			return validateDownloadReplyUnsized(reply)
		}
		inf, ok := t.hub().tree.info(h)
		if !ok {
			return invalidReply("download of unknown node %s", clip(h))
		}
		return validateDownloadReply(reply, inf.raw.S)
	case "u":
		return validateUploadReply(reply)
	case "p":
		_, err := validateNewNodeReply(reply)
		return err
	}
	return nil
}

// validateDownloadReplyUnsized checks a `g` reply of a public link, whose
// size megaclient does not know beforehand: it must still be a size a
// transfer can hold.
func validateDownloadReplyUnsized(reply []byte) error {
	var rs []struct {
		S json.RawMessage `json:"s"`
		E int             `json:"e"`
	}
	if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 {
		return invalidReply("download reply is not a one-element array")
	}
	if rs[0].E != 0 {
		return nil
	}
	size, err := strconv.ParseInt(string(rs[0].S), 10, 64)
	if err != nil || size < 0 || size > maxFileSize {
		return invalidReply("download size %s", clip(string(rs[0].S)))
	}
	return validateDownloadReply(reply, size)
}

func (t *transport) setInvalid(err error) {
	t.mu.Lock()
	t.invalid = err
	t.mu.Unlock()
}

// takeInvalid returns and clears why the transport refused the last
// reply of its instance (go-mega runs one command at a time, so it is the
// reply of the operation that just failed).
func (t *transport) takeInvalid() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.invalid
	t.invalid = nil
	return err
}

// Event loop backoff: go-mega polls again at once after a reply it cannot
// use (its error variable is shadowed in its loop), so a server answering
// garbage would be polled flat out.
const (
	scBackoffFirst = 250 * time.Millisecond
	scBackoffMax   = 10 * time.Second
)

// scDelay is the pause before the next event poll after bad malformed
// replies in a row.
func scDelay(bad int) time.Duration {
	if bad <= 0 {
		return 0
	}
	d := scBackoffFirst
	for i := 1; i < bad && d < scBackoffMax; i++ {
		d *= 2
	}
	return min(d, scBackoffMax)
}

// noteSC records whether an event reply was usable and returns the pause
// before the next poll.
func (t *transport) noteSC(good bool) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if good {
		t.scBad = 0
	} else if t.scBad < 64 {
		t.scBad++
	}
	return scDelay(t.scBad)
}

// scBackoff waits d before go-mega polls again, cut short by a node
// hand-over (go-mega must pick it up) or by closing, then answers the poll
// with "try again", which go-mega takes silently.
func (t *transport) scBackoff(req *http.Request, d time.Duration) (*http.Response, error) {
	if !t.pause(req, d) {
		if t.ctx.Err() != nil {
			return t.park(req)
		}
		return nil, req.Context().Err()
	}
	return localResponse(req, []byte("-3")), nil
}

// pause waits d, cut short by a node hand-over; it reports false when
// closing or the request's end cut it.
func (t *transport) pause(req *http.Request, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-t.link.wake:
	case <-t.ctx.Done():
		return false
	case <-req.Context().Done():
		return false
	}
	return true
}

// maxUploadReply bounds the reply to an upload piece (a completion token
// is 36 bytes of base64).
const maxUploadReply = 4 << 10

// boundedBody fails a body longer than max instead of letting go-mega
// read it whole into memory; with exact (a download range, of exactly
// max bytes) a shorter one is reported for what it is too. what names
// the body in errors.
type boundedBody struct {
	body      io.ReadCloser
	max, read int64
	exact     bool
	what      string
}

// dataBody bounds a download range's body to the n bytes asked for.
func dataBody(body io.ReadCloser, n int64) *boundedBody {
	return &boundedBody{body: body, max: n, exact: true, what: "download body"}
}

// uploadReplyBody bounds the reply to an upload piece.
func uploadReplyBody(body io.ReadCloser) *boundedBody {
	return &boundedBody{body: body, max: maxUploadReply, what: "upload reply"}
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.max-b.read+1 {
		p = p[:b.max-b.read+1]
	}
	n, err := b.body.Read(p)
	b.read += int64(n)
	if b.read > b.max && b.exact {
		return 0, invalidTransient("%s longer than the %d bytes asked for", b.what, b.max)
	}
	if b.read > b.max {
		return 0, invalidTransient("%s longer than %d bytes", b.what, b.max)
	}
	if b.exact && errors.Is(err, io.EOF) && b.read < b.max {
		return n, invalidTransient("%s of %d bytes, %d asked for", b.what, b.read, b.max)
	}
	return n, err
}

func (b *boundedBody) Close() error { return b.body.Close() }

// rangeLength returns the length of a download range request
// ("…/START-END"), or false if the path is not one.
func rangeLength(req *http.Request) (int64, bool) {
	if req.Method != http.MethodGet {
		return 0, false
	}
	p := req.URL.Path
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return 0, false
	}
	a, b, ok := strings.Cut(p[i+1:], "-")
	if !ok {
		return 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start-1 {
		return 0, false
	}
	return end - start + 1, true
}

// guard runs a go-mega call and turns a panic inside it (data go-mega
// could not be protected from) into an error wrapping sentinel.
func guard(sentinel error, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: go-mega failed on it: %v", sentinel, r)
		}
	}()
	return fn()
}
