package operations

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

const (
	testEmail = "ops@example.com"
	testPass  = "operations password"
)

func startSim(t testing.TB) *megasim.Server {
	t.Helper()
	s, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: testEmail, Password: testPass}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func connect(t testing.TB, s *megasim.Server) *megaclient.Client {
	t.Helper()
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "mega", Email: testEmail, Password: testPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// writeTree writes files (relative path -> content) under dir with a
// fixed mtime each.
func writeTree(t testing.TB, dir string, files map[string]string, mtime time.Time) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(full, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// uploadTree stores files under the MEGA folder root.
func uploadTree(t testing.TB, c *megaclient.Client, root string, files map[string]string, mtime time.Time) {
	t.Helper()
	ctx := context.Background()
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, p := range keys {
		dir := root
		if i := strings.LastIndexByte(p, '/'); i >= 0 {
			dir = strings.TrimRight(root, "/") + "/" + p[:i]
		}
		d, err := c.MkdirAll(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(files[p])
		if _, err := c.Upload(ctx, d.ID, baseRel(p), bytes.NewReader(body), int64(len(body)), mtime, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// memLog collects log lines without time stamps.
type memLog struct {
	TextLog
	buf bytes.Buffer
}

func newMemLog() *memLog {
	l := &memLog{}
	l.W, l.Level, l.NoTime = &l.buf, LevelDebug, true
	return l
}

func (l *memLog) String() string { return l.buf.String() }

func sequence(n int, f func(i int) (string, string)) map[string]string {
	m := map[string]string{}
	for i := range n {
		k, v := f(i)
		m[k] = v
	}
	return m
}

var _ = fmt.Sprintf

// plainUpload stores a file the way rclone and megatools do: through
// go-mega, with no fingerprint attribute. It waits until c sees it.
func plainUpload(t testing.TB, s *megasim.Server, c *megaclient.Client, folder, name string, body []byte) {
	t.Helper()
	m := mega.New().SetClient(s.HTTPClient())
	m.SetLogger(func(string, ...any) {})
	m.SetAPIUrl(s.URL())
	if err := m.Login(testEmail, testPass); err != nil {
		t.Fatal(err)
	}
	parent := m.FS.GetRoot()
	if folder != "/" {
		ns, err := m.FS.PathLookup(parent, strings.Split(strings.Trim(folder, "/"), "/"))
		if err != nil {
			t.Fatal(err)
		}
		parent = ns[len(ns)-1]
	}
	p := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(p, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := m.UploadFile(p, parent, name, nil); err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimRight(folder, "/") + "/" + name
	for range 100 {
		if e, err := c.Stat(context.Background(), ref); err == nil {
			if e.Fingerprint != "" {
				t.Fatalf("%s has a fingerprint", ref)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never reached the client", ref)
}
