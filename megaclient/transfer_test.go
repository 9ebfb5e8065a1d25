package megaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func TestConcurrentSmallUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, func(o *Options) { o.Workers = 4 })
	dir, _ := c.MkdirAll(ctx, "/many")
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := randomBytes(16<<10, uint64(i))
			_, err := c.Upload(ctx, dir.ID, fmt.Sprintf("f%02d", i), bytes.NewReader(data), int64(len(data)), time.Unix(1600000000+int64(i), 0), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	es, _ := c.List(ctx, "/many")
	if len(es) != n {
		t.Fatalf("got %d files, want %d", len(es), n)
	}
	for i, e := range es {
		if want := fmt.Sprintf("f%02d", i); e.Name != want || !e.ModTime.Equal(time.Unix(1600000000+int64(i), 0)) {
			t.Errorf("entry %d: got %s %v, want %s with its own mtime", i, e.Name, e.ModTime, want)
		}
	}
	// The worker instances never fetched the tree: one `f` per client.
	if got := s.CommandCount("f"); got != 1 {
		t.Errorf("got %d f commands, want 1 (workers answer their own f)", got)
	}
}

func TestTransfersUnderFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	s.SetFaults(megasim.Faults{EAGAINRate: 0.1, HTTP500Rate: 0.05, DropRate: 0.05})
	data := randomBytes(2<<20+333, 7)
	e, err := c.Upload(ctx, "/", "faulty.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1650000000, 0), nil)
	if err != nil {
		t.Fatalf("upload under faults: %v", err)
	}
	var out memFile
	if err := c.Download(ctx, e.ID, &out, nil); err != nil {
		t.Fatalf("download under faults: %v", err)
	}
	if !bytes.Equal(out.buf, data) {
		t.Error("content differs")
	}
	if dups, _ := c.Lookup(ctx, "/", "faulty.bin"); len(dups) != 1 {
		t.Errorf("got %d nodes called faulty.bin, want 1", len(dups))
	}
	// Every range corrupted: the MAC check fails and says so.
	s.SetFaults(megasim.Faults{CorruptRate: 1})
	err = c.Download(ctx, e.ID, &memFile{}, nil)
	if !errors.Is(err, model.ErrIntegrity) {
		t.Errorf("corrupted download: got %v, want %v", err, model.ErrIntegrity)
	}
}

func TestTransferCancelled(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	c := connect(t, s, func(o *Options) { o.ChunkWorkers = 1 })
	ctx, cancel := context.WithCancel(context.Background())
	data := randomBytes(4<<20, 3)
	chunks := 0
	_, err := c.Upload(ctx, "/", "cancelled.bin", bytes.NewReader(data), int64(len(data)), time.Now(), func(int64) {
		chunks++
		if chunks == 2 {
			cancel()
		}
	})
	if !errors.Is(err, model.ErrCancelled) {
		t.Fatalf("got %v, want %v", err, model.ErrCancelled)
	}
	if es, _ := c.List(context.Background(), "/"); len(es) != 0 {
		t.Errorf("a cancelled upload left %v", names(es))
	}
}

func TestDownloadToLocalFolderKeepsMtime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	mtime := time.Date(2012, 12, 21, 11, 11, 0, 0, time.UTC)
	e, err := c.Upload(ctx, "/", "photo.jpg", bytes.NewReader([]byte("jpeg")), 4, mtime, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "photo.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Download(ctx, e.ID, f, nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.Chtimes(f.Name(), e.ModTime, e.ModTime)
	fi, _ := os.Stat(f.Name())
	if !fi.ModTime().Equal(mtime) {
		t.Errorf("got mtime %v, want %v", fi.ModTime(), mtime)
	}
}

// BenchmarkSmallUploads: 32 files of 16 KiB with 20 ms added to every API
// request, uploaded by megaclient (4 at a time, each on its own worker
// instance) against the baseline of a go-mega UploadFile loop on one client.
func BenchmarkSmallUploads(b *testing.B) {
	const files, size = 32, 16 << 10
	dir := b.TempDir()
	paths := make([]string, files)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("f%02d", i))
		os.WriteFile(paths[i], randomBytes(size, uint64(i)), 0o644)
	}
	b.Run("baseline-gomega-loop", func(b *testing.B) {
		s := startSim(b)
		m := mega.New().SetClient(s.HTTPClient())
		m.SetAPIUrl(s.URL())
		m.SetLogger(nil)
		if err := m.Login(testEmail, testPass); err != nil {
			b.Fatal(err)
		}
		s.SetFaults(megasim.Faults{APILatency: 20 * time.Millisecond})
		b.ResetTimer()
		for range b.N {
			for _, p := range paths {
				if _, err := m.UploadFile(p, m.FS.GetRoot(), "", nil); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "files/s")
	})
	b.Run("megaclient-4-parallel", func(b *testing.B) {
		ctx := context.Background()
		s := startSim(b)
		c := connect(b, s, func(o *Options) { o.Workers = 4 })
		s.SetFaults(megasim.Faults{APILatency: 20 * time.Millisecond})
		b.ResetTimer()
		for range b.N {
			var wg sync.WaitGroup
			sem := make(chan struct{}, 4)
			for _, p := range paths {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					f, err := os.Open(p)
					if err != nil {
						b.Error(err)
						return
					}
					defer f.Close()
					if _, err := c.Upload(ctx, "/", filepath.Base(p), f, size, time.Now(), nil); err != nil {
						b.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		b.ReportMetric(float64(files*b.N)/b.Elapsed().Seconds(), "files/s")
	})
}

// A tree seeded by megasim as another client would have written it: names,
// mtimes from `c`, and content that downloads with a valid MAC.
func TestSeededTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	mtime := time.Date(2019, 7, 8, 9, 10, 11, 0, time.UTC)
	if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 30, FanOut: 10, SubFolders: 2, FileSize: 300000, MTime: mtime, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, s, nil)
	es, err := c.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	var file model.Entry
	for _, e := range es {
		if e.Kind == model.KindFile {
			file = e
			break
		}
	}
	if file.ID == "" || !file.ModTime.Equal(mtime) || !file.ModTimeKnown || file.Size != 300000 {
		t.Fatalf("seeded file: got %+v, want a 300000-byte file with mtime %v", file, mtime)
	}
	var out memFile
	if err := c.Download(ctx, file.ID, &out, nil); err != nil {
		t.Fatalf("download seeded file: %v", err)
	}
	if len(out.buf) != 300000 {
		t.Errorf("got %d bytes, want 300000", len(out.buf))
	}
}
