//go:build linux

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/e2e"
	"github.com/megatui/megatui/internal/secretservicetest"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
)

// Tests against the real OS keyring. godbus connects to the session bus
// once per process and reads DBUS_SESSION_BUS_ADDRESS only then, so every
// test that needs a particular bus runs in a child process: the test
// binary re-executed with -test.run for just that test.
//
// CI runs the tests inside dbus-run-session with an unlocked
// gnome-keyring-daemon; without a usable Secret Service the Secret
// Service test starts a private one (dbus-run-session + gnome-keyring with
// a throw-away HOME) when those programs are installed, else skips (fails
// with MEGATUI_REQUIRE_ALL=1).

const (
	cliChildEnv     = "MEGATUI_CLI_KEYRING_CHILD"
	cliChildPrivate = "private-secret-service"
	cliChildNoDBus  = "no-dbus"
	cliTestService  = "megatui-cli-test"
	childTimeout    = 90 * time.Second
)

// TestSecretServiceLoginThenLs: `megatui login` stores the session in the
// real Secret Service, and the next command (ls) resumes it with no
// password login; logout removes it again.
func TestSecretServiceLoginThenLs(t *testing.T) {
	if os.Getenv(cliChildEnv) == cliChildNoDBus {
		t.Skip("not in the no-D-Bus child")
	}
	keys := keyring.New(keyring.WithService(cliTestService), keyring.WithTimeout(20*time.Second))
	st := keys.Status()
	if os.Getenv(cliChildEnv) != cliChildPrivate && !st.Usable() {
		t.Parallel()
		secretservicetest.RunInPrivate(t, cliChildEnv, cliChildPrivate, childTimeout)
		return
	}
	if !st.Usable() {
		t.Fatalf("private Secret Service not usable: %+v", st)
	}
	remote := "ss-" + time.Now().Format("150405.000000")
	t.Cleanup(func() { _ = keys.Delete(remote) })

	s := startLoginSim(t)
	e := newLoginEnv(t, s, keys)
	e.login(remote, loginEmail, loginPass)
	raw, err := gokeyring.Get(cliTestService, remote)
	if err != nil {
		t.Fatalf("the Secret Service has no entry for %s after login: %v", remote, err)
	}
	// A later run builds its own Store: it finds the session there.
	sess, err := keyring.New(keyring.WithService(cliTestService)).LoadSession(remote)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, sess.SessionID) {
		t.Error("the Secret Service entry holds the session id in the clear")
	}
	us := s.CommandCount("us")
	if us != 1 {
		t.Fatalf("password logins after login: %d, want 1", us)
	}
	e.mustRun("", "mkdir", remote+":/from-login")
	if got, want := e.mustRun("", "lsf", remote+":"), "from-login/\n"; got != want {
		t.Errorf("ls: got %q, want %q", got, want)
	}
	if got := s.CommandCount("us"); got != us {
		t.Errorf("ls after login performed %d password login(s), want none", got-us)
	}
	if out := e.mustRun("", "remotes"); !strings.Contains(out, "keyring: usable") || !strings.Contains(out, "stored") {
		t.Errorf("remotes: %q", out)
	}
	secrets := sessionSecrets(toClientSession(sess))
	secrets["password"] = secretForms([]byte(loginPass))
	assertTreeClean(t, e.home, secrets)
	assertNoSecret(t, "command output", e.transcript.Bytes(), secrets)

	e.mustRun("", "logout", remote)
	if got := s.CommandCount("sml"); got != 1 {
		t.Errorf("sml after logout: %d, want 1", got)
	}
	if _, err := gokeyring.Get(cliTestService, remote); !errors.Is(err, gokeyring.ErrNotFound) {
		t.Errorf("the Secret Service still has the entry after logout: %v", err)
	}
}

// TestNoDBusLoginFallsBack runs the fallback scenario against the real
// go-keyring with DBUS_SESSION_BUS_ADDRESS pointing at nothing.
func TestNoDBusLoginFallsBack(t *testing.T) {
	if os.Getenv(cliChildEnv) != cliChildNoDBus {
		t.Parallel()
		secretservicetest.RunChild(t, secretservicetest.RerunCommand(t, childTimeout, cliChildEnv+"="+cliChildNoDBus,
			"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus-here")))
		return
	}
	keys := keyring.New(keyring.WithService(cliTestService), keyring.WithTimeout(10*time.Second))
	if st := keys.Status(); st.State != keyring.StateNoSecretService {
		t.Fatalf("keyring status with no D-Bus: %+v", st)
	}
	noKeyringScenario(t, keys)
}

// TestBinaryLoginKeepsPasswordOutOfArgs runs the built binary: the
// password travels on stdin, never in its argv (checked in /proc while
// it waits for the password) or environment; with no D-Bus it says why
// the session is not kept, and MEGATUI_PASSWORD then works.
func TestBinaryLoginKeepsPasswordOutOfArgs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if os.Getenv(cliChildEnv) != "" {
		t.Skip("not in a keyring child")
	}
	t.Parallel()
	s := startLoginSim(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "megatui")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/megatui/megatui").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "SSL_CERT_FILE=" + s.CAFile(),
		"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(dir, "no-bus-here")}

	cmd := exec.Command(bin, "login", "work", "--user", loginEmail, "--api-url", s.URL(), "--password-stdin")
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The process is waiting for its password now; look at what others
	// on the machine could see.
	for _, f := range []string{"cmdline", "environ"} {
		data, err := procFile(cmd.Process.Pid, f)
		if err != nil {
			t.Fatalf("read /proc/%d/%s: %v", cmd.Process.Pid, f, err)
		}
		if f == "cmdline" && !bytes.Contains(data, []byte("--password-stdin")) {
			t.Errorf("/proc/%d/cmdline does not look like the login: %q", cmd.Process.Pid, data)
		}
		if bytes.Contains(data, []byte(loginPass)) {
			t.Errorf("the password is in /proc/%d/%s", cmd.Process.Pid, f)
		}
	}
	if _, err := stdin.Write([]byte(loginPass + "\n")); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("login: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "the keyring is not available (no Secret Service on D-Bus") {
		t.Errorf("login stderr: %q, want the plain keyring message", stderr.String())
	}
	transcript := stdout.String() + stderr.String()

	run := func(extraEnv []string, args ...string) (string, string, error) {
		c := exec.Command(bin, args...)
		c.Env = append(append([]string(nil), env...), extraEnv...)
		var so, se bytes.Buffer
		c.Stdout, c.Stderr = &so, &se
		err := c.Run()
		transcript += so.String() + se.String()
		return so.String(), se.String(), err
	}
	if _, se, err := run(nil, "lsf", "work:"); err == nil || !strings.Contains(se, `no session for remote "work": run megatui login work`) {
		t.Errorf("ls with no keyring and no password: %v, stderr %q", err, se)
	}
	if so, se, err := run([]string{"MEGATUI_PASSWORD=" + loginPass}, "lsf", "work:"); err != nil || so != "" {
		t.Errorf("ls with MEGATUI_PASSWORD: %v, stdout %q, stderr %q", err, so, se)
	}
	if _, se, err := run(nil, "login", "work", "--password", "x"); err == nil || !strings.Contains(se, "unknown flag: --password") {
		t.Errorf("login --password: %v, stderr %q; want an unknown flag", err, se)
	}
	if strings.Contains(transcript, loginPass) {
		t.Error("the password appears in the binary's output")
	}
	cfgPath := filepath.Join(home, "config", "megatui", "config.toml")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := cfg.Remote("work"); !ok || r.Email != loginEmail {
		t.Errorf("config after the binary's login: %+v", cfg.Remotes)
	}
	assertTreeClean(t, home, map[string][]string{"password": secretForms([]byte(loginPass))})

	// On a terminal the password is asked for without echo.
	tty := e2e.Start(t, 120, 24, dir, env, bin, "login", "tty", "--user", loginEmail, "--api-url", s.URL())
	tty.WaitFor(`Password for `+regexp.QuoteMeta(loginEmail)+`:`, 20*time.Second)
	tty.Type(loginPass)
	tty.Keys("Enter")
	screen := tty.WaitFor(`\[exited: \d+\]`, 20*time.Second)
	if !strings.Contains(screen, "Logged in to tty as "+loginEmail) || !strings.Contains(screen, "[exited: 0]") {
		t.Errorf("terminal login screen:\n%s", screen)
	}
	t.Logf("terminal login screen:\n%s", strings.TrimRight(screen, "\n"))
	if strings.Contains(screen, loginPass) {
		t.Errorf("the typed password was echoed:\n%s", screen)
	}
}

// procFile reads /proc/PID/NAME, waiting out the instant right after
// exec when the new image's arguments are not yet mapped (empty read).
func procFile(pid int, name string) ([]byte, error) {
	p := filepath.Join("/proc", strconv.Itoa(pid), name)
	deadline := time.Now().Add(5 * time.Second)
	for {
		data, err := os.ReadFile(p)
		if err != nil || len(data) > 0 || time.Now().After(deadline) {
			return data, err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func toClientSession(s keyring.Session) megaclient.Session {
	return megaclient.Session{Email: s.Email, SessionID: s.SessionID, MasterKey: s.MasterKey}
}

func TestParseLocation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arg  string
		want location
	}{
		{"mega:", location{remote: "mega", path: "/"}},
		{"mega:/", location{remote: "mega", path: "/"}},
		{"mega:a/b/", location{remote: "mega", path: "/a/b"}},
		{"mega:/a//", location{remote: "mega", path: "/a"}},
		{"mega://bin", location{remote: "mega", path: "//bin"}},
		{"mega://bin/", location{remote: "mega", path: "//bin"}},
		{"mega://bin/x/", location{remote: "mega", path: "//bin/x"}},
		{"mega://shares/", location{remote: "mega", path: "//shares"}},
		{"mega:H:AbCdEfGh", location{remote: "mega", path: "H:AbCdEfGh"}},
		{"mega:H:AbCdEfGh/", location{remote: "mega", path: "H:AbCdEfGh"}},
		{"me@x:/a", location{remote: "me@x", path: "/a"}},
		{"work+2:b", location{remote: "work+2", path: "/b"}},
		{"./local:file", location{path: "./local:file"}},
		{".hidden:file", location{path: ".hidden:file"}},
		{"/tmp/x", location{path: "/tmp/x"}},
	} {
		if got := parseLocation(tc.arg); got != tc.want {
			t.Errorf("parseLocation(%q): got %+v, want %+v", tc.arg, got, tc.want)
		}
	}
}
