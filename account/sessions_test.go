package account

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/keyringtest"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

func TestKeyringSessionsRoundTrip(t *testing.T) {
	t.Parallel()
	store := keyring.NewWithBackend(keyringtest.New())
	fixed := time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)
	ks := KeyringSessions{store: store, now: func() time.Time { return fixed }}

	if _, err := ks.LoadSession("work"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("load before save: got %v, want ErrNotFound", err)
	}
	want := megaclient.Session{Email: "a@example.com", SessionID: "sid-0123456789", MasterKey: bytes.Repeat([]byte{7}, 16)}
	if err := ks.SaveSession("work", want); err != nil {
		t.Fatalf("save: %v", err)
	}
	got, err := ks.LoadSession("work")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got.Email != want.Email || got.SessionID != want.SessionID || !bytes.Equal(got.MasterKey, want.MasterKey) {
		t.Errorf("load: got %v (sid %q), want %v", got, got.SessionID, want)
	}
	// The keyring's own view carries the time of the save.
	ksess, err := store.LoadSession("work")
	if err != nil || !ksess.CreatedAt.Equal(fixed) {
		t.Errorf("keyring session: got %v, %v; want created %v", ksess, err, fixed)
	}
	// Another remote is independent.
	if _, err := ks.LoadSession("other"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("other remote: got %v, want ErrNotFound", err)
	}
}

func TestKeyringSessionsPropagatesKeyringFailure(t *testing.T) {
	t.Parallel()
	mem := keyringtest.New()
	mem.Fail(errors.New("dbus: connection refused"))
	ks := NewKeyringSessions(keyring.NewWithBackend(mem))
	err := ks.SaveSession("work", megaclient.Session{Email: "a@example.com", SessionID: "s", MasterKey: make([]byte, 16)})
	if err == nil {
		t.Fatal("save on a failing keyring: got nil error")
	}
	if _, err := ks.LoadSession("work"); err == nil || errors.Is(err, model.ErrNotFound) {
		t.Errorf("load on a failing keyring: got %v, want the failure (not 'not found')", err)
	}
}

func TestRunSessionsHandsOverAndKeepsSaveErrors(t *testing.T) {
	t.Parallel()
	mem := keyringtest.New()
	rs := &runSessions{save: NewKeyringSessions(keyring.NewWithBackend(mem))}
	if _, err := rs.LoadSession("work"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("nothing loaded: got %v, want ErrNotFound", err)
	}
	rs.loaded = &megaclient.Session{Email: "a@example.com", SessionID: "sid", MasterKey: make([]byte, 16)}
	if s, err := rs.LoadSession("work"); err != nil || s.SessionID != "sid" {
		t.Errorf("loaded: got %v, %v", s, err)
	}
	if len(mem.Users()) != 0 {
		t.Errorf("LoadSession touched the keyring: %v", mem.Users())
	}
	mem.Fail(errors.New("dbus: broken"))
	if err := rs.SaveSession("work", *rs.loaded); err != nil {
		t.Errorf("SaveSession must not fail the connection: got %v", err)
	}
	if rs.saveError() == nil {
		t.Error("the save error was not kept for the warning")
	}
}
