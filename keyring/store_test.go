package keyring

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/megatui/megatui/model"
)

func TestStoreSessionLifecycle(t *testing.T) {
	t.Parallel()
	mem := newMemBackend()
	s := NewWithBackend(mem)

	if _, err := s.LoadSession("work"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("load before save: got %v, want ErrNotFound", err)
	}
	if ok, err := s.HasSession("work"); ok || err != nil {
		t.Fatalf("HasSession before save: got %v, %v; want false, nil", ok, err)
	}
	want := testSession()
	if err := s.SaveSession("work", want); err != nil {
		t.Fatalf("save: %v", err)
	}
	got, err := s.LoadSession("work")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got.SessionID != want.SessionID || !bytes.Equal(got.MasterKey, want.MasterKey) || got.Email != want.Email {
		t.Errorf("load: got %+v, want %+v", got, want)
	}
	if ok, err := s.HasSession("work"); !ok || err != nil {
		t.Errorf("HasSession after save: got %v, %v; want true, nil", ok, err)
	}
	// One entry per remote, under the megatui service, not readable as plain text.
	raw := mem.raw()
	entry, ok := raw[Service+"\x00work"]
	if len(raw) != 1 || !ok {
		t.Fatalf("backend entries: got %v, want exactly one for service %q account %q", raw, Service, "work")
	}
	if strings.Contains(entry, want.SessionID) {
		t.Errorf("stored entry %q holds the session id verbatim; want the compact encoding", entry)
	}

	// Saving again replaces.
	newer := testSession()
	newer.SessionID = "another-session-id"
	if err := s.SaveSession("work", newer); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadSession("work"); got.SessionID != newer.SessionID {
		t.Errorf("after re-save: got session id %q, want %q", got.SessionID, newer.SessionID)
	}

	if err := s.DeleteSession("work"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.DeleteSession("work"); err != nil {
		t.Errorf("deleting a missing session: got %v, want nil", err)
	}
	if _, err := s.LoadSession("work"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("load after delete: got %v, want ErrNotFound", err)
	}
}

func TestStorePasswordIsOptInAndSeparate(t *testing.T) {
	t.Parallel()
	mem := newMemBackend()
	s := NewWithBackend(mem)
	if err := s.SaveSession("work", testSession()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadPassword("work"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("password before opting in: got %v, want ErrNotFound", err)
	}
	if err := s.SavePassword("work", "correct horse"); err != nil {
		t.Fatal(err)
	}
	if len(mem.raw()) != 2 {
		t.Fatalf("entries: got %d, want 2 (session and password)", len(mem.raw()))
	}
	if pw, err := s.LoadPassword("work"); pw != "correct horse" || err != nil {
		t.Errorf("LoadPassword: got %q, %v; want %q, nil", pw, err, "correct horse")
	}
	if err := s.SavePassword("work", ""); err == nil {
		t.Error("saved an empty password")
	}
	if err := s.DeletePassword("work"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSession("work"); err != nil {
		t.Errorf("forgetting the password removed the session: %v", err)
	}
	if err := s.SavePassword("work", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("work"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if n := len(mem.raw()); n != 0 {
		t.Errorf("after Delete: %d entries left, want 0", n)
	}
	if err := s.Delete("work"); err != nil {
		t.Errorf("Delete of a remote with no entries: got %v, want nil", err)
	}
}

func TestStoreRejectsBadRemoteNames(t *testing.T) {
	t.Parallel()
	s := NewWithBackend(newMemBackend())
	for _, name := range []string{"", "a/b", "x\x00", strings.Repeat("r", maxRemoteLen+1)} {
		if err := s.SaveSession(name, testSession()); err == nil {
			t.Errorf("SaveSession(%q) succeeded, want an error", name)
		}
	}
}

func TestStoreSizeLimits(t *testing.T) {
	t.Parallel()
	mem := newMemBackend()
	s := NewWithBackend(mem)
	big := testSession()
	big.Email = strings.Repeat("a", 2000) + "@example.com"
	err := s.SaveSession("work", big)
	if !errors.Is(err, model.ErrSecretTooLarge) {
		t.Fatalf("oversized session: got %v, want ErrSecretTooLarge", err)
	}
	if !strings.Contains(err.Error(), "Windows allows 2560") {
		t.Errorf("message %q does not say which limit was hit", err)
	}
	if err := s.SavePassword("work", strings.Repeat("p", 2500)); !errors.Is(err, model.ErrSecretTooLarge) {
		t.Errorf("oversized password: got %v, want ErrSecretTooLarge", err)
	}
	if len(mem.raw()) != 0 {
		t.Errorf("an oversized entry reached the backend")
	}
	// The backend's own refusal is translated too.
	mem2 := newMemBackend()
	mem2.err = gokeyring.ErrSetDataTooBig
	if err := NewWithBackend(mem2).SaveSession("work", testSession()); !errors.Is(err, model.ErrSecretTooLarge) {
		t.Errorf("backend ErrSetDataTooBig: got %v, want ErrSecretTooLarge", err)
	}
}

func TestStoreTranslatesBackendFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		want      error
		wantState State
		wantText  string
	}{
		{"no service on the bus", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"},
			model.ErrNoSecretService, StateNoSecretService, "no Secret Service on D-Bus (headless session?): set MEGATUI_PASSWORD"},
		{"no service, pointer error", &dbus.Error{Name: "org.freedesktop.DBus.Error.NameHasNoOwner"},
			model.ErrNoSecretService, StateNoSecretService, "start gnome-keyring-daemon"},
		{"activation failed", dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"},
			model.ErrNoSecretService, StateNoSecretService, "headless session?"},
		{"no bus address", errors.New("dbus: couldn't determine address of session bus"),
			model.ErrNoSecretService, StateNoSecretService, "MEGATUI_PASSWORD"},
		{"locked item", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"},
			model.ErrKeyringLocked, StateLocked, "keyring is locked"},
		{"unlock prompt dismissed", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			model.ErrKeyringLocked, StateLocked, "keyring is locked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mem := newMemBackend()
			mem.err = tt.err
			s := NewWithBackend(mem)
			_, err := s.LoadSession("work")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want errors.Is %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q lacks %q", err, tt.wantText)
			}
			if err := s.SaveSession("work", testSession()); !errors.Is(err, tt.want) {
				t.Errorf("save: got %v, want %v", err, tt.want)
			}
			st := s.Status()
			if st.State != tt.wantState || st.Advice == "" || st.Err == nil {
				t.Errorf("Status: got %+v, want state %v with advice", st, tt.wantState)
			}
		})
	}
}

func TestStoreTimeoutReportsLocked(t *testing.T) {
	t.Parallel()
	mem := newMemBackend()
	mem.block = make(chan struct{}) // an unlock prompt nobody answers
	defer close(mem.block)
	s := NewWithBackend(mem, WithTimeout(20*time.Millisecond))
	_, err := s.LoadSession("work")
	if !errors.Is(err, model.ErrKeyringLocked) {
		t.Fatalf("got %v, want ErrKeyringLocked", err)
	}
	if !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("message %q does not explain the timeout", err)
	}
	if st := s.Status(); st.State != StateLocked {
		t.Errorf("Status: got %v, want %v", st.State, StateLocked)
	}
}

func TestStatusUsable(t *testing.T) {
	t.Parallel()
	if st := NewWithBackend(newMemBackend()).Status(); !st.Usable() || st.Err != nil {
		t.Errorf("Status of a working backend: got %+v, want usable", st)
	}
}
