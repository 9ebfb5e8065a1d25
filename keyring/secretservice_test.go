//go:build linux

package keyring

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/megatui/megatui/internal/secretservicetest"
	"github.com/megatui/megatui/model"
)

// These tests talk to a real Secret Service (gnome-keyring) over D-Bus.
//
// CI runs `go test` inside dbus-run-session with an unlocked
// gnome-keyring-daemon (see .ci/run); the tests then use that keyring.
// Without one, they start their own private session (dbus-run-session +
// gnome-keyring-daemon with a throw-away HOME) when those programs are
// installed, so a developer machine needs no setup. Otherwise they skip,
// or fail when MEGATUI_REQUIRE_ALL=1.
//
// godbus connects to the session bus once per process and keeps that
// connection, reading DBUS_SESSION_BUS_ADDRESS only at the first call.
// That is why every test that needs a different bus runs in a child
// process (the test binary re-executed with -test.run).

const (
	childEnv       = "MEGATUI_KEYRING_TEST_CHILD"
	childPrivate   = "private-secret-service"
	childNoDBus    = "no-dbus"
	testService    = "megatui-test"
	privateTimeout = 90 * time.Second
)

func uniqueRemote(t *testing.T) string {
	return strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()) + "-" + time.Now().Format("150405.000000")
}

// withSecretService runs body against a usable Secret Service: the ambient
// one if reachable, else a private one in a child process.
func withSecretService(t *testing.T, body func(t *testing.T, s *Store)) {
	t.Helper()
	if os.Getenv(childEnv) != childPrivate {
		if s := New(WithService(testService), WithTimeout(20*time.Second)); s.Status().Usable() {
			body(t, s)
			return
		}
	}
	inPrivateSecretService(t, body)
}

// inPrivateSecretService runs body only inside a private Secret Service,
// for tests that would disturb a shared one (locking it).
func inPrivateSecretService(t *testing.T, body func(t *testing.T, s *Store)) {
	t.Helper()
	if os.Getenv(childEnv) == childPrivate {
		s := New(WithService(testService), WithTimeout(20*time.Second))
		if st := s.Status(); !st.Usable() {
			t.Fatalf("private Secret Service not usable: %+v", st)
		}
		body(t, s)
		return
	}
	// Re-run this test in a child process under its own D-Bus session with
	// an unlocked gnome-keyring whose files live in a throw-away HOME.
	secretservicetest.RunInPrivate(t, childEnv, childPrivate, privateTimeout)
}

func TestSecretServiceStoreReadDelete(t *testing.T) {
	withSecretService(t, func(t *testing.T, s *Store) {
		remote := uniqueRemote(t)
		t.Cleanup(func() { _ = s.Delete(remote) })
		want := testSession()
		if err := s.SaveSession(remote, want); err != nil {
			t.Fatalf("save: %v", err)
		}
		// The entry is in the Secret Service under our service and the
		// remote's name, encoded, not as the raw session id.
		raw, err := gokeyring.Get(testService, remote)
		if err != nil {
			t.Fatalf("go-keyring does not see the entry: %v", err)
		}
		if !strings.HasPrefix(raw, sessionPrefix) || strings.Contains(raw, want.SessionID) {
			t.Errorf("stored entry %q is not the compact encoding", raw)
		}
		// A new Store (a later run) reads it back.
		got, err := New(WithService(testService)).LoadSession(remote)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		if got.Email != want.Email || got.SessionID != want.SessionID ||
			!bytes.Equal(got.MasterKey, want.MasterKey) || !got.CreatedAt.Equal(want.CreatedAt) {
			t.Errorf("load: got %+v, want %+v", got, want)
		}
		// Opt-in password: a separate entry.
		if _, err := s.LoadPassword(remote); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("password before opt-in: got %v, want ErrNotFound", err)
		}
		if err := s.SavePassword(remote, "pässwörd with spaces\nand a newline"); err != nil {
			t.Fatalf("save password: %v", err)
		}
		if pw, err := s.LoadPassword(remote); err != nil || pw != "pässwörd with spaces\nand a newline" {
			t.Errorf("load password: got %q, %v", pw, err)
		}
		// Resolution prefers the session.
		c, err := Resolver{Store: s}.Resolve(context.Background(), remote, want.Email)
		if err != nil || c.Source != SourceSession {
			t.Errorf("Resolve: got %v, %v; want the stored session", c, err)
		}
		// Delete removes both entries.
		if err := s.Delete(remote); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := s.LoadSession(remote); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("load after delete: got %v, want ErrNotFound", err)
		}
		if _, err := s.LoadPassword(remote); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("password after delete: got %v, want ErrNotFound", err)
		}
		if _, err := gokeyring.Get(testService, remote); !errors.Is(err, gokeyring.ErrNotFound) {
			t.Errorf("go-keyring still sees the entry after delete: %v", err)
		}
	})
}

// TestSecretServiceLocked locks the keyring (only ever a private one) and
// checks the plain-words report and the fallback.
func TestSecretServiceLocked(t *testing.T) {
	inPrivateSecretService(t, func(t *testing.T, s *Store) {
		remote := uniqueRemote(t)
		if err := s.SaveSession(remote, testSession()); err != nil {
			t.Fatalf("save: %v", err)
		}
		conn, err := dbus.SessionBus()
		if err != nil {
			t.Fatal(err)
		}
		var locked []dbus.ObjectPath
		var prompt dbus.ObjectPath
		err = conn.Object(secretsName, secretsPath).Call("org.freedesktop.Secret.Service.Lock", 0,
			[]dbus.ObjectPath{loginCollection, defaultCollection}).Store(&locked, &prompt)
		if err != nil {
			t.Fatalf("locking the keyring: %v", err)
		}
		st := s.Status()
		if st.State != StateLocked || !strings.Contains(st.Advice, "keyring is locked") {
			t.Fatalf("Status of a locked keyring: got %+v", st)
		}
		// No display to show an unlock prompt on: the call fails (or
		// times out) and is reported as locked, never hangs.
		_, err = s.LoadSession(remote)
		if !errors.Is(err, model.ErrKeyringLocked) {
			t.Fatalf("load from a locked keyring: got %v, want ErrKeyringLocked", err)
		}
		c, err := Resolver{Store: s, Getenv: envMap(map[string]string{EnvPassword: "env-secret"})}.
			Resolve(context.Background(), remote, "alice@example.com")
		if err != nil || c.Source != SourceEnv || !errors.Is(c.KeyringProblem, model.ErrKeyringLocked) {
			t.Errorf("Resolve with a locked keyring: got %v (problem %v), %v; want MEGATUI_PASSWORD with the locked problem",
				c, c.KeyringProblem, err)
		}
	})
}

// TestNoDBus points DBUS_SESSION_BUS_ADDRESS at nothing in a child
// process, then checks Status, the store's errors and the fallback.
func TestNoDBus(t *testing.T) {
	if os.Getenv(childEnv) != childNoDBus {
		secretservicetest.RunChild(t, secretservicetest.RerunCommand(t, privateTimeout, childEnv+"="+childNoDBus))
		return
	}
	// In the child, nothing has touched D-Bus yet, so this setting takes
	// effect: go-keyring (through godbus) reads it at the first call.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus-here"))

	s := New(WithService(testService), WithTimeout(10*time.Second))
	st := s.Status()
	if st.State != StateNoSecretService {
		t.Fatalf("Status: got %+v, want %v", st, StateNoSecretService)
	}
	const advice = "no Secret Service on D-Bus (headless session?): set MEGATUI_PASSWORD for this run, " +
		"or run megatui inside a desktop session / start gnome-keyring-daemon"
	if st.Advice != advice {
		t.Errorf("Status advice:\n got %q\nwant %q", st.Advice, advice)
	}
	_, err := s.LoadSession("work")
	if !errors.Is(err, model.ErrNoSecretService) || !strings.Contains(err.Error(), advice) {
		t.Errorf("LoadSession: got %v, want ErrNoSecretService with the advice", err)
	}
	if err := s.SaveSession("work", testSession()); !errors.Is(err, model.ErrNoSecretService) {
		t.Errorf("SaveSession: got %v, want ErrNoSecretService", err)
	}

	// Fallback 1: MEGATUI_PASSWORD.
	c, err := Resolver{Store: s, Getenv: envMap(map[string]string{EnvPassword: "env-secret"})}.
		Resolve(context.Background(), "work", "alice@example.com")
	if err != nil || c.Source != SourceEnv || c.Password != "env-secret" || !errors.Is(c.KeyringProblem, model.ErrNoSecretService) {
		t.Errorf("Resolve with env: got %v (problem %v), %v", c, c.KeyringProblem, err)
	}
	// Fallback 2: the prompt.
	p := &promptRecorder{answer: "typed-secret"}
	c, err = Resolver{Store: s, Prompt: p.prompt}.Resolve(context.Background(), "work", "alice@example.com")
	if err != nil || c.Source != SourcePrompt || p.asked != 1 {
		t.Errorf("Resolve with prompt: got %v, %v (asked %d)", c, err, p.asked)
	}
	// Nothing: a clear error naming both the keyring problem and the way out.
	_, err = Resolver{Store: s}.Resolve(context.Background(), "work", "alice@example.com")
	if !errors.Is(err, model.ErrNoCredentials) || !errors.Is(err, model.ErrNoSecretService) ||
		!strings.Contains(err.Error(), "set MEGATUI_PASSWORD") {
		t.Errorf("Resolve with nothing: got %v", err)
	}
	t.Logf("message shown to the user: %v", err)
}
