package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/login"
	"github.com/megatui/megatui/ui/theme"
)

const testPassword = "hunter2-Secret!"

// newLoginHarness shows local on the left and a locked MEGA remote on
// the right (the login form opens as soon as its listing fails).
func newLoginHarness(t testing.TB, w, h int, fs *lockedFS) *harness {
	t.Helper()
	local, _ := fixture()
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: fs, LeftDir: "/home/u", RightDir: "/Cloud",
		Transfers: &fakeTransfers{}, Styles: &st, Location: time.UTC})
	hs := &harness{t: t, app: app, local: local, mega: fs.megaFS}
	hs.send(windowSize(w, h))
	hs.run(app.Init())
	return hs
}

// noSecret fails if the password shows anywhere on screen or in the
// message line.
func noSecret(t *testing.T, h *harness) {
	t.Helper()
	if v := h.app.render(); strings.Contains(v, testPassword) || strings.Contains(stripANSI(v), testPassword) {
		t.Fatalf("the password is on screen:\n%s", stripANSI(v))
	}
	if strings.Contains(h.app.Message(), testPassword) {
		t.Fatalf("the password is in the message line")
	}
}

func TestLoginFormWith2FA(t *testing.T) {
	t.Parallel()
	fs := newLockedFS("me@example.com", testPassword, "123456")
	h := newLoginHarness(t, 100, 30, fs)
	if h.app.loginForm() == nil {
		t.Fatalf("no login form for a remote without a session; message %q", h.app.Message())
	}
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "Log in to mega:work") || !strings.Contains(v, "me@example.com") {
		t.Fatalf("form lacks the remote or the prefilled e-mail:\n%s", v)
	}
	// The e-mail is known, so the password has focus.
	h.typeText(testPassword)
	noSecret(t, h)
	if !strings.Contains(stripANSI(h.app.render()), strings.Repeat("•", len(testPassword))) {
		t.Errorf("the password is not shown masked")
	}
	h.press("enter")
	if h.app.loginForm() == nil || h.app.loginForm().form.Step() != login.StepCode {
		t.Fatalf("no 2FA step after ErrMFARequired")
	}
	if p := h.app.loginForm().form.Problem(); !strings.Contains(p, "two-factor") {
		t.Errorf("2FA needed: got %q", p)
	}
	h.typeText("000000")
	h.press("enter")
	if p := h.app.loginForm().form.Problem(); !strings.Contains(p, "not accepted") {
		t.Errorf("wrong code: got %q", p)
	}
	h.typeText("123456")
	h.press("enter")
	if h.app.loginForm() != nil {
		t.Fatalf("form still open after a good code: %q", h.app.loginForm().form.Problem())
	}
	if got := h.rows(1); !slices.Equal(got, []string{"secret-plans.txt"}) {
		t.Errorf("after login the pane shows %q", got)
	}
	if !strings.Contains(h.app.Message(), "logged in to mega:work") {
		t.Errorf("message %q", h.app.Message())
	}
	want := []string{"me@example.com  false", "me@example.com 000000 false", "me@example.com 123456 false"}
	if !slices.Equal(fs.attempts, want) {
		t.Errorf("attempts: got %q, want %q", fs.attempts, want)
	}
	for _, p := range fs.gotPass {
		if p != testPassword {
			t.Errorf("Login got password %q", p)
		}
	}
	noSecret(t, h)
}

func TestLoginErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrong password", model.ErrLoginFailed, "Wrong e-mail or password"},
		{"blocked", model.ErrBlocked, "blocked"},
		{"rate limited", model.ErrRateLimited, "Too many attempts"},
		{"unreachable", model.ErrUnreachable, "Cannot reach the MEGA server"},
		{"2fa needed", model.ErrMFARequired, "two-factor authentication"},
		{"2fa wrong", model.ErrMFAInvalid, "not accepted"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := newLockedFS("me@example.com", testPassword, "")
			fs.next = tc.err
			h := newLoginHarness(t, 100, 30, fs)
			h.typeText(testPassword)
			h.press("enter")
			if h.app.loginForm() == nil {
				t.Fatalf("form closed after %v", tc.err)
			}
			p := h.app.loginForm().form.Problem()
			if !strings.Contains(p, tc.want) {
				t.Errorf("got %q, want it to say %q", p, tc.want)
			}
			if !strings.Contains(stripANSI(h.app.render()), tc.want) {
				t.Errorf("message not on screen")
			}
			if other, dup := seen[p]; dup {
				t.Errorf("%s and %s show the same message %q", tc.name, other, p)
			}
			seen[p] = tc.name
			noSecret(t, h)
		})
	}
}

func TestLoginWrongPasswordClearsIt(t *testing.T) {
	t.Parallel()
	fs := newLockedFS("me@example.com", testPassword, "")
	h := newLoginHarness(t, 100, 30, fs)
	h.typeText("wrong")
	h.press("enter")
	if p := h.app.loginForm().form.Problem(); !strings.Contains(p, "Wrong e-mail or password") {
		t.Fatalf("got %q", p)
	}
	// The password field is empty again and keeps focus.
	h.typeText(testPassword)
	h.press("enter")
	if h.app.loginForm() != nil {
		t.Fatalf("second attempt failed: %q", h.app.loginForm().form.Problem())
	}
}

func TestLoginRememberAndValidation(t *testing.T) {
	t.Parallel()
	fs := newLockedFS("", testPassword, "")
	h := newLoginHarness(t, 100, 30, fs)
	h.press("enter") // nothing typed
	if p := h.app.loginForm().form.Problem(); !strings.Contains(p, "e-mail") || len(fs.attempts) != 0 {
		t.Fatalf("empty form: got %q, %d attempts", p, len(fs.attempts))
	}
	h.typeText("me@example.com")
	h.press("tab")
	h.typeText(testPassword)
	h.press("tab", "space")
	if !h.app.loginForm().form.Remember() {
		t.Fatalf("space on the checkbox did not tick it")
	}
	h.press("enter")
	if len(fs.attempts) != 1 || fs.attempts[0] != "me@example.com  true" {
		t.Errorf("attempts %q, want one with remember", fs.attempts)
	}
}

func TestLoginCancelAndRetry(t *testing.T) {
	t.Parallel()
	fs := newLockedFS("me@example.com", testPassword, "")
	h := newLoginHarness(t, 100, 30, fs)
	h.press("esc")
	if h.app.loginForm() != nil || !strings.Contains(h.app.Message(), "not logged in") {
		t.Fatalf("esc: form open=%v, message %q", h.app.loginForm() != nil, h.app.Message())
	}
	// Browsing works again; refreshing the pane asks again.
	h.press("tab", "ctrl+r")
	if h.app.loginForm() == nil {
		t.Fatalf("refresh of a remote without a session did not open the form")
	}
}

// TestSwitchToRemoteWithoutSession: `o` onto a remote without a session
// opens the login form for that pane.
func TestSwitchToRemoteWithoutSession(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	locked := newLockedFS("me@example.com", testPassword, "")
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Styles: &st,
		Filesystems: []FS{local, mega, locked}, Location: time.UTC})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(100, 30))
	h.run(app.Init())
	if app.loginForm() != nil {
		t.Fatalf("form open before switching")
	}
	h.press("o", "tab", "tab", "enter") // local → mega → mega:work
	if app.loginForm() == nil || app.loginForm().pane != 0 {
		t.Fatalf("switching to mega:work did not open its login form")
	}
	h.typeText(testPassword)
	h.press("enter")
	if got := h.rows(0); app.loginForm() != nil || !slices.Equal(got, []string{"Cloud"}) {
		t.Errorf("after login the left pane shows %q", got)
	}
}
