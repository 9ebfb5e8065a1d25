package transfer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// stoppingRemote stops the engine (cancels stop), as a quit or a crash
// would, from inside the transfer as soon as a file has at least at
// bytes done: the stop point is exact, not subject to event throttling.
type stoppingRemote struct {
	*megaclient.Client
	at   int64
	stop context.CancelFunc
}

func (r *stoppingRemote) watch(progress func(int64)) func(int64) {
	var done int64
	return func(n int64) {
		progress(n)
		if done += n; r.at > 0 && done >= r.at {
			r.stop()
		}
	}
}

func (r *stoppingRemote) UploadResume(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time,
	prior model.ChunkResume, progress func(int64), record func(model.ChunkResume)) (model.Entry, error) {
	return r.Client.UploadResume(ctx, parent, name, src, size, mtime, prior, r.watch(progress), record)
}

func (r *stoppingRemote) DownloadResume(ctx context.Context, id string, dst io.WriterAt, prior model.ChunkResume,
	progress func(int64), record func(model.ChunkResume)) error {
	return r.Client.DownloadResume(ctx, id, dst, prior, r.watch(progress), record)
}

// runUntil runs one engine on journalPath with req (nil: only what the
// journal brings back), stopping it once a file has stopAt bytes done
// (0: runs to the end), and returns the jobs as they were then.
func runUntil(t *testing.T, c *megaclient.Client, opts Options, req *Request, stopAt int64) []model.Job {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts.Remote = &stoppingRemote{Client: c, at: stopAt, stop: cancel}
	e := New(opts)
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range e.Events() {
		}
	}()
	if req != nil {
		if _, err := e.Enqueue(*req); err != nil {
			t.Fatal(err)
		}
	}
	if stopAt > 0 {
		<-ctx.Done()
	} else if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	jobs := e.Snapshot()
	// A finished journal is removed when the engine stops: keep what it
	// said for journalResumes.
	if b, err := os.ReadFile(opts.JournalPath); err == nil {
		_ = os.WriteFile(opts.JournalPath+".seen", b, 0o600)
	}
	cancel()
	if err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	return jobs
}

// journalResumes returns the bytes each "resumed" chunk record of the
// journal says an attempt kept.
func journalResumes(t *testing.T, path string) []int64 {
	t.Helper()
	f, err := os.Open(path + ".seen")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []int64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.T == "chunks" && r.Chunks != nil && r.Chunks.Resumed > 0 {
			out = append(out, r.Chunks.Resumed)
		}
	}
	return out
}

// settled reads a megasim byte counter once it stopped moving for 200 ms:
// pieces a stopped engine had in flight may still land on the server
// (their bodies sat in socket buffers), and they belong to the first run.
func settled(s *megasim.Server, counter string) int {
	n, stable := s.CommandCount(counter), 0
	for i := 0; i < 250 && stable < 10; i++ {
		time.Sleep(20 * time.Millisecond)
		m := s.CommandCount(counter)
		if m == n {
			stable++
		} else {
			n, stable = m, 0
		}
	}
	return n
}

// TestChunkResumeAfterStop stops an upload and then a download of the
// same file at 60 % and starts a new engine on the journal: each goes on
// from its last chunk (the journal says how much it kept, megasim counts
// what was sent again), and the result is byte-identical, in one node.
func TestChunkResumeAfterStop(t *testing.T) {
	t.Parallel()
	const size = 6<<20 + 12345
	s, c := startSimClient(t, megasim.Faults{DataLatency: 10 * time.Millisecond})
	dir := t.TempDir()
	src := filepath.Join(dir, "big.bin")
	data := make([]byte, size)
	_, _ = rand.Read(data)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	root, _, _ := c.Roots()
	rootEntry, err := c.Stat(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Workers: 1, Retry: simRetry, JournalPath: filepath.Join(dir, "state", "up.jsonl")}

	req := uploadReq(src, rootEntry)
	runUntil(t, c, opts, &req, size*6/10)
	before := settled(s, "upload-bytes")
	jobs := runUntil(t, c, opts, nil, 0)
	sent := s.CommandCount("upload-bytes") - before
	if len(jobs) != 1 || jobs[0].State != model.StateDone {
		t.Fatalf("resumed upload: %+v", jobs)
	}
	if sent > size*45/100 {
		t.Errorf("resumed upload sent %d bytes of %d, want at most 45 %%", sent, size)
	}
	if rs := journalResumes(t, opts.JournalPath); len(rs) != 1 || rs[0] < size*55/100 {
		t.Errorf("journal: resumed records %v, want one keeping at least 55 %% of %d", rs, size)
	}
	ents, err := c.Lookup(context.Background(), root, "big.bin")
	if err != nil || len(ents) != 1 {
		t.Fatalf("nodes called big.bin: %d, %v; want 1", len(ents), err)
	}

	out := t.TempDir()
	dopts := opts
	dopts.JournalPath = filepath.Join(dir, "state", "down.jsonl")
	dreq := downloadReq(ents[0], out)
	runUntil(t, c, dopts, &dreq, size*6/10)
	if partials, _ := filepath.Glob(filepath.Join(out, PartialPrefix+"*")); len(partials) != 1 {
		t.Fatalf("partial files after the stop: %v, want 1", partials)
	}
	before = settled(s, "download-bytes")
	jobs = runUntil(t, c, dopts, nil, 0)
	fetched := s.CommandCount("download-bytes") - before
	if len(jobs) != 1 || jobs[0].State != model.StateDone {
		t.Fatalf("resumed download: %+v", jobs)
	}
	if fetched > size*45/100 {
		t.Errorf("resumed download fetched %d bytes of %d, want at most 45 %%", fetched, size)
	}
	if rs := journalResumes(t, dopts.JournalPath); len(rs) != 1 || rs[0] < size*55/100 {
		t.Errorf("journal: resumed records %v, want one keeping at least 55 %% of %d", rs, size)
	}
	got, err := os.ReadFile(filepath.Join(out, "big.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs from the original (%d bytes, %v)", len(got), err)
	}
	if partials, _ := filepath.Glob(filepath.Join(out, PartialPrefix+"*")); len(partials) != 0 {
		t.Errorf("partial files left: %v", partials)
	}
}

// TestChunkResumeRejectsDamagedPartial: a resumed download whose partial
// file was changed on disk fetches the damaged chunk again and still
// verifies.
func TestChunkResumeRejectsDamagedPartial(t *testing.T) {
	t.Parallel()
	const size = 3<<20 + 77
	_, c := startSimClient(t, megasim.Faults{DataLatency: 10 * time.Millisecond})
	dir := t.TempDir()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	root, _, _ := c.Roots()
	e, err := c.Upload(context.Background(), root, "f.bin", bytes.NewReader(data), size, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opts := Options{Workers: 1, Retry: simRetry, JournalPath: filepath.Join(dir, "down.jsonl")}
	req := downloadReq(e, out)
	runUntil(t, c, opts, &req, size*6/10)
	partials, _ := filepath.Glob(filepath.Join(out, PartialPrefix+"*"))
	if len(partials) != 1 {
		t.Fatalf("partial files after the stop: %v, want 1", partials)
	}
	f, err := os.OpenFile(partials[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff, 0x00, 0xff}, 1000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	jobs := runUntil(t, c, opts, nil, 0)
	if len(jobs) != 1 || jobs[0].State != model.StateDone {
		t.Fatalf("resumed download: %+v", jobs)
	}
	got, err := os.ReadFile(filepath.Join(out, "f.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded file differs from the original (%d bytes, %v)", len(got), err)
	}
}
