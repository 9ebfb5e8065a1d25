// Package keyring keeps megatui's credentials in the operating system's
// keyring (Secret Service on Linux and the BSDs, Keychain on macOS,
// Credential Manager on Windows) through github.com/zalando/go-keyring.
//
// Per remote it stores one entry holding the MEGA session (e-mail, session
// id, master key), so later runs need no password, no 2FA code and no
// hashcash; and, only when the user opts in, a second entry holding the
// password for unattended re-login after the session expires. Nothing is
// ever written to a plaintext file.
//
// Failures are translated once, here, into model sentinels
// (model.ErrNotFound, model.ErrNoSecretService, model.ErrKeyringLocked,
// model.ErrSecretTooLarge) with a plain-words message saying what to do.
package keyring

import (
	"errors"
	"fmt"
	"strings"
	"time"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/megatui/megatui/model"
)

// Service is the keyring service name under which megatui stores entries.
const Service = "megatui"

// DefaultTimeout bounds a single keyring call. The Secret Service may pop
// up an unlock prompt and wait for it forever (go-keyring has no timeout);
// after this long the call is reported as a locked keyring instead.
const DefaultTimeout = 30 * time.Second

// passwordSuffix names the opt-in password entry of a remote. Remote names
// may not contain '/', so it can never collide with a session entry.
const passwordSuffix = "/password"

// maxRemoteLen bounds remote names used as keyring account names.
const maxRemoteLen = 128

// Backend is the raw secret store the Store works on. go-keyring's
// package-level functions satisfy it through OSBackend; tests and callers
// that want an in-memory store may pass their own.
type Backend interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// OSBackend is the operating system keyring via go-keyring.
type OSBackend struct{}

// Set stores secret for user under service.
func (OSBackend) Set(service, user, secret string) error { return gokeyring.Set(service, user, secret) }

// Get reads the secret of user under service.
func (OSBackend) Get(service, user string) (string, error) { return gokeyring.Get(service, user) }

// Delete removes the secret of user under service.
func (OSBackend) Delete(service, user string) error { return gokeyring.Delete(service, user) }

// Store reads and writes megatui credentials. It is safe for concurrent
// use as long as its Backend is.
type Store struct {
	backend Backend
	service string
	timeout time.Duration
	probe   func() Status
}

// Option adjusts a Store.
type Option func(*Store)

// WithService stores entries under another service name (tests use it to
// stay apart from a user's real entries).
func WithService(name string) Option { return func(s *Store) { s.service = name } }

// WithTimeout bounds each keyring call; zero or negative means no bound.
func WithTimeout(d time.Duration) Option { return func(s *Store) { s.timeout = d } }

// New returns a Store on the operating system keyring.
func New(opts ...Option) *Store {
	s := &Store{backend: OSBackend{}, service: Service, timeout: DefaultTimeout}
	s.probe = func() Status { return probePlatform(s.timeout) }
	for _, o := range opts {
		o(s)
	}
	return s
}

// NewWithBackend returns a Store on the given backend. Its Status probes
// by reading a non-existent entry.
func NewWithBackend(b Backend, opts ...Option) *Store {
	s := &Store{backend: b, service: Service, timeout: DefaultTimeout}
	s.probe = s.probeBackend
	for _, o := range opts {
		o(s)
	}
	return s
}

// Service reports the service name entries are stored under.
func (s *Store) Service() string { return s.service }

// SaveSession stores (or replaces) the session of remote.
func (s *Store) SaveSession(remote string, sess Session) error {
	const op = "save session"
	if err := checkRemote(op, remote); err != nil {
		return err
	}
	secret, err := encodeSession(sess)
	if err != nil {
		return fmt.Errorf("keyring: %s for remote %q: %w", op, remote, err)
	}
	if err := checkSize(s.service, remote, secret); err != nil {
		return fmt.Errorf("keyring: %s for remote %q: %w", op, remote, err)
	}
	_, err = s.call(func() (string, error) { return "", s.backend.Set(s.service, remote, secret) })
	return translate(op, remote, "session", err)
}

// LoadSession returns the stored session of remote, or an error wrapping
// model.ErrNotFound when there is none.
func (s *Store) LoadSession(remote string) (Session, error) {
	const op = "load session"
	if err := checkRemote(op, remote); err != nil {
		return Session{}, err
	}
	secret, err := s.call(func() (string, error) { return s.backend.Get(s.service, remote) })
	if err != nil {
		return Session{}, translate(op, remote, "session", err)
	}
	sess, err := decodeSession(secret)
	if err != nil {
		return Session{}, fmt.Errorf("keyring: %s for remote %q: stored entry is unreadable (run megatui login %s again): %w", op, remote, remote, err)
	}
	return sess, nil
}

// HasSession reports whether a session is stored for remote. Keyring
// failures other than "not found" are returned as errors.
func (s *Store) HasSession(remote string) (bool, error) {
	_, err := s.LoadSession(remote)
	if errors.Is(err, model.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// DeleteSession removes the session of remote; a missing entry is not an
// error.
func (s *Store) DeleteSession(remote string) error {
	return s.deleteEntry("delete session", remote, remote, "session")
}

// SavePassword stores the password of remote. Call it only when the user
// opted in to "remember password".
func (s *Store) SavePassword(remote, password string) error {
	const op = "save password"
	if err := checkRemote(op, remote); err != nil {
		return err
	}
	if password == "" {
		return fmt.Errorf("keyring: %s for remote %q: empty password", op, remote)
	}
	secret := encodePassword(password)
	user := remote + passwordSuffix
	if err := checkSize(s.service, user, secret); err != nil {
		return fmt.Errorf("keyring: %s for remote %q: %w", op, remote, err)
	}
	_, err := s.call(func() (string, error) { return "", s.backend.Set(s.service, user, secret) })
	return translate(op, remote, "password", err)
}

// LoadPassword returns the remembered password of remote, or an error
// wrapping model.ErrNotFound when none was remembered.
func (s *Store) LoadPassword(remote string) (string, error) {
	const op = "load password"
	if err := checkRemote(op, remote); err != nil {
		return "", err
	}
	secret, err := s.call(func() (string, error) { return s.backend.Get(s.service, remote+passwordSuffix) })
	if err != nil {
		return "", translate(op, remote, "password", err)
	}
	pw, err := decodePassword(secret)
	if err != nil {
		return "", fmt.Errorf("keyring: %s for remote %q: stored entry is unreadable: %w", op, remote, err)
	}
	return pw, nil
}

// DeletePassword forgets the remembered password of remote; a missing
// entry is not an error.
func (s *Store) DeletePassword(remote string) error {
	return s.deleteEntry("delete password", remote, remote+passwordSuffix, "password")
}

// Delete removes every entry of remote (session and password). Missing
// entries are not an error.
func (s *Store) Delete(remote string) error {
	return errors.Join(s.DeleteSession(remote), s.DeletePassword(remote))
}

func (s *Store) deleteEntry(op, remote, user, what string) error {
	if err := checkRemote(op, remote); err != nil {
		return err
	}
	_, err := s.call(func() (string, error) { return "", s.backend.Delete(s.service, user) })
	if errors.Is(err, gokeyring.ErrNotFound) {
		return nil
	}
	return translate(op, remote, what, err)
}

// call runs fn with the Store's timeout. A call that does not return in
// time (typically an unlock prompt nobody answers) is reported as a locked
// keyring; its goroutine is left to finish on its own.
func (s *Store) call(fn func() (string, error)) (string, error) {
	return withTimeout(s.timeout, fn)
}

type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no answer from the keyring within %s", e.after)
}

func checkRemote(op, remote string) error {
	switch {
	case remote == "":
		return fmt.Errorf("keyring: %s: empty remote name", op)
	case len(remote) > maxRemoteLen:
		return fmt.Errorf("keyring: %s: remote name longer than %d bytes", op, maxRemoteLen)
	case strings.ContainsAny(remote, "/\x00\n"):
		return fmt.Errorf("keyring: %s: remote name %q may not contain '/', NUL or newlines", op, remote)
	}
	return nil
}

// Plain-words advice attached to translated errors.
const (
	hintNoSecretService = "no Secret Service on D-Bus (headless session?): set MEGATUI_PASSWORD for this run, " +
		"or run megatui inside a desktop session / start gnome-keyring-daemon"
	hintLocked = "the keyring is locked: unlock it (log in to the desktop session, or use your keyring tool such as seahorse), " +
		"or set MEGATUI_PASSWORD for this run"
	hintTimeout = "the keyring did not answer (an unlock prompt may be waiting): unlock the keyring, " +
		"or set MEGATUI_PASSWORD for this run"
)

// translate turns a backend error into a model sentinel with advice.
func translate(op, remote, what string, err error) error {
	if err == nil {
		return nil
	}
	prefix := fmt.Sprintf("keyring: %s for remote %q", op, remote)
	var te *timeoutError
	switch {
	case errors.Is(err, gokeyring.ErrNotFound):
		return fmt.Errorf("%s: no %s stored (run megatui login %s): %w", prefix, what, remote, model.ErrNotFound)
	case errors.Is(err, gokeyring.ErrSetDataTooBig):
		return fmt.Errorf("%s: %w: the keyring refused an entry this large", prefix, model.ErrSecretTooLarge)
	case errors.As(err, &te):
		return fmt.Errorf("%s: %s (%w): %w", prefix, hintTimeout, err, model.ErrKeyringLocked)
	}
	switch classifyPlatform(err) {
	case StateNoSecretService:
		return fmt.Errorf("%s: %s (%w): %w", prefix, hintNoSecretService, err, model.ErrNoSecretService)
	case StateLocked:
		return fmt.Errorf("%s: %s (%w): %w", prefix, hintLocked, err, model.ErrKeyringLocked)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
