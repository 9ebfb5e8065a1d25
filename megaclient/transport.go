package megaclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

// Why a RoundTripper: go-mega keeps node keys and raw attributes private
// and parses only the name. Every request of a go-mega instance goes
// through its *http.Client, so a transport that reads each `cs` reply
// (`f`, `p`) and each `sc` reply (action packets) sees every raw node and
// keeps megaclient's own index (tree) complete and current, whichever
// instance made the request. The same transport rewrites two outgoing
// commands, because go-mega writes attributes holding only the name:
//
//   - new nodes (`p`: an upload completion or a new folder): the attribute
//     go-mega built for a unique placeholder name is replaced by the real
//     name (stored byte for byte, even if it is not valid UTF-8, which
//     go-mega's JSON encoding would mangle) plus, for files, `c` (the
//     fingerprint) — the placeholder never reaches the server; inside a
//     shared folder (outgoing or inbound) the node key is added under
//     each share key (`cr`), as official clients do, so that everyone the
//     folder is shared with can decrypt the node;
//   - set attributes (`a`, go-mega's Rename): the attribute is replaced by
//     the node's full attribute set, so `c`, `rr` and anything another
//     client stored survive a rename.
//
// Rewriting go-mega's own command (rather than sending our own `a` with
// the session id) keeps a single command path with go-mega's retries,
// hashcash and request ids, and lets go-mega's index follow the rename.
//
// go-mega's own indexes stay slim: the main instance's `f` reply is cut
// to the roots and its action packets to nodes it holds; a node an
// operation needs is handed over as a local `t` packet (ensureNode). A
// transport in worker mode (see transfer.go) answers its instance's `f`
// and `sc` entirely locally, so a worker costs no tree fetch and no event
// polling.

// hub is what every transport of one Client shares.
type hub struct {
	tree      *tree
	rw        *rewrites
	progress  func(read, total int64)
	notify    func(changed map[string]bool)
	onExpired func()
	login     atomic.Pointer[loginCheck] // a password login in progress
	// answerWait bounds the wait for an API answer's headers (0: the
	// default, see sendCS).
	answerWait time.Duration
}

type transport struct {
	base   http.RoundTripper
	hubp   atomic.Pointer[hub]
	link   *workerLink // node hand-over channel into this instance's index
	worker bool        // worker mode: `f` and `sc` answered locally
	// known reports whether the instance's go-mega index holds a handle
	// (set right after the instance is made, before its first request).
	known func(h string) bool

	ctx    context.Context // cancelled on close: aborts in-flight long polls
	cancel context.CancelFunc
	closed chan struct{}
	once   sync.Once
	parked chan struct{} // closed when go-mega's poller is parked for good
	pOnce  sync.Once

	mu      sync.Mutex
	waitURL string
	invalid error // why the last reply was refused (see takeInvalid)
	scBad   int   // malformed event replies in a row (see scBackoff)
}

func newTransport(base http.RoundTripper, h *hub, worker bool) *transport {
	if base == nil {
		base = http.DefaultTransport
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &transport{base: base, link: newWorkerLink(), worker: worker, ctx: ctx, cancel: cancel, closed: make(chan struct{}), parked: make(chan struct{})}
	t.hubp.Store(h)
	return t
}

// close stops the instance's event polling for good: go-mega's poller has
// no stop switch, so its next `sc` request is parked until the process
// ends (a blocked goroutine costs no CPU and makes no requests).
func (t *transport) close() {
	t.once.Do(func() {
		close(t.closed)
		t.cancel()
	})
}

func (t *transport) hub() *hub { return t.hubp.Load() }

func (t *transport) isClosed() bool {
	select {
	case <-t.closed:
		return true
	default:
		return false
	}
}

const workerWaitURL = "http://megatui.invalid/wait"

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	path := req.URL.Path
	switch {
	case strings.HasSuffix(path, "/cs"):
		if t.isClosed() {
			return nil, fmt.Errorf("megaclient: client closed")
		}
		return t.roundTripCS(req)
	case strings.HasSuffix(path, "/sc") || req.URL.String() == workerWaitURL:
		if t.isClosed() {
			return t.park(req)
		}
		if t.worker {
			return t.link.serve(req, t.closed, t.park)
		}
		if strings.HasSuffix(path, "/sc") {
			return t.roundTripSC(req)
		}
	}
	t.mu.Lock()
	isWait := t.waitURL != "" && req.URL.String() == t.waitURL
	t.mu.Unlock()
	if isWait {
		if t.isClosed() {
			return t.park(req)
		}
		ctx, cancel := context.WithCancel(req.Context())
		stop := context.AfterFunc(t.ctx, cancel)
		// A node handed over while go-mega long-polls ends the poll, so
		// go-mega's next `sc` request picks it up at once.
		go func() {
			select {
			case <-t.link.wake:
				cancel()
			case <-ctx.Done():
			}
		}()
		resp, err := t.base.RoundTrip(req.WithContext(ctx))
		stop()
		// go-mega goes straight back to `sc` after its wait, whatever
		// the wait did: a wait URL that fails at once is paused on here,
		// or the two would be fetched flat out.
		if err != nil {
			woken := ctx.Err() != nil // a hand-over (or closing) ended it
			cancel()
			if !woken {
				t.pause(req, t.noteSC(false))
			}
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			t.pause(req, t.noteSC(false))
		}
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if n, ok := rangeLength(req); ok && resp.StatusCode == http.StatusOK {
		resp.Body = dataBody(resp.Body, n)
	} else if req.Method == http.MethodPost {
		// An upload piece: the reply is empty or a completion token.
		resp.Body = uploadReplyBody(resp.Body)
	}
	return resp, nil
}

// park blocks go-mega's poller for good (see close) and reports that it
// will never touch its instance again.
func (t *transport) park(req *http.Request) (*http.Response, error) {
	t.pOnce.Do(func() { close(t.parked) })
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// releaseWhenParked frees what a closed instance holds once its poller is
// parked: the goroutine cannot end, but it then keeps only an empty index
// and no reference to the Client's tree. Only for instances nobody else
// uses any more (a closed Client, an idle worker).
func releaseWhenParked(m *mega.Mega, t *transport) {
	go func() {
		select {
		case <-t.parked:
		case <-time.After(time.Minute):
			return // the poller never came back (a request hung): keep it all
		}
		m.FS = &mega.MegaFS{}
		t.hubp.Store(&hub{tree: newTree(), rw: newRewrites()})
	}()
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error { err := b.ReadCloser.Close(); b.cancel(); return err }

func readRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

func localResponse(req *http.Request, body []byte) *http.Response {
	return &http.Response{
		Status: "200 OK", StatusCode: 200, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

func (t *transport) roundTripCS(req *http.Request) (*http.Response, error) {
	body, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	var cmds []map[string]json.RawMessage
	_ = json.Unmarshal(body, &cmds) // a body we cannot read goes out unchanged
	name := ""
	if len(cmds) == 1 {
		name, _ = unquoteRaw(cmds[0]["a"])
	}
	if t.worker && name == "f" {
		return localResponse(req, fetchReplyRoots(t.hub().tree, "worker000000")), nil
	}
	if len(cmds) == 1 {
		nb, ok, err := t.rewrite(name, cmds[0])
		var refused *rewriteRefused
		if errors.As(err, &refused) {
			// Final: answered locally, so go-mega fails at once. A
			// transport error would make it retry for about 10 s and
			// then return no reply and no error. The operation reads
			// the reason with refusal.
			if refused.key != "" {
				t.hub().rw.refuse(refused.key, refused.err)
			}
			return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
		}
		if err != nil {
			return nil, err
		}
		if ok {
			body = nb
		}
	}
	resp, err := t.sendCS(req, body)
	var unreachable *UnreachableError
	if errors.As(err, &unreachable) {
		// Final: answered locally so go-mega fails at once (see neterr.go).
		t.setInvalid(unreachable)
		return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	if name == "f" && len(cmds) == 1 {
		return t.streamFetch(req, resp, cmds[0])
	}
	var reply []byte
	if name == "f" && t.hub().progress != nil {
		reply, err = readWithProgress(resp.Body, resp.ContentLength, t.hub().progress)
	} else {
		// No command but `f` (streamed above) has a reply near this
		// size; a larger one is refused, not read into memory.
		reply, err = io.ReadAll(io.LimitReader(resp.Body, maxAPIReply+1))
		if err == nil && len(reply) > maxAPIReply {
			resp.Body.Close()
			t.setInvalid(invalidReply("reply to %s of more than %d bytes", clip(name), maxAPIReply))
			return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
		}
	}
	resp.Body.Close()
	if err != nil {
		if u := netFailure(apiWhere(req.URL.Scheme+"://"+req.URL.Host), err); u != nil {
			t.setInvalid(u) // reported if go-mega's retries all fail
		}
		return nil, err
	}
	if qe := transferQuotaReply(name, reply); qe != nil {
		t.setInvalid(qe) // answered locally: go-mega would call it storage quota
		return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
	}
	if len(cmds) == 1 {
		if err := t.checkReply(name, cmds[0], reply); err != nil {
			// Answered locally with "bad arguments", so go-mega fails at
			// once without reading the reply; the operation reads why
			// with takeInvalid.
			t.setInvalid(err)
			return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
		}
		if slim := t.observeCS(name, cmds[0], reply); slim != nil {
			reply = slim
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	resp.ContentLength = int64(len(reply))
	return resp, nil
}

// apiError returns the error code of a bare or one-element error reply
// ("-3", "[-3]"), from the API or a storage server; MEGA's codes have at
// most three digits, so a longer number is not one.
func apiError(reply []byte) (int, bool) {
	s := strings.TrimSpace(string(reply))
	if len(s) < 7 && strings.HasPrefix(s, "[") {
		s = strings.TrimSpace(strings.Trim(s, "[]"))
	}
	if len(s) < 2 || len(s) > 4 || s[0] != '-' {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n >= 0 {
		return 0, false
	}
	return n, true
}

const codeSessionExpired = -15
