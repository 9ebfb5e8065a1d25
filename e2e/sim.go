package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// SimOptions choose how `megatui sim` runs.
type SimOptions struct {
	// TOTPSecret (base32) turns on two-factor login for the account.
	TOTPSecret string
	// DataLatency is added to every upload piece and download range, to
	// keep transfers running long enough to act on them.
	DataLatency time.Duration
}

// Sim is a `megatui sim` subprocess serving one account.
type Sim struct {
	URL        string // the API URL it printed
	CAFile     string // the CA of its https data URLs (for SSL_CERT_FILE)
	Email      string
	Password   string
	TOTPSecret string

	stderr *lockedBuffer
}

// lockedBuffer collects a subprocess's stderr for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartSim runs `bin sim` for a fresh account (the password goes in the
// environment, never in the arguments) and waits for its URL. The server
// is interrupted when the test ends.
func StartSim(t testing.TB, bin string, o SimOptions) *Sim {
	t.Helper()
	s := &Sim{Email: "e2e@megatui.test", Password: "correct horse e2e", TOTPSecret: o.TOTPSecret,
		stderr: &lockedBuffer{}}
	args := []string{"sim", "--user", s.Email}
	if o.TOTPSecret != "" {
		args = append(args, "--totp-secret", o.TOTPSecret)
	}
	if o.DataLatency > 0 {
		args = append(args, "--data-latency", o.DataLatency.String())
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MEGASIM_PASSWORD="+s.Password)
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start megatui sim: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})

	type urls struct{ api, ca string }
	got := make(chan urls, 1)
	go func() {
		var u urls
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "MEGA_API_URL="); ok {
				u.api = v
			}
			if v, ok := strings.CutPrefix(line, "SSL_CERT_FILE="); ok {
				u.ca = v
			}
			if u.api != "" && u.ca != "" {
				got <- u
				break
			}
		}
		// Keep draining so the server never blocks on a full pipe.
		for sc.Scan() {
		}
	}()
	select {
	case u := <-got:
		s.URL, s.CAFile = u.api, u.ca
	case <-done:
		t.Fatalf("megatui sim exited before printing its URL; stderr:\n%s", s.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("megatui sim printed no URL within 60s; stderr:\n%s", s.stderr)
	}
	return s
}

// HTTPClient trusts the sim's CA, for its https data URLs.
func (s *Sim) HTTPClient(t testing.TB) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", s.CAFile)
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
}

// MFACode is the account's current two-factor code ("" without 2FA).
func (s *Sim) MFACode(t testing.TB) string {
	t.Helper()
	if s.TOTPSecret == "" {
		return ""
	}
	code, err := megasim.TOTPCode(s.TOTPSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// Connect logs a second client in, to seed the account and check what the
// binary did on the server side. Each call sees the server's tree as it is
// now; the client is closed when the test ends.
func (s *Sim) Connect(t testing.TB) *megaclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "e2e-check", Email: s.Email, Password: s.Password,
		MFACode: s.MFACode(t), APIURL: s.URL, HTTPClient: s.HTTPClient(t)})
	if err != nil {
		t.Fatalf("connect to the sim: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Env is one user's world for the binary: config, state, cache and home
// folders in a temporary directory, plus a local folder for the left pane.
// Two runs with the same Env share the transfer journal (a restart).
type Env struct {
	Root  string // holds home/, config/, state/, cache/
	Local string // the left pane's starting folder
	Sim   *Sim
	bin   string
	vars  []string
}

// NewEnv writes a config with the remote "mega" pointing at sim (no
// keyring: the login form asks for the password).
func NewEnv(t testing.TB, bin string, sim *Sim) *Env {
	t.Helper()
	root := t.TempDir()
	e := &Env{Root: root, Local: filepath.Join(root, "local"), Sim: sim, bin: bin}
	for _, d := range []string{"home", "config", "state", "cache", "local"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(root, "config", "config.toml")
	body := fmt.Sprintf("[[remote]]\nname = \"mega\"\nemail = %q\napi_url = %q\n", sim.Email, sim.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e.vars = []string{
		"MEGATUI_CONFIG=" + cfg,
		"HOME=" + filepath.Join(root, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(root, "cache"),
		"MEGATUI_KEYRING=off",
		"SSL_CERT_FILE=" + sim.CAFile,
	}
	return e
}

// Cols and Rows are the terminal size every test starts with.
const (
	Cols = 140
	Rows = 40
)

// Start runs the TUI (megatui LOCAL args...) in tmux at Cols×Rows.
func (e *Env) Start(t testing.TB, args ...string) *Session {
	t.Helper()
	argv := append([]string{e.bin}, args...)
	if len(args) == 0 {
		argv = append(argv, e.Local)
	}
	return Start(t, Cols, Rows, e.Local, e.vars, argv...)
}

// TypeSecret types text like Type, but hands it to tmux on stdin (a
// paste buffer) so that it never appears in a process's arguments.
func (s *Session) TypeSecret(text string) {
	s.t.Helper()
	load := exec.Command("tmux", "-L", s.socket, "load-buffer", "-b", "e2e-secret", "-")
	load.Stdin = strings.NewReader(text)
	if out, err := load.CombinedOutput(); err != nil {
		s.t.Fatalf("tmux load-buffer: %v\n%s", err, out)
	}
	s.tmux("paste-buffer", "-d", "-b", "e2e-secret", "-t", "0")
}

// Login fills the TUI's login form: the password, then the 2FA code when
// the account has one, and waits until the MEGA pane is logged in.
func (e *Env) Login(t testing.TB, s *Session) {
	t.Helper()
	s.WaitFor(`Log in to mega`, 30*time.Second)
	s.WaitFor(`›Password`, 5*time.Second)
	s.TypeSecret(e.Sim.Password)
	s.Keys("Enter")
	if e.Sim.TOTPSecret != "" {
		s.WaitFor(`two-factor authentication`, 30*time.Second)
		s.TypeSecret(e.Sim.MFACode(t))
		s.Keys("Enter")
	}
	s.WaitFor(`logged in to mega`, 30*time.Second)
}

// CLI runs a megatui subcommand against the sim's account with the
// credentials in the environment, and returns its stdout.
func (e *Env) CLI(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(e.bin, args...)
	cmd.Dir = e.Root
	cmd.Env = append(os.Environ(), e.vars...)
	cmd.Env = append(cmd.Env, "MEGATUI_USER="+e.Sim.Email, "MEGATUI_PASSWORD="+e.Sim.Password,
		"MEGATUI_API_URL="+e.Sim.URL, "MEGATUI_MFA_CODE="+e.Sim.MFACode(t),
		// The CLI reads the environment's remote "mega", not the file's.
		"MEGATUI_CONFIG="+filepath.Join(e.Root, "config", "cli.toml"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("megatui %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
