package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// Environment variables read here (besides config's and keyring's).
const (
	envMFACode = "MEGATUI_MFA_CODE"
	// envKeyring set to "off" keeps megatui away from the OS keyring for
	// this run (scripts, CI): credentials then come from MEGATUI_PASSWORD.
	envKeyring = "MEGATUI_KEYRING"
)

// cliEnv is what the CLI commands read from the outside world. main uses
// the process environment, the OS keyring and the terminal; tests put
// their own in the command's context (see withCLIEnv), so they can run in
// parallel against their own server and keyring.
type cliEnv struct {
	getenv     func(string) string
	httpClient *http.Client
	// store, when set and keys is nil, is the session store used as is
	// (no keyring): a test hook kept for the file commands' tests.
	store megaclient.SessionStore
	// keys is the keyring; nil means none (a test env that sets none, or
	// MEGATUI_KEYRING=off).
	keys *keyring.Store
	// stdin feeds --password-stdin; nil reads nothing.
	stdin io.Reader
	// stderr receives warnings (keyring problems); nil discards them.
	stderr io.Writer
	// readSecret asks for a secret without echo, readLine for a line;
	// nil when there is no terminal to ask on.
	readSecret func(prompt string) (string, error)
	readLine   func(prompt string) (string, error)
}

type cliEnvKey struct{}

func withCLIEnv(ctx context.Context, env cliEnv) context.Context {
	return context.WithValue(ctx, cliEnvKey{}, env)
}

// envFrom returns the environment of ctx: the one a test put there, or the
// process's own (OS keyring, terminal prompts when stdin is a terminal).
func envFrom(ctx context.Context) cliEnv {
	env, ok := ctx.Value(cliEnvKey{}).(cliEnv)
	if !ok {
		env = processEnv()
	}
	if env.getenv == nil {
		env.getenv = os.Getenv
	}
	if env.stderr == nil {
		env.stderr = io.Discard
	}
	if env.stdin == nil {
		env.stdin = strings.NewReader("")
	}
	if strings.EqualFold(env.getenv(envKeyring), "off") {
		env.keys = nil
	}
	return env
}

// processEnv is the real world: environment, OS keyring, stdin/stderr,
// and prompts when stdin is a terminal.
func processEnv() cliEnv {
	env := cliEnv{getenv: os.Getenv, keys: keyring.New(), stdin: os.Stdin, stderr: os.Stderr}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		env.readSecret = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return "", fmt.Errorf("read from the terminal: %w", err)
			}
			return string(b), nil
		}
		env.readLine = func(prompt string) (string, error) {
			fmt.Fprint(os.Stderr, prompt)
			return readLine(os.Stdin)
		}
	}
	return env
}

// readLine reads one line byte by byte (no buffering, so nothing meant
// for a later no-echo read is swallowed).
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	var one [1]byte
	for b.Len() < 4096 {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				break
			}
			b.WriteByte(one[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if b.Len() == 0 {
				return "", fmt.Errorf("read: %w", model.ErrCancelled)
			}
			break
		}
		if err != nil {
			return "", fmt.Errorf("read: %w", err)
		}
	}
	return strings.TrimRight(b.String(), "\r"), nil
}

// remoteName matches the REMOTE part of REMOTE:PATH.
var remoteName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// location is a command-line argument: a local path, or a path (or
// handle) on a named remote.
type location struct {
	remote string // "" for a local path
	path   string // remote: "/a/b", "//bin/x" or "H:handle"; local: as given
}

func (l location) String() string {
	if l.remote == "" {
		return l.path
	}
	return l.remote + ":" + l.path
}

// parseLocation splits REMOTE:PATH; anything else is a local path.
// "mega:", "mega:/" and "mega:a/b" are Cloud Drive paths; "mega://bin" the
// Rubbish Bin; "mega:H:AbCdEfGh" one node by handle.
func parseLocation(arg string) location {
	name, rest, ok := strings.Cut(arg, ":")
	if !ok || !remoteName.MatchString(name) {
		return location{path: arg}
	}
	switch {
	case strings.HasPrefix(rest, "H:"), strings.HasPrefix(rest, "//"):
	case strings.HasPrefix(rest, "/"):
	default:
		rest = "/" + rest
	}
	if strings.HasPrefix(rest, "H:") {
		// A trailing slash means the same node, as on paths.
		rest = strings.TrimRight(rest, "/")
	} else if len(rest) > 1 && rest != "//bin" && rest != "//in" {
		rest = strings.TrimRight(rest, "/")
		if rest == "" {
			rest = "/"
		}
	}
	return location{remote: name, path: rest}
}

// userError is a plain-words message for the user that still answers
// errors.Is/As for the sentinels underneath.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

func plainError(err error, format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), err: err}
}

// loadConfig reads the config file. No resolvable config location (no
// HOME) is an empty configuration: the environment's remote still works.
func (env cliEnv) loadConfig() (cfg config.Config, path string, err error) {
	dirs, derr := config.ResolveDirs(env.getenv)
	if derr != nil {
		return config.Default(), "", nil
	}
	cfg, err = config.Load(dirs.ConfigFile)
	if err != nil {
		return config.Config{}, dirs.ConfigFile, err
	}
	return cfg, dirs.ConfigFile, nil
}

// lookupRemote finds the remote called name: in the config file, or the
// environment's remote "mega" (MEGATUI_USER).
func (env cliEnv) lookupRemote(name string) (config.Remote, error) {
	cfg, _, err := env.loadConfig()
	if err != nil {
		return config.Remote{}, err
	}
	r, err := cfg.Lookup(name, env.getenv)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			known := names(cfg.AllRemotes(env.getenv))
			hint := "none configured"
			if len(known) > 0 {
				hint = "configured: " + strings.Join(known, ", ")
			}
			return config.Remote{}, plainError(errors.Join(err, model.ErrNoCredentials),
				"remote %q is not configured (%s): run megatui login %s, or set MEGATUI_USER and MEGATUI_PASSWORD for the remote \"mega\"",
				name, hint, name)
		}
		return config.Remote{}, err
	}
	return r, nil
}

func names(rs []config.Remote) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// envPassword is MEGATUI_PASSWORD when it may be used for email.
func (env cliEnv) envPassword(email string) string {
	pw := env.getenv(keyring.EnvPassword)
	if user := env.getenv(keyring.EnvUser); pw != "" && user != "" && email != "" && !strings.EqualFold(user, email) {
		return ""
	}
	return pw
}

func (env cliEnv) warnf(format string, args ...any) {
	fmt.Fprintf(env.stderr, "megatui: "+format+"\n", args...)
}

// openRemote connects to a named remote: a remote of the config file, or
// the environment's remote "mega" (MEGATUI_USER, MEGATUI_API_URL). This is
// the one place that knows how remotes are opened. Credentials come, in
// order, from the session stored in the keyring (no password login, no
// 2FA code, no hashcash), MEGATUI_PASSWORD, the password remembered in
// the keyring, or a prompt when stdin is a terminal. A session made by a
// password login is stored in the keyring for the next run. Keyring
// problems are reported on stderr in plain words and fall back.
func openRemote(ctx context.Context, name string) (*megaclient.Client, error) {
	env := envFrom(ctx)
	r, err := env.lookupRemote(name)
	if err != nil {
		return nil, err
	}
	opts := megaclient.Options{
		Remote:     name,
		Email:      r.Email,
		MFACode:    env.getenv(envMFACode),
		APIURL:     r.APIURL,
		HTTPClient: env.httpClient,
	}
	if cfg, _, err := env.loadConfig(); err == nil {
		opts.Workers, opts.ChunkWorkers = cfg.Transfers.Transfers, cfg.Transfers.ChunkWorkers
	}
	if env.keys == nil && env.store != nil {
		opts.Store, opts.Password = env.store, env.envPassword(r.Email)
		c, err := megaclient.Connect(ctx, opts)
		if err != nil {
			return nil, connectError(name, r, err)
		}
		return c, nil
	}

	res := keyring.Resolver{Getenv: env.getenv}
	if env.keys != nil {
		res.Store = env.keys
	}
	if env.readSecret != nil {
		res.Prompt = func(ctx context.Context, remote, email string) (string, error) {
			return env.readSecret(fmt.Sprintf("Password for %s (%s): ", remote, email))
		}
	}
	creds, err := res.Resolve(ctx, name, r.Email)
	if err != nil {
		if errors.Is(err, model.ErrNoCredentials) {
			return nil, noCredentialsError(name, err)
		}
		return nil, err
	}
	// A missing Secret Service with MEGATUI_PASSWORD set is the expected
	// headless setup: stay quiet (scripts parse stderr). A locked keyring,
	// or being asked for the password every run, deserves the reason.
	if p := creds.KeyringProblem; p != nil && (creds.Source == keyring.SourcePrompt || !errors.Is(p, model.ErrNoSecretService)) {
		env.warnf("%s; using the %s for this run", keyringAdvice(p), creds.Source)
	}
	var sessions *runSessions
	if env.keys != nil && creds.KeyringProblem == nil {
		sessions = &runSessions{save: newKeyringSessions(env.keys)}
		opts.Store = sessions
	}
	if creds.Source == keyring.SourceSession && sessions != nil {
		s := creds.Session
		sessions.loaded = &megaclient.Session{Email: s.Email, SessionID: s.SessionID, MasterKey: s.MasterKey}
		// Only used if the session turns out to be expired: one re-login.
		opts.Password = env.envPassword(r.Email)
	} else {
		opts.Password = creds.Password
	}
	c, err := megaclient.Connect(ctx, opts)
	if err != nil && errors.Is(err, model.ErrSessionExpired) && opts.Password == "" && env.keys != nil {
		if pw, perr := env.keys.LoadPassword(name); perr == nil && pw != "" {
			if sessions != nil {
				sessions.loaded = nil
			}
			opts.Password = pw
			c, err = megaclient.Connect(ctx, opts)
		}
	}
	if err != nil {
		return nil, connectError(name, r, err)
	}
	if sessions != nil {
		if serr := sessions.saveError(); serr != nil {
			env.warnf("%s; the next run will need the password again", keyringAdvice(serr))
		}
	}
	return c, nil
}

// runSessions is the SessionStore of one openRemote: it hands Connect the
// session the Resolver already read (no second keyring call) and saves a
// new session through to the keyring without failing the connection when
// the keyring refuses it.
type runSessions struct {
	save   megaclient.SessionStore
	loaded *megaclient.Session

	mu  sync.Mutex // a re-login may save from another goroutine
	err error
}

func (r *runSessions) LoadSession(remote string) (megaclient.Session, error) {
	if r.loaded == nil {
		return megaclient.Session{}, fmt.Errorf("session of remote %q: %w", remote, model.ErrNotFound)
	}
	return *r.loaded, nil
}

func (r *runSessions) SaveSession(remote string, s megaclient.Session) error {
	err := r.save.SaveSession(remote, s)
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	return nil
}

func (r *runSessions) saveError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// noCredentialsError explains what to do when a remote has no session and
// no password is at hand.
func noCredentialsError(name string, err error) error {
	msg := fmt.Sprintf("no session for remote %q: run megatui login %s (or set MEGATUI_PASSWORD for this run)", name, name)
	if errors.Is(err, model.ErrNoSecretService) || errors.Is(err, model.ErrKeyringLocked) {
		msg += "; " + keyringAdvice(err)
	}
	return plainError(err, "%s", msg)
}

// keyringAdvice says in plain words what is wrong with the keyring and
// what to do instead.
func keyringAdvice(err error) string {
	switch {
	case errors.Is(err, model.ErrNoSecretService):
		return "the keyring is not available (no Secret Service on D-Bus: headless SSH session or container?), " +
			"so sessions cannot be remembered: set MEGATUI_PASSWORD for each run or type the password when asked, " +
			"or run megatui inside a desktop session (or start gnome-keyring-daemon)"
	case errors.Is(err, model.ErrKeyringLocked):
		return "the keyring is locked: unlock it (log in to the desktop session, or use a keyring tool such as seahorse), " +
			"or set MEGATUI_PASSWORD for this run"
	case errors.Is(err, model.ErrSecretTooLarge):
		return "the keyring refused the entry as too large: " + err.Error()
	}
	return "the keyring failed: " + err.Error()
}

// connectError turns a failed connection into a message naming the remote
// and what to do.
func connectError(name string, r config.Remote, err error) error {
	if errors.Is(err, model.ErrSessionExpired) {
		return plainError(err, "remote %q: session expired: run megatui login %s", name, name)
	}
	return loginError(name, r.Email, r.APIURL, err)
}

// loginError gives each way a login can fail its own message.
func loginError(name, email, apiURL string, err error) error {
	if apiURL == "" {
		apiURL = "the MEGA API"
	}
	switch {
	case errors.Is(err, model.ErrLoginFailed):
		return plainError(err, "login to %q failed: wrong e-mail or password for %s", name, email)
	case errors.Is(err, model.ErrMFAInvalid):
		return plainError(err, "login to %q failed: the two-factor code was rejected (wrong or expired): "+
			"try again with the current code from your authenticator app", name)
	case errors.Is(err, model.ErrMFARequired):
		return plainError(err, "login to %q: %s has two-factor authentication: give the current code with --mfa-code "+
			"or MEGATUI_MFA_CODE (or run in a terminal to be asked)", name, email)
	case errors.Is(err, model.ErrBlocked):
		return plainError(err, "login to %q failed: MEGA has blocked the account %s: sign in on mega.nz to see why and unblock it", name, email)
	case errors.Is(err, model.ErrRateLimited):
		return plainError(err, "login to %q failed: MEGA is rate limiting this account or address: "+
			"wait a few minutes before trying again (retrying at once makes it worse)", name)
	case errors.Is(err, model.ErrUnreachable):
		return plainError(err, "login to %q failed: cannot reach %s: check the network connection and the API URL", name, apiURL)
	case errors.Is(err, model.ErrTryAgain):
		return plainError(err, "login to %q failed: the MEGA server is busy: try again in a moment", name)
	case errors.Is(err, model.ErrCancelled):
		return plainError(err, "login to %q: cancelled", name)
	}
	return fmt.Errorf("remote %q: %w", name, err)
}
