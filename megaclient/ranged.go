package megaclient

import (
	"cmp"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/megatui/megatui/model"
)

// Ranged reads: MEGA encrypts content with AES-128-CTR, whose counter is
// the byte offset / 16, so any range can be decrypted on its own. A
// FileReader asks for the file's download URL once (`g`) and then fetches
// only the bytes asked for, with the range form of the data URL
// (`{url}/{start}-{end}`). go-mega only downloads whole chunks (128 KiB to
// 1 MiB), hence this direct path.
//
// A partial read cannot be checked against the file's MAC, which covers
// the whole file: ranged reads are for viewing and sampling. Download
// remains the verified way to fetch a file.

// MaxRangeRead bounds one ReadRange (and one HTTP request of ReadAt), so a
// caller's mistake cannot allocate the size of a huge file at once.
const MaxRangeRead = 64 << 20

// rangeAttempts bounds the tries of one range request (transient HTTP
// failures, an expired download URL).
const rangeAttempts = 4

// FileReader reads decrypted byte ranges of one MEGA file. It implements
// io.ReaderAt; it is safe for concurrent use.
type FileReader struct {
	c       *Client
	h       string
	name    string
	size    int64
	block   cipher.Block
	nonce   [8]byte
	metaMAC [8]byte
	ctx     context.Context

	mu      sync.Mutex
	dlURL   string
	fetched atomic.Int64
	reqs    atomic.Int64
}

// OpenFile prepares ranged reads of a file (path or handle): one `g`
// command for its download URL, no content yet. ctx bounds every later
// ReadAt (use ReadAtContext for a per-call context).
func (c *Client) OpenFile(ctx context.Context, ref string) (*FileReader, error) {
	what := "open"
	h, err := c.resolve(ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	inf, ok := c.tree.info(h)
	if !ok {
		return nil, fmt.Errorf("%s: %s: %w", what, ref, model.ErrNotFound)
	}
	if inf.kind != typeFile {
		return nil, fmt.Errorf("%s: %s: %w", what, ref, model.ErrIsDir)
	}
	if len(inf.key) != 32 {
		return nil, fmt.Errorf("%s: %s: file key unknown: %w", what, ref, model.ErrAccess)
	}
	if inf.raw.S < 0 {
		return nil, fmt.Errorf("%s: %s: negative size: %w", what, ref, model.ErrIntegrity)
	}
	k := make([]byte, 16)
	for i := range k {
		k[i] = inf.key[i] ^ inf.key[i+16]
	}
	blk, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	r := &FileReader{c: c, h: h, name: inf.attrs.Name, size: inf.raw.S, block: blk, ctx: ctx}
	copy(r.nonce[:], inf.key[16:24])
	copy(r.metaMAC[:], inf.key[24:32])
	if r.size > 0 {
		if _, err := r.downloadURL(ctx, false); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Size is the file's size in bytes.
func (r *FileReader) Size() int64 { return r.size }

// Close releases nothing (there is no connection held between reads); it
// makes a FileReader an io.ReaderAt and io.Closer.
func (r *FileReader) Close() error { return nil }

// BytesFetched is how many content bytes this reader has downloaded.
func (r *FileReader) BytesFetched() int64 { return r.fetched.Load() }

// Requests is how many range requests this reader has made.
func (r *FileReader) Requests() int64 { return r.reqs.Load() }

// ReadAt reads len(p) decrypted bytes at off (fewer, with io.EOF, at the
// end of the file), in requests of at most MaxRangeRead bytes.
func (r *FileReader) ReadAt(p []byte, off int64) (int, error) {
	return r.ReadAtContext(r.ctx, p, off)
}

// ReadAtContext is ReadAt with its own context.
func (r *FileReader) ReadAtContext(ctx context.Context, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", model.DisplayName(r.name), off)
	}
	if off >= r.size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	want := int64(len(p))
	var eof error
	if off+want > r.size {
		want, eof = r.size-off, io.EOF
	}
	done := int64(0)
	for done < want {
		n := min(want-done, MaxRangeRead)
		if err := r.fetch(ctx, p[done:done+n], off+done); err != nil {
			return int(done), err
		}
		done += n
	}
	return int(done), eof
}

// fetch fills p with the decrypted bytes at off (the range lies inside
// the file). A 16-byte aligned range is requested so the counter starts
// on a block boundary; the few extra leading bytes are dropped.
func (r *FileReader) fetch(ctx context.Context, p []byte, off int64) error {
	start := off &^ (aes.BlockSize - 1)
	skip := off - start
	buf := make([]byte, int64(len(p))+skip)
	what := "read " + model.DisplayName(r.name)
	var last error
	for attempt := range rangeAttempts {
		if err := ctx.Err(); err != nil {
			return translate(what, err)
		}
		if attempt > 0 {
			if err := sleepCtx(ctx, time.Duration(attempt*attempt)*100*time.Millisecond); err != nil {
				return translate(what, err)
			}
		}
		u, err := r.downloadURL(ctx, attempt > 0 && urlExpired(last))
		if err != nil {
			return err
		}
		err = r.get(ctx, u, start, buf)
		if err == nil {
			iv := make([]byte, aes.BlockSize)
			copy(iv, r.nonce[:])
			binary.BigEndian.PutUint64(iv[8:], uint64(start/aes.BlockSize))
			cipher.NewCTR(r.block, iv).XORKeyStream(buf, buf)
			copy(p, buf[skip:])
			return nil
		}
		last = err
		if errors.Is(err, model.ErrCancelled) || errors.Is(err, model.ErrIntegrity) || errors.Is(err, model.ErrTransferQuota) {
			break
		}
	}
	return translate(fmt.Sprintf("%s at %d", what, off), last)
}

// get fetches ciphertext bytes [start, end] into buf (exactly its length).
func (r *FileReader) get(ctx context.Context, dlURL string, start int64, buf []byte) error {
	r.reqs.Add(1)
	// A stalled storage host must not hold a reader for ever: the bound
	// of one chunk, per MiB asked.
	timeout := pieceTimeout * time.Duration(1+len(buf)>>20)
	if err := fetchRange(ctx, r.c.rawHTTP(), dlURL, start, buf, timeout); err != nil {
		return err
	}
	r.fetched.Add(int64(len(buf)))
	return nil
}

// downloadURL returns the file's download URL, asking for a new one when
// there is none yet or refresh is set.
func (r *FileReader) downloadURL(ctx context.Context, refresh bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dlURL != "" && !refresh {
		return r.dlURL, nil
	}
	u, size, err := r.c.fileURL(ctx, r.h)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", model.DisplayName(r.name), err)
	}
	if size != r.size {
		return "", fmt.Errorf("open %s: server size %d differs from the node's %d: %w", model.DisplayName(r.name), size, r.size, model.ErrIntegrity)
	}
	r.dlURL = u
	return u, nil
}

// rawHTTP is an HTTP client on the base transport (no command rewriting,
// no tree observation: data URLs and megaclient's own commands).
func (c *Client) rawHTTP() *http.Client {
	hc := c.clientTpl
	hc.Transport = c.base
	hc.Timeout = 0
	return &hc
}

// fileURL asks for the download URL of file h (`g`) and returns it with
// the size the server reports; the URL is validated before use.
func (c *Client) fileURL(ctx context.Context, h string) (string, int64, error) {
	var rep struct {
		S int64           `json:"s"`
		G json.RawMessage `json:"g"`
		E int             `json:"e"`
	}
	if err := c.command(ctx, "download url", map[string]any{"a": "g", "g": 1, "n": h}, &rep); err != nil {
		return "", 0, err
	}
	if rep.E < 0 {
		return "", 0, translate("download url", apiCodeError(rep.E))
	}
	var g string
	if err := json.Unmarshal(rep.G, &g); err != nil {
		return "", 0, fmt.Errorf("download url: not a string: %w", model.ErrIntegrity)
	}
	if err := validateDataURL(g); err != nil {
		return "", 0, fmt.Errorf("download url: %v: %w", err, model.ErrIntegrity)
	}
	if rep.S < 0 {
		return "", 0, fmt.Errorf("download url: negative size: %w", model.ErrIntegrity)
	}
	return strings.TrimRight(g, "/"), rep.S, nil
}

// sleepCtx waits d, or until ctx ends (then it returns ctx.Err()).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ReadRange returns n decrypted bytes of a file (path or handle) at off
// (fewer at the end of the file), fetching only that range. n is at most
// MaxRangeRead.
func (c *Client) ReadRange(ctx context.Context, ref string, off, n int64) ([]byte, error) {
	if n < 0 || n > MaxRangeRead {
		return nil, fmt.Errorf("read range: %d bytes is outside 0..%d", n, MaxRangeRead)
	}
	r, err := c.OpenFile(ctx, ref)
	if err != nil {
		return nil, err
	}
	if off >= r.size || n == 0 {
		return []byte{}, nil
	}
	buf := make([]byte, min(n, r.size-off))
	k, err := r.ReadAtContext(ctx, buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}

// Sampled fingerprints: MEGA's fingerprint of a file over 8 KiB covers
// 128 blocks of 64 bytes spread over the file. For a file stored without
// one (uploaded by rclone, megatools or an old client) only those blocks
// need to travel: the blocks are found by a dry run of the fingerprint
// over a reader that records the offsets asked for, fetched in spans
// (blocks closer than SampleGap are merged into one request), then the
// fingerprint is computed from the fetched bytes.

// SampleGap is the largest gap between two sampled blocks that are still
// fetched in one request (a request costs about as much as this many
// bytes of transfer).
const SampleGap = 32 << 10

// sampleWorkers bounds the range requests of one fingerprint in flight.
const sampleWorkers = 8

// Sample is the result of a sampled fingerprint.
type Sample struct {
	Fingerprint model.Fingerprint
	// Fetched is how many content bytes travelled, Requests in how many
	// range requests.
	Fetched, Requests int64
}

// SampledFingerprint computes the fingerprint of a file's content (path
// or handle) by fetching only the sampled bytes; mtime is the time to
// record in it. The file's stored `c`, if any, is not consulted.
func (c *Client) SampledFingerprint(ctx context.Context, ref string, mtime time.Time) (Sample, error) {
	r, err := c.OpenFile(ctx, ref)
	if err != nil {
		return Sample{}, err
	}
	var rec offsetRecorder
	if _, err := model.ComputeFingerprint(&rec, r.size, mtime); err != nil {
		return Sample{}, fmt.Errorf("fingerprint: %w", err)
	}
	spans := rec.spans(SampleGap)
	cache := &spanCache{spans: spans, data: make([][]byte, len(spans))}
	idx := make([]int, len(spans))
	for i := range idx {
		idx[i] = i
	}
	err = runChunks(ctx, idx, newThrottle(sampleWorkers), func(ctx context.Context, i int) error {
		buf := make([]byte, spans[i][1]-spans[i][0])
		if _, err := r.ReadAtContext(ctx, buf, spans[i][0]); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		cache.data[i] = buf
		return nil
	})
	if err != nil {
		return Sample{}, err
	}
	fp, err := model.ComputeFingerprint(cache, r.size, mtime)
	if err != nil {
		return Sample{}, fmt.Errorf("fingerprint: %w", err)
	}
	return Sample{Fingerprint: fp, Fetched: r.BytesFetched(), Requests: r.Requests()}, nil
}

// offsetRecorder is an io.ReaderAt that serves zeros and records each
// range asked for.
type offsetRecorder struct{ ranges [][2]int64 }

func (o *offsetRecorder) ReadAt(p []byte, off int64) (int, error) {
	o.ranges = append(o.ranges, [2]int64{off, off + int64(len(p))})
	clear(p)
	return len(p), nil
}

// spans merges the recorded ranges (sorted, in the fingerprint's order)
// into fetch spans, merging neighbours closer than gap.
func (o *offsetRecorder) spans(gap int64) [][2]int64 {
	rs := append([][2]int64(nil), o.ranges...)
	slices.SortFunc(rs, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]int64
	for _, r := range rs {
		if r[1] <= r[0] {
			continue
		}
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+gap {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// spanCache serves reads from fetched spans.
type spanCache struct {
	spans [][2]int64
	data  [][]byte
}

func (s *spanCache) ReadAt(p []byte, off int64) (int, error) {
	for i, sp := range s.spans {
		if off >= sp[0] && off+int64(len(p)) <= sp[1] {
			return copy(p, s.data[i][off-sp[0]:]), nil
		}
	}
	return 0, fmt.Errorf("range %d+%d was not fetched", off, len(p))
}
