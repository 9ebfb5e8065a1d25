package ui

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/transfers"
	"github.com/megatui/megatui/ui/uitest"
)

// memFS is an in-memory filesystem for tests.
type memFS struct {
	label string
	mu    sync.Mutex
	dirs  map[string][]model.Entry
	calls []string
	// failList makes List of a folder fail.
	failList map[string]error
	// block, when set, makes List of a folder wait until it is closed.
	block map[string]chan struct{}
}

func newMemFS(label string) *memFS {
	return &memFS{label: label, dirs: map[string][]model.Entry{"/": nil}, failList: map[string]error{}, block: map[string]chan struct{}{}}
}

var testTime = time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)

// add creates a file or (with a trailing slash) a folder, with parents.
func (f *memFS) add(p string, size int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	isDir := strings.HasSuffix(p, "/")
	p = path.Clean("/" + p)
	f.ensureDir(path.Dir(p))
	e := model.Entry{Name: path.Base(p), Size: size, ModTime: testTime.Add(time.Duration(size) * time.Minute)}
	if isDir {
		e.Kind = model.KindDir
		e.Size = 0
		if _, ok := f.dirs[p]; !ok {
			f.dirs[p] = nil
		}
	}
	f.dirs[path.Dir(p)] = append(f.dirs[path.Dir(p)], e)
}

func (f *memFS) ensureDir(d string) {
	if _, ok := f.dirs[d]; ok {
		return
	}
	f.ensureDir(path.Dir(d))
	f.dirs[d] = nil
	f.dirs[path.Dir(d)] = append(f.dirs[path.Dir(d)], model.Entry{Name: path.Base(d), Kind: model.KindDir, ModTime: testTime})
}

func (f *memFS) names(dir string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.dirs[dir] {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}

func (f *memFS) Label() string                { return f.label }
func (f *memFS) Join(dir, name string) string { return path.Join(dir, name) }
func (f *memFS) Parent(p string) string       { return path.Dir(p) }

func (f *memFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	f.mu.Lock()
	ch := f.block[dir]
	f.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "list "+dir)
	if err := f.failList[dir]; err != nil {
		return nil, err
	}
	es, ok := f.dirs[dir]
	if !ok {
		return nil, fmt.Errorf("list %s: %w", dir, model.ErrNotFound)
	}
	return slices.Clone(es), nil
}

func (f *memFS) find(dir, name string) int {
	return slices.IndexFunc(f.dirs[dir], func(e model.Entry) bool { return e.Name == name })
}

func (f *memFS) Mkdir(_ context.Context, dir, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "mkdir "+path.Join(dir, name))
	if f.find(dir, name) >= 0 {
		return model.ErrExists
	}
	f.dirs[dir] = append(f.dirs[dir], model.Entry{Name: name, Kind: model.KindDir, ModTime: testTime})
	f.dirs[path.Join(dir, name)] = nil
	return nil
}

func (f *memFS) Rename(_ context.Context, p, newName string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "rename "+p+" "+newName)
	dir := path.Dir(p)
	i := f.find(dir, path.Base(p))
	if i < 0 {
		return model.ErrNotFound
	}
	if f.find(dir, newName) >= 0 {
		return model.ErrExists
	}
	f.dirs[dir][i].Name = newName
	return nil
}

func (f *memFS) Remove(_ context.Context, p string, permanent bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf("remove %s permanent=%v", p, permanent))
	dir := path.Dir(p)
	i := f.find(dir, path.Base(p))
	if i < 0 {
		return model.ErrNotFound
	}
	f.dirs[dir] = slices.Delete(f.dirs[dir], i, i+1)
	return nil
}

func (f *memFS) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// megaFS adds MEGA's optional capabilities to memFS.
type megaFS struct {
	*memFS
	origin   map[string]string // rubbish name -> original folder
	linkKey  string            // the key part of exported links ("" = "key")
	probeErr error             // what Probe answers
	removed  []string          // paths whose link was removed
}

const binPath = "/Rubbish Bin"

func newMegaFS() *megaFS {
	m := &megaFS{memFS: newMemFS("mega:me@example.com"), origin: map[string]string{}}
	m.dirs[binPath] = nil
	return m
}

func (m *megaFS) RubbishPath() string { return binPath }

func (m *megaFS) Remove(ctx context.Context, p string, permanent bool) error {
	m.mu.Lock()
	var e model.Entry
	if i := m.find(path.Dir(p), path.Base(p)); i >= 0 {
		e = m.dirs[path.Dir(p)][i]
	}
	m.mu.Unlock()
	if err := m.memFS.Remove(ctx, p, permanent); err != nil {
		return err
	}
	if !permanent {
		m.mu.Lock()
		m.dirs[binPath] = append(m.dirs[binPath], e)
		m.origin[e.Name] = path.Dir(p)
		m.mu.Unlock()
	}
	return nil
}

func (m *megaFS) Restore(_ context.Context, p string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(binPath, path.Base(p))
	if i < 0 {
		return "", model.ErrNotFound
	}
	e := m.dirs[binPath][i]
	m.dirs[binPath] = slices.Delete(m.dirs[binPath], i, i+1)
	to := m.origin[e.Name]
	m.dirs[to] = append(m.dirs[to], e)
	return to, nil
}

func (m *megaFS) ExportLink(_ context.Context, p string) (string, error) {
	k := m.linkKey
	if k == "" {
		k = "key"
	}
	return "https://mega.nz/file/" + path.Base(p) + "#" + k, nil
}

func (m *megaFS) Probe(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.probeErr
}

func (m *megaFS) RemoveLink(_ context.Context, p string) error {
	m.mu.Lock()
	m.removed = append(m.removed, p)
	m.mu.Unlock()
	return nil
}

func (m *megaFS) Quota(context.Context) (int64, int64, error) { return 5 << 30, 20 << 30, nil }

// fakeTransfers records what the UI enqueues and the job controls used.
type fakeTransfers struct {
	mu      sync.Mutex
	reqs    []TransferRequest
	active  int
	ctl     []string
	updates chan transfers.Snapshot // nil: no snapshots
	// answerErr makes Answer fail.
	answerErr error
}

func (t *fakeTransfers) record(op string, id model.JobID) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ctl = append(t.ctl, fmt.Sprintf("%s %d", op, id))
	return nil
}

func (t *fakeTransfers) Pause(id model.JobID) error       { return t.record("pause", id) }
func (t *fakeTransfers) Resume(id model.JobID) error      { return t.record("resume", id) }
func (t *fakeTransfers) Cancel(id model.JobID) error      { return t.record("cancel", id) }
func (t *fakeTransfers) Retry(id model.JobID) error       { return t.record("retry", id) }
func (t *fakeTransfers) MoveToFront(id model.JobID) error { return t.record("front", id) }
func (t *fakeTransfers) PauseAll() int                    { return t.all("pause all") }
func (t *fakeTransfers) ResumeAll() int                   { return t.all("resume all") }
func (t *fakeTransfers) CancelAll() int                   { return t.all("cancel all") }
func (t *fakeTransfers) RetryFailed() int                 { return t.all("retry failed") }
func (t *fakeTransfers) ClearFinished() int               { return t.all("clear finished") }

func (t *fakeTransfers) all(op string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ctl = append(t.ctl, op)
	return 2
}

// Answer records the answer; answerErr, when set, is returned instead.
func (t *fakeTransfers) Answer(id model.JobID, c model.Conflict, all bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.answerErr != nil {
		return t.answerErr
	}
	t.ctl = append(t.ctl, fmt.Sprintf("answer %d %s all=%v", id, conflictLabel(c), all))
	return nil
}

func (t *fakeTransfers) controls() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ctl)
}

func (t *fakeTransfers) Updates() <-chan transfers.Snapshot {
	if t.updates == nil {
		return nil
	}
	return t.updates
}

func (t *fakeTransfers) Enqueue(_ context.Context, r TransferRequest) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reqs = append(t.reqs, r)
	return nil
}

func (t *fakeTransfers) Active() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.active
}

// harness drives App synchronously (uitest.Driver): every Cmd is run and
// its message fed back. App starts no timers (the input cursor does not
// blink), so every Cmd returns promptly.
type harness struct {
	t     testing.TB
	app   *App
	local *memFS
	mega  *megaFS
	tr    *fakeTransfers
	drv   *uitest.Driver
}

func fixture() (*memFS, *megaFS) {
	local := newMemFS("local")
	local.add("/home/u/docs/", 0)
	local.add("/home/u/docs/inner.txt", 10)
	local.add("/home/u/photos/", 0)
	local.add("/home/u/a.txt", 1200)
	local.add("/home/u/b.txt", 300)
	local.add("/home/u/c.jpg", 52000)
	local.add("/home/u/.hidden", 5)
	local.add("/home/u/日本語ファイル.txt", 2048)
	local.add("/home/u/evil\x1b[31mred.txt", 7)
	mega := newMegaFS()
	mega.add("/Cloud/", 0)
	mega.add("/Cloud/report.pdf", 4_500_000)
	mega.add("/Cloud/notes.md", 900)
	return local, mega
}

func newHarness(t testing.TB, w, h int) *harness {
	t.Helper()
	local, mega := fixture()
	tr := &fakeTransfers{}
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud",
		Transfers: tr, Styles: &st, Location: time.UTC})
	hs := &harness{t: t, app: app, local: local, mega: mega, tr: tr}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(app.Init())
	return hs
}

// driver is the synchronous driver of h.app (made on first use, since
// some tests build the harness by hand).
func (h *harness) driver() *uitest.Driver {
	if h.drv == nil || h.drv.Model != tea.Model(h.app) {
		h.drv = uitest.New(h.t, h.app)
	}
	return h.drv
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	h.driver().Send(msg)
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	h.driver().Run(cmd)
}

// quit reports whether a Cmd quit the program.
func (h *harness) quit() bool { return h.driver().Quit }

// press sends key presses by name: "down", "ctrl+a", "f5", "j", "space".
func (h *harness) press(keys ...string) {
	h.t.Helper()
	h.drv.Press(keys...)
}

// typeText types literal text.
func (h *harness) typeText(s string) {
	h.t.Helper()
	h.drv.Type(s)
}

func keyMsg(s string) tea.KeyPressMsg { return uitest.Key(s) }

// current is the name under the cursor of the focused pane.
func (h *harness) current() string {
	e, _ := h.app.Pane(h.app.Focus()).Current()
	return e.Name
}

func (h *harness) rows(p int) []string {
	l := h.app.Pane(p)
	out := make([]string, l.Len())
	for i := range out {
		out[i] = l.Row(i).Name
	}
	return out
}
