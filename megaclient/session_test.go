package megaclient

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func TestSavedSessionNeedsNoPasswordLogin(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	store := &memStore{}
	c1 := connect(t, s, func(o *Options) { o.Store = store })
	if !c1.PasswordLoginDone() {
		t.Fatal("first connect: want a password login")
	}
	if got := s.CommandCount("us"); got != 1 {
		t.Fatalf("after first connect: got %d us commands, want 1", got)
	}
	// Second run: no password at all, only the store.
	c2 := connect(t, s, func(o *Options) { o.Store = store; o.Password = "" })
	if got := s.CommandCount("us"); got != 1 {
		t.Errorf("after resume: got %d us commands, want still 1", got)
	}
	if got := s.CommandCount("us0"); got != 1 {
		t.Errorf("after resume: got %d us0 commands, want still 1", got)
	}
	if c2.PasswordLoginDone() {
		t.Error("resume: reported a password login")
	}
	if _, err := c2.List(context.Background(), "/"); err != nil {
		t.Errorf("resume: list: %v", err)
	}
}

func TestExpiredSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	store := &memStore{}
	c1 := connect(t, s, func(o *Options) { o.Store = store })
	sess := c1.Session()
	c1.Close()
	logout(t, s, sess.SessionID)

	// Without a password: a clear error, no login attempt.
	_, err := Connect(ctx, Options{Remote: "mega", Email: testEmail, APIURL: s.URL(), HTTPClient: s.HTTPClient(), Store: store})
	if !errors.Is(err, model.ErrSessionExpired) || !strings.Contains(err.Error(), "run megatui login") {
		t.Fatalf("resume without password: got %v, want %v mentioning megatui login", err, model.ErrSessionExpired)
	}
	if got := s.CommandCount("us"); got != 1 {
		t.Errorf("got %d us commands, want 1 (no login without a password)", got)
	}

	// With a password: exactly one re-login, and the new session is saved.
	c2 := connect(t, s, func(o *Options) { o.Store = store })
	if got := s.CommandCount("us"); got != 2 {
		t.Errorf("got %d us commands, want 2", got)
	}
	if saved, _ := store.LoadSession("mega"); saved.SessionID == sess.SessionID {
		t.Error("the new session was not saved")
	}

	// The session expires while in use: one re-login, the call succeeds.
	logout(t, s, c2.Session().SessionID)
	if _, err := c2.Mkdir(ctx, "/", "after-expiry"); err != nil {
		t.Fatalf("mkdir after expiry: %v", err)
	}
	if got := s.CommandCount("us"); got != 3 {
		t.Errorf("got %d us commands, want 3", got)
	}
	// A second expiry in the same client is an error, not a login loop.
	logout(t, s, c2.Session().SessionID)
	_, err = c2.Mkdir(ctx, "/", "after-second-expiry")
	if !errors.Is(err, model.ErrSessionExpired) {
		t.Errorf("second expiry: got %v, want %v", err, model.ErrSessionExpired)
	}
	if got := s.CommandCount("us"); got != 3 {
		t.Errorf("got %d us commands, want still 3 (never a loop of logins)", got)
	}
	if !c2.SessionExpired() {
		t.Error("SessionExpired: got false after a -15, want true")
	}
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const secret = "JBSWY3DPEHPK3PXP"
	s := startSim(t,
		megasim.Account{Email: testEmail, Password: testPass, Version: 1},
		megasim.Account{Email: "mfa@example.com", Password: testPass, Version: 2, TOTPSecret: secret})
	base := Options{APIURL: s.URL(), HTTPClient: s.HTTPClient()}
	cases := []struct {
		name  string
		email string
		pass  string
		code  func() string
		want  error
	}{
		{"v1 account", testEmail, testPass, nil, nil},
		{"wrong password", testEmail, "nope", nil, model.ErrLoginFailed},
		{"unknown user", "who@example.com", testPass, nil, model.ErrLoginFailed},
		{"mfa missing", "mfa@example.com", testPass, nil, model.ErrMFARequired},
		{"mfa wrong", "mfa@example.com", testPass, func() string { return "000000" }, model.ErrMFAInvalid},
		{"mfa right", "mfa@example.com", testPass, func() string {
			code, err := megasim.TOTPCode(secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return code
		}, nil},
	}
	for _, tc := range cases {
		o := base
		o.Email, o.Password = tc.email, tc.pass
		if tc.code != nil {
			o.MFACode = tc.code()
		}
		c, err := Connect(ctx, o)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: got %v, want success", tc.name, err)
				continue
			}
			if _, err := c.List(ctx, "/"); err != nil {
				t.Errorf("%s: list: %v", tc.name, err)
			}
			c.Close()
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHashcashLogin(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	s.SetFaults(megasim.Faults{HashcashLogin: true, HashcashEasiness: 255})
	c := connect(t, s, nil)
	if _, err := c.List(context.Background(), "/"); err != nil {
		t.Fatal(err)
	}
}

func TestLoginProgressAndQuietLogger(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	var mu sync.Mutex
	var calls int
	var last, total int64
	var logged []string
	c := connect(t, s, func(o *Options) {
		o.Progress = func(read, tot int64) { mu.Lock(); calls++; last, total = read, tot; mu.Unlock() }
		o.Logf = func(format string, args ...any) { mu.Lock(); logged = append(logged, format); mu.Unlock() }
	})
	_ = c
	mu.Lock()
	defer mu.Unlock()
	if calls == 0 || last <= 0 || (total > 0 && last != total) {
		t.Errorf("progress: got %d calls, last %d of %d, want at least one call ending at the total", calls, last, total)
	}
}
