package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// A public link opened without an account (protocol notes §5.5):
//
//   - a file link is one `g` with "p": the size and the attributes,
//     decrypted with the key the link carries;
//   - a folder link is a folder-link session, every request carrying
//     n=<public handle> instead of a session id: `f` returns the folder
//     and everything under it, each node key under the share key the
//     link carries.
//
// The nodes go into a tree of their own, whose "master key" is a random
// key the share key is stored under, so the tree decrypts them exactly
// like the nodes of an inbound share. Downloads use a go-mega instance
// in worker mode fed from that tree (see transfer.go); a round tripper
// turns its `g` into the public form ("p" for a file link, n= for a
// folder link), so content decryption and MAC checks are go-mega's.

// LinkOptions configure OpenLink.
type LinkOptions struct {
	// APIURL overrides the API endpoint (as Options.APIURL).
	APIURL string
	// HTTPClient carries every request; nil means a clone of
	// http.DefaultTransport.
	HTTPClient *http.Client
	// Logf receives go-mega's log lines; nil discards them.
	Logf func(format string, args ...any)
	// ChunkWorkers is how many chunks of one file move in parallel
	// (default 4).
	ChunkWorkers int
}

// Public is a read-only view of a public link: the file, or the folder
// with everything in it. It needs no account. Methods are safe for
// concurrent use. Node IDs are the link's own (a file link's only node is
// known by the link's public handle).
type Public struct {
	link Link
	opts LinkOptions
	base http.RoundTripper
	api  string
	tree *tree
	root string

	// c runs downloads: a Client on the link's tree with no account
	// (empty session id, the tree's random master key), whose worker
	// instances talk to the API through publicRoundTripper. Downloads
	// are thus the account's own verified, resumable data path.
	c *Client
}

// publicUser labels the nodes of a public tree (any user handle), and
// publicParent is the parent the link's top node is given in it (the
// link's own parent is not part of the link).
const (
	publicUser   = "publiclink0"
	publicParent = "linkTop0"
)

// OpenLink opens a public file or folder link (any form ParseLink
// accepts). A key that does not decrypt what the link points to is
// refused with model.ErrBadLink.
func OpenLink(ctx context.Context, rawLink string, opts LinkOptions) (*Public, error) {
	l, err := ParseLink(rawLink)
	if err != nil {
		return nil, err
	}
	if opts.ChunkWorkers <= 0 {
		opts.ChunkWorkers = 4
	}
	p := &Public{link: l, opts: opts, api: APIEndpoint(opts.APIURL), tree: newTree()}
	if opts.HTTPClient != nil {
		p.base = opts.HTTPClient.Transport
	}
	if p.base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = opts.ChunkWorkers + 4
		p.base = t
	}
	master := make([]byte, 16)
	_, _ = rand.Read(master)
	p.tree.setMaster(master, publicUser)
	what := "open " + displayLink(l)
	if l.Folder {
		err = p.openFolder(ctx, master, what)
	} else {
		err = p.openFile(ctx, master, what)
	}
	if err != nil {
		return nil, err
	}
	p.c = newLinkClient(l, opts, p.base, p.api, p.tree)
	return p, nil
}

// displayLink names a link without its key (for messages and logs).
func displayLink(l Link) string {
	kind := "file"
	if l.Folder {
		kind = "folder"
	}
	return "https://mega.nz/" + kind + "/" + l.Handle
}

func (p *Public) params() map[string]string {
	if p.link.Folder {
		return map[string]string{"n": p.link.Handle}
	}
	return nil
}

func linkError(what string, err error) error {
	if errors.Is(err, mega.ENOENT) || errors.Is(err, mega.EACCESS) {
		return fmt.Errorf("%s: the link does not exist or was removed: %w", what, model.ErrNotFound)
	}
	if errors.Is(err, mega.EBLOCKED) {
		return fmt.Errorf("%s: the link was taken down: %w", what, model.ErrBlocked)
	}
	return translate(what, err)
}

func (p *Public) openFile(ctx context.Context, master []byte, what string) error {
	var g struct {
		S  int64    `json:"s"`
		At string   `json:"at"`
		E  *int     `json:"e"`
		Tl *float64 `json:"tl"`
	}
	err := apiRequest(ctx, p.base, p.api, nil, map[string]any{"a": "g", "p": p.link.Handle}, &g)
	if err != nil {
		return linkError(what, err)
	}
	if g.E != nil && *g.E < 0 {
		return linkError(what, apiCodeError(*g.E))
	}
	if g.S < 0 {
		return fmt.Errorf("%s: negative size: %w", what, model.ErrTryAgain)
	}
	if _, err := decryptAttrs(p.link.Key, g.At); err != nil {
		return fmt.Errorf("%s: the link's key does not decrypt the file (is the link complete?): %w", what, model.ErrBadLink)
	}
	enc, err := ecbEncrypt(master, p.link.Key)
	if err != nil {
		return err
	}
	p.root = p.link.Handle
	p.tree.add([]rawNode{{H: p.root, P: publicParent, U: publicUser, T: typeFile, A: g.At, K: publicUser + ":" + b64encode(enc), S: g.S}})
	return nil
}

func (p *Public) openFolder(ctx context.Context, master []byte, what string) error {
	var fr struct {
		F []rawNode `json:"f"`
	}
	err := apiRequest(ctx, p.base, p.api, p.params(), map[string]any{"a": "f", "c": 1, "r": 1}, &fr)
	if err != nil {
		return linkError(what, err)
	}
	if len(fr.F) == 0 || fr.F[0].T != typeDir {
		return fmt.Errorf("%s: the server sent no folder: %w", what, model.ErrNotFound)
	}
	top := fr.F[0].H
	// Only what lies under the folder counts, whatever else came along.
	in := map[string]bool{top: true}
	kept := fr.F[:1]
	for _, n := range fr.F[1:] {
		if in[n.P] && (n.T == typeFile || n.T == typeDir) && !in[n.H] {
			in[n.H] = true
			kept = append(kept, n)
		}
	}
	kept[0].P = publicParent
	enc, err := ecbEncrypt(master, p.link.Key)
	if err != nil {
		return err
	}
	p.tree.add(kept)
	p.tree.setShareKey(top, b64encode(enc))
	if !p.tree.decrypts(top) {
		return fmt.Errorf("%s: the link's key does not decrypt the folder (is the link complete?): %w", what, model.ErrBadLink)
	}
	p.root = top
	if p.link.Sub != "" {
		if inf, ok := p.tree.info(p.link.Sub); !ok || inf.kind != typeDir && inf.kind != typeFile {
			return fmt.Errorf("%s: no item %s in the folder: %w", what, p.link.Sub, model.ErrNotFound)
		}
		p.root = p.link.Sub
	}
	return nil
}

// decrypts reports whether node h's key and attributes decrypt.
func (t *tree) decrypts(h string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return false
	}
	t.decodeLocked(n)
	return n.key != nil && !n.badAttr
}

// Link returns the link (with its key) the view was opened with.
func (p *Public) Link() string { return p.link.String() }

// IsFolder reports whether the link is a folder link.
func (p *Public) IsFolder() bool { return p.link.Folder }

// Root returns the entry the link points to.
func (p *Public) Root() model.Entry {
	e, _ := p.tree.entry(p.root)
	e.ParentID = ""
	return e
}

// within reports whether id is the link's root or under it.
func (p *Public) within(id string) bool { return p.tree.isAncestor(p.root, id) }

func (p *Public) node(what, id string) (string, error) {
	if id == "" || id == "/" {
		return p.root, nil
	}
	if !p.within(id) {
		return "", fmt.Errorf("%s: %s: %w", what, id, model.ErrNotFound)
	}
	return id, nil
}

// List returns the children of a folder of the link ("" is the link's
// root), sorted by name.
func (p *Public) List(ctx context.Context, id string) ([]model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, translate("list", err)
	}
	h, err := p.node("list", id)
	if err != nil {
		return nil, err
	}
	es, err := p.tree.children(h)
	if err != nil {
		return nil, fmt.Errorf("list: %w", unwrapOnce(err))
	}
	return es, nil
}

// Stat returns the entry of a node of the link: an ID, or a path from
// the link's root ("/", "/sub/file").
func (p *Public) Stat(ctx context.Context, ref string) (model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return model.Entry{}, translate("stat", err)
	}
	if strings.HasPrefix(ref, "/") {
		h := p.root
		for _, part := range strings.Split(ref, "/") {
			if part == "" || part == "." {
				continue
			}
			matches := p.tree.lookup(h, part)
			if len(matches) == 0 {
				return model.Entry{}, fmt.Errorf("stat %s: %w", model.DisplayName(ref), model.ErrNotFound)
			}
			h = pick(matches)
		}
		ref = h
	}
	h, err := p.node("stat", ref)
	if err != nil {
		return model.Entry{}, err
	}
	e, err := p.tree.entry(h)
	if h == p.root {
		e.ParentID = ""
	}
	return e, err
}

// Lookup returns the children of parentID called name.
func (p *Public) Lookup(ctx context.Context, parentID, name string) ([]model.Entry, error) {
	h, err := p.node("lookup", parentID)
	if err != nil {
		return nil, err
	}
	return p.tree.lookup(h, name), nil
}

// errReadOnly is what every change to a public link gets.
func errReadOnly(what string) error {
	return fmt.Errorf("%s: a public link is read-only: %w", what, model.ErrAccess)
}

// Mkdir refuses: a public link is read-only.
func (p *Public) Mkdir(context.Context, string, string) (model.Entry, error) {
	return model.Entry{}, errReadOnly("mkdir")
}

// Upload refuses: a public link is read-only.
func (p *Public) Upload(context.Context, string, string, io.ReaderAt, int64, time.Time, func(int64)) (model.Entry, error) {
	return model.Entry{}, errReadOnly("upload")
}

// Move refuses: a public link is read-only.
func (p *Public) Move(context.Context, string, string) error { return errReadOnly("move") }

// Rename refuses: a public link is read-only.
func (p *Public) Rename(context.Context, string, string) error { return errReadOnly("rename") }

// Trash refuses: a public link is read-only.
func (p *Public) Trash(context.Context, string) error { return errReadOnly("delete") }

// Download writes the decrypted content of a file of the link to dst and
// returns nil only when its MAC verified (model.ErrIntegrity otherwise).
// progress, when set, receives the bytes of each chunk.
func (p *Public) Download(ctx context.Context, id string, dst io.WriterAt, progress func(delta int64)) error {
	return p.DownloadResume(ctx, id, dst, model.ChunkResume{}, progress, nil)
}

// DownloadResume is Download going on from the chunks an earlier attempt
// wrote to dst (see Client.DownloadResume).
func (p *Public) DownloadResume(ctx context.Context, id string, dst io.WriterAt, prior model.ChunkResume,
	progress func(delta int64), record func(model.ChunkResume)) error {
	h, err := p.node("download", id)
	if err != nil {
		return err
	}
	return p.c.DownloadResume(ctx, "H:"+h, dst, prior, progress, record)
}

// newLinkClient is the Client that downloads a link's files.
func newLinkClient(l Link, opts LinkOptions, base http.RoundTripper, api string, tr *tree) *Client {
	o := Options{APIURL: api, Logf: opts.Logf, Workers: 4, ChunkWorkers: opts.ChunkWorkers, EventWait: time.Second}
	c := &Client{opts: o, tree: tr, subs: newSubscribers()}
	if opts.HTTPClient != nil {
		c.clientTpl = *opts.HTTPClient
	}
	c.clientTpl.Timeout = 0
	c.base = &publicRoundTripper{base: base, link: l}
	c.hub = &hub{tree: tr, rw: newRewrites()}
	c.pool = newWorkerPool(c)
	c.throttle = newThrottle(o.ChunkWorkers)
	c.slots = make(chunkSlots, maxChunksInFlight) // the same bound on chunk buffers as an account
	c.data = &http.Client{Transport: base}
	tr.mu.Lock()
	c.sess = Session{MasterKey: append([]byte(nil), tr.master...)}
	tr.mu.Unlock()
	return c
}

// Close stops the download workers.
func (p *Public) Close() error { return p.c.Close() }

// publicRoundTripper turns go-mega's `g` of a node into the public form:
// "p": <public handle> for a file link, the n= parameter of the
// folder-link session for a folder link.
type publicRoundTripper struct {
	base http.RoundTripper
	link Link
}

func (rt *publicRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/cs") {
		return rt.base.RoundTrip(req)
	}
	body, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	var cmds []map[string]json.RawMessage
	if json.Unmarshal(body, &cmds) == nil && len(cmds) == 1 {
		if name, _ := unquoteRaw(cmds[0]["a"]); name == "g" {
			if !rt.link.Folder {
				delete(cmds[0], "n")
				cmds[0]["p"], _ = json.Marshal(rt.link.Handle)
				if nb, err := json.Marshal(cmds); err == nil {
					body = nb
				}
			}
		}
	}
	out := req.Clone(req.Context())
	q := out.URL.Query()
	q.Del("sid")
	if rt.link.Folder {
		q.Set("n", rt.link.Handle)
	}
	out.URL.RawQuery = q.Encode()
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return rt.base.RoundTrip(out)
}

// Contains reports whether node id belongs to the link (its top node or
// anything under it).
func (p *Public) Contains(id string) bool { return id != "" && p.within(id) }

// Label names the link without its key: https://mega.nz/folder/H.
func (p *Public) Label() string { return displayLink(p.link) }
