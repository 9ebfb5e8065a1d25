package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// Transfers run on worker go-mega instances because go-mega serialises all
// API commands of one instance behind a mutex: with one instance, many
// small files would queue behind each other's `u` and `p` commands.
//
// A worker shares the session (LoginWithKeys) but never fetches the tree
// or polls events: its transport answers its `f` with just the three roots
// and serves its `sc` locally. When a transfer needs a node (an upload's
// parent folder, a download's file), megaclient hands that one node to the
// worker's go-mega index as a local `t` action packet, with its key
// re-encrypted under the master key (ensureNode). A worker therefore costs no request
// at creation and a few hundred bytes per node it has touched. Results
// (the `p` reply of an upload) still reach the shared tree through the
// worker's transport.

type worker struct {
	m    *mega.Mega
	tr   *transport
	link *dataLink // in front of tr: upload and download URLs, completions
	gen  int
}

// workerPool hands out worker instances, one per transfer in flight. It
// does not bound how many transfers run at once (the caller does: the
// transfer engine runs its --transfers workers); maxWorkers is only a
// safety cap. An instance is kept for reuse once made: a closed instance
// leaves go-mega's event goroutine parked for good (see transport.close),
// so instances are never made and dropped per transfer.
type workerPool struct {
	c      *Client
	sem    chan struct{}
	mu     sync.Mutex
	idle   []*worker
	gen    int
	closed bool
}

// maxWorkers caps the go-mega instances of one Client (a transfer beyond
// it waits for one to be free).
const maxWorkers = 64

func newWorkerPool(c *Client) *workerPool {
	return &workerPool{c: c, sem: make(chan struct{}, maxWorkers)}
}

func (p *workerPool) get(ctx context.Context) (*worker, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.sem
		return nil, errors.New("megaclient: client closed")
	}
	for len(p.idle) > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if w.gen == p.gen {
			p.mu.Unlock()
			return w, nil
		}
		w.close()
	}
	gen := p.gen
	p.mu.Unlock()

	s := p.c.Session()
	m, tr := p.c.newInstance(true)
	link := newDataLink(tr, p.c.tree, p.c.throttle)
	hc := p.c.clientTpl
	hc.Transport = link
	m.SetClient(&hc)
	if err := m.LoginWithKeys(s.SessionID, s.MasterKey); err != nil {
		tr.close()
		<-p.sem
		return nil, err
	}
	return &worker{m: m, tr: tr, link: link, gen: gen}, nil
}

func (p *workerPool) put(w *worker) {
	p.mu.Lock()
	if p.closed || w.gen != p.gen {
		w.close()
	} else {
		p.idle = append(p.idle, w)
	}
	p.mu.Unlock()
	<-p.sem
}

// reset drops every worker (their session is stale after a re-login).
func (p *workerPool) reset() {
	p.mu.Lock()
	p.gen++
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.close()
	}
}

func (p *workerPool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.reset()
}

func (w *worker) close() {
	w.tr.close()
	releaseWhenParked(w.m, w.tr)
}

// node returns the worker's go-mega node for h (see ensureNode).
func (w *worker) node(tr *tree, h string) (*mega.Node, error) {
	return ensureNode(w.m, w.tr.link, tr, h)
}

// transferError classifies a transfer failure: go-mega reports exhausted
// HTTP retries and short chunks as plain errors, which are transient.
func transferError(what string, err error) error {
	if err == nil {
		return nil
	}
	if sentinel(err) == nil && !errors.Is(err, model.ErrIntegrity) && !errors.Is(err, model.ErrNotFound) &&
		!errors.Is(err, model.ErrSessionExpired) && !errors.Is(err, model.ErrTryAgain) && !errors.Is(err, model.ErrAccess) &&
		!errors.Is(err, model.ErrInvalidReply) && !errors.Is(err, model.ErrQuarantined) {
		return fmt.Errorf("%s: %w: %v", what, model.ErrTryAgain, err)
	}
	return translate(what, err)
}

func placeholderName() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return placeholderPrefix + hex.EncodeToString(b[:])
}

// withWorker runs fn on a pool worker, re-logging in once if the session
// expired.
func (c *Client) withWorker(ctx context.Context, what string, fn func(w *worker) error) error {
	for attempt := 0; ; attempt++ {
		w, err := c.pool.get(ctx)
		if err != nil {
			return transferError(what, err)
		}
		err = guard(model.ErrInvalidReply, func() error { return fn(w) })
		if ierr := w.tr.takeInvalid(); ierr != nil && err != nil {
			err = ierr
		}
		c.pool.put(w)
		if errors.Is(err, mega.ESID) && attempt == 0 {
			m, cerr := c.current()
			if cerr != nil {
				return fmt.Errorf("%s: %w", what, cerr)
			}
			if rerr := c.relogin(m); rerr != nil {
				return fmt.Errorf("%s: %w", what, rerr)
			}
			continue
		}
		return transferError(what, err)
	}
}

// Upload encrypts size bytes of src and stores them as a new file called
// name (taken as is) in folder parent (path or handle). The fingerprint
// attribute `c`, computed from src, records mtime. Chunks go up in
// parallel (Options.ChunkWorkers, lowered while the servers fail); ctx
// is checked between chunks and aborts those in flight; progress, when
// set, receives the bytes of each chunk sent. It returns the new file's
// entry; the tree already holds it.
func (c *Client) Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(delta int64)) (model.Entry, error) {
	return c.UploadResume(ctx, parent, name, src, size, mtime, model.ChunkResume{}, progress, nil)
}

// UploadResume is Upload going on from what an earlier attempt left
// (prior, as recorded): while that upload URL still takes pieces and src
// is unchanged, only the missing chunks are sent; otherwise the upload
// starts again cleanly. record, when set, receives the state to journal:
// a Fresh record when an upload URL is taken, then one per stored chunk.
func (c *Client) UploadResume(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time,
	prior model.ChunkResume, progress func(delta int64), record func(model.ChunkResume)) (model.Entry, error) {
	what := "upload " + model.DisplayName(name)
	if name == "" {
		return model.Entry{}, fmt.Errorf("%s: empty name: %w", what, model.ErrUnsafeName)
	}
	if size < 0 {
		return model.Entry{}, fmt.Errorf("%s: negative size", what)
	}
	ph, err := c.resolve(parent)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	fp, err := model.ComputeFingerprint(src, size, mtime)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	attrs := Attrs{Name: name}
	attrs.SetString("c", fp.Encode())
	if size == 0 {
		return c.uploadEmpty(ctx, ph, attrs, what)
	}
	if record == nil {
		record = func(model.ChunkResume) {}
	}
	up := &upload{c: c, src: src, size: size, chunks: chunkList(size), source: fmt.Sprintf("%d:%s", size, fp.Encode()),
		progress: progress, record: record}
	var h string
	err = c.withWorker(ctx, what, func(w *worker) error {
		pn, err := w.node(c.tree, ph)
		if err != nil {
			return err
		}
		placeholder := placeholderName()
		// go-mega's Upload is used for its `u` (the upload URL) and its
		// `p` (the node), whose key and completion handle the transport
		// replaces by ours.
		u, err := w.m.NewUpload(pn, placeholder, size)
		if err != nil {
			return err
		}
		url := w.link.takeDataURL()
		if url == "" {
			return fmt.Errorf("no upload URL in the server's reply: %w", model.ErrTryAgain)
		}
		if err := validDataURL(url); err != nil {
			return err
		}
		// A second call (after a re-login) goes on with the state the
		// first one built.
		if up.fc == nil {
			up.resumed = up.resume(prior)
			if !up.resumed {
				if err := up.fresh(url); err != nil {
					return err
				}
			}
		}
		err = up.send(ctx)
		var pe *pieceError
		if up.resumed && errors.As(err, &pe) && pe.restart {
			up.resumed = false
			// The earlier upload URL is gone: start again, once.
			if err := up.fresh(url); err != nil {
				return err
			}
			err = up.send(ctx)
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		key := up.fc.nodeKey(up.fc.fileMAC(up.macs))
		defer c.hub.rw.setNewNode(ph, placeholder, attrs)()
		defer w.link.expectCompletion(placeholder, key, up.token)()
		n, err := u.Finish()
		if rerr := c.hub.rw.refusal(placeholder); rerr != nil {
			return rerr
		}
		if err != nil {
			return err
		}
		h = n.GetHash()
		return nil
	})
	if err != nil {
		return model.Entry{}, err
	}
	return c.tree.entry(h)
}

// upload is the chunk state of one upload.
type upload struct {
	c        *Client
	src      io.ReaderAt
	size     int64
	chunks   []chunk
	source   string
	progress func(int64)
	record   func(model.ChunkResume)

	fc      *fileCipher
	url     string
	resumed bool // going on from an earlier attempt's URL and chunks
	mu      sync.Mutex
	macs    [][16]byte
	done    []bool
	// token is the completion handle, from the reply to the piece that
	// completed the file.
	token string
}

// resume adopts an earlier attempt's state when it fits this file.
func (u *upload) resume(prior model.ChunkResume) bool {
	if prior.URL == "" || prior.Key == "" || prior.Source != u.source || validDataURL(prior.URL) != nil {
		return false
	}
	enc, err := b64decode(prior.Key)
	if err != nil || len(enc) != 32 {
		return false
	}
	u.c.tree.mu.Lock()
	master := u.c.tree.master
	u.c.tree.mu.Unlock()
	if master == nil {
		return false
	}
	raw, err := ecbDecrypt(master, enc)
	if err != nil {
		return false
	}
	var key [16]byte
	var nonce [8]byte
	copy(key[:], raw[:16])
	copy(nonce[:], raw[16:24])
	fc, err := newFileCipher(key, nonce)
	if err != nil {
		return false
	}
	u.fc, u.url = fc, prior.URL
	u.macs = make([][16]byte, len(u.chunks))
	u.done = make([]bool, len(u.chunks))
	at := make(map[int64]int, len(u.chunks))
	for i, ch := range u.chunks {
		at[ch.pos] = i
	}
	var resumed int64
	for _, d := range prior.Chunks {
		i, ok := at[d.Off]
		mac, err := b64decode(d.MAC)
		if !ok || u.chunks[i].n != d.Len || err != nil || len(mac) != 16 || u.done[i] {
			continue
		}
		copy(u.macs[i][:], mac)
		u.done[i] = true
		resumed += int64(d.Len)
	}
	if u.progress != nil && resumed > 0 {
		u.progress(resumed)
	}
	u.record(model.ChunkResume{Resumed: resumed})
	return true
}

// fresh starts the upload anew on url with a new key.
func (u *upload) fresh(url string) error {
	fc, err := randomFileCipher()
	if err != nil {
		return err
	}
	u.c.tree.mu.Lock()
	master := u.c.tree.master
	u.c.tree.mu.Unlock()
	if master == nil {
		return fmt.Errorf("no master key: %w", model.ErrSessionExpired)
	}
	raw := make([]byte, 32)
	copy(raw, fc.key[:])
	copy(raw[16:], fc.nonce[:])
	enc, err := ecbEncrypt(master, raw)
	if err != nil {
		return err
	}
	var already int64
	for i, d := range u.done {
		if d {
			already += int64(u.chunks[i].n)
		}
	}
	if u.progress != nil && already > 0 {
		u.progress(-already)
	}
	u.fc, u.url, u.token = fc, url, ""
	u.macs = make([][16]byte, len(u.chunks))
	u.done = make([]bool, len(u.chunks))
	u.record(model.ChunkResume{Fresh: true, URL: url, Key: b64encode(enc), Source: u.source})
	return nil
}

// send uploads the chunks not done yet; if every chunk was already
// stored by an earlier attempt, the last one goes again for the
// completion handle.
func (u *upload) send(ctx context.Context) error {
	var todo []int
	for i, d := range u.done {
		if !d {
			todo = append(todo, i)
		}
	}
	if len(u.chunks) == 0 {
		// An empty file: one empty piece fetches the completion handle.
		return withChunkRetry(ctx, u.c.throttle, func() error {
			reply, err := postPiece(ctx, u.c.data, u.url, 0, nil)
			if err == nil {
				err = u.setToken(reply)
			}
			return err
		})
	}
	if len(todo) == 0 {
		todo = []int{len(u.chunks) - 1}
		u.done[todo[0]] = false
		if u.progress != nil {
			u.progress(-int64(u.chunks[todo[0]].n))
		}
	}
	err := runChunkSlots(ctx, todo, u.c.throttle, u.c.slots, func(ctx context.Context, i int) error {
		ch := u.chunks[i]
		bp := bufPool.Get().(*[]byte)
		defer bufPool.Put(bp)
		buf := (*bp)[:ch.n]
		var mac [16]byte
		err := withChunkRetry(ctx, u.c.throttle, func() error {
			// Read and encrypt on every try: the buffer holds ciphertext
			// after a failed one.
			if k, err := u.src.ReadAt(buf, ch.pos); k != ch.n {
				return fmt.Errorf("read source at %d: %w", ch.pos, err)
			}
			mac = u.fc.mac(buf)
			u.fc.ctr(buf, ch.pos)
			reply, err := postPiece(ctx, u.c.data, u.url, ch.pos, buf)
			if err == nil {
				err = u.setToken(reply)
			}
			return err
		})
		if err != nil {
			return err
		}
		u.mu.Lock()
		u.macs[i], u.done[i] = mac, true
		u.mu.Unlock()
		u.record(model.ChunkResume{Chunks: []model.ChunkDone{{Off: ch.pos, Len: ch.n, MAC: b64encode(mac[:])}}})
		if u.progress != nil {
			u.progress(int64(ch.n))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if u.token == "" {
		return fmt.Errorf("upload: the storage server sent no completion handle: %w", model.ErrTryAgain)
	}
	return nil
}

func (u *upload) setToken(reply []byte) error {
	if len(reply) == 0 || string(reply) == "0" {
		return nil
	}
	// The token goes into the `p` command as a JSON string: only what a
	// storage server sends (base64url, 36 characters) is taken.
	if len(reply) > 64 || !isBase64URL(string(reply)) {
		return &pieceError{op: "upload piece", cause: invalidReply("completion handle of %d bytes that is not base64url", len(reply)), retry: true}
	}
	u.mu.Lock()
	u.token = string(reply)
	u.mu.Unlock()
	return nil
}

// validDataURL checks a transfer URL from the server or, for a resume,
// from the journal on disk; a bad one is worth asking for again.
func validDataURL(u string) error {
	if err := validateDataURL(u); err != nil {
		return fmt.Errorf("bad transfer URL from the server: %w", model.ErrTryAgain)
	}
	return nil
}

// Download writes the decrypted content of a file (path or handle) to dst,
// chunks in parallel, and returns nil only when the MAC verified
// (model.ErrIntegrity otherwise). progress works as for Upload.
func (c *Client) Download(ctx context.Context, ref string, dst io.WriterAt, progress func(delta int64)) error {
	return c.DownloadResume(ctx, ref, dst, model.ChunkResume{}, progress, nil)
}

// DownloadResume is Download going on from what an earlier attempt wrote
// to dst: the chunks in prior are read back from dst (which must then
// also be an io.ReaderAt) and kept when their MAC matches, and only the
// others are fetched. record, when set, receives the state to journal: a
// Fresh record first when nothing is kept, then one per written chunk.
func (c *Client) DownloadResume(ctx context.Context, ref string, dst io.WriterAt, prior model.ChunkResume,
	progress func(delta int64), record func(model.ChunkResume)) error {
	what := "download"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if why := c.tree.quarantine(h); why != nil {
		return fmt.Errorf("%s: node %s: %v: %w", what, h, why, model.ErrQuarantined)
	}
	inf, _ := c.tree.info(h)
	if inf.kind != typeFile {
		return fmt.Errorf("%s: %s: %w", what, ref, model.ErrIsDir)
	}
	if inf.raw.S == 0 && !emptyMACValid(inf.key) {
		// go-mega checks no MAC for an empty file; the SDK does.
		return fmt.Errorf("%s: %s: empty file with a wrong MAC: %w", what, ref, model.ErrIntegrity)
	}
	fc, wantMAC, err := cipherFromNodeKey(inf.key)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if record == nil {
		record = func(model.ChunkResume) {}
	}
	size := inf.raw.S
	if size < 0 {
		return fmt.Errorf("%s: negative size: %w", what, model.ErrIntegrity)
	}
	chunks := chunkList(size)
	macs := make([][16]byte, len(chunks))
	done := make([]bool, len(chunks))
	if kept := verifyWritten(fc, chunks, prior, dst, macs, done); kept > 0 {
		if progress != nil {
			progress(kept)
		}
		record(model.ChunkResume{Resumed: kept})
	} else {
		record(model.ChunkResume{Fresh: true})
	}
	return c.withWorker(ctx, what, func(w *worker) error {
		n, err := w.node(c.tree, h)
		if err != nil {
			return err
		}
		url, err := downloadURL(w, n, size)
		if err != nil {
			return err
		}
		var todo []int
		for i, d := range done {
			if !d {
				todo = append(todo, i)
			}
		}
		var urlMu sync.Mutex
		renewals := 0
		err = runChunkSlots(ctx, todo, c.throttle, c.slots, func(ctx context.Context, i int) error {
			ch := chunks[i]
			bp := bufPool.Get().(*[]byte)
			defer bufPool.Put(bp)
			buf := (*bp)[:ch.n]
			err := withChunkRetry(ctx, c.throttle, func() error {
				urlMu.Lock()
				u := url
				urlMu.Unlock()
				err := getRange(ctx, c.data, u, ch.pos, buf)
				var pe *pieceError
				if errors.As(err, &pe) && pe.restart {
					// The download URL expired: ask for a new one (a
					// few times per file at most).
					urlMu.Lock()
					defer urlMu.Unlock()
					if url == u && renewals < 3 {
						renewals++
						nu, uerr := downloadURL(w, n, size)
						if uerr != nil {
							return uerr
						}
						url = nu
					}
					pe.retry = true
				}
				return err
			})
			if err != nil {
				return err
			}
			fc.ctr(buf, ch.pos)
			mac := fc.mac(buf)
			if _, err := dst.WriteAt(buf, ch.pos); err != nil {
				return fmt.Errorf("write at %d: %w", ch.pos, err)
			}
			macs[i], done[i] = mac, true
			record(model.ChunkResume{Chunks: []model.ChunkDone{{Off: ch.pos, Len: ch.n, MAC: b64encode(mac[:])}}})
			if progress != nil {
				progress(int64(ch.n))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if got := fc.fileMAC(macs); got != wantMAC {
			record(model.ChunkResume{Fresh: true})
			return fmt.Errorf("%s: MAC mismatch: %w", what, model.ErrIntegrity)
		}
		return nil
	})
}

// downloadURL asks for the file's download URL (go-mega's `g`, whose
// reply the worker's transport keeps) and checks the size it reports.
func downloadURL(w *worker, n *mega.Node, size int64) (string, error) {
	if _, err := w.m.NewDownload(n); err != nil {
		return "", err
	}
	url, gsize := w.link.takeDownload()
	if url == "" {
		return "", fmt.Errorf("no download URL in the server's reply: %w", model.ErrTryAgain)
	}
	if gsize != size {
		return "", fmt.Errorf("server reports %d bytes for a file of %d: %w", gsize, size, model.ErrIntegrity)
	}
	return url, validDataURL(url)
}

// verifyWritten keeps the chunks of prior that dst still holds intact:
// each is read back, its MAC computed and compared with the recorded
// one. It returns the bytes kept.
func verifyWritten(fc *fileCipher, chunks []chunk, prior model.ChunkResume, dst io.WriterAt, macs [][16]byte, done []bool) int64 {
	ra, ok := dst.(io.ReaderAt)
	if !ok || len(prior.Chunks) == 0 {
		return 0
	}
	at := make(map[int64]int, len(chunks))
	for i, ch := range chunks {
		at[ch.pos] = i
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	var kept int64
	for _, d := range prior.Chunks {
		i, ok := at[d.Off]
		if !ok || chunks[i].n != d.Len || done[i] {
			continue
		}
		want, err := b64decode(d.MAC)
		if err != nil || len(want) != 16 {
			continue
		}
		buf := (*bp)[:d.Len]
		if k, _ := ra.ReadAt(buf, d.Off); k != d.Len {
			continue
		}
		if mac := fc.mac(buf); bytes.Equal(mac[:], want) {
			macs[i], done[i] = mac, true
			kept += int64(d.Len)
		}
	}
	return kept
}

// Exists reports whether folder parent holds a file called name with this
// size and fingerprint (`c` attribute; "" matches any): the transfer
// engine's check after an ambiguous upload completion. When nothing
// matches it waits briefly for pending action packets and looks again.
func (c *Client) Exists(ctx context.Context, parent, name string, size int64, fingerprint string) (model.Entry, bool, error) {
	match := func() (model.Entry, bool, error) {
		es, err := c.Lookup(ctx, parent, name)
		if err != nil {
			return model.Entry{}, false, err
		}
		for _, e := range es {
			if e.Kind == model.KindFile && e.Size == size && (fingerprint == "" || e.Fingerprint == fingerprint) {
				return e, true, nil
			}
		}
		return model.Entry{}, false, nil
	}
	e, ok, err := match()
	if ok || err != nil {
		return e, ok, err
	}
	if m, err := c.current(); err == nil {
		ev := m.WaitEventsStart()
		m.WaitEvents(ev, time.Second)
	}
	return match()
}
