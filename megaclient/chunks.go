package megaclient

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/megatui/megatui/model"
)

// The data path: file content is encrypted, MAC'd and sent by megaclient
// itself, chunk by chunk, while go-mega still runs the commands around it
// (`u` for an upload URL, `g` for a download URL, `p` to store the node).
// go-mega's own chunk code MACs 16 bytes per call, copies every chunk to
// pad it and reads replies with a growing buffer, which made large files
// CPU-bound far below what AES can do; it also cannot be interrupted, and
// its chunk MACs and upload URL are private, so a transfer could never go
// on from its last chunk.
//
// The format is MEGA's (protocol notes §6): a file key of 16 bytes and a
// nonce of 8; content is AES-128-CTR with the counter block nonce ‖
// offset/16; each chunk (128 KiB, 256 KiB, … 1 MiB, then 1 MiB each) has a
// CBC-MAC with IV nonce ‖ nonce over its zero-padded plaintext; the file's
// MAC is the CBC-MAC (zero IV) of the chunk MACs, folded to 8 bytes; the
// 32-byte node key is (key ⊕ (nonce ‖ mac)) ‖ nonce ‖ mac.

// chunk is one MAC unit of a file.
type chunk struct {
	pos int64
	n   int
}

const maxChunk = 1 << 20

// chunkList is MEGA's chunk boundaries for a file of size bytes.
func chunkList(size int64) []chunk {
	var cs []chunk
	var pos int64
	for i := 1; pos < size; i++ {
		n := int64(maxChunk)
		if i <= 8 {
			n = int64(i) * 128 << 10
		}
		n = min(n, size-pos)
		cs = append(cs, chunk{pos: pos, n: int(n)})
		pos += n
	}
	return cs
}

// fileCipher is the content crypto of one file.
type fileCipher struct {
	key   [16]byte
	nonce [8]byte
	blk   cipher.Block
}

func newFileCipher(key [16]byte, nonce [8]byte) (*fileCipher, error) {
	blk, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return &fileCipher{key: key, nonce: nonce, blk: blk}, nil
}

// randomFileCipher makes the cipher of a new upload.
func randomFileCipher() (*fileCipher, error) {
	var key [16]byte
	var nonce [8]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, err
	}
	return newFileCipher(key, nonce)
}

// cipherFromNodeKey unfolds a file's 32-byte node key into its cipher and
// the 8-byte file MAC it records.
func cipherFromNodeKey(k []byte) (*fileCipher, [8]byte, error) {
	var mac [8]byte
	if len(k) != 32 {
		return nil, mac, fmt.Errorf("file key of %d bytes: %w", len(k), model.ErrIntegrity)
	}
	var key [16]byte
	var nonce [8]byte
	for i := range key {
		key[i] = k[i] ^ k[i+16]
	}
	copy(nonce[:], k[16:24])
	copy(mac[:], k[24:32])
	fc, err := newFileCipher(key, nonce)
	return fc, mac, err
}

// nodeKey folds the key, the nonce and the file MAC into the node key.
func (f *fileCipher) nodeKey(mac [8]byte) []byte {
	k := make([]byte, 32)
	copy(k[16:24], f.nonce[:])
	copy(k[24:32], mac[:])
	for i := 0; i < 16; i++ {
		k[i] = f.key[i] ^ k[i+16]
	}
	return k
}

// ctr applies the keystream for content at file offset pos (a multiple
// of 16, as every chunk boundary is) to p in place.
func (f *fileCipher) ctr(p []byte, pos int64) {
	var iv [16]byte
	copy(iv[:8], f.nonce[:])
	binary.BigEndian.PutUint64(iv[8:], uint64(pos/16))
	cipher.NewCTR(f.blk, iv[:]).XORKeyStream(p, p)
}

var scratchPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// mac is the CBC-MAC of one chunk's plaintext.
func (f *fileCipher) mac(p []byte) [16]byte {
	var iv [16]byte
	copy(iv[:8], f.nonce[:])
	copy(iv[8:], f.nonce[:])
	enc := cipher.NewCBCEncrypter(f.blk, iv[:])
	sp := scratchPool.Get().(*[]byte)
	scratch := *sp
	full := len(p) &^ 15
	var last [16]byte
	for i := 0; i < full; i += len(scratch) {
		n := min(len(scratch), full-i)
		enc.CryptBlocks(scratch[:n], p[i:i+n])
		copy(last[:], scratch[n-16:n])
	}
	scratchPool.Put(sp)
	if rest := p[full:]; len(rest) > 0 {
		var tail [16]byte
		copy(tail[:], rest)
		enc.CryptBlocks(last[:], tail[:])
	}
	return last
}

// fileMAC folds the chunk MACs, in file order, into the file's MAC.
func (f *fileCipher) fileMAC(macs [][16]byte) [8]byte {
	enc := cipher.NewCBCEncrypter(f.blk, make([]byte, 16))
	var m [16]byte
	for _, c := range macs {
		enc.CryptBlocks(m[:], c[:])
	}
	var out [8]byte
	for i := 0; i < 4; i++ {
		out[i] = m[i] ^ m[i+4]
		out[i+4] = m[i+8] ^ m[i+12]
	}
	return out
}

// bufPool holds chunk buffers: a transfer holds at most one per chunk in
// flight, so memory stays at chunk workers × 1 MiB per file.
var bufPool = sync.Pool{New: func() any { b := make([]byte, maxChunk); return &b }}

// pieceError is a failed upload piece or download range. retry tells
// whether sending it again can help; restart that the upload URL is no
// longer usable (expired, or the storage server lost the upload), so the
// upload must begin again with a new one.
type pieceError struct {
	op      string
	status  int // HTTP status, 0 if none
	code    int // MEGA error code from the body, 0 if none
	cause   error
	retry   bool
	restart bool
}

func (e *pieceError) Error() string {
	switch {
	case e.code != 0:
		return fmt.Sprintf("%s: storage server answered %d", e.op, e.code)
	case e.status != 0:
		return fmt.Sprintf("%s: HTTP %d", e.op, e.status)
	default:
		return fmt.Sprintf("%s: %v", e.op, e.cause)
	}
}

func (e *pieceError) Unwrap() []error {
	if e.restart || e.retry {
		return []error{model.ErrTryAgain, e.cause}
	}
	return []error{e.cause}
}

// reason is why the data path slowed down after this error, in words
// for the transfer panel.
func (e *pieceError) reason() string {
	switch {
	case e.code == -3:
		return "server busy (EAGAIN)"
	case e.status >= 500:
		return fmt.Sprintf("server errors (HTTP %d)", e.status)
	case e.status != 0:
		return fmt.Sprintf("HTTP %d from the storage server", e.status)
	default:
		return "connections dropped"
	}
}

// pieceTimeout bounds one piece or range (at most 1 MiB): a connection
// that stalls for longer is dropped and the piece tried again.
const pieceTimeout = 2 * time.Minute

// postPiece sends one encrypted piece to an upload URL and returns the
// server's reply (empty, or the completion token after the last byte).
func postPiece(ctx context.Context, hc *http.Client, url string, pos int64, data []byte) ([]byte, error) {
	op := fmt.Sprintf("upload piece at %d", pos)
	pctx, cancel := context.WithTimeout(ctx, pieceTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(pctx, http.MethodPost, url+"/"+strconv.FormatInt(pos, 10), bytes.NewReader(data))
	if err != nil {
		return nil, &pieceError{op: op, cause: err}
	}
	req.ContentLength = int64(len(data))
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &pieceError{op: op, cause: err, retry: true}
	}
	defer resp.Body.Close()
	// A completion token is 36 characters (or 36 raw bytes); anything
	// much longer is not a reply from a storage server.
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil {
		return nil, &pieceError{op: op, cause: err, retry: true}
	}
	if resp.StatusCode != http.StatusOK {
		pe := &pieceError{op: op, status: resp.StatusCode, cause: errors.New(resp.Status), retry: true}
		switch resp.StatusCode {
		case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
			pe.restart = true // the upload URL expired: start again on a new one
		}
		return nil, pe
	}
	if code, ok := apiError(body); ok {
		pe := &pieceError{op: op, code: code, cause: fmt.Errorf("storage server error %d", code)}
		switch code {
		case -3, -18, -19: // EAGAIN, ETEMPUNAVAIL, ETOOMANYCONNECTIONS
			pe.retry = true
		case -4, -6, -8: // EFAILED, ETOOMANY, EEXPIRED: this upload URL is done for
			pe.restart = true
		case -14: // EKEY: the piece arrived damaged
			pe.retry = true
		}
		return nil, pe
	}
	if len(body) > 64 {
		return nil, &pieceError{op: op, cause: fmt.Errorf("unexpected reply of %d bytes", len(body)), retry: true}
	}
	return body, nil
}

// getRange reads the ciphertext of [pos, pos+len(dst)) from a download URL
// into dst, a stalled piece dropped after pieceTimeout.
func getRange(ctx context.Context, hc *http.Client, url string, pos int64, dst []byte) error {
	return fetchRange(ctx, hc, url, pos, dst, pieceTimeout)
}

// fetchRange is the one HTTP range fetch of the data path (chunk
// downloads and ranged reads): it reads exactly len(dst) ciphertext bytes
// at pos from a download URL (`{url}/{start}-{end}`), the request bounded
// by timeout when it is not zero. The body must be exactly the range:
// a shorter or a longer one is an invalid reply. A failure is a
// *pieceError (restart: the URL expired, ask for a new one), a
// *TransferQuotaError for a storage host's 509, or ctx's error.
func fetchRange(ctx context.Context, hc *http.Client, url string, pos int64, dst []byte, timeout time.Duration) error {
	op := fmt.Sprintf("download range at %d", pos)
	pctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, fmt.Sprintf("%s/%d-%d", url, pos, pos+int64(len(dst))-1), nil)
	if err != nil {
		return &pieceError{op: op, cause: err}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &pieceError{op: op, cause: dataNetError(req, err), retry: true}
	}
	defer resp.Body.Close()
	if qe := transferQuotaResponse(resp); qe != nil {
		return qe // not retried here: the wait is the server's
	}
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		pe := &pieceError{op: op, status: resp.StatusCode, cause: errors.New(resp.Status), retry: resp.StatusCode >= 500 || resp.StatusCode == 429}
		switch resp.StatusCode {
		case http.StatusForbidden, http.StatusNotFound, http.StatusGone:
			pe.restart = true // the URL expired: ask for a new one
		}
		return pe
	}
	if resp.ContentLength >= 0 && resp.ContentLength != int64(len(dst)) {
		return &pieceError{op: op, cause: invalidReply("download body of %d bytes for a range of %d", resp.ContentLength, len(dst)), retry: true}
	}
	if _, err := io.ReadFull(resp.Body, dst); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &pieceError{op: op, cause: invalidReply("download body of fewer than the %d bytes asked (%v)", len(dst), err), retry: true}
	}
	if n, _ := resp.Body.Read(make([]byte, 1)); n > 0 {
		return &pieceError{op: op, cause: invalidReply("download body longer than the range asked (%d bytes)", len(dst)), retry: true}
	}
	return nil
}

// urlExpired reports whether err says the data URL is no longer accepted
// (the next attempt needs a new one).
func urlExpired(err error) bool {
	var pe *pieceError
	return errors.As(err, &pe) && pe.restart
}

// chunkAttempts bounds the tries of one chunk within one transfer
// attempt; the engine's own retries (which resume from the finished
// chunks) come on top.
const chunkAttempts = 6

// withChunkRetry runs fn until it succeeds, fails for good, or used its
// attempts, sleeping with exponential backoff between tries and telling
// the throttle about each failure and success.
func withChunkRetry(ctx context.Context, th *throttle, fn func() error) error {
	delay := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			th.success()
			return nil
		}
		var pe *pieceError
		if !errors.As(err, &pe) || !pe.retry || attempt >= chunkAttempts {
			if pe != nil && pe.retry {
				th.failure(pe.reason())
			}
			return err
		}
		th.failure(pe.reason())
		if err := sleepCtx(ctx, delay); err != nil {
			return err
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// throttle adapts how many chunks of a file move at once: it starts at
// the configured chunk workers, drops by a quarter on a failed piece
// (HTTP 500, EAGAIN, a dropped connection), at most once per settle
// period so one burst of failures counts once, and grows back by one
// after successes numbering half the chunks in flight. (Halving and
// growing only after four times as many successes kept a 128 MiB
// download at 20 ms with 5 % HTTP 500 at 3 of 16 chunks, and 37 % of its
// clean throughput, in BenchmarkTransferFaults.) It is shared by every
// transfer of a Client, since they all talk to the same servers.
type throttle struct {
	mu     sync.Mutex
	max    int
	cur    int
	streak int
	reason string
	cutAt  time.Time
	cuts   int
	now    func() time.Time
}

const throttleSettle = 250 * time.Millisecond

func newThrottle(n int) *throttle {
	return &throttle{max: n, cur: n, now: time.Now}
}

func (t *throttle) limit() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

func (t *throttle) failure(reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.streak = 0
	t.reason = reason
	now := t.now()
	if t.cur > 1 && now.Sub(t.cutAt) >= throttleSettle {
		t.cur = max(1, t.cur*3/4)
		t.cutAt = now
		t.cuts++
	}
}

func (t *throttle) success() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cur >= t.max {
		t.reason = ""
		return
	}
	t.streak++
	if t.streak >= max(1, t.cur/2) {
		t.cur++
		t.streak = 0
		if t.cur >= t.max {
			t.reason = ""
		}
	}
}

// state reports the chunk side of the throttle (the engine fills in
// the transfers).
func (t *throttle) state() model.Throttle {
	t.mu.Lock()
	defer t.mu.Unlock()
	return model.Throttle{Chunks: t.cur, ChunksMax: t.max, Reason: t.reason, Slowdowns: t.cuts}
}

// Throttle reports how many chunks of a file move at once now, of the
// configured ChunkWorkers, and why it is lower (a failed piece, an
// EAGAIN, a dropped connection).
func (c *Client) Throttle() model.Throttle { return c.throttle.state() }

// maxChunksInFlight bounds the chunks of all transfers of one Client
// together, and with them the chunk buffers (1 MiB each): many big files
// at once share it instead of each holding ChunkWorkers buffers.
const maxChunksInFlight = 64

// chunkSlots is a Client-wide semaphore of maxChunksInFlight.
type chunkSlots chan struct{}

func (s chunkSlots) acquire(ctx context.Context) error {
	if s == nil {
		return nil
	}
	select {
	case s <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s chunkSlots) release() {
	if s != nil {
		<-s
	}
}

// runChunks calls fn for each chunk index in idx, at most throttle-limit
// at once (and each holding one of slots, when given), stopping at the
// first error or when ctx ends.
func runChunks(ctx context.Context, idx []int, th *throttle, fn func(ctx context.Context, i int) error) error {
	return runChunkSlots(ctx, idx, th, nil, fn)
}

func runChunkSlots(ctx context.Context, idx []int, th *throttle, slots chunkSlots, fn func(ctx context.Context, i int) error) error {
	g, gctx := errgroup.WithContext(ctx)
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	inflight := 0
	stop := context.AfterFunc(gctx, func() {
		mu.Lock()
		cond.Broadcast()
		mu.Unlock()
	})
	defer stop()
	for _, i := range idx {
		mu.Lock()
		for inflight >= th.limit() && gctx.Err() == nil {
			cond.Wait()
		}
		if gctx.Err() != nil {
			mu.Unlock()
			break
		}
		inflight++
		mu.Unlock()
		done := func() {
			mu.Lock()
			inflight--
			cond.Broadcast()
			mu.Unlock()
		}
		if err := slots.acquire(gctx); err != nil {
			done()
			break
		}
		g.Go(func() error {
			defer done()
			defer slots.release()
			return fn(gctx, i)
		})
	}
	err := g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}
