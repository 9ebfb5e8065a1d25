package app

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/uitest"
)

// tuiSimRemote is a MEGA pane over megaclient with no session until the
// login form logs in: the TUI's login flow end to end, through the real
// client and protocol (megasim), without the keyring.
type tuiSimRemote struct {
	url   string
	hc    *http.Client
	email string
	mu    sync.Mutex
	c     *megaclient.Client
}

func (r *tuiSimRemote) client() (*megaclient.Client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c == nil {
		return nil, fmt.Errorf("mega:sim: %w", model.ErrNoCredentials)
	}
	return r.c, nil
}

func (r *tuiSimRemote) Label() string { return "mega:sim" }
func (r *tuiSimRemote) Email() string { return r.email }

func (r *tuiSimRemote) List(ctx context.Context, dir string) ([]model.Entry, error) {
	c, err := r.client()
	if err != nil {
		return nil, err
	}
	return c.List(ctx, dir)
}

func (r *tuiSimRemote) Mkdir(ctx context.Context, dir, name string) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	_, err = c.Mkdir(ctx, dir, name)
	return err
}

func (r *tuiSimRemote) Rename(ctx context.Context, p, name string) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	return c.Rename(ctx, p, name)
}

func (r *tuiSimRemote) Remove(ctx context.Context, p string, permanent bool) error {
	c, err := r.client()
	if err != nil {
		return err
	}
	return c.Delete(ctx, p, permanent)
}

func (r *tuiSimRemote) Join(dir, name string) string { return path.Join(dir, name) }
func (r *tuiSimRemote) Parent(p string) string       { return path.Dir(p) }

func (r *tuiSimRemote) Login(ctx context.Context, email, password, code string, _ bool) error {
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "sim", Email: email, Password: password,
		MFACode: code, APIURL: r.url, HTTPClient: r.hc})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.c = c
	r.mu.Unlock()
	return nil
}

func (r *tuiSimRemote) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.c != nil {
		r.c.Close()
	}
}

// tuiEmptyFS is an empty left pane.
type tuiEmptyFS struct{}

func (tuiEmptyFS) Label() string                                       { return "empty" }
func (tuiEmptyFS) List(context.Context, string) ([]model.Entry, error) { return nil, nil }
func (tuiEmptyFS) Mkdir(context.Context, string, string) error         { return model.ErrPermission }
func (tuiEmptyFS) Rename(context.Context, string, string) error        { return model.ErrPermission }
func (tuiEmptyFS) Remove(context.Context, string, bool) error          { return model.ErrPermission }
func (tuiEmptyFS) Join(dir, name string) string                        { return path.Join(dir, name) }
func (tuiEmptyFS) Parent(p string) string                              { return path.Dir(p) }

// tuiDriver runs an App synchronously (see uitest), with time for
// megasim's round trips in each Cmd.
type tuiDriver struct {
	*uitest.Driver
	app *ui.App
}

func newTUIDriver(t *testing.T, app *ui.App) *tuiDriver {
	d := uitest.New(t, app)
	d.Timeout = time.Minute
	return &tuiDriver{Driver: d, app: app}
}

func (d *tuiDriver) rows(p int) []string {
	l := d.app.Pane(p)
	out := make([]string, l.Len())
	for i := range out {
		out[i] = l.Row(i).Name
	}
	return out
}

func (d *tuiDriver) screen() string { return d.app.View().Content }

const (
	tuiPlainEmail = "tui-plain@example.com"
	tuiPlainPass  = "tui plain password 1"
	tuiMFAEmail   = "tui-mfa@example.com"
	tuiMFAPass    = "tui mfa password 2"
	tuiMFASecret  = "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
)

func startTUISim(t *testing.T) *megasim.Server {
	t.Helper()
	s, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{
		{Email: tuiPlainEmail, Password: tuiPlainPass, Version: 2},
		{Email: tuiMFAEmail, Password: tuiMFAPass, Version: 2, TOTPSecret: tuiMFASecret},
	}})
	if err != nil {
		t.Fatalf("start megasim: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newTUILogin starts the App with the remote of email in the right pane,
// holding a folder "Photos" made through a separate client.
func newTUILogin(t *testing.T, sim *megasim.Server, email, password, code string) (*tuiDriver, *tuiSimRemote) {
	t.Helper()
	ctx := context.Background()
	seed, err := megaclient.Connect(ctx, megaclient.Options{Remote: "seed", Email: email, Password: password,
		MFACode: code, APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatalf("seed login: %v", err)
	}
	if _, err := seed.Mkdir(ctx, "/", "Photos"); err != nil && !strings.Contains(err.Error(), "exists") {
		t.Fatalf("seed mkdir: %v", err)
	}
	seed.Close()
	remote := &tuiSimRemote{url: sim.URL(), hc: sim.HTTPClient(), email: email}
	t.Cleanup(remote.close)
	st := theme.New(true, false)
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: remote, RightDir: "/",
		Styles: &st, Location: time.UTC})
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.Run(app.Init())
	if !app.LoginOpen() {
		t.Fatalf("no login form for a remote without a session; message %q", app.Message())
	}
	return d, remote
}

func TestTUILoginAgainstMegasim(t *testing.T) {
	t.Parallel()
	sim := startTUISim(t)

	t.Run("plain account, wrong then right password", func(t *testing.T) {
		d, _ := newTUILogin(t, sim, tuiPlainEmail, tuiPlainPass, "")
		d.Type("not the password")
		d.Press("enter")
		if !d.app.LoginOpen() || !strings.Contains(d.app.LoginProblem(), "Wrong e-mail or password") {
			t.Fatalf("wrong password: open=%v problem %q", d.app.LoginOpen(), d.app.LoginProblem())
		}
		d.Type(tuiPlainPass)
		d.Press("enter")
		if d.app.LoginOpen() {
			t.Fatalf("still open: %q", d.app.LoginProblem())
		}
		if got := d.rows(1); !slices.Contains(got, "Photos") {
			t.Errorf("after login the MEGA pane shows %q, want Photos", got)
		}
		if v := d.screen(); strings.Contains(v, tuiPlainPass) || strings.Contains(v, "not the password") {
			t.Errorf("a password is on screen")
		}
	})

	t.Run("2FA account, code needed, wrong code, right code", func(t *testing.T) {
		code, err := megasim.TOTPCode(tuiMFASecret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		d, _ := newTUILogin(t, sim, tuiMFAEmail, tuiMFAPass, code)
		d.Type(tuiMFAPass)
		d.Press("enter")
		if !d.app.LoginOpen() || !strings.Contains(d.app.LoginProblem(), "two-factor authentication") {
			t.Fatalf("no code: open=%v problem %q", d.app.LoginOpen(), d.app.LoginProblem())
		}
		wrong := "000000"
		if now, _ := megasim.TOTPCode(tuiMFASecret, time.Now()); now == wrong {
			wrong = "111111"
		}
		d.Type(wrong)
		d.Press("enter")
		if !d.app.LoginOpen() || !strings.Contains(d.app.LoginProblem(), "not accepted") {
			t.Fatalf("wrong code: open=%v problem %q", d.app.LoginOpen(), d.app.LoginProblem())
		}
		code, _ = megasim.TOTPCode(tuiMFASecret, time.Now())
		d.Type(code)
		d.Press("enter")
		if d.app.LoginOpen() {
			t.Fatalf("right code refused: %q", d.app.LoginProblem())
		}
		if got := d.rows(1); !slices.Contains(got, "Photos") {
			t.Errorf("after login the MEGA pane shows %q, want Photos", got)
		}
		if strings.Contains(d.screen(), tuiMFAPass) {
			t.Errorf("the password is on screen")
		}
	})
}
