package account

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// The TUI login form's action: a password login, then the remote (with
// the e-mail used) saved to the config file for the next run.
func TestLoginSavesTheRemote(t *testing.T) {
	t.Parallel()
	const email, password = "form@example.com", "form password 1"
	sim, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: email, Password: password, Version: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	home := t.TempDir()
	vars := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config")}
	env := Env{Getenv: func(k string) string { return vars[k] }, HTTPClient: sim.HTTPClient()}.WithDefaults()

	c, err := env.Login(context.Background(), config.Remote{Name: "mega", APIURL: sim.URL()}, email, password, "", false)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	defer c.Close()
	cfg, path, err := env.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := cfg.Remote("mega"); !ok || r.Email != email || r.APIURL != sim.URL() {
		t.Errorf("%s holds %+v (found %v), want mega / %s / %s", path, r, ok, email, sim.URL())
	}
}

// Nothing answering at the API URL is said so at once (the form shows
// "cannot reach the MEGA server"), not after go-mega's retries or as a
// JSON error.
func TestLoginUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	home := t.TempDir()
	env := Env{Getenv: func(k string) string { return map[string]string{"HOME": home}[k] }}.WithDefaults()
	_, err = env.Login(context.Background(), config.Remote{Name: "mega", APIURL: url}, "a@example.com", "pw", "", false)
	if !errors.Is(err, model.ErrUnreachable) {
		t.Errorf("login to a closed port: got %v, want ErrUnreachable", err)
	}
}
