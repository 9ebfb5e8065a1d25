package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// crashingRemote stores the n-th upload (or starts the n-th download) and
// then "crashes" the engine by cancelling its context, as a kill would.
type crashingRemote struct {
	*fakeRemote
	mu    sync.Mutex
	calls int
	at    int
	crash context.CancelFunc
}

func (c *crashingRemote) Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(int64)) (model.Entry, error) {
	c.mu.Lock()
	c.calls++
	n := c.calls
	c.mu.Unlock()
	e, err := c.fakeRemote.Upload(ctx, parent, name, src, size, mtime, progress)
	if n == c.at {
		c.crash()
		return model.Entry{}, errors.New("connection lost")
	}
	return e, err
}

func (c *crashingRemote) Download(ctx context.Context, id string, dst io.WriterAt, progress func(int64)) error {
	c.mu.Lock()
	c.calls++
	n := c.calls
	c.mu.Unlock()
	if n == c.at {
		_, _ = dst.WriteAt([]byte("partial"), 0)
		c.crash()
		return errors.New("connection lost")
	}
	return c.fakeRemote.Download(ctx, id, dst, progress)
}

func TestResumeAfterCrashNoDuplicatesNoResend(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	var specs []spec
	for i := 0; i < 6; i++ {
		specs = append(specs, spec{fmt.Sprintf("d/f%d", i), 100 + i})
	}
	writeTree(t, src, specs)
	journalPath := filepath.Join(t.TempDir(), "state", "transfers.jsonl")
	fake := newFakeRemote()
	root := fake.nodes[fake.root].entry

	ctx1, crash := context.WithCancel(context.Background())
	rem1 := &crashingRemote{fakeRemote: fake, at: 4, crash: crash}
	e1 := New(Options{Remote: rem1, Workers: 1, JournalPath: journalPath, Retry: fastRetry, Conflict: model.ConflictRename})
	if err := e1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	if _, err := e1.Enqueue(uploadReq(filepath.Join(src, "d"), root)); err != nil {
		t.Fatal(err)
	}
	<-ctx1.Done()
	if err := e1.Wait(); err != nil {
		t.Fatal(err)
	}
	if fake.uploads != 4 {
		t.Fatalf("before the crash: %d uploads stored, want 4", fake.uploads)
	}
	fi, err := os.Stat(journalPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal: %v, mode %v; want 0600", err, fi.Mode())
	}

	// The next start resumes the request: the three finished files are not
	// sent again, and the fourth, stored before the crash but never
	// confirmed, is adopted rather than uploaded a second time — even with
	// the "rename" policy that would otherwise keep both.
	e2 := start(t, Options{Remote: fake, Workers: 2, JournalPath: journalPath, Conflict: model.ConflictRename})
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	if got := len(e2.Snapshot()); got != 3 {
		t.Errorf("jobs after resume: got %d, want 3 (f3 adopted, f4, f5)", got)
	}
	if fake.uploads != 6 {
		t.Errorf("uploads stored in total: got %d, want 6", fake.uploads)
	}
	if d := fake.duplicates(); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
	tree := fake.tree(fake.root)
	for _, s := range specs {
		if n, ok := tree[s.path]; !ok || len(n.data) != s.size {
			t.Errorf("%s missing or wrong after resume", s.path)
		}
	}
}

func TestResumeRemovesStalePartial(t *testing.T) {
	t.Parallel()
	fake := newFakeRemote()
	top := fake.mkdirAt(fake.root, "top")
	for i := 0; i < 3; i++ {
		fake.fileAt(top.ID, fmt.Sprintf("f%d", i), []byte(strings.Repeat("x", 1000+i)), time.Unix(int64(1000+i), 0))
	}
	dst := t.TempDir()
	journalPath := filepath.Join(t.TempDir(), "transfers.jsonl")
	ctx1, crash := context.WithCancel(context.Background())
	rem1 := &crashingRemote{fakeRemote: fake, at: 2, crash: crash}
	e1 := New(Options{Remote: rem1, Workers: 1, JournalPath: journalPath, Retry: fastRetry})
	if err := e1.Start(ctx1); err != nil {
		t.Fatal(err)
	}
	if _, err := e1.Enqueue(downloadReq(top, dst)); err != nil {
		t.Fatal(err)
	}
	<-ctx1.Done()
	if err := e1.Wait(); err != nil {
		t.Fatal(err)
	}
	// A kill -9 leaves the partial file behind: put it back, as the
	// engine's own cleanup ran in this simulated crash.
	partial := journaledPartial(t, journalPath)
	if err := os.WriteFile(partial, []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	e2 := New(Options{Remote: fake, JournalPath: journalPath})
	ctx2, stop2 := context.WithCancel(context.Background())
	if err := e2.Start(ctx2); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	stop2()
	if err := e2.Wait(); err != nil {
		t.Fatal(err)
	}
	assertNoPartials(t, dst)
	for i := 0; i < 3; i++ {
		b, err := os.ReadFile(filepath.Join(dst, "top", fmt.Sprintf("f%d", i)))
		if err != nil || len(b) != 1000+i {
			t.Errorf("f%d: %d bytes, %v", i, len(b), err)
		}
	}
	// Everything finished: the compacted journal holds nothing to resume.
	e3 := start(t, Options{Remote: fake, JournalPath: journalPath})
	waitIdle(t, e3)
	if n := len(e3.Snapshot()); n != 0 {
		t.Errorf("a finished queue came back with %d jobs", n)
	}
}

func TestJournalIsExclusive(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "transfers.jsonl")
	start(t, Options{JournalPath: path})
	e := New(Options{JournalPath: path})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := e.Start(ctx); !errors.Is(err, ErrJournalBusy) {
		t.Errorf("second engine on one journal: got %v, want ErrJournalBusy", err)
	}
}

func journaledPartial(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ended := map[string]bool{}
	var last string
	for _, line := range strings.Split(string(data), "\n") {
		var r record
		if json.Unmarshal([]byte(line), &r) != nil {
			continue
		}
		if r.T == "end" {
			ended[r.Key] = true
		}
		if r.T == "start" && r.Partial != "" && !ended[r.Key] {
			last = r.Partial
		}
	}
	if last == "" {
		t.Fatal("no unfinished partial file in the journal")
	}
	return last
}
