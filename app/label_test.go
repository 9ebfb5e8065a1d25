package app

import (
	"context"
	"fmt"
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
)

// firstRunFS is a megaFS as the TUI makes it when nothing is configured:
// the remote "mega", no e-mail, no session, a login form that connects to
// megasim. It shows the UI only the filesystem and login methods (no watch,
// whose Cmd would block the synchronous driver).
type firstRunFS struct{ p *megaFS }

func newFirstRunFS(t *testing.T, sim *megasim.Server) firstRunFS {
	t.Helper()
	p := newMegaFS("mega", "", nil, t.TempDir())
	p.connect = func(context.Context) (*megaclient.Client, error) {
		return nil, fmt.Errorf("remote mega: no session: %w", model.ErrNoCredentials)
	}
	p.login = func(ctx context.Context, email, password, code string, _ bool) (*megaclient.Client, error) {
		return megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: email, Password: password,
			MFACode: code, APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	}
	t.Cleanup(p.Close)
	return firstRunFS{p}
}

func (f firstRunFS) Label() string { return f.p.Label() }
func (f firstRunFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	return f.p.List(ctx, dir)
}
func (f firstRunFS) Mkdir(ctx context.Context, dir, name string) error {
	return f.p.Mkdir(ctx, dir, name)
}
func (f firstRunFS) Rename(ctx context.Context, path, name string) error {
	return f.p.Rename(ctx, path, name)
}
func (f firstRunFS) Remove(ctx context.Context, path string, permanent bool) error {
	return f.p.Remove(ctx, path, permanent)
}
func (f firstRunFS) Join(dir, name string) string { return f.p.Join(dir, name) }
func (f firstRunFS) Parent(path string) string    { return f.p.Parent(path) }
func (f firstRunFS) Email() string                { return f.p.Email() }
func (f firstRunFS) Login(ctx context.Context, email, password, code string, remember bool) error {
	return f.p.Login(ctx, email, password, code, remember)
}

// After a first-run login in the TUI, the pane and the header name the
// account, not just the remote.
func TestFirstRunLoginNamesTheAccount(t *testing.T) {
	t.Parallel()
	sim := startTUISim(t)
	fs := newFirstRunFS(t, sim)
	st := theme.New(true, false)
	app := ui.New(ui.Options{Left: tuiEmptyFS{}, Right: fs, RightDir: "/", Styles: &st, Location: time.UTC})
	d := newTUIDriver(t, app)
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 30})
	d.Run(app.Init())
	if !app.LoginOpen() {
		t.Fatalf("no login form on the first run; message %q", app.Message())
	}
	d.Type(tuiPlainEmail)
	d.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	d.Type(tuiPlainPass)
	d.Press("enter")
	if app.LoginOpen() {
		t.Fatalf("login refused: %q", app.LoginProblem())
	}
	if got, want := fs.Label(), "mega: "+tuiPlainEmail; got != want {
		t.Errorf("label after the login: got %q, want %q", got, want)
	}
	if screen := d.screen(); !strings.Contains(screen, "mega: "+tuiPlainEmail+":/") {
		t.Errorf("the pane title does not name the account after the login:\n%s", screen)
	}
}

// Email and Label are read by the UI while a login Cmd writes the e-mail
// (run with -race).
func TestMegaFSEmailWhileLoggingIn(t *testing.T) {
	t.Parallel()
	sim := startTUISim(t)
	fs := newFirstRunFS(t, sim)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := fs.Login(context.Background(), tuiPlainEmail, tuiPlainPass, "", false); err != nil {
			t.Error(err)
		}
	}()
	for i := 0; i < 1000 && !strings.HasSuffix(fs.Label(), tuiPlainEmail); i++ {
		_ = fs.Email()
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	if got := fs.Email(); got != tuiPlainEmail {
		t.Errorf("Email after the login: got %q, want %q", got, tuiPlainEmail)
	}
}
