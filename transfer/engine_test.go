package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// fastRetry keeps retry backoff short in tests.
var fastRetry = RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxAttempts: 20}

// start runs an engine until the test ends.
func start(t *testing.T, opts Options) *Engine {
	t.Helper()
	if opts.Retry == (RetryPolicy{}) {
		opts.Retry = fastRetry
	}
	e := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range e.Events() {
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := e.Wait(); err != nil {
			t.Error(err)
		}
	})
	return e
}

func waitIdle(t *testing.T, e *Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatalf("engine never became idle: %v\n%v", err, e.Snapshot())
	}
}

// spec is one file of a test tree.
type spec struct {
	path string
	size int
}

var treeSpec = []spec{
	{"empty.txt", 0},
	{"tiny", 7},
	{"a/b/c/deep.bin", 70_000},
	{"a/β-ünïcødé 📷.jpg", 300_000},
	{"a/日本語/ファイル.txt", 9000},
	{"big.bin", 3<<20 + 17},
	{"a/b/sixteen", 16},
	{"a/b/eightk", 8192},
}

// writeTree creates the files of specs below dir with random content and
// distinct past mtimes, plus one empty folder.
func writeTree(t *testing.T, dir string, specs []spec) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, s := range specs {
		p := filepath.Join(dir, filepath.FromSlash(s.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, s.size)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2019, 3, 4, 5, 6, 7+i, 0, time.UTC)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "empty-folder"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// compareTrees checks that every file of specs is byte-identical with the
// same mtime below want and got, and that got holds no partial files.
func compareTrees(t *testing.T, want, got string, specs []spec) {
	t.Helper()
	for _, s := range specs {
		a := filepath.Join(want, filepath.FromSlash(s.path))
		b := filepath.Join(got, filepath.FromSlash(s.path))
		da, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		db, err := os.ReadFile(b)
		if err != nil {
			t.Errorf("%s: %v", s.path, err)
			continue
		}
		if !bytes.Equal(da, db) {
			t.Errorf("%s: content differs (%d vs %d bytes)", s.path, len(db), len(da))
		}
		fa, _ := os.Stat(a)
		fb, _ := os.Stat(b)
		if fa.ModTime().Unix() != fb.ModTime().Unix() {
			t.Errorf("%s: mtime got %v, want %v", s.path, fb.ModTime(), fa.ModTime())
		}
	}
	if fi, err := os.Stat(filepath.Join(got, "empty-folder")); err != nil || !fi.IsDir() {
		t.Errorf("empty-folder not recreated: %v", err)
	}
	assertNoPartials(t, got)
}

func assertNoPartials(t *testing.T, dir string) {
	t.Helper()
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && IsPartialName(d.Name()) {
			t.Errorf("leftover partial file %s", p)
		}
		return nil
	})
}

func assertStates(t *testing.T, e *Engine, want model.State) {
	t.Helper()
	for _, j := range e.Snapshot() {
		if j.State != want {
			t.Errorf("job %s: state %s (%s %s), want %s", j.Dst.Display, j.State, j.Reason, j.Err, want)
		}
	}
}

func uploadReq(src string, dst model.Entry) Request {
	return Request{Src: Endpoint{Path: src}, DstDir: Endpoint{Remote: true, Entry: dst}}
}

func downloadReq(src model.Entry, dst string) Request {
	return Request{Src: Endpoint{Remote: true, Entry: src}, DstDir: Endpoint{Path: dst}}
}

func TestRoundTripThroughFake(t *testing.T) {
	t.Parallel()
	src, back := t.TempDir(), t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), treeSpec)
	rem := newFakeRemote()
	e := start(t, Options{Remote: rem, Workers: 3})
	if _, err := e.Enqueue(uploadReq(filepath.Join(src, "tree"), rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	tree := rem.tree(rem.root)
	if _, ok := tree["tree/empty-folder/"]; !ok {
		t.Errorf("empty folder not created remotely; have %v", keys(tree))
	}
	folder := tree["tree/"].entry
	if _, err := e.Enqueue(downloadReq(folder, back)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(back, "tree"), treeSpec)
	if d := rem.duplicates(); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
	tot := e.Totals()
	if tot.ByState[model.StateDone] != 2*len(treeSpec) {
		t.Errorf("done jobs: got %d, want %d", tot.ByState[model.StateDone], 2*len(treeSpec))
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFaultsNeverDuplicate(t *testing.T) {
	t.Parallel()
	src, back := t.TempDir(), t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), treeSpec)
	rem := newFakeRemote()
	rem.tryAgainEvery = 3
	rem.ambiguousUploads = 4
	rem.corruptDownloads = 2
	e := start(t, Options{Remote: rem, Workers: 4})
	if _, err := e.Enqueue(uploadReq(filepath.Join(src, "tree"), rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if d := rem.duplicates(); len(d) > 0 {
		t.Fatalf("duplicate nodes after faults: %v", d)
	}
	if rem.uploads != len(treeSpec) {
		t.Errorf("uploads stored: got %d, want %d (ambiguous completions must be adopted, not re-sent)", rem.uploads, len(treeSpec))
	}
	if _, err := e.Enqueue(downloadReq(rem.tree(rem.root)["tree/"].entry, back)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(back, "tree"), treeSpec)
}

func TestFolderCreatedOnceByRacingWorkers(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	var specs []spec
	for d := 0; d < 5; d++ {
		for f := 0; f < 12; f++ {
			specs = append(specs, spec{fmt.Sprintf("top/sub%d/deeper/f%02d", d, f), 10 + f})
		}
	}
	writeTree(t, src, specs)
	rem := newFakeRemote()
	e := start(t, Options{Remote: rem, Workers: 8})
	if _, err := e.Enqueue(uploadReq(filepath.Join(src, "top"), rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	// top, 5 × subN, 5 × deeper
	if rem.mkdirs != 11 {
		t.Errorf("mkdirs: got %d, want 11", rem.mkdirs)
	}
	if d := rem.duplicates(); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
}

func TestUploadConflicts(t *testing.T) {
	t.Parallel()
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	newer := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		policy     model.Conflict
		remoteData string
		remoteTime time.Time
		wantState  model.State
		wantNames  map[string]string // name -> content in the folder afterwards
		wantOps    []string
	}{
		{"identical is skipped whatever the policy", model.ConflictOverwrite, "new!", newer, model.StateSkipped,
			map[string]string{"f.txt": "new!"}, nil},
		{"skip keeps the old file", model.ConflictSkip, "old", old, model.StateSkipped,
			map[string]string{"f.txt": "old"}, nil},
		{"overwrite uploads first then trashes", model.ConflictOverwrite, "old", old, model.StateDone,
			map[string]string{"f.txt": "new!"}, []string{"upload f.txt", "trash f.txt"}},
		{"rename keeps both", model.ConflictRename, "old", old, model.StateDone,
			map[string]string{"f.txt": "old", "f (1).txt": "new!"}, []string{"upload f (1).txt"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "f.txt")
			if err := os.WriteFile(p, []byte("new!"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, newer, newer); err != nil {
				t.Fatal(err)
			}
			rem := newFakeRemote()
			rem.fileAt(rem.root, "f.txt", []byte(tc.remoteData), tc.remoteTime)
			e := start(t, Options{Remote: rem, Conflict: tc.policy})
			if _, err := e.Enqueue(uploadReq(p, rem.nodes[rem.root].entry)); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			assertStates(t, e, tc.wantState)
			got := map[string]string{}
			for name, n := range rem.tree(rem.root) {
				got[name] = string(n.data)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantNames) {
				t.Errorf("folder: got %v, want %v", got, tc.wantNames)
			}
			if fmt.Sprint(rem.ops) != fmt.Sprint(tc.wantOps) {
				t.Errorf("operations: got %q, want %q", rem.ops, tc.wantOps)
			}
		})
	}
}

func TestDownloadConflicts(t *testing.T) {
	t.Parallel()
	mt := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	cases := []struct {
		name      string
		policy    model.Conflict
		local     string
		localTime time.Time
		wantState model.State
		want      map[string]string
	}{
		{"identical skipped", model.ConflictOverwrite, "remote", mt, model.StateSkipped, map[string]string{"f": "remote"}},
		{"skip", model.ConflictSkip, "local!", mt, model.StateSkipped, map[string]string{"f": "local!"}},
		{"overwrite", model.ConflictOverwrite, "local!", mt, model.StateDone, map[string]string{"f": "remote"}},
		{"rename", model.ConflictRename, "local!", mt, model.StateDone, map[string]string{"f": "local!", "f (1)": "remote"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if err := os.WriteFile(p, []byte(tc.local), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, tc.localTime, tc.localTime); err != nil {
				t.Fatal(err)
			}
			rem := newFakeRemote()
			f := rem.fileAt(rem.root, "f", []byte("remote"), mt)
			e := start(t, Options{Remote: rem, Conflict: tc.policy})
			if _, err := e.Enqueue(downloadReq(f, dir)); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			assertStates(t, e, tc.wantState)
			got := map[string]string{}
			ents, _ := os.ReadDir(dir)
			for _, de := range ents {
				b, _ := os.ReadFile(filepath.Join(dir, de.Name()))
				got[de.Name()] = string(b)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("folder: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAskThenAnswer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("new "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rem := newFakeRemote()
	folder := rem.mkdirAt(rem.root, "dir")
	rem.fileAt(folder.ID, "a", []byte("old"), time.Unix(1, 0))
	rem.fileAt(folder.ID, "b", []byte("old"), time.Unix(1, 0))
	e := New(Options{Remote: rem, Conflict: model.ConflictAsk, Retry: fastRetry})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); _ = e.Wait() }()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Enqueue(Request{Src: Endpoint{Path: dir}, DstDir: Endpoint{Remote: true, Entry: rem.nodes[rem.root].entry}, Name: "dir"}); err != nil {
		t.Fatal(err)
	}
	var q *Question
	timeout := time.AfterFunc(20*time.Second, cancel)
	defer timeout.Stop()
	for ev := range e.Events() {
		if ev.Kind == EventQuestion {
			q = ev.Question
			if ev.Job.State != model.StateWaiting || !strings.Contains(ev.Job.Reason, "answer") {
				t.Errorf("asking job: state %s reason %q", ev.Job.State, ev.Job.Reason)
			}
			break
		}
	}
	if q == nil || q.Existing.Name != q.Name || string(rem.nodes[q.Existing.ID].data) != "old" {
		t.Fatalf("bad question %+v", q)
	}
	// WaitIdle does not wait for answers.
	waitIdle(t, e)
	if err := e.Answer(q.JobID, model.ConflictOverwrite, true); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	got := map[string]string{}
	for name, n := range rem.tree(folder.ID) {
		got[name] = string(n.data)
	}
	if want := map[string]string{"a": "new a", "b": "new b"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after answering overwrite for all: got %v, want %v", got, want)
	}
	if err := e.Answer(q.JobID, model.ConflictSkip, false); err == nil {
		t.Error("answering twice: want an error")
	}
}

// gate blocks uploads until released, and reports each one that starts.
type gate struct {
	started chan string
	release chan struct{}
}

func newGate() *gate { return &gate{started: make(chan string, 100), release: make(chan struct{})} }

func (g *gate) hook(name string) {
	g.started <- name
	<-g.release
}

func TestPauseResumeCancelMoveToFront(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := 0; i < 4; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), []byte{byte(i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rem := newFakeRemote()
	g := newGate()
	rem.uploadHook = g.hook
	e := start(t, Options{Remote: rem, Workers: 1})
	var once sync.Once
	release := func() { once.Do(func() { close(g.release) }) }
	t.Cleanup(release)
	byName := func(name string) model.JobID {
		t.Helper()
		for range 2000 {
			for _, j := range e.Snapshot() {
				if filepath.Base(j.Dst.Display) == name {
					return j.ID
				}
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("no job %s", name)
		return 0
	}
	for i := 0; i < 4; i++ {
		if _, err := e.Enqueue(uploadReq(filepath.Join(dir, fmt.Sprintf("f%d", i)), rem.nodes[rem.root].entry)); err != nil {
			t.Fatal(err)
		}
		byName(fmt.Sprintf("f%d", i))
		if i == 0 {
			if first := <-g.started; first != "f0" {
				t.Fatalf("first upload %s, want f0", first)
			}
		}
	}
	if err := e.Cancel(byName("f1")); err != nil {
		t.Fatal(err)
	}
	if err := e.Pause(byName("f2")); err != nil {
		t.Fatal(err)
	}
	if err := e.MoveToFront(byName("f3")); err != nil {
		t.Fatal(err)
	}
	// Pausing the running f0 interrupts it.
	if err := e.Pause(byName("f0")); err != nil {
		t.Fatal(err)
	}
	release()
	if next := <-g.started; next != "f3" {
		t.Errorf("after move to front: next upload %s, want f3", next)
	}
	waitIdle(t, e)
	states := map[string]model.State{}
	for _, j := range e.Snapshot() {
		states[filepath.Base(j.Dst.Display)] = j.State
	}
	want := map[string]model.State{"f0": model.StatePaused, "f1": model.StateCancelled, "f2": model.StatePaused, "f3": model.StateDone}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("states: got %v, want %v", states, want)
	}
	e.ResumeAll()
	waitIdle(t, e)
	if err := e.Retry(byName("f1")); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if d := rem.duplicates(); len(d) > 0 {
		t.Errorf("duplicates: %v", d)
	}
}

func TestServerSideMove(t *testing.T) {
	t.Parallel()
	rem := newFakeRemote()
	a := rem.mkdirAt(rem.root, "a")
	b := rem.mkdirAt(rem.root, "b")
	f := rem.fileAt(a.ID, "x.txt", []byte("moving"), time.Unix(100, 0))
	rem.fileAt(b.ID, "x.txt", []byte("other"), time.Unix(200, 0))
	sub := rem.mkdirAt(a.ID, "sub")
	e := start(t, Options{Remote: rem, Conflict: model.ConflictRename})
	for _, src := range []model.Entry{f, sub} {
		if _, err := e.Enqueue(Request{Src: Endpoint{Remote: true, Entry: src}, DstDir: Endpoint{Remote: true, Entry: b}}); err != nil {
			t.Fatal(err)
		}
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	got := map[string]string{}
	for name, n := range rem.tree(b.ID) {
		got[name] = string(n.data)
	}
	want := map[string]string{"x.txt": "other", "x (1).txt": "moving", "sub/": ""}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("b after move: got %v, want %v", got, want)
	}
	if rem.uploads+rem.downloads != 0 {
		t.Errorf("a server-side move transferred data: %d uploads, %d downloads", rem.uploads, rem.downloads)
	}
}

func TestLocalCopyTree(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), treeSpec)
	e := start(t, Options{})
	if _, err := e.Enqueue(Request{Src: Endpoint{Path: filepath.Join(src, "tree")}, DstDir: Endpoint{Path: dst}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(dst, "tree"), treeSpec)
	// A second copy finds identical files and skips them all.
	e2 := start(t, Options{Conflict: model.ConflictOverwrite})
	if _, err := e2.Enqueue(Request{Src: Endpoint{Path: filepath.Join(src, "tree")}, DstDir: Endpoint{Path: dst}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e2)
	assertStates(t, e2, model.StateSkipped)
}

func TestQuotaStopsWithClearMessage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	rem := newFakeRemote()
	rem.quota = true
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(uploadReq(p, rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	j := e.Snapshot()[0]
	if j.State != model.StateFailed || !strings.Contains(j.Err, "over storage quota") || j.Attempts != 1 {
		t.Errorf("got state %s err %q after %d attempts; want failed, quota message, 1 attempt", j.State, j.Err, j.Attempts)
	}
}

func TestRetryShowsWaitingReason(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	rem := &rateLimited{fakeRemote: newFakeRemote(), left: 2}
	e := New(Options{Remote: rem, Retry: RetryPolicy{BaseDelay: 5 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); _ = e.Wait() }()
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Enqueue(uploadReq(p, rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for ev := range e.Events() {
		if ev.Job.State == model.StateWaiting {
			reasons = append(reasons, ev.Job.Reason)
		}
		if ev.Job.State == model.StateDone {
			break
		}
	}
	if len(reasons) != 2 || !strings.HasPrefix(reasons[0], "rate limited") {
		t.Errorf("waiting reasons: got %q, want two 'rate limited, …'", reasons)
	}
}

type rateLimited struct {
	*fakeRemote
	mu   sync.Mutex
	left int
}

func (r *rateLimited) Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(int64)) (model.Entry, error) {
	r.mu.Lock()
	if r.left > 0 {
		r.left--
		r.mu.Unlock()
		return model.Entry{}, fmt.Errorf("upload: %w", model.ErrRateLimited)
	}
	r.mu.Unlock()
	return r.fakeRemote.Upload(ctx, parent, name, src, size, mtime, progress)
}

func TestWaitReasonAndClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		d    time.Duration
		want string
	}{
		{fmt.Errorf("x: %w", model.ErrRateLimited), 4 * time.Second, "rate limited, retry in 4 s"},
		{fmt.Errorf("x: %w", model.ErrTryAgain), 2 * time.Second, "server busy, retry in 2 s"},
		{fmt.Errorf("x: %w", model.ErrIntegrity), time.Second, "integrity check failed, retry in 1 s"},
	}
	for _, tc := range cases {
		if got := waitReason(classify(tc.err), tc.d); got != tc.want {
			t.Errorf("waitReason(%v): got %q, want %q", tc.err, got, tc.want)
		}
	}
	if classify(errors.New("boom")) != classPermanent || classify(fmt.Errorf("%w", model.ErrQuota)) != classQuota {
		t.Error("classify: permanent / quota misclassified")
	}
	p := RetryPolicy{}.withDefaults()
	if got := p.delay(3, classRateLimited); got != 16*time.Second {
		t.Errorf("third rate-limit delay: got %v, want 16s", got)
	}
}

func TestBucket(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	b := newBucket(1<<20, func() time.Time { return now }) // 1 MiB/s, burst 256 KiB
	if d := b.reserve(256 << 10); d != 0 {
		t.Errorf("within burst: wait %v, want 0", d)
	}
	if d := b.reserve(512 << 10); d != 500*time.Millisecond {
		t.Errorf("beyond burst: wait %v, want 500ms", d)
	}
	now = now.Add(time.Second) // refills the 512 KiB debt and half the burst
	// The debt is repaid but the balance is capped at the burst, so
	// 512 KiB now owes 256 KiB: a quarter second.
	if d := b.reserve(512 << 10); d != 250*time.Millisecond {
		t.Errorf("after refill: wait %v, want 250ms", d)
	}
}

func TestExpansionIsProgressive(t *testing.T) {
	t.Parallel()
	// The listing of the second folder blocks until the first download has
	// started: a scan-everything-first engine would deadlock here.
	rem := newFakeRemote()
	top := rem.mkdirAt(rem.root, "top")
	rem.fileAt(top.ID, "first", []byte("1"), time.Unix(5, 0))
	sub := rem.mkdirAt(top.ID, "sub")
	rem.fileAt(sub.ID, "second", []byte("2"), time.Unix(5, 0))
	downloaded := make(chan struct{})
	var once sync.Once
	rem.downloadHook = func(string) { once.Do(func() { close(downloaded) }) }
	rem.listHook = func(id string) {
		if id == sub.ID {
			select {
			case <-downloaded:
			case <-time.After(20 * time.Second):
				t.Error("expansion waited for a full scan before transferring")
			}
		}
	}
	dst := t.TempDir()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(downloadReq(top, dst)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
}

func TestHostileRemoteNamesStayInside(t *testing.T) {
	t.Parallel()
	rem := newFakeRemote()
	top := rem.mkdirAt(rem.root, "top")
	for _, n := range []string{"../../escape", "a/b", "..", "\x1b[31mred", PartialPrefix + "x"} {
		rem.fileAt(top.ID, n, []byte(n), time.Unix(5, 0))
	}
	dst := t.TempDir()
	e := start(t, Options{Remote: rem})
	if _, err := e.Enqueue(downloadReq(top, filepath.Join(dst, "in"))); err == nil {
		waitIdle(t, e)
	} else {
		t.Fatal(err)
	}
	assertStates(t, e, model.StateDone)
	ents, _ := os.ReadDir(dst)
	if len(ents) != 1 || ents[0].Name() != "in" {
		t.Errorf("something escaped the destination: %v", ents)
	}
	files, _ := os.ReadDir(filepath.Join(dst, "in", "top"))
	if len(files) != 5 {
		t.Errorf("got %d files inside, want 5", len(files))
	}
	for _, f := range files {
		if IsPartialName(f.Name()) {
			t.Errorf("a remote name became a partial-file name: %q", f.Name())
		}
	}
}

func TestBandwidthLimitCountsEveryByte(t *testing.T) {
	t.Parallel()
	const size = 100 << 10
	dir, out := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	frozen := time.Unix(1000, 0)
	rem := newFakeRemote()
	// A frozen clock: the bucket never refills, so its balance shows
	// exactly how many bytes went through it.
	e := start(t, Options{Remote: rem, BandwidthLimit: 1 << 30, Now: func() time.Time { return frozen }})
	if _, err := e.Enqueue(uploadReq(p, rem.nodes[rem.root].entry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	up := rem.tree(rem.root)["f"].entry
	if _, err := e.Enqueue(downloadReq(up, out)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	if _, err := e.Enqueue(Request{Src: Endpoint{Path: p}, DstDir: Endpoint{Path: out}, Name: "copy"}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if used := e.bucket.burst - e.bucket.tokens; used != 3*size {
		t.Errorf("bytes through the shared bucket: got %v, want %d (upload + download + copy)", used, 3*size)
	}
}
