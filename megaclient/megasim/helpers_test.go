package megasim

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	mega "github.com/t3rm1n4l/go-mega"
)

const (
	testEmail    = "alice@example.com"
	testPassword = "correct horse battery staple"
)

func startServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if len(opts.Accounts) == 0 {
		opts.Accounts = []Account{{Email: testEmail, Password: testPassword, Version: 1}}
	}
	srv, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

// newClient returns a go-mega client pointed at srv. Its logger is off:
// go-mega logs URLs with the session id, and its event poller outlives
// the test.
func newClient(t testing.TB, srv *Server) *mega.Mega {
	t.Helper()
	m := mega.New()
	m.SetLogger(nil)
	m.SetAPIUrl(srv.URL())
	m.SetClient(srv.HTTPClient())
	return m
}

// login logs in with go-mega, its logs going to the test log.
func login(t testing.TB, srv *Server, email, password string) *mega.Mega {
	t.Helper()
	m := newClient(t, srv)
	if err := m.Login(email, password); err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return m
}

// api posts one cs request and returns the HTTP status and raw body.
func api(t testing.TB, srv *Server, sid string, body string) (int, string) {
	t.Helper()
	u := srv.URL() + "/cs?id=" + b64(randomBytes(6))
	if sid != "" {
		u += "&sid=" + sid
	}
	resp, err := http.Post(u, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("post %s: %v", body, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	return resp.StatusCode, string(b)
}

// cmd marshals command objects as a cs request body.
func cmd(t testing.TB, cmds ...any) string {
	t.Helper()
	b, err := json.Marshal(cmds)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tempFile writes content to a file named name in a fresh directory.
func tempFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func randomContent(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// fetchNodes returns the "f" array of a fetch by sid.
func fetchNodes(t testing.TB, srv *Server, sid string) []map[string]any {
	t.Helper()
	code, body := api(t, srv, sid, `[{"a":"f","c":1}]`)
	if code != 200 {
		t.Fatalf("f: HTTP %d", code)
	}
	var res []struct {
		F []map[string]any `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res) != 1 {
		t.Fatalf("f reply %.200s: %v", body, err)
	}
	return res[0].F
}

func mustEqual[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func childByName(t testing.TB, m *mega.Mega, parent *mega.Node, name string) *mega.Node {
	t.Helper()
	kids, err := m.FS.GetChildren(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kids {
		if k.GetName() == name {
			return k
		}
	}
	t.Fatalf("no child %q under %q", name, parent.GetName())
	return nil
}

func downloadBytes(t testing.TB, m *mega.Mega, n *mega.Node) ([]byte, error) {
	t.Helper()
	dst := filepath.Join(t.TempDir(), fmt.Sprintf("dl-%s", n.GetHash()))
	if err := m.DownloadFile(n, dst, nil); err != nil {
		return nil, err
	}
	return os.ReadFile(dst)
}
