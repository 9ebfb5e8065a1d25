package megaclient

import (
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
	m   *mega.Mega
	tr  *transport
	gen int
}

type workerPool struct {
	c      *Client
	sem    chan struct{}
	mu     sync.Mutex
	idle   []*worker
	gen    int
	closed bool
}

func newWorkerPool(c *Client, n int) *workerPool {
	return &workerPool{c: c, sem: make(chan struct{}, n)}
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
	if err := m.LoginWithKeys(s.SessionID, s.MasterKey); err != nil {
		tr.close()
		<-p.sem
		return nil, err
	}
	return &worker{m: m, tr: tr, gen: gen}, nil
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

// runChunks calls fn for 0..n-1 on up to workers goroutines, stopping at
// the first error or when ctx ends (checked before each chunk).
func runChunks(ctx context.Context, n, workers int, fn func(i int) error) error {
	if workers > n {
		workers = n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	fail := func(err error) { once.Do(func() { first = err; cancel() }) }
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(i); err != nil {
					fail(err)
					return
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
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
		if ierr := w.tr.takeInvalid(); ierr != nil {
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
// parallel (Options.ChunkWorkers); ctx is checked between chunks;
// progress, when set, receives the bytes of each chunk sent. It returns
// the new file's entry; the tree already holds it.
func (c *Client) Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(delta int64)) (model.Entry, error) {
	what := "upload " + model.DisplayName(name)
	if name == "" {
		return model.Entry{}, fmt.Errorf("%s: empty name: %w", what, model.ErrUnsafeName)
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
	var h string
	err = c.withWorker(ctx, what, func(w *worker) error {
		pn, err := w.node(c.tree, ph)
		if err != nil {
			return err
		}
		placeholder := placeholderName()
		defer c.hub.rw.setNewNode(ph, placeholder, attrs)()
		u, err := w.m.NewUpload(pn, placeholder, size)
		if err != nil {
			return err
		}
		err = runChunks(ctx, u.Chunks(), c.opts.ChunkWorkers, func(i int) error {
			pos, n, err := u.ChunkLocation(i)
			if err != nil {
				return err
			}
			buf := make([]byte, n)
			if n > 0 {
				if k, err := src.ReadAt(buf, pos); k != n {
					return fmt.Errorf("read source at %d: %w", pos, err)
				}
			}
			if err := u.UploadChunk(i, buf); err != nil {
				return err
			}
			if progress != nil {
				progress(int64(n))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
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

// Download writes the decrypted content of a file (path or handle) to dst,
// chunks in parallel, and returns nil only when the MAC verified
// (model.ErrIntegrity otherwise). progress works as for Upload.
func (c *Client) Download(ctx context.Context, ref string, dst io.WriterAt, progress func(delta int64)) error {
	what := "download"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inf, _ := c.tree.info(h)
	if inf.kind != typeFile {
		return fmt.Errorf("%s: %s: %w", what, ref, model.ErrIsDir)
	}
	if inf.raw.S == 0 && !emptyMACValid(inf.key) {
		// go-mega checks no MAC for an empty file; the SDK does.
		return fmt.Errorf("%s: %s: empty file with a wrong MAC: %w", what, ref, model.ErrIntegrity)
	}
	return c.withWorker(ctx, what, func(w *worker) error {
		n, err := w.node(c.tree, h)
		if err != nil {
			return err
		}
		d, err := w.m.NewDownload(n)
		if err != nil {
			return err
		}
		err = runChunks(ctx, d.Chunks(), c.opts.ChunkWorkers, func(i int) error {
			chunk, err := d.DownloadChunk(i)
			if err != nil {
				return err
			}
			pos, _, err := d.ChunkLocation(i)
			if err != nil {
				return err
			}
			if _, err := dst.WriteAt(chunk, pos); err != nil {
				return fmt.Errorf("write at %d: %w", pos, err)
			}
			if progress != nil {
				progress(int64(len(chunk)))
			}
			return nil
		})
		if err != nil {
			return err
		}
		return d.Finish()
	})
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
