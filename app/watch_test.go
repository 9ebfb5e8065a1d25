package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// Live refresh follows the pane's session: after a re-login (a new client
// replaces the old, which closes) changes made elsewhere still arrive.
func TestMegaFSWatchSurvivesRelogin(t *testing.T) {
	t.Parallel()
	const email, password = "watch@megatui.test", "watch me change"
	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: password}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	connect := func(ctx context.Context) (*megaclient.Client, error) {
		return megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: email, Password: password,
			APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := newMegaFS("mega", email, nil, t.TempDir())
	p.login = func(ctx context.Context, _, _, _ string, _ bool) (*megaclient.Client, error) { return connect(ctx) }
	t.Cleanup(p.Close)
	elsewhere, err := connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = elsewhere.Close() })

	changes := p.Watch(ctx)
	// await reads changes until want arrives, calling poke (when set) at
	// once and then every half second: a change made before the watch
	// has subscribed to the new session is not reported, the next is. The
	// deadline only bounds a failing run.
	await := func(what, want string, poke func()) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		if poke != nil {
			poke()
		}
		for {
			select {
			case dir, ok := <-changes:
				if !ok {
					t.Fatalf("%s: the watch channel closed, want %q", what, want)
				}
				if dir == want {
					return
				}
			case <-tick.C:
				if poke != nil {
					poke()
				}
			case <-deadline:
				t.Fatalf("%s: no change %q reported", what, want)
			}
		}
	}
	n := 0
	mkdirElsewhere := func() {
		n++
		if _, err := elsewhere.Mkdir(ctx, "/", fmt.Sprintf("folder %d", n)); err != nil {
			t.Error(err)
		}
	}

	if err := p.Login(ctx, email, password, "", false); err != nil {
		t.Fatal(err)
	}
	await("a folder made elsewhere", "/", mkdirElsewhere)

	if err := p.Login(ctx, email, password, "", false); err != nil {
		t.Fatal(err)
	}
	await("the re-login", "", nil)
	await("a folder made elsewhere after the re-login", "/", mkdirElsewhere)

	cancel()
	for range changes {
	}
}
