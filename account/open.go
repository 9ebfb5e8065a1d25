// Package account opens named remotes: it finds the remote in the config
// file (or the environment's remote "mega"), gets its credentials from
// the keyring, the environment or a prompt, connects, and keeps the
// session for the next run. Its errors say in plain words what went wrong
// and what to do; the CLI and the TUI show them as they are.
package account

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// Environment variables read here (besides config's and keyring's).
const (
	EnvMFACode = "MEGATUI_MFA_CODE"
	// EnvKeyring set to "off" keeps megatui away from the OS keyring for
	// this run (scripts, CI): credentials then come from MEGATUI_PASSWORD.
	EnvKeyring = "MEGATUI_KEYRING"
)

// Env is what opening a remote reads from the outside world: the process
// environment, the OS keyring and the terminal for the CLI; tests give
// their own, so they can run in parallel against their own server and
// keyring.
type Env struct {
	Getenv     func(string) string
	HTTPClient *http.Client
	// Store, when set and Keys is nil, is the session store used as is
	// (no keyring): a test hook kept for the file commands' tests.
	Store megaclient.SessionStore
	// Keys is the keyring; nil means none (a test env that sets none, or
	// MEGATUI_KEYRING=off).
	Keys *keyring.Store
	// Stderr receives warnings (keyring problems); nil discards them.
	Stderr io.Writer
	// ReadSecret asks for a secret without echo; nil when there is no
	// terminal to ask on.
	ReadSecret func(prompt string) (string, error)
	// Logf receives the clients' debug log; nil discards it.
	Logf func(format string, args ...any)
}

// warn reports what the server sent that megatui refused, on Stderr.
func (env Env) warn(msg string) {
	if env.Stderr != nil {
		fmt.Fprintf(env.Stderr, "megatui: warning: %s\n", msg)
	}
}

// WithDefaults fills what env leaves unset (the process environment, no
// warnings) and drops the keyring when MEGATUI_KEYRING=off.
func (env Env) WithDefaults() Env {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if strings.EqualFold(env.Getenv(EnvKeyring), "off") {
		env.Keys = nil
	}
	return env
}

// userError is a plain-words message for the user that still answers
// errors.Is/As for the sentinels underneath.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

// PlainError is an error whose message is the formatted one, in plain
// words, while errors.Is/As still see err.
func PlainError(err error, format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), err: err}
}

// LoadConfig reads the config file. No resolvable config location (no
// HOME) is an empty configuration: the environment's remote still works.
func (env Env) LoadConfig() (cfg config.Config, path string, err error) {
	dirs, derr := config.ResolveDirs(env.Getenv)
	if derr != nil {
		return config.Default(), "", nil
	}
	cfg, err = config.Load(dirs.ConfigFile)
	if err != nil {
		return config.Config{}, dirs.ConfigFile, err
	}
	return cfg, dirs.ConfigFile, nil
}

// Lookup finds the remote called name: in the config file, or the
// environment's remote "mega" (MEGATUI_USER).
func (env Env) Lookup(name string) (config.Remote, error) {
	cfg, _, err := env.LoadConfig()
	if err != nil {
		return config.Remote{}, err
	}
	r, err := cfg.Lookup(name, env.Getenv)
	if err != nil {
		if errors.Is(err, model.ErrNotFound) {
			known := config.RemoteNames(cfg.AllRemotes(env.Getenv))
			hint := "none configured"
			if len(known) > 0 {
				hint = "configured: " + strings.Join(known, ", ")
			}
			return config.Remote{}, PlainError(errors.Join(err, model.ErrNoCredentials),
				"remote %q is not configured (%s): run megatui login %s, or set MEGATUI_USER and MEGATUI_PASSWORD for the remote \"mega\"",
				name, hint, name)
		}
		return config.Remote{}, err
	}
	return r, nil
}

// EnvPassword is MEGATUI_PASSWORD when it may be used for email.
func (env Env) EnvPassword(email string) string {
	pw := env.Getenv(keyring.EnvPassword)
	if user := env.Getenv(keyring.EnvUser); pw != "" && user != "" && email != "" && !strings.EqualFold(user, email) {
		return ""
	}
	return pw
}

// Warnf writes a warning line on env's Stderr.
func (env Env) Warnf(format string, args ...any) {
	fmt.Fprintf(env.Stderr, "megatui: "+format+"\n", args...)
}

// Open connects to a named remote: a remote of the config file, or
// the environment's remote "mega" (MEGATUI_USER, MEGATUI_API_URL). This is
// the one place that knows how remotes are opened. Credentials come, in
// order, from the session stored in the keyring (no password login, no
// 2FA code, no hashcash), MEGATUI_PASSWORD, the password remembered in
// the keyring, or a prompt when stdin is a terminal. A session made by a
// password login is stored in the keyring for the next run. Keyring
// problems are reported on stderr in plain words and fall back.
func (env Env) Open(ctx context.Context, name string) (*megaclient.Client, error) {
	r, err := env.Lookup(name)
	if err != nil {
		return nil, err
	}
	opts := megaclient.Options{
		Remote:     name,
		Email:      r.Email,
		MFACode:    env.Getenv(EnvMFACode),
		APIURL:     r.APIURL,
		HTTPClient: env.HTTPClient,
		Logf:       env.Logf,
		Warn:       env.warn,
	}
	if cfg, _, err := env.LoadConfig(); err == nil {
		opts.Workers, opts.ChunkWorkers = cfg.Transfers.Transfers, cfg.Transfers.ChunkWorkers
	}
	if env.Keys == nil && env.Store != nil {
		opts.Store, opts.Password = env.Store, env.EnvPassword(r.Email)
		c, err := megaclient.Connect(ctx, opts)
		if err != nil {
			return nil, connectError(name, r, err)
		}
		return c, nil
	}

	res := keyring.Resolver{Getenv: env.Getenv}
	if env.Keys != nil {
		res.Store = env.Keys
	}
	if env.ReadSecret != nil {
		res.Prompt = func(ctx context.Context, remote, email string) (string, error) {
			return env.ReadSecret(fmt.Sprintf("Password for %s (%s): ", remote, email))
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
		env.Warnf("%s; using the %s for this run", KeyringAdvice(p), creds.Source)
	}
	var sessions *runSessions
	if env.Keys != nil && creds.KeyringProblem == nil {
		sessions = &runSessions{save: NewKeyringSessions(env.Keys)}
		opts.Store = sessions
	}
	if creds.Source == keyring.SourceSession && sessions != nil {
		s := creds.Session
		sessions.loaded = &megaclient.Session{Email: s.Email, SessionID: s.SessionID, MasterKey: s.MasterKey}
		// Only used if the session turns out to be expired: one re-login.
		opts.Password = env.EnvPassword(r.Email)
	} else {
		opts.Password = creds.Password
	}
	c, err := megaclient.Connect(ctx, opts)
	if err != nil && errors.Is(err, model.ErrSessionExpired) && opts.Password == "" && env.Keys != nil {
		if pw, perr := env.Keys.LoadPassword(name); perr == nil && pw != "" {
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
			env.Warnf("%s; the next run will need the password again", KeyringAdvice(serr))
		}
	}
	return c, nil
}

// runSessions is the SessionStore of one Open: it hands Connect the
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
		msg += "; " + KeyringAdvice(err)
	}
	return PlainError(err, "%s", msg)
}

// KeyringAdvice says in plain words what is wrong with the keyring and
// what to do instead.
func KeyringAdvice(err error) string {
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
		return PlainError(err, "remote %q: session expired: run megatui login %s", name, name)
	}
	return LoginError(name, r.Email, r.APIURL, err)
}

// LoginError gives each way a login can fail its own message.
func LoginError(name, email, apiURL string, err error) error {
	if apiURL == "" {
		apiURL = "the MEGA API"
	}
	switch {
	case errors.Is(err, model.ErrLoginFailed):
		return PlainError(err, "login to %q failed: wrong e-mail or password for %s", name, email)
	case errors.Is(err, model.ErrMFAInvalid):
		return PlainError(err, "login to %q failed: the two-factor code was rejected (wrong or expired): "+
			"try again with the current code from your authenticator app", name)
	case errors.Is(err, model.ErrMFARequired):
		return PlainError(err, "login to %q: %s has two-factor authentication: give the current code with --mfa-code "+
			"or MEGATUI_MFA_CODE (or run in a terminal to be asked)", name, email)
	case errors.Is(err, model.ErrBlocked):
		return PlainError(err, "login to %q failed: MEGA has blocked the account %s: sign in on mega.nz to see why and unblock it", name, email)
	case errors.Is(err, model.ErrTooManyConns):
		return PlainError(err, "login to %q failed: MEGA refuses more connections from this address (too many connections): "+
			"close other MEGA apps or transfers, then try again in a minute", name)
	case errors.Is(err, model.ErrRateLimited):
		return PlainError(err, "login to %q failed: MEGA is rate limiting this account or address: "+
			"wait a few minutes before trying again (retrying at once makes it worse)", name)
	case errors.Is(err, model.ErrUnreachable):
		what := "cannot reach " + apiURL
		var u *megaclient.UnreachableError
		if errors.As(err, &u) {
			what = u.Error()
		}
		return PlainError(err, "login to %q failed: %s: check the network connection and the API URL", name, what)
	case errors.Is(err, model.ErrTryAgain):
		return PlainError(err, "login to %q failed: the MEGA server is busy: try again in a moment", name)
	case errors.Is(err, model.ErrCancelled):
		return PlainError(err, "login to %q: cancelled", name)
	}
	return fmt.Errorf("remote %q: %w", name, err)
}
