package dedupe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/megatui/megatui/model"
)

// HashCache keeps SHA-256 results by node handle. An entry counts only
// while the node's size and fingerprint are unchanged. Safe for
// concurrent use.
type HashCache struct {
	mu sync.Mutex
	m  map[string]cachedHash
}

type cachedHash struct {
	Size        int64  `json:"size"`
	Fingerprint string `json:"fingerprint,omitempty"`
	SHA256      string `json:"sha256"`
}

// NewHashCache returns an empty cache.
func NewHashCache() *HashCache { return &HashCache{m: map[string]cachedHash{}} }

// Get returns the cached hash of e, if still valid.
func (c *HashCache) Get(e model.Entry) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[e.ID]
	if !ok || h.Size != e.Size || h.Fingerprint != e.Fingerprint {
		return "", false
	}
	return h.SHA256, true
}

// Put stores the hash of e.
func (c *HashCache) Put(e model.Entry, sum string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[e.ID] = cachedHash{Size: e.Size, Fingerprint: e.Fingerprint, SHA256: sum}
}

// Hashes returns the valid cached hashes of entries, for planning.
func (c *HashCache) Hashes(entries []model.Entry) model.Hashes {
	out := model.Hashes{}
	for _, e := range entries {
		if h, ok := c.Get(e); ok {
			out[e.ID] = h
		}
	}
	return out
}

// Len is the number of cached hashes.
func (c *HashCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// LoadHashCache reads a cache saved by Save; a missing file gives an
// empty cache.
func LoadHashCache(path string) (*HashCache, error) {
	c := NewHashCache()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("hash cache: %w", err)
	}
	if err := json.Unmarshal(b, &c.m); err != nil {
		return nil, fmt.Errorf("hash cache %s: %w", path, err)
	}
	return c, nil
}

// Save writes the cache to path (0600, replaced atomically).
func (c *HashCache) Save(path string) error {
	c.mu.Lock()
	b, err := json.Marshal(c.m)
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("hash cache: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("hash cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hashes-*")
	if err != nil {
		return fmt.Errorf("hash cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("hash cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("hash cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("hash cache: %w", err)
	}
	return nil
}

// VerifyProgress reports a verify run's progress.
type VerifyProgress struct {
	Files, TotalFiles int   // finished files (cached ones included)
	Bytes, TotalBytes int64 // plaintext bytes hashed or found in the cache
	Current           model.Entry
}

// Candidates returns the files worth verifying in groups: members of
// same-name file groups whose sizes match (classified identical or
// unknown), and every member of content groups. Each file appears once.
func Candidates(groups []model.DupGroup) []model.Entry {
	seen := map[string]bool{}
	var out []model.Entry
	for _, g := range groups {
		if g.Dir || g.Kind == model.Collision {
			continue
		}
		bySize := map[int64]int{}
		for _, m := range g.Members {
			bySize[m.Size]++
		}
		for _, m := range g.Members {
			if m.Kind == model.KindFile && bySize[m.Size] > 1 && !seen[m.ID] {
				seen[m.ID] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// Verify downloads each file through fs (the MAC is checked on the way)
// and hashes the plaintext with SHA-256, skipping files the cache already
// knows. Results go into cache; the returned Hashes cover every file
// verified or cached. ctx cancels between and within downloads.
func Verify(ctx context.Context, fs FS, files []model.Entry, cache *HashCache, progress func(VerifyProgress)) (model.Hashes, error) {
	p := VerifyProgress{TotalFiles: len(files)}
	for _, f := range files {
		p.TotalBytes += f.Size
	}
	out := model.Hashes{}
	report := func() {
		if progress != nil {
			progress(p)
		}
	}
	for _, f := range files {
		p.Current = f
		if h, ok := cache.Get(f); ok {
			out[f.ID] = h
			p.Files++
			p.Bytes += f.Size
			report()
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("verify: %w", errors.Join(model.ErrCancelled, err))
		}
		w := newOrderedHash()
		base := p.Bytes
		err := fs.Download(ctx, f.ID, w, func(delta int64) {
			p.Bytes += delta
			report()
		})
		if err != nil {
			return out, fmt.Errorf("verify %s: %w", model.DisplayName(f.Name), err)
		}
		sum, n, err := w.sum()
		if err != nil || n != f.Size {
			return out, fmt.Errorf("verify %s: got %d of %d bytes: %w", model.DisplayName(f.Name), n, f.Size, errors.Join(model.ErrIntegrity, err))
		}
		cache.Put(f, sum)
		out[f.ID] = sum
		p.Files++
		p.Bytes = base + f.Size
		report()
	}
	return out, nil
}

// orderedHash is an io.WriterAt that hashes bytes in offset order:
// downloads write chunks in parallel, out of order, so chunks ahead of
// the hashed prefix wait in memory (a few chunks at most).
type orderedHash struct {
	mu      sync.Mutex
	h       hash.Hash
	next    int64
	pending map[int64][]byte
	err     error
}

func newOrderedHash() *orderedHash {
	return &orderedHash{h: sha256.New(), pending: map[int64][]byte{}}
}

func (o *orderedHash) WriteAt(p []byte, off int64) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case off < o.next:
		o.err = fmt.Errorf("chunk at %d rewrites hashed data (hashed up to %d)", off, o.next)
		return 0, o.err
	case off > o.next:
		o.pending[off] = slices.Clone(p)
		return len(p), nil
	}
	o.h.Write(p)
	o.next += int64(len(p))
	for {
		b, ok := o.pending[o.next]
		if !ok {
			break
		}
		delete(o.pending, o.next)
		o.h.Write(b)
		o.next += int64(len(b))
	}
	return len(p), nil
}

func (o *orderedHash) sum() (string, int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.pending) > 0 && o.err == nil {
		o.err = fmt.Errorf("%d chunks beyond a gap at %d", len(o.pending), o.next)
	}
	return hex.EncodeToString(o.h.Sum(nil)), o.next, o.err
}
