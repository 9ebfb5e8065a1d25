package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// TestFSRemoteWaitsForLogin: the transfer engine's view of a MEGA pane
// with no session (jobs resumed at start-up, before the login form is
// filled) waits for the login instead of failing the jobs, and gives up
// when its context ends.
func TestFSRemoteWaitsForLogin(t *testing.T) {
	t.Parallel()
	const email, password = "wait@megatui.test", "wait for me"
	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: password}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	newPane := func() *megaFS {
		p := newMegaFS("mega", email, nil, t.TempDir())
		p.login = func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error) {
			return megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: email, Password: password,
				APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
		}
		t.Cleanup(p.Close)
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run("login", func(t *testing.T) {
		p := newPane()
		got := make(chan error, 1)
		go func() {
			_, err := fsRemote{p: p}.List(ctx, "/")
			got <- err
		}()
		select {
		case err := <-got:
			t.Fatalf("List before the login: got %v, want it to wait for the login", err)
		case <-time.After(300 * time.Millisecond):
		}
		if err := p.Login(ctx, email, password, "", false); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			t.Errorf("List after the login: got %v, want no error", err)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		p := newPane()
		cctx, ccancel := context.WithCancel(ctx)
		got := make(chan error, 1)
		go func() {
			_, err := fsRemote{p: p}.List(cctx, "/")
			got <- err
		}()
		ccancel()
		err := <-got
		if !errors.Is(err, model.ErrNoCredentials) || !errors.Is(err, context.Canceled) {
			t.Errorf("List with a cancelled context: got %v, want ErrNoCredentials and context.Canceled", err)
		}
	})
}
