package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/internal/keyringtest"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

const (
	loginEmail = "login@example.com"
	loginPass  = "correct horse battery staple"
	mfaEmail   = "mfa@example.com"
	mfaPass    = "mfa account password"
	mfaSecret  = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

func startLoginSim(t *testing.T) *megasim.Server {
	t.Helper()
	return startSimWith(t,
		megasim.Account{Email: loginEmail, Password: loginPass, Version: 2},
		megasim.Account{Email: mfaEmail, Password: mfaPass, Version: 2, TOTPSecret: mfaSecret})
}

// startSimWith starts a megasim holding accounts, closed when the test ends.
func startSimWith(t *testing.T, accounts ...megasim.Account) *megasim.Server {
	t.Helper()
	s, err := megasim.Start(megasim.Options{Accounts: accounts})
	if err != nil {
		t.Fatalf("start megasim: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loginEnv runs megatui commands in-process, through the cobra root, with
// a private HOME/XDG tree, environment and keyring.
type loginEnv struct {
	t    *testing.T
	sim  *megasim.Server
	home string
	vars map[string]string
	keys *keyring.Store
	// answers for terminal prompts; nil means stdin is not a terminal.
	lines, secrets []string
	interactive    bool
	// transcript of every command's stdout and stderr, scanned for secrets.
	transcript bytes.Buffer
}

func newLoginEnv(t *testing.T, sim *megasim.Server, keys *keyring.Store) *loginEnv {
	t.Helper()
	home := t.TempDir()
	return &loginEnv{t: t, sim: sim, home: home, keys: keys, vars: map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_STATE_HOME":  filepath.Join(home, "state"),
		"XDG_CACHE_HOME":  filepath.Join(home, "cache"),
	}}
}

// newMemLoginEnv is a loginEnv on sim with a fresh in-memory keyring, which
// it also returns for tests that look inside the keyring or break it.
func newMemLoginEnv(t *testing.T, sim *megasim.Server) (*loginEnv, *keyringtest.Memory) {
	t.Helper()
	mem := keyringtest.New()
	return newLoginEnv(t, sim, keyring.NewWithBackend(mem)), mem
}

func (e *loginEnv) configFile() string {
	return filepath.Join(e.home, "config", "megatui", "config.toml")
}

func (e *loginEnv) run(stdin string, args ...string) (stdout, stderr string, err error) {
	e.t.Helper()
	var out, errb bytes.Buffer
	vars := make(map[string]string, len(e.vars))
	for k, v := range e.vars {
		vars[k] = v
	}
	env := Env{
		Env: account.Env{
			Getenv:     func(k string) string { return vars[k] },
			HTTPClient: e.sim.HTTPClient(),
			Keys:       e.keys,
			Stderr:     &errb,
		},
		Stdin: strings.NewReader(stdin),
	}
	if e.interactive {
		env.ReadLine = func(string) (string, error) { return e.pop(&e.lines) }
		env.ReadSecret = func(string) (string, error) { return e.pop(&e.secrets) }
	}
	root := New(env, "test")
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err = root.ExecuteContext(context.Background())
	e.transcript.WriteString(out.String())
	e.transcript.WriteString(errb.String())
	if err != nil {
		e.transcript.WriteString(err.Error() + "\n")
	}
	return out.String(), errb.String(), err
}

func (e *loginEnv) pop(q *[]string) (string, error) {
	if len(*q) == 0 {
		e.t.Error("unexpected prompt")
		return "", model.ErrCancelled
	}
	v := (*q)[0]
	*q = (*q)[1:]
	return v, nil
}

func (e *loginEnv) mustRun(stdin string, args ...string) string {
	e.t.Helper()
	out, errOut, err := e.run(stdin, args...)
	if err != nil {
		e.t.Fatalf("megatui %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func (e *loginEnv) login(remote, email, password string, extra ...string) string {
	e.t.Helper()
	args := append([]string{"login", remote, "--user", email, "--api-url", e.sim.URL(), "--password-stdin"}, extra...)
	return e.mustRun(password+"\n", args...)
}

// secretForms lists the spellings a secret could leak in: raw, base64
// (standard and URL alphabets, padded or not) and hex.
func secretForms(raw []byte) []string {
	forms := []string{
		string(raw),
		base64.StdEncoding.EncodeToString(raw), base64.RawStdEncoding.EncodeToString(raw),
		base64.URLEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw),
		hex.EncodeToString(raw), strings.ToUpper(hex.EncodeToString(raw)),
	}
	var out []string
	for _, f := range forms {
		if len(f) >= 8 {
			out = append(out, f)
		}
	}
	return out
}

// sessionSecrets are the forms of a session's id and master key.
func sessionSecrets(s megaclient.Session) map[string][]string {
	sid := secretForms([]byte(s.SessionID))
	if b, err := base64.RawURLEncoding.DecodeString(s.SessionID); err == nil {
		sid = append(sid, secretForms(b)...)
	}
	return map[string][]string{"session id": sid, "master key": secretForms(s.MasterKey)}
}

func assertNoSecret(t *testing.T, where string, data []byte, secrets map[string][]string) {
	t.Helper()
	for what, forms := range secrets {
		for _, f := range forms {
			if bytes.Contains(data, []byte(f)) {
				t.Errorf("%s contains the %s (as %q)", where, what, f)
			}
		}
	}
}

// assertTreeClean checks every file under root: no secret in any, and the
// config file and anything else megatui wrote are private (0600 files,
// 0700 folders).
func assertTreeClean(t *testing.T, root string, secrets map[string][]string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.Contains(p, "megatui") && info.Mode().Perm() != 0o700 {
				t.Errorf("%s: folder mode %v, want 0700", p, info.Mode().Perm())
			}
			return nil
		}
		files++
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assertNoSecret(t, p, data, secrets)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Errorf("no files under %s: the scan saw nothing", root)
	}
}

func TestLoginThenLsNeedsNoPassword(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)

	out := e.login("work", loginEmail, loginPass)
	if !strings.Contains(out, "Logged in to work as "+loginEmail) || !strings.Contains(out, "Session stored in the keyring") {
		t.Errorf("login output: %q", out)
	}
	if got := s.CommandCount("us"); got != 1 {
		t.Fatalf("password logins after login: got %d, want 1", got)
	}
	cfg, err := config.Load(e.configFile())
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := cfg.Remote("work"); !ok || r.Email != loginEmail || r.APIURL != s.URL() {
		t.Errorf("config remote: got %+v (found %t), want work / %s / %s", r, ok, loginEmail, s.URL())
	}

	e.mustRun("", "mkdir", "work:/docs")
	if got, want := e.mustRun("", "lsf", "work:"), "docs/\n"; got != want {
		t.Errorf("ls: got %q, want %q", got, want)
	}
	if got := s.CommandCount("us"); got != 1 {
		t.Errorf("password logins after mkdir and ls: got %d, want still 1 (the session must be reused)", got)
	}

	out = e.mustRun("", "remotes")
	if !strings.Contains(out, "keyring: usable") || !strings.Contains(out, "work") ||
		!strings.Contains(out, loginEmail) || !strings.Contains(out, s.URL()) || !strings.Contains(out, "stored") {
		t.Errorf("remotes: %q", out)
	}

	// Logging in again replaces the session and ends the old one.
	kept, err := e.keys.LoadSession("work")
	if err != nil {
		t.Fatal(err)
	}
	e.login("work", loginEmail, loginPass)
	if got := s.CommandCount("sml"); got != 1 {
		t.Errorf("a new login should end the replaced session: sml count %d, want 1", got)
	}
	newer, err := e.keys.LoadSession("work")
	if err != nil {
		t.Fatal(err)
	}
	if newer.SessionID == kept.SessionID {
		t.Error("login kept the old session")
	}

	// logout ends the session on the server and clears the keyring.
	out = e.mustRun("", "logout", "work")
	if !strings.Contains(out, "ended on the server") || !strings.Contains(out, "deleted") {
		t.Errorf("logout output: %q", out)
	}
	if got := s.CommandCount("sml"); got != 2 {
		t.Errorf("sml count after logout: got %d, want 2", got)
	}
	if users := mem.Users(); len(users) != 0 {
		t.Errorf("keyring entries left after logout: %v", users)
	}
	// The ended session is worthless on the server.
	_, err = megaclient.Connect(context.Background(), megaclient.Options{
		Remote: "work", Email: loginEmail, APIURL: s.URL(), HTTPClient: s.HTTPClient(),
		Store: staticSessions{megaclient.Session{Email: loginEmail, SessionID: newer.SessionID, MasterKey: newer.MasterKey}},
	})
	if !errors.Is(err, model.ErrSessionExpired) {
		t.Errorf("resume after logout: got %v, want ErrSessionExpired", err)
	}
	_, _, err = e.run("", "lsf", "work:")
	if !errors.Is(err, model.ErrNoCredentials) || err.Error() != `no session for remote "work": run megatui login work (or set MEGATUI_PASSWORD for this run)` {
		t.Errorf("ls after logout: got %v", err)
	}
	// --forget removes the remote from the config.
	e.mustRun("", "logout", "work", "--forget")
	cfg, err = config.Load(e.configFile())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.Remote("work"); ok {
		t.Error("logout --forget left the remote in the config")
	}
}

// staticSessions is a SessionStore holding one session.
type staticSessions struct{ s megaclient.Session }

func (st staticSessions) LoadSession(string) (megaclient.Session, error) { return st.s, nil }
func (staticSessions) SaveSession(string, megaclient.Session) error      { return nil }

func TestLoginKeepsSecretsOutOfFilesOutputAndArgs(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)

	// No way to put the password in the arguments.
	login := newLoginCmd(Env{})
	for _, name := range []string{"password", "pass", "passwd"} {
		if login.Flags().Lookup(name) != nil {
			t.Errorf("login has a --%s flag: passwords must not travel as arguments", name)
		}
	}
	if _, _, err := e.run("", "login", "work", "--user", loginEmail, "--password", loginPass); err == nil ||
		!strings.Contains(err.Error(), "unknown flag") {
		t.Errorf("login --password: got %v, want an unknown flag error", err)
	}

	e.login("work", loginEmail, loginPass, "--remember-password")
	e.mustRun("", "mkdir", "work:/x")
	e.mustRun("", "lsl", "work:")
	e.mustRun("", "remotes")

	ks, err := e.keys.LoadSession("work")
	if err != nil {
		t.Fatal(err)
	}
	secrets := sessionSecrets(megaclient.Session{SessionID: ks.SessionID, MasterKey: ks.MasterKey})
	secrets["password"] = secretForms([]byte(loginPass))

	assertTreeClean(t, e.home, secrets)
	assertNoSecret(t, "command output", e.transcript.Bytes(), secrets)
	if fi, err := os.Stat(e.configFile()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file: %v, %v; want mode 0600", fi, err)
	}
	// The password is in the keyring only because it was asked for, and
	// never in the clear there either.
	if pw, err := e.keys.LoadPassword("work"); err != nil || pw != loginPass {
		t.Errorf("remembered password: %v", err)
	}
	for _, u := range mem.Users() {
		v, _ := mem.Get(strings.Split(u, "/")[0], strings.SplitN(u, "/", 2)[1])
		if strings.Contains(v, loginPass) || strings.Contains(v, ks.SessionID) {
			t.Errorf("keyring entry %s holds a secret in the clear", u)
		}
	}
}

func TestLoginWithoutRememberStoresNoPassword(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)
	e.login("work", loginEmail, loginPass)
	if got, want := strings.Join(mem.Users(), ","), "megatui/work"; got != want {
		t.Errorf("keyring entries: got %q, want only the session %q", got, want)
	}
}

func TestLoginTwoFactor(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, _ := newMemLoginEnv(t, s)
	base := []string{"login", "secure", "--user", mfaEmail, "--api-url", s.URL(), "--password-stdin"}

	// No code: a clear message naming the ways to give one.
	_, _, err := e.run(mfaPass+"\n", base...)
	if !errors.Is(err, model.ErrMFARequired) || errors.Is(err, model.ErrMFAInvalid) ||
		!strings.Contains(err.Error(), "two-factor authentication") || !strings.Contains(err.Error(), "--mfa-code") {
		t.Errorf("no code: got %v", err)
	}
	// A wrong code: another clear message.
	wrong := wrongTOTP(t, time.Now())
	_, _, err = e.run(mfaPass+"\n", append(base, "--mfa-code", wrong)...)
	if !errors.Is(err, model.ErrMFAInvalid) || !strings.Contains(err.Error(), "two-factor code was rejected") {
		t.Errorf("wrong code: got %v", err)
	}
	if _, err := e.keys.LoadSession("secure"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a failed login stored a session: %v", err)
	}
	if _, err := os.Stat(e.configFile()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed login wrote the config: %v", err)
	}
	// The right code (from MEGATUI_MFA_CODE): the session is stored and the
	// next command needs neither password nor code.
	code, err := megasim.TOTPCode(mfaSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.vars["MEGATUI_MFA_CODE"] = code
	e.mustRun(mfaPass+"\n", base...)
	delete(e.vars, "MEGATUI_MFA_CODE")
	if _, err := e.keys.LoadSession("secure"); err != nil {
		t.Fatalf("session after 2FA login: %v", err)
	}
	us := s.CommandCount("us")
	e.mustRun("", "lsf", "secure:")
	if got := s.CommandCount("us"); got != us {
		t.Errorf("ls after a 2FA login logged in again (us %d -> %d)", us, got)
	}

	// On a terminal the code is asked for.
	e2, _ := newMemLoginEnv(t, s)
	e2.interactive = true
	e2.secrets = []string{mfaPass}
	code, _ = megasim.TOTPCode(mfaSecret, time.Now())
	e2.lines = []string{code}
	e2.mustRun("", "login", "secure", "--user", mfaEmail, "--api-url", s.URL())
	if _, err := e2.keys.LoadSession("secure"); err != nil {
		t.Errorf("session after the prompted 2FA login: %v", err)
	}
	if len(e2.lines)+len(e2.secrets) != 0 {
		t.Errorf("prompts left unasked: %v %v", e2.lines, e2.secrets)
	}
}

// wrongTOTP returns a well-formed code that is not valid around now.
func wrongTOTP(t *testing.T, now time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for d := -2; d <= 2; d++ {
		c, err := megasim.TOTPCode(mfaSecret, now.Add(time.Duration(d)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for h := 1; ; h++ {
		c, _ := megasim.TOTPCode(mfaSecret, now.Add(time.Duration(h)*time.Hour))
		if !valid[c] {
			return c
		}
	}
}

// fixedAnswerAPI answers every API command with code, as MEGA does for a
// blocked account (-16) or under rate limiting (-4).
func fixedAnswerAPI(t *testing.T, code string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Write([]byte(code))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestLoginFailureMessages(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	cases := []struct {
		name, email, password, api string
		want                       error
		message                    string
	}{
		{"wrong password", loginEmail, "not the password", s.URL(), model.ErrLoginFailed,
			`login to "acct" failed: wrong e-mail or password for ` + loginEmail},
		{"unknown e-mail", "nobody@example.com", loginPass, s.URL(), model.ErrLoginFailed,
			`login to "acct" failed: wrong e-mail or password for nobody@example.com`},
		{"blocked", loginEmail, loginPass, fixedAnswerAPI(t, "-16"), model.ErrBlocked,
			`login to "acct" failed: MEGA has blocked the account ` + loginEmail},
		{"rate limited", loginEmail, loginPass, fixedAnswerAPI(t, "-4"), model.ErrRateLimited,
			`login to "acct" failed: MEGA is rate limiting this account or address`},
		{"unreachable", loginEmail, loginPass, closedPortURL(t), model.ErrUnreachable,
			`login to "acct" failed: cannot reach http://127.0.0.1:`},
	}
	seen := map[string]string{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newMemLoginEnv(t, s)
			_, _, err := e.run(tc.password+"\n", "login", "acct", "--user", tc.email, "--api-url", tc.api, "--password-stdin")
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), tc.message) {
				t.Errorf("message:\n got %q\nwant prefix %q", err.Error(), tc.message)
			}
			if strings.Contains(err.Error(), tc.password) {
				t.Error("the password is in the message")
			}
			if other, dup := seen[err.Error()]; dup {
				t.Errorf("same message as %q", other)
			}
			seen[err.Error()] = tc.name
		})
	}
}

func TestLoginWithoutPasswordSource(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, _ := newMemLoginEnv(t, s)
	_, _, err := e.run("", "login", "work", "--user", loginEmail, "--api-url", s.URL())
	if !errors.Is(err, model.ErrNoCredentials) || !strings.Contains(err.Error(), "--password-stdin") {
		t.Errorf("login with no terminal and no password: got %v", err)
	}
	_, _, err = e.run("\n", "login", "work", "--user", loginEmail, "--api-url", s.URL(), "--password-stdin")
	if !errors.Is(err, model.ErrNoCredentials) {
		t.Errorf("empty stdin: got %v", err)
	}
	if s.CommandCount("us") != 0 {
		t.Error("a login was attempted without a password")
	}
	// MEGATUI_PASSWORD works for login too (scripts).
	e.vars["MEGATUI_PASSWORD"] = loginPass
	e.mustRun("", "login", "work", "--user", loginEmail, "--api-url", s.URL())
}

func TestExpiredSession(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, _ := newMemLoginEnv(t, s)
	e.login("work", loginEmail, loginPass)
	old, err := e.keys.LoadSession("work")
	if err != nil {
		t.Fatal(err)
	}
	s.ExpireSessions(loginEmail)

	// No password at hand: a clear error, no login attempt.
	us := s.CommandCount("us")
	_, _, err = e.run("", "lsf", "work:")
	if !errors.Is(err, model.ErrSessionExpired) || err.Error() != `remote "work": session expired: run megatui login work` {
		t.Errorf("expired session, no password: got %v", err)
	}
	if got := s.CommandCount("us"); got != us {
		t.Errorf("logins with no password: %d", got-us)
	}

	// MEGATUI_PASSWORD: one login, and the new session is stored, so the
	// run after needs no password again.
	e.vars["MEGATUI_PASSWORD"] = loginPass
	e.mustRun("", "lsf", "work:")
	delete(e.vars, "MEGATUI_PASSWORD")
	if got := s.CommandCount("us"); got != us+1 {
		t.Errorf("re-login with MEGATUI_PASSWORD: us %d, want %d", got, us+1)
	}
	renewed, err := e.keys.LoadSession("work")
	if err != nil || renewed.SessionID == old.SessionID {
		t.Fatalf("session after re-login: %v (same as before: %t)", err, renewed.SessionID == old.SessionID)
	}
	e.mustRun("", "lsf", "work:")
	if got := s.CommandCount("us"); got != us+1 {
		t.Errorf("run after the re-login logged in again")
	}

	// A remembered password re-logs in unattended.
	if err := e.keys.SavePassword("work", loginPass); err != nil {
		t.Fatal(err)
	}
	s.ExpireSessions(loginEmail)
	e.mustRun("", "lsf", "work:")
	if got := s.CommandCount("us"); got != us+2 {
		t.Errorf("re-login with the remembered password: us %d, want %d", got, us+2)
	}
}

// noKeyringScenario is the fallback when the keyring cannot be used: login
// works and says why the session is not kept; later runs need
// MEGATUI_PASSWORD (which works) and say so in plain words.
func noKeyringScenario(t *testing.T, keys *keyring.Store) {
	s := startLoginSim(t)
	e := newLoginEnv(t, s, keys)
	out, errOut, err := e.run(loginPass+"\n", "login", "work", "--user", loginEmail, "--api-url", s.URL(), "--password-stdin")
	if err != nil {
		t.Fatalf("login without a keyring: %v\n%s%s", err, out, errOut)
	}
	const advice = "the keyring is not available (no Secret Service on D-Bus: headless SSH session or container?), " +
		"so sessions cannot be remembered: set MEGATUI_PASSWORD for each run"
	if !strings.Contains(errOut, "logged in, but "+advice) {
		t.Errorf("login stderr: got %q, want the plain keyring message", errOut)
	}
	if !strings.Contains(out, "the session was not stored") {
		t.Errorf("login stdout: %q", out)
	}
	t.Logf("login said: %s", strings.TrimSpace(errOut))

	_, _, err = e.run("", "lsf", "work:")
	if !errors.Is(err, model.ErrNoCredentials) || !errors.Is(err, model.ErrNoSecretService) ||
		!strings.HasPrefix(err.Error(), `no session for remote "work": run megatui login work (or set MEGATUI_PASSWORD for this run); `+advice) {
		t.Errorf("ls with no keyring and no password: got %v", err)
	}
	t.Logf("ls said: %v", err)

	e.vars["MEGATUI_PASSWORD"] = loginPass
	out, errOut, err = e.run("", "lsf", "work:")
	if err != nil || out != "" {
		t.Fatalf("ls with MEGATUI_PASSWORD: %q, %v", out, err)
	}
	if errOut != "" {
		t.Errorf("ls stderr with MEGATUI_PASSWORD on a headless machine: got %q, want nothing (the expected setup)", errOut)
	}
	delete(e.vars, "MEGATUI_PASSWORD")
	// On a terminal the password is asked for, and the reason given.
	e.interactive, e.secrets = true, []string{loginPass}
	out, errOut, err = e.run("", "lsf", "work:")
	if err != nil || out != "" || len(e.secrets) != 0 {
		t.Fatalf("ls with the prompt: %q, %v (prompts left %d)", out, err, len(e.secrets))
	}
	if !strings.Contains(errOut, advice) || !strings.Contains(errOut, "using the prompt for this run") {
		t.Errorf("ls stderr: got %q, want the keyring message and the fallback used", errOut)
	}
	e.interactive = false
	out = e.mustRun("", "remotes")
	if !strings.Contains(out, "keyring: no secret service: no Secret Service on D-Bus") || !strings.Contains(out, "unknown") {
		t.Errorf("remotes: %q", out)
	}
	secrets := map[string][]string{"password": secretForms([]byte(loginPass))}
	assertTreeClean(t, e.home, secrets)
	assertNoSecret(t, "command output", e.transcript.Bytes(), secrets)
}

func TestNoSecretServiceFallback(t *testing.T) {
	t.Parallel()
	mem := keyringtest.New()
	// What godbus returns when the bus has no org.freedesktop.secrets.
	mem.Fail(dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name is not activatable"}})
	noKeyringScenario(t, keyring.NewWithBackend(mem))
}

func TestKeyringSwitchedOff(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)
	e.vars[account.EnvKeyring] = "off"
	out := e.login("work", loginEmail, loginPass)
	if !strings.Contains(out, "switched off") {
		t.Errorf("login output: %q", out)
	}
	if len(mem.Users()) != 0 {
		t.Errorf("MEGATUI_KEYRING=off still wrote the keyring: %v", mem.Users())
	}
	e.vars["MEGATUI_PASSWORD"] = loginPass
	e.mustRun("", "lsf", "work:")
}

func TestImportRclone(t *testing.T) {
	t.Parallel()
	s := startSimWith(t,
		megasim.Account{Email: "withsession@example.com", Password: "session pw", Version: 2},
		megasim.Account{Email: "withpass@example.com", Password: "rclone pw", Version: 2})
	e, _ := newMemLoginEnv(t, s)

	// A session rclone holds (made here by one login).
	c, err := megaclient.Connect(context.Background(), megaclient.Options{
		Remote: "x", Email: "withsession@example.com", Password: "session pw", APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	rsess := c.Session()
	c.Close()
	obscured, err := config.RcloneObscure("rclone pw", strings.NewReader(strings.Repeat("\x42", 16)))
	if err != nil {
		t.Fatal(err)
	}
	conf := "[gdrive]\ntype = drive\n\n" +
		"[sess]\ntype = mega\nuser = withsession@example.com\nsession_id = " + rsess.SessionID +
		"\nmaster_key = " + base64.StdEncoding.EncodeToString(rsess.MasterKey) + "\n\n" +
		"[pw]\ntype = mega\nuser = withpass@example.com\npass = " + obscured + "\n\n" +
		"[bare]\ntype = mega\nuser = nothing@example.com\n"
	rpath := filepath.Join(e.home, "rclone.conf")
	if err := os.WriteFile(rpath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	e.vars["RCLONE_CONFIG"] = rpath

	_, _, err = e.run("", "import-rclone", "gdrive")
	if !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), "sess, pw, bare") {
		t.Errorf("import of a non-mega remote: got %v", err)
	}
	us := s.CommandCount("us")
	out := e.mustRun("", "import-rclone", "--api-url", s.URL())
	for _, want := range []string{"sess: imported (withsession@example.com): rclone's session reused",
		"pw: imported (withpass@example.com): logged in with rclone's password",
		"bare: imported (nothing@example.com): rclone has no password or session for it: run megatui login bare",
		"3 remote(s) saved"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
	if got := s.CommandCount("us"); got != us+1 {
		t.Errorf("password logins during import: got %d, want 1 (only the remote without a session)", got-us)
	}
	// Both imported sessions work with no password login.
	e.mustRun("", "lsf", "sess:")
	e.mustRun("", "lsf", "pw:")
	if got := s.CommandCount("us"); got != us+1 {
		t.Errorf("ls after import logged in with a password (us %d -> %d)", us+1, got)
	}
	// The password was not kept (not asked for), and nothing secret is in
	// the config.
	if _, err := e.keys.LoadPassword("pw"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("rclone's password was stored without --remember-password: %v", err)
	}
	cfg, err := config.Load(e.configFile())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(config.RemoteNames(cfg.Remotes), ","); got != "sess,pw,bare" {
		t.Errorf("config remotes: got %s", got)
	}
	pwSess, err := e.keys.LoadSession("pw")
	if err != nil {
		t.Fatal(err)
	}
	secrets := sessionSecrets(rsess)
	for k, v := range sessionSecrets(megaclient.Session{SessionID: pwSess.SessionID, MasterKey: pwSess.MasterKey}) {
		secrets["pw "+k] = v
	}
	secrets["rclone password"] = secretForms([]byte("rclone pw"))
	data, err := os.ReadFile(e.configFile())
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "config file", data, secrets)
	assertNoSecret(t, "command output", e.transcript.Bytes(), secrets)

	out = e.mustRun("", "remotes")
	for _, re := range []string{`(?m)^sess +withsession@example\.com +\S+ +stored$`, `(?m)^pw +withpass@example\.com +\S+ +stored$`,
		`(?m)^bare +nothing@example\.com +\S+ +none$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("remotes: no line matching %s in\n%s", re, out)
		}
	}

	// --remember-password keeps it, on request.
	e.mustRun("", "import-rclone", "pw", "--api-url", s.URL(), "--remember-password")
	if pw, err := e.keys.LoadPassword("pw"); err != nil || pw != "rclone pw" {
		t.Errorf("remembered rclone password: %v", err)
	}
}

func TestLockedKeyringSaysSoAndFallsBack(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)
	e.login("work", loginEmail, loginPass)
	mem.Fail(dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked", Body: []any{"collection is locked"}})
	const advice = "the keyring is locked: unlock it (log in to the desktop session, or use a keyring tool such as seahorse), " +
		"or set MEGATUI_PASSWORD for this run"

	_, _, err := e.run("", "lsf", "work:")
	if !errors.Is(err, model.ErrKeyringLocked) || !errors.Is(err, model.ErrNoCredentials) || !strings.HasSuffix(err.Error(), "; "+advice) {
		t.Errorf("ls with a locked keyring and no password: got %v", err)
	}
	e.vars["MEGATUI_PASSWORD"] = loginPass
	_, errOut, err := e.run("", "lsf", "work:")
	if err != nil {
		t.Fatalf("ls with a locked keyring and MEGATUI_PASSWORD: %v", err)
	}
	if want := "megatui: " + advice + "; using the MEGATUI_PASSWORD for this run\n"; errOut != want {
		t.Errorf("stderr:\n got %q\nwant %q", errOut, want)
	}
}

func TestLogoutWithServerGoneStillForgetsLocally(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, mem := newMemLoginEnv(t, s)
	e.login("work", loginEmail, loginPass, "--remember-password")
	s.Close()
	_, _, err := e.run("", "logout", "work")
	if !errors.Is(err, model.ErrUnreachable) || !strings.Contains(err.Error(), "the keyring entries are deleted, but the server could not be told") {
		t.Errorf("logout with the server gone: got %v", err)
	}
	if users := mem.Users(); len(users) != 0 {
		t.Errorf("keyring entries left: %v", users)
	}
	out := e.mustRun("", "logout", "work")
	if !strings.Contains(out, "No session stored for work") {
		t.Errorf("second logout: %q", out)
	}
}

// Without a usable keyring (switched off, or no Secret Service) login still
// saves the remote, so logout --forget must still be able to remove it;
// an unknown remote is named as such.
func TestLogoutForgetWithoutKeyring(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	for _, tc := range []struct {
		name  string
		setup func(e *loginEnv, mem *keyringtest.Memory)
	}{
		{"switched off", func(e *loginEnv, _ *keyringtest.Memory) { e.vars[account.EnvKeyring] = "off" }},
		{"no secret service", func(_ *loginEnv, mem *keyringtest.Memory) {
			mem.Fail(dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name is not activatable"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, mem := newMemLoginEnv(t, s)
			tc.setup(e, mem)
			e.login("work", loginEmail, loginPass)
			if _, _, err := e.run("", "logout", "work"); err == nil {
				t.Errorf("logout without a keyring: got no error, want one saying nothing is stored")
			}
			if _, _, err := e.run("", "logout", "nosuch", "--forget"); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
				t.Errorf("logout of an unknown remote: got %v, want it named", err)
			}
			out := e.mustRun("", "logout", "work", "--forget")
			if !strings.Contains(out, `Remote "work" removed`) {
				t.Errorf("logout --forget output: %q", out)
			}
			cfg, err := os.ReadFile(e.configFile())
			if err != nil || strings.Contains(string(cfg), `"work"`) {
				t.Errorf("config after logout --forget: got %q (%v), want no remote work", cfg, err)
			}
		})
	}
}

// Every name login accepts is a remote on the command line too: "me@x:/a"
// is a path on the remote "me@x", not a local file called "me@x:".
func TestLoginNamesWithAtAndPlusAreRemotes(t *testing.T) {
	t.Parallel()
	s := startLoginSim(t)
	e, _ := newMemLoginEnv(t, s)
	for _, name := range []string{"me@x", "work+2"} {
		e.login(name, loginEmail, loginPass)
		e.mustRun("", "mkdir", name+":/from-"+name)
		if got, want := e.mustRun("", "lsf", name+":"), "from-"+name+"/\n"; !strings.Contains(got, want) {
			t.Errorf("ls %s: got %q, want a line %q", name+":", got, want)
		}
		if _, err := os.Stat(name + ":"); err == nil {
			_ = os.RemoveAll(name + ":")
			t.Errorf("mkdir %s:/...: made a local folder", name)
		}
	}
}
