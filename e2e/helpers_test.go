package e2e

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// megatui is the binary under test, built once per test process.
var megatui Binary

// TestMain removes the binary built for this test process when the tests
// are done (Binary keeps it for the life of the process).
func TestMain(m *testing.M) {
	code := m.Run()
	if megatui.path != "" {
		_ = os.RemoveAll(filepath.Dir(megatui.path))
	}
	os.Exit(code)
}

// binPath is the binary under test: MEGATUI_E2E_BIN when set (a binary
// built beforehand, e.g. by CI), otherwise megatui built from this tree.
func binPath(t testing.TB) string {
	t.Helper()
	RequireTmux(t) // before anything is started
	if p := os.Getenv("MEGATUI_E2E_BIN"); p != "" {
		return p
	}
	return megatui.Path(t)
}

// Timeouts: generous, because the whole package shares two cores.
const (
	short = 15 * time.Second
	long  = 90 * time.Second
)

// setup starts a sim with o, an Env, and the TUI logged in (left pane
// focused). files are written to the local folder before the start.
func setup(t *testing.T, o SimOptions, files map[string][]byte) (*Env, *Session) {
	t.Helper()
	bin := binPath(t)
	sim := StartSim(t, bin, o)
	env := NewEnv(t, bin, sim)
	for name, b := range files {
		writeFile(t, filepath.Join(env.Local, name), b)
	}
	s := env.Start(t)
	env.Login(t, s)
	return env, s
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// randomBytes returns n reproducible bytes (incompressible, so every
// byte is checked).
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// seed uploads content as parent/name through a second client.
func seed(t *testing.T, c *megaclient.Client, parent, name string, content []byte, mtime time.Time) model.Entry {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), long)
	defer cancel()
	e, err := c.Upload(ctx, parent, name, bytes.NewReader(content), int64(len(content)), mtime, nil)
	if err != nil {
		t.Fatalf("seed %s/%s: %v", parent, name, err)
	}
	return e
}

func mkdir(t *testing.T, c *megaclient.Client, parent, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), long)
	defer cancel()
	if _, err := c.Mkdir(ctx, parent, name); err != nil {
		t.Fatalf("mkdir %s/%s: %v", parent, name, err)
	}
}

// list returns the entries of a folder on the server, through a fresh
// client (so it sees the server's state now).
func list(t *testing.T, env *Env, ref string) []model.Entry {
	t.Helper()
	c := env.Sim.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), long)
	defer cancel()
	es, err := c.List(ctx, ref)
	if err != nil {
		t.Fatalf("list %s on the server: %v", ref, err)
	}
	return es
}

// named returns the entries called name.
func named(es []model.Entry, name string) []model.Entry {
	var out []model.Entry
	for _, e := range es {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

func names(es []model.Entry) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// download reads a file from the server through a fresh client.
func download(t *testing.T, env *Env, ref string) []byte {
	t.Helper()
	c := env.Sim.Connect(t)
	ctx, cancel := context.WithTimeout(context.Background(), long)
	defer cancel()
	f, err := os.Create(filepath.Join(t.TempDir(), "download"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := c.Download(ctx, ref, f, nil); err != nil {
		t.Fatalf("download %s from the server: %v", ref, err)
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// filter narrows the focused pane to name (the cursor lands on the first
// match) and keeps the filter.
func filter(s *Session, name string) {
	s.t.Helper()
	s.Keys("/")
	s.WaitFor(`enter keep · esc clear`, short)
	s.Type(name)
	s.Keys("Enter")
	s.WaitFor(`filter: `+regexp.QuoteMeta(name), short)
}

// clearFilter drops the focused pane's filter. Escape goes alone and is
// waited on: an escape followed at once by more keys would read as Alt.
func clearFilter(s *Session, name string) {
	s.t.Helper()
	s.Keys("Escape")
	s.WaitGone(`filter: `+regexp.QuoteMeta(name), short)
}

// open enters the folder name of the focused pane, whose header is title
// (e.g. "mega: e2e@megatui.test:").
func open(s *Session, title, dir, name string) {
	s.t.Helper()
	filter(s, name)
	s.Keys("Enter")
	s.WaitFor(regexp.QuoteMeta(title+filepath.Join(dir, name))+` ─`, short)
}

// showTransfers makes sure the transfer panel is on screen.
func showTransfers(s *Session) {
	s.t.Helper()
	if !strings.Contains(s.Screen(), "Transfers ·") {
		s.Keys("t")
		s.WaitFor(`Transfers ·`, short)
	}
}

// copyCursor copies the entry under the focused pane's cursor to the other
// pane through the confirm dialog.
func copyCursor(s *Session, name string) {
	s.t.Helper()
	s.Keys("F5")
	s.WaitFor(`Copy "`+regexp.QuoteMeta(name)+`"`, short)
	s.Keys("Enter")
	s.WaitFor(`queued copy of 1 item`, short)
}
