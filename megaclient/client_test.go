package megaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

const (
	testEmail = "user@example.com"
	testPass  = "correct horse battery"
)

// startSim starts a megasim server with one account for this test.
func startSim(t testing.TB, accounts ...megasim.Account) *megasim.Server {
	t.Helper()
	return megasimtest.Start(t, simOptions(accounts))
}

// simOptions serves accounts, or the test account when there are none.
func simOptions(accounts []megasim.Account) megasim.Options {
	if len(accounts) == 0 {
		accounts = []megasim.Account{{Email: testEmail, Password: testPass, Version: 2}}
	}
	return megasim.Options{Accounts: accounts}
}

// memStore is a SessionStore in memory.
type memStore struct {
	mu sync.Mutex
	m  map[string]Session
}

func (s *memStore) LoadSession(remote string) (Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[remote]
	if !ok {
		return Session{}, fmt.Errorf("session %s: %w", remote, model.ErrNoCredentials)
	}
	return v, nil
}

func (s *memStore) SaveSession(remote string, v Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Session{}
	}
	s.m[remote] = v
	return nil
}

func connect(t testing.TB, s *megasim.Server, mod func(*Options)) *Client {
	t.Helper()
	opts := Options{Remote: "mega", Email: testEmail, Password: testPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()}
	if mod != nil {
		mod(&opts)
	}
	c, err := Connect(context.Background(), opts)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func names(es []model.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// memFile is an io.WriterAt in memory.
type memFile struct {
	mu  sync.Mutex
	buf []byte
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if end := int(off) + len(p); end > len(f.buf) {
		f.buf = append(f.buf, make([]byte, end-len(f.buf))...)
	}
	copy(f.buf[off:], p)
	return len(p), nil
}

func TestUploadDownloadRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	dir, err := c.MkdirAll(ctx, "/photos/2024")
	if err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, size := range []int{0, 15, 5000, 3<<20 + 17} {
		data := randomBytes(size, uint64(size))
		name := fmt.Sprintf("f%d.bin", size)
		var sent int64
		var mu sync.Mutex
		e, err := c.Upload(ctx, dir.ID, name, bytes.NewReader(data), int64(size), mtime, func(n int64) { mu.Lock(); sent += n; mu.Unlock() })
		if err != nil {
			t.Fatalf("upload %d: %v", size, err)
		}
		if e.Name != name || e.Size != int64(size) || !e.ModTime.Equal(mtime) || !e.ModTimeKnown || e.Fingerprint == "" {
			t.Errorf("upload %d: got entry %+v, want name %s size %d mtime %v", size, e, name, size, mtime)
		}
		if sent != int64(size) {
			t.Errorf("upload %d: progress summed to %d, want %d", size, sent, size)
		}
		var out memFile
		if err := c.Download(ctx, "/photos/2024/"+name, &out, nil); err != nil {
			t.Fatalf("download %d: %v", size, err)
		}
		if !bytes.Equal(out.buf, data) {
			t.Errorf("download %d: content differs (%d bytes back)", size, len(out.buf))
		}
	}
	es, err := c.List(ctx, "/photos/2024")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(names(es), ","), "f0.bin,f15.bin,f3145745.bin,f5000.bin"; got != want {
		t.Errorf("listing: got %s, want %s", got, want)
	}
	// A second client sees the upload's mtime too (it comes from `c`).
	c2 := connect(t, s, nil)
	e, err := c2.Stat(ctx, "/photos/2024/f5000.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !e.ModTime.Equal(mtime) || !e.ModTimeKnown {
		t.Errorf("second client: got mtime %v known=%v, want %v", e.ModTime, e.ModTimeKnown, mtime)
	}
	ok := false
	if _, ok, err = c2.Exists(ctx, dir.ID, "f5000.bin", 5000, e.Fingerprint); err != nil || !ok {
		t.Errorf("exists: got %v %v, want true", ok, err)
	}
	if _, ok, _ = c2.Exists(ctx, dir.ID, "f5000.bin", 5001, ""); ok {
		t.Errorf("exists with another size: got true, want false")
	}
	_ = errors.Is
}
