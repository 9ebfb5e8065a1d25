package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// failingClient accepts uploads until the failAt-th, which fails for good.
type failingClient struct {
	failAt   int32
	uploads  atomic.Int32
	mu       sync.Mutex
	inFlight int
	maxSeen  int
}

func (*failingClient) MkdirAll(context.Context, string) (model.Entry, error) {
	return model.Entry{ID: "dir", Kind: model.KindDir}, nil
}

func (*failingClient) Mkdir(context.Context, string, string) (model.Entry, error) {
	return model.Entry{ID: "dir", Kind: model.KindDir}, nil
}

func (f *failingClient) Upload(ctx context.Context, _, name string, _ io.ReaderAt, _ int64, _ time.Time, _ func(int64)) (model.Entry, error) {
	f.mu.Lock()
	f.inFlight++
	f.maxSeen = max(f.maxSeen, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if n := f.uploads.Add(1); n == f.failAt {
		return model.Entry{}, fmt.Errorf("upload %s: %w", name, model.ErrQuota)
	}
	if err := ctx.Err(); err != nil {
		return model.Entry{}, err
	}
	return model.Entry{Name: name}, nil
}

func manySpecs(n int) []spec {
	specs := make([]spec, n)
	for i := range specs {
		specs[i] = spec{name: fmt.Sprintf("f%03d", i), data: []byte("x")}
	}
	return specs
}

func TestUploadAllStopsAtTheFirstError(t *testing.T) {
	t.Parallel()
	c := &failingClient{failAt: 5}
	err := uploadAll(context.Background(), c, newDirCache(c, "/"), manySpecs(200), 3, func() {})
	if !errors.Is(err, model.ErrQuota) {
		t.Fatalf("got %v, want the failing upload's error", err)
	}
	if c.maxSeen > 3 {
		t.Errorf("%d uploads at once, want at most 3", c.maxSeen)
	}
}

func TestUploadAllAll(t *testing.T) {
	t.Parallel()
	c := &failingClient{failAt: -1}
	var steps atomic.Int32
	if err := uploadAll(context.Background(), c, newDirCache(c, "/"), manySpecs(50), 4, func() { steps.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if n := steps.Load(); n != 50 {
		t.Errorf("%d steps, want 50", n)
	}
}

func TestUploadAllCancelled(t *testing.T) {
	t.Parallel()
	c := &failingClient{failAt: -1}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := uploadAll(ctx, c, newDirCache(c, "/"), manySpecs(50), 4, func() {})
	if !errors.Is(err, model.ErrCancelled) && !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want a cancellation", err)
	}
}
