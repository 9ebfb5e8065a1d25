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

// rewrites holds the attribute rewrites registered by operations, and
// why the transport refused to send a command it should have rewritten.
type rewrites struct {
	mu      sync.Mutex
	uploads map[string]nodeRewrite // placeholder name
	attrs   map[string]Attrs       // node handle
	refused map[string]error       // placeholder name or node handle
}

// nodeRewrite is the rewrite of a new node's attributes.
type nodeRewrite struct {
	parent string
	attrs  Attrs
}

func newRewrites() *rewrites {
	return &rewrites{uploads: map[string]nodeRewrite{}, attrs: map[string]Attrs{}, refused: map[string]error{}}
}

// register stores v under key in m (one of r's maps) and returns the func
// that removes it again, with any refusal recorded for key.
func register[V any](r *rewrites, m map[string]V, key string, v V) func() {
	r.mu.Lock()
	m[key] = v
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(m, key)
		delete(r.refused, key)
		r.mu.Unlock()
	}
}

// lookup reads key in m (one of r's maps).
func lookup[V any](r *rewrites, m map[string]V, key string) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := m[key]
	return v, ok
}

// setNewNode registers the real attributes of the new node that go-mega
// creates in parent under the (unique) placeholder name.
func (r *rewrites) setNewNode(parent, placeholder string, a Attrs) func() {
	return register(r, r.uploads, placeholder, nodeRewrite{parent: parent, attrs: a})
}

func (r *rewrites) newNode(placeholder string) (nodeRewrite, bool) {
	return lookup(r, r.uploads, placeholder)
}

// setAttrs registers the full attribute set to write in place of the
// attribute go-mega sends for node h.
func (r *rewrites) setAttrs(h string, a Attrs) func() {
	return register(r, r.attrs, h, a)
}

func (r *rewrites) attrsFor(h string) (Attrs, bool) {
	return lookup(r, r.attrs, h)
}

// refuse records why a command registered under key was not sent.
func (r *rewrites) refuse(key string, err error) {
	r.mu.Lock()
	r.refused[key] = err
	r.mu.Unlock()
}

// refusal returns why the transport refused to send the command
// registered under key (nil if it did not).
func (r *rewrites) refusal(key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused[key]
}

// rewriteRefused is a command the transport will not send.
type rewriteRefused struct {
	key string // registration it belongs to ("" if none)
	err error
}

func (e *rewriteRefused) Error() string { return e.err.Error() }
func (e *rewriteRefused) Unwrap() error { return e.err }

// codeArgs is the API's "bad arguments" code, the local answer to a
// command the transport refuses to send.
const codeArgs = -2

// hub is what every transport of one Client shares.
type hub struct {
	tree      *tree
	rw        *rewrites
	progress  func(read, total int64)
	notify    func(changed map[string]bool)
	onExpired func()
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
		if err != nil {
			cancel()
			return nil, err
		}
		resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		return resp, nil
	}
	return t.base.RoundTrip(req)
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
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := t.base.RoundTrip(out)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	var reply []byte
	if name == "f" && t.hub().progress != nil {
		reply, err = readWithProgress(resp.Body, resp.ContentLength, t.hub().progress)
	} else {
		reply, err = io.ReadAll(resp.Body)
	}
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(cmds) == 1 {
		if slim := t.observeCS(name, cmds[0], reply); slim != nil {
			reply = slim
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	resp.ContentLength = int64(len(reply))
	return resp, nil
}

func readWithProgress(r io.Reader, total int64, progress func(read, total int64)) ([]byte, error) {
	var buf bytes.Buffer
	if total > 0 {
		buf.Grow(int(total))
	}
	chunk := make([]byte, 256<<10)
	var read int64
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			buf.Write(chunk[:n])
			read += int64(n)
			progress(read, total)
		}
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// placeholderPrefix starts the names megaclient hands go-mega for new
// nodes; the transport replaces them before the command leaves.
const placeholderPrefix = "megatui-placeholder-"

// rewrite applies a registered attribute rewrite to an outgoing command.
// It fails rather than let a placeholder name reach the server.
func (t *transport) rewrite(name string, cmd map[string]json.RawMessage) ([]byte, bool, error) {
	switch name {
	case "p":
		var nodes []map[string]json.RawMessage
		if json.Unmarshal(cmd["n"], &nodes) != nil || len(nodes) != 1 {
			return nil, false, nil
		}
		if typ, _ := strconv.Atoi(string(nodes[0]["t"])); typ != typeFile && typ != typeDir {
			return nil, false, nil
		}
		parent, _ := unquoteRaw(cmd["t"])
		k, _ := unquoteRaw(nodes[0]["k"])
		a, _ := unquoteRaw(nodes[0]["a"])
		tr := t.hub().tree
		tr.mu.Lock()
		master := tr.master
		tr.mu.Unlock()
		encKey, err := b64decode(k)
		if err != nil || master == nil {
			return nil, false, nil
		}
		key, err := ecbDecrypt(master, encKey)
		if err != nil {
			return nil, false, nil
		}
		placeholder, err := decryptAttrs(key, a)
		if err != nil || !strings.HasPrefix(placeholder.Name, placeholderPrefix) {
			return nil, false, nil
		}
		want, ok := t.hub().rw.newNode(placeholder.Name)
		if !ok {
			return nil, false, &rewriteRefused{err: fmt.Errorf("megaclient: no attributes registered for a new node in %q", parent)}
		}
		if parent != want.parent {
			return nil, false, &rewriteRefused{key: placeholder.Name,
				err: fmt.Errorf("megaclient: new node meant for %q would go to %q", want.parent, parent)}
		}
		enc, err := encryptAttrs(key, want.attrs)
		if err != nil {
			return nil, false, &rewriteRefused{key: placeholder.Name, err: fmt.Errorf("megaclient: encrypt attributes: %w", err)}
		}
		nodes[0]["a"] = json.RawMessage(strconv.Quote(enc))
		nb, err := json.Marshal(nodes)
		if err != nil {
			return nil, false, err
		}
		cmd["n"] = nb
		// Inside a shared folder, the node key also goes under each share
		// key ("cr": [[shares], [new node], [share, node, key, ...]]), or
		// the people it is shared with could not decrypt the new node.
		if shares, keys := tr.shareCR(parent, key); len(shares) > 0 {
			links := make([]any, 0, 3*len(shares))
			for i := range shares {
				links = append(links, i, 0, keys[i])
			}
			cr, err := json.Marshal([]any{shares, []json.RawMessage{nodes[0]["h"]}, links})
			if err != nil {
				return nil, false, err
			}
			cmd["cr"] = cr
		}
	case "a":
		h, _ := unquoteRaw(cmd["n"])
		want, ok := t.hub().rw.attrsFor(h)
		if !ok {
			return nil, false, nil
		}
		inf, ok := t.hub().tree.info(h)
		if !ok || inf.key == nil {
			return nil, false, &rewriteRefused{key: h, err: fmt.Errorf("megaclient: set attributes of %s: node key unknown", h)}
		}
		enc, err := encryptAttrs(inf.key, want)
		if err != nil {
			return nil, false, &rewriteRefused{key: h, err: fmt.Errorf("megaclient: encrypt attributes: %w", err)}
		}
		cmd["attr"] = json.RawMessage(strconv.Quote(enc))
	default:
		return nil, false, nil
	}
	out, err := json.Marshal([]map[string]json.RawMessage{cmd})
	return out, err == nil, err
}

// apiError returns the error code of a bare or one-element error reply.
func apiError(reply []byte) (int, bool) {
	s := strings.TrimSpace(string(reply))
	if len(s) < 6 && strings.HasPrefix(s, "[") {
		s = strings.Trim(s, "[]")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n >= 0 {
		return 0, false
	}
	return n, true
}

const codeSessionExpired = -15

// observeCS applies a successful command's effect to the tree. For an
// `f` reply it returns the slim reply go-mega gets instead: the roots and
// the sequence number only. go-mega's own index then holds just the nodes
// megaclient hands it (see ensureNode), so a 100,000-node account is
// decoded once, lazily, by megaclient — not a second time, with a key
// decryption per node, by go-mega.
func (t *transport) observeCS(name string, cmd map[string]json.RawMessage, reply []byte) []byte {
	if code, ok := apiError(reply); ok {
		if code == codeSessionExpired && t.hub().onExpired != nil {
			t.hub().onExpired()
		}
		return nil
	}
	tr := t.hub().tree
	var changed map[string]bool
	switch name {
	case "us", "ug":
		var r []struct {
			U     string `json:"u"`
			Privk string `json:"privk"`
		}
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 && r[0].U != "" {
			tr.mu.Lock()
			tr.user = r[0].U
			tr.mu.Unlock()
			tr.setPrivk(r[0].Privk) // decrypts inbound share keys (RSA)
		}
	case "f":
		var r []fetchReply
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 {
			tr.load(&r[0])
			return fetchReplyRoots(tr, r[0].SN)
		}
	case "p":
		var r []struct {
			F []rawNode `json:"f"`
		}
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 {
			changed = tr.add(r[0].F)
		}
	case "m", "a", "d":
		if strings.TrimSpace(string(reply)) != "[0]" {
			return nil
		}
		h, _ := unquoteRaw(cmd["n"])
		switch name {
		case "m":
			to, _ := unquoteRaw(cmd["t"])
			changed = tr.move(h, to)
		case "a":
			attr, ok := unquoteRaw(cmd["attr"])
			if !ok {
				attr, _ = unquoteRaw(cmd["at"])
			}
			changed = tr.setAttr(h, attr)
		case "d":
			changed = tr.remove(h, false)
		}
	}
	if len(changed) > 0 && t.hub().notify != nil {
		t.hub().notify(changed)
	}
	return nil
}

// packet is an action packet as far as megaclient reads it.
type packet struct {
	A string `json:"a"`
	T struct {
		F []rawNode `json:"f"`
	} `json:"t"`
	N  string `json:"n"`
	At string `json:"at"`
	M  int    `json:"m"`
}

func (t *transport) roundTripSC(req *http.Request) (*http.Response, error) {
	if pending := t.link.take(); len(pending) > 0 {
		// Hand nodes over without moving go-mega's sequence number.
		out, _ := json.Marshal(map[string]any{"a": pending, "sn": req.URL.Query().Get("sn")})
		return localResponse(req, out), nil
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	resp.ContentLength = int64(len(reply))
	if code, ok := apiError(reply); ok {
		if code == codeSessionExpired {
			if h := t.hub(); h.onExpired != nil {
				h.onExpired()
			}
			// go-mega would poll with a dead session every few seconds
			// for ever; the next command re-logs in on a new instance.
			return t.park(req)
		}
		return resp, nil
	}
	var ev struct {
		W string            `json:"w"`
		A []json.RawMessage `json:"a"`
	}
	if json.Unmarshal(reply, &ev) != nil {
		return resp, nil
	}
	if ev.W != "" {
		t.mu.Lock()
		t.waitURL = ev.W
		t.mu.Unlock()
		return resp, nil // go-mega ignores packets next to a wait URL; so do we
	}
	changed := map[string]bool{}
	tr := t.hub().tree
	forGoMega := make([]json.RawMessage, 0, len(ev.A))
	for _, raw := range ev.A {
		var p packet
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		if kept := t.filterPacket(p, raw); kept != nil {
			forGoMega = append(forGoMega, kept)
		}
		var c map[string]bool
		switch p.A {
		case "t":
			c = tr.add(p.T.F)
		case "u":
			c = tr.setAttr(p.N, p.At)
		case "d":
			c = tr.remove(p.N, p.M == 1)
		case "s", "s2":
			c = tr.sharePacket(raw)
		}
		for k := range c {
			changed[k] = true
		}
	}
	if len(changed) > 0 && t.hub().notify != nil {
		t.hub().notify(changed)
	}
	if len(forGoMega) != len(ev.A) {
		var full map[string]json.RawMessage
		if json.Unmarshal(reply, &full) == nil {
			full["a"], _ = json.Marshal(forGoMega)
			if out, err := json.Marshal(full); err == nil {
				resp.Body = io.NopCloser(bytes.NewReader(out))
				resp.ContentLength = int64(len(out))
			}
		}
	}
	return resp, nil
}

// filterPacket keeps what go-mega's slim index needs from a packet: node
// additions and attribute updates of nodes it already holds (a move
// brings its node back), and every deletion. Other nodes reach it only
// when megaclient hands them over.
func (t *transport) filterPacket(p packet, raw json.RawMessage) json.RawMessage {
	if t.known == nil {
		return raw
	}
	switch p.A {
	case "u":
		if !t.known(p.N) {
			return nil
		}
	case "t":
		var full map[string]json.RawMessage
		var body struct {
			F []json.RawMessage `json:"f"`
		}
		if json.Unmarshal(raw, &full) != nil || json.Unmarshal(full["t"], &body) != nil {
			return raw
		}
		kept := body.F[:0]
		for i, n := range body.F {
			if i < len(p.T.F) && t.known(p.T.F[i].H) {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		if len(kept) == len(p.T.F) {
			return raw
		}
		inner := map[string]json.RawMessage{}
		_ = json.Unmarshal(full["t"], &inner)
		inner["f"], _ = json.Marshal(kept)
		full["t"], _ = json.Marshal(inner)
		out, err := json.Marshal(full)
		if err != nil {
			return raw
		}
		return out
	}
	return raw
}

// workerLink hands nodes to a go-mega instance's index as local `t`
// packets; for a worker it is also the whole `sc` channel.
type workerLink struct {
	mu      sync.Mutex
	pending []json.RawMessage
	sn      int
	wake    chan struct{}
}

func newWorkerLink() *workerLink { return &workerLink{wake: make(chan struct{}, 1)} }

func (w *workerLink) inject(nodes ...json.RawMessage) {
	pkt, _ := json.Marshal(map[string]any{"a": "t", "t": map[string]any{"f": nodes}})
	w.mu.Lock()
	w.pending = append(w.pending, pkt)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// take returns and clears the packets waiting for go-mega.
func (w *workerLink) take() []json.RawMessage {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.pending
	w.pending = nil
	return p
}

// fetchReplyRoots is an `f` reply holding only the three roots.
func fetchReplyRoots(tr *tree, sn string) []byte {
	out, _ := json.Marshal([]any{map[string]any{
		"f": tr.rootNodes(), "ok": []any{}, "s": []any{}, "u": []any{}, "sn": sn,
	}})
	return out
}

func (w *workerLink) serve(req *http.Request, closed <-chan struct{}, park func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.URL.String() == workerWaitURL {
		select {
		case <-w.wake:
			return localResponse(req, []byte("0")), nil
		case <-closed:
			return park(req)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sn++
	sn := fmt.Sprintf("worker%06d", w.sn)
	var out []byte
	if len(w.pending) > 0 {
		out, _ = json.Marshal(map[string]any{"a": w.pending, "sn": sn})
		w.pending = nil
	} else {
		out, _ = json.Marshal(map[string]any{"w": workerWaitURL, "sn": sn})
	}
	return localResponse(req, out), nil
}
