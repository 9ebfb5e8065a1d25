// Package megaclient presents a MEGA account as a filesystem on top of
// go-mega: login and session resume, a live node tree with real
// modification times (decoded from MEGA's `c` fingerprint attribute),
// folder operations, and chunk-level parallel transfers for the transfer
// engine. Errors are model sentinels wrapped with context.
//
// Paths: "/a/b" is under Cloud Drive, "//bin/..." the Rubbish Bin,
// "//in/..." the Inbox, "//shares/NAME/..." an incoming share. Wherever a
// path is accepted a node handle is too, bare ("AbCdEfGh") or MEGAcmd
// style ("H:AbCdEfGh"), so one of several same-name siblings can be
// addressed.
package megaclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// Session is what resuming a login needs: no password is stored.
type Session struct {
	Email     string
	SessionID string
	MasterKey []byte
}

// String describes the session without its secrets, so a Session passed
// to fmt or a logger by mistake leaks nothing.
func (s Session) String() string {
	return fmt.Sprintf("session{email: %q, secrets: redacted}", s.Email)
}

// GoString is String, so %#v redacts too.
func (s Session) GoString() string { return s.String() }

// SessionStore keeps sessions between runs (account wires the keyring's).
// LoadSession returns an error wrapping model.ErrNoCredentials (or any
// error) when there is none.
type SessionStore interface {
	LoadSession(remote string) (Session, error)
	SaveSession(remote string, s Session) error
}

// Options configure Connect.
type Options struct {
	// Remote names the account in the SessionStore.
	Remote string
	// Email and Password log in; Password may be empty when a saved
	// session exists (then an expired session is an error, not a login).
	Email    string
	Password string
	// MFACode is the current two-factor code, for accounts that need one.
	MFACode string
	// APIURL overrides the API endpoint; empty keeps go-mega's default
	// (which honours X_MEGA_API_URL).
	APIURL string
	// HTTPClient carries every request (its Transport is wrapped; its
	// Timeout is ignored because the event channel long-polls); nil means
	// a clone of http.DefaultTransport with enough idle connections for
	// parallel chunks.
	HTTPClient *http.Client
	// Store, when set, is used to resume a session and to save a new one.
	Store SessionStore
	// Progress, when set, is called while the node tree downloads with the
	// bytes read so far and the total (-1 if unknown).
	Progress func(read, total int64)
	// Logf receives go-mega's log lines; nil discards them (go-mega would
	// otherwise print to stderr and corrupt a TUI).
	Logf func(format string, args ...any)
	// Warn receives, once per node, why a node from the server was
	// quarantined (invalid data, a parent cycle): a message for the user.
	Warn func(msg string)
	// Workers is how many files are expected to move at once (default
	// 4); it sizes the pool of idle connections. It does not limit
	// transfers: each running Upload or Download gets its own go-mega
	// instance, so the caller's concurrency is what runs. ChunkWorkers is
	// how many chunks of one file move in parallel (default 4).
	Workers      int
	ChunkWorkers int
	// EventWait bounds how long a mutation waits for its own action
	// packets before returning (default 5 s).
	EventWait time.Duration
	// AnswerTimeout bounds the wait for the API to start answering a
	// command (default 20 s); then the command fails as unreachable.
	AnswerTimeout time.Duration
}

// Client is a connected MEGA account. All methods are safe for concurrent
// use and synchronous; ctx is checked before each request and between
// transfer chunks (go-mega itself cannot be interrupted mid-request).
type Client struct {
	opts Options
	hub  *hub
	tree *tree
	subs *subscribers

	mu        sync.Mutex
	m         *mega.Mega
	tr        *transport
	sess      Session
	relogins  int
	expired   bool
	closed    bool
	pool      *workerPool
	throttle  *throttle    // chunk concurrency of the data path
	slots     chunkSlots   // chunks in flight over all transfers
	data      *http.Client // upload pieces and download ranges
	loggedIn  bool         // a password login happened in this Client
	privkAsk  bool         // `ug` was asked for the RSA private key
	base      http.RoundTripper
	clientTpl http.Client
}

// Connect logs in: with the saved session when the store has one (no
// password login at all), otherwise with e-mail and password (+ MFA code).
// It returns once the node tree is loaded.
func Connect(ctx context.Context, opts Options) (*Client, error) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.ChunkWorkers <= 0 {
		opts.ChunkWorkers = 4
	}
	if opts.EventWait <= 0 {
		opts.EventWait = 5 * time.Second
	}
	c := &Client{opts: opts, tree: newTree(), subs: newSubscribers()}
	if opts.HTTPClient != nil {
		c.clientTpl = *opts.HTTPClient
		c.base = opts.HTTPClient.Transport
	}
	if c.base == nil {
		// Enough idle connections for every chunk in flight; the default
		// two per host would reconnect for most chunks. Transfers may run
		// more files than Workers at once, so keep a margin.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(opts.Workers, 16)*(opts.ChunkWorkers+2) + 4
		c.base = t
	}
	c.clientTpl.Timeout = 0 // the event channel long-polls
	c.hub = &hub{tree: c.tree, rw: newRewrites(), progress: opts.Progress, notify: c.subs.notify, onExpired: c.markExpired, answerWait: opts.AnswerTimeout}
	c.pool = newWorkerPool(c)
	c.throttle = newThrottle(opts.ChunkWorkers)
	c.slots = make(chunkSlots, maxChunksInFlight)
	c.data = &http.Client{Transport: c.base}
	if logf, warn := opts.Logf, opts.Warn; logf != nil || warn != nil {
		c.tree.onQuarantine = func(h string, why error) {
			msg := fmt.Sprintf("node %s quarantined (listed as undecryptable): %v", h, why)
			if logf != nil {
				logf("megaclient: node %s quarantined (listed as undecryptable): %v", h, why)
			}
			if warn != nil {
				warn(msg)
			}
		}
	}

	if err := ctx.Err(); err != nil {
		return nil, translate("connect", err)
	}
	if opts.Store != nil {
		s, err := opts.Store.LoadSession(opts.Remote)
		sameUser := opts.Email == "" || s.Email == "" || strings.EqualFold(s.Email, opts.Email)
		if err == nil && sameUser && s.SessionID != "" && len(s.MasterKey) == 16 {
			err = c.resume(s)
			if err == nil {
				return c, nil
			}
			if !errors.Is(err, model.ErrSessionExpired) {
				return nil, err
			}
			if opts.Password == "" {
				return nil, errSessionExpired(nil)
			}
		}
	}
	if opts.Email == "" || opts.Password == "" {
		return nil, fmt.Errorf("connect %s: %w", opts.Remote, model.ErrNoCredentials)
	}
	if err := c.passwordLogin(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) newInstance(worker bool) (*mega.Mega, *transport) {
	tr := newTransport(c.base, c.hub, worker)
	hc := c.clientTpl
	hc.Transport = tr
	m := mega.New().SetClient(&hc)
	tr.known = func(h string) bool { return m.FS.HashLookup(h) != nil }
	m.SetLogger(nil)
	if logf := c.opts.Logf; logf != nil {
		m.SetLogger(func(format string, args ...any) { logf("go-mega: %s", redactSID(fmt.Sprintf(format, args...))) })
	}
	m.SetDebugger(nil)
	if c.opts.APIURL != "" {
		m.SetAPIUrl(c.opts.APIURL)
	}
	return m, tr
}

func (c *Client) resume(s Session) error {
	m, tr := c.newInstance(false)
	c.tree.setMaster(s.MasterKey, "")
	err := m.LoginWithKeys(s.SessionID, s.MasterKey)
	if ierr := tr.takeInvalid(); ierr != nil {
		err = ierr
	}
	if err != nil {
		tr.close()
		return translate("resume session", err)
	}
	c.mu.Lock()
	c.m, c.tr, c.sess, c.expired = m, tr, s, false
	c.mu.Unlock()
	c.ensurePrivk()
	return nil
}

// ensurePrivk fetches the account's RSA private key (`ug`) when an
// inbound share's key is RSA-encrypted and no password login brought the
// key (a resumed session). Once per Client: a failure leaves those
// shares undecryptable rather than retrying on every call.
func (c *Client) ensurePrivk() {
	if !c.tree.needsPrivk() {
		return
	}
	c.mu.Lock()
	asked := c.privkAsk
	c.privkAsk = true
	c.mu.Unlock()
	if asked {
		return
	}
	err := c.call(context.Background(), "fetch private key", false, func(m *mega.Mega) error {
		_, err := m.GetUser()
		return err
	})
	if err != nil && c.opts.Logf != nil {
		c.opts.Logf("megaclient: inbound shares stay undecryptable: %v", err)
	}
}

func (c *Client) passwordLogin() error {
	m, tr := c.newInstance(false)
	// The transport checks the `us` reply against the password key
	// before go-mega decrypts it.
	c.hub.login.Store(newLoginCheck(c.opts.Password))
	err := guard(model.ErrInvalidLoginReply, func() error {
		return m.MultiFactorLogin(c.opts.Email, c.opts.Password, c.opts.MFACode)
	})
	c.hub.login.Store(nil)
	if ierr := tr.takeInvalid(); ierr != nil {
		err = ierr
	}
	if err != nil {
		tr.close()
		if errors.Is(err, model.ErrInvalidReply) || errors.Is(err, model.ErrInvalidLoginReply) {
			return fmt.Errorf("login: %w", err)
		}
		return translateLogin(c.opts.Email, c.opts.MFACode != "", err)
	}
	c.tree.setMaster(m.GetMasterKey(), "")
	s := Session{Email: c.opts.Email, SessionID: m.GetSessionID(), MasterKey: append([]byte(nil), m.GetMasterKey()...)}
	c.mu.Lock()
	c.m, c.tr, c.sess, c.expired, c.loggedIn = m, tr, s, false, true
	c.mu.Unlock()
	if c.opts.Store != nil {
		if err := c.opts.Store.SaveSession(c.opts.Remote, s); err != nil {
			return fmt.Errorf("save session: %w", err)
		}
	}
	return nil
}

// Session returns the current session (for a store; keep it secret).
func (c *Client) Session() Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sess
	s.MasterKey = append([]byte(nil), s.MasterKey...)
	return s
}

// PasswordLoginDone reports whether this Client logged in with the
// password (false when it resumed a saved session).
func (c *Client) PasswordLoginDone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loggedIn
}

// SessionExpired reports whether a request was answered "session
// expired" (-15) since the last login (a UI can show it; the next call
// re-logs in once if it has the password).
func (c *Client) SessionExpired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.expired
}

func (c *Client) markExpired() {
	c.mu.Lock()
	c.expired = true
	c.mu.Unlock()
}

// Close stops event polling and the transfer workers.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	m, tr := c.m, c.tr
	c.mu.Unlock()
	if tr != nil {
		tr.close()
		releaseWhenParked(m, tr)
	}
	c.pool.close()
	c.subs.closeAll()
	return nil
}

func (c *Client) current() (*mega.Mega, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("megaclient: client closed")
	}
	return c.m, nil
}

// relogin replaces an instance whose session expired by a fresh password
// login, at most once per Client: MEGA blocks accounts that log in in a
// loop. It returns nil when the caller should retry with c.current().
func (c *Client) relogin(stale *mega.Mega) error {
	c.mu.Lock()
	if c.m != stale {
		c.mu.Unlock()
		return nil // someone else already logged in again
	}
	if c.opts.Password == "" || c.relogins > 0 {
		c.mu.Unlock()
		return errSessionExpired(nil)
	}
	c.relogins++
	old := c.tr
	c.mu.Unlock()
	old.close()
	c.pool.reset()
	if err := c.passwordLogin(); err != nil {
		return errSessionExpired(err)
	}
	return nil
}

// call runs op on the main go-mega instance, re-logging in once if the
// session expired. The tree is current when it returns: op's own action
// packets were awaited (WaitEvents), and the transport applied the
// command's effect anyway.
func (c *Client) call(ctx context.Context, what string, wait bool, op func(m *mega.Mega) error) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return translate(what, err)
		}
		m, err := c.current()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		ev := m.WaitEventsStart()
		err = guard(model.ErrInvalidReply, func() error { return op(m) })
		// A refused reply is why this operation failed, never a reason to
		// fail one that succeeded (the record is per transport).
		if ierr := c.invalidReply(m); ierr != nil && err != nil {
			return fmt.Errorf("%s: %w", what, ierr)
		}
		if err == nil {
			if wait {
				m.WaitEvents(ev, c.opts.EventWait)
			}
			return nil
		}
		if errors.Is(err, mega.ESID) && attempt == 0 {
			if rerr := c.relogin(m); rerr != nil {
				return fmt.Errorf("%s: %w", what, rerr)
			}
			continue
		}
		if errors.Is(err, mega.ESID) {
			return fmt.Errorf("%s: %w", what, errSessionExpired(nil))
		}
		return translate(what, err)
	}
}

// invalidReply returns why the transport of instance m refused the reply
// to its last command (nil if it did not, or m was replaced).
func (c *Client) invalidReply(m *mega.Mega) error {
	c.mu.Lock()
	tr := c.tr
	if c.m != m {
		tr = nil
	}
	c.mu.Unlock()
	if tr == nil {
		return nil
	}
	return tr.takeInvalid()
}

var sidParam = regexp.MustCompile(`(sid=)[^&\s"']+`)

// redactSID hides session ids in go-mega's log lines (its errors quote
// request URLs, which carry the session id).
func redactSID(s string) string { return sidParam.ReplaceAllString(s, "${1}REDACTED") }

// resolve turns a path or handle into a node handle.
func (c *Client) resolve(ref string) (string, error) {
	c.ensurePrivk()
	root, inbox, trash := c.tree.roots()
	var base, rest string
	switch {
	case strings.HasPrefix(ref, "H:"):
		h := strings.TrimPrefix(ref, "H:")
		if _, ok := c.tree.info(h); !ok {
			return "", fmt.Errorf("%s: %w", ref, model.ErrNotFound)
		}
		return h, nil
	case ref == "//bin" || strings.HasPrefix(ref, "//bin/"):
		base, rest = trash, strings.TrimPrefix(ref, "//bin")
	case ref == "//in" || strings.HasPrefix(ref, "//in/"):
		base, rest = inbox, strings.TrimPrefix(ref, "//in")
	case strings.HasPrefix(ref, "//shares/"):
		name, r, _ := strings.Cut(strings.TrimPrefix(ref, "//shares/"), "/")
		for _, e := range c.tree.sharedRoots() {
			if e.Name == name {
				base, rest = e.ID, r
				break
			}
		}
		if base == "" {
			return "", fmt.Errorf("%s: %w", ref, model.ErrNotFound)
		}
	case ref == "" || strings.HasPrefix(ref, "/"):
		base, rest = root, ref
	default:
		if _, ok := c.tree.info(ref); ok {
			return ref, nil
		}
		return "", fmt.Errorf("%s: %w", ref, model.ErrNotFound)
	}
	if base == "" {
		return "", fmt.Errorf("%s: tree not loaded: %w", ref, model.ErrNotFound)
	}
	h := base
	for _, part := range strings.Split(rest, "/") {
		if part == "" || part == "." {
			continue
		}
		matches := c.tree.lookup(h, part)
		if len(matches) == 0 {
			return "", fmt.Errorf("%s: %w", ref, model.ErrNotFound)
		}
		h = pick(matches)
	}
	return h, nil
}

// pick chooses among same-name siblings: a folder first (so a path can go
// on through it), otherwise the oldest; address others by handle.
func pick(es []model.Entry) string {
	best := es[0]
	for _, e := range es[1:] {
		if e.IsDir() && !best.IsDir() || e.IsDir() == best.IsDir() && e.UploadTime.Before(best.UploadTime) {
			best = e
		}
	}
	return best.ID
}

// megaNode returns the main instance's go-mega node for a handle, handing
// it over to go-mega's slim index first if needed.
func (c *Client) megaNode(m *mega.Mega, h, what string) (*mega.Node, error) {
	c.mu.Lock()
	tr := c.tr
	if c.m != m {
		tr = nil
	}
	c.mu.Unlock()
	if tr == nil {
		return nil, fmt.Errorf("%s: %w", what, mega.ESID) // replaced by a re-login meanwhile
	}
	n, err := ensureNode(m, tr.link, c.tree, h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// ensureNode returns instance m's go-mega node for h. A node m's index
// lacks is handed over as a local `t` packet (its key re-encrypted under
// the master key) and awaited: go-mega applies it on its next `sc` poll
// and signals the `w` reply that follows (WaitEvents).
//
// go-mega records the parent of a node it is given as an empty stand-in
// (no handle, no key, no name) when it does not hold that parent yet, so
// handing over /a/b leaves a stand-in for /a. Only a node that carries
// the handle asked for is accepted; a stand-in is replaced by handing the
// real node over (go-mega then fills the stand-in in place). Accepting it
// sent commands naming "" as the node (an upload's `p` to parent "",
// refused locally and retried by go-mega for 10 s; a trash's `m` of "").
func ensureNode(m *mega.Mega, link *workerLink, tr *tree, h string) (*mega.Node, error) {
	if why := tr.quarantine(h); why != nil {
		// Even if go-mega holds it from before: its data is invalid now.
		return nil, fmt.Errorf("node %s: %v: %w", h, why, model.ErrQuarantined)
	}
	held := func() *mega.Node {
		if n := m.FS.HashLookup(h); n != nil && n.GetHash() == h {
			return n
		}
		return nil
	}
	if n := held(); n != nil {
		return n, nil
	}
	raw, err := tr.exportNode(h)
	if err != nil {
		return nil, err
	}
	ev := m.WaitEventsStart()
	link.inject(json.RawMessage(raw))
	for range 5 {
		if n := held(); n != nil {
			return n, nil
		}
		m.WaitEvents(ev, time.Second)
		ev = m.WaitEventsStart()
	}
	if n := held(); n != nil {
		return n, nil
	}
	return nil, fmt.Errorf("hand node %s to go-mega: %w", h, model.ErrTryAgain)
}
