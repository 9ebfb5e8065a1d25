package app

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
)

// The MEGA filesystem's probe (what the TUI's offline state retries with
// backoff) against a server that stops mid-session and comes back on the
// same address, and against a port nothing listens on.
func TestMegaFSProbeOfflineAndBack(t *testing.T) {
	t.Parallel()
	const email, pass = "probe@example.com", "probe password 1"
	dir := t.TempDir()
	acct := []megasim.Account{{Email: email, Password: pass, Version: 2}}
	sim, err := megasim.Start(megasim.Options{DataDir: dir, Accounts: acct})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(sim.URL(), "http://")
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "fs", Email: email, Password: pass,
		APIURL: sim.URL(), HTTPClient: sim.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var p ui.Prober = newMegaFS("fs", email, c, t.TempDir())
	if err := p.Probe(ctx); err != nil {
		t.Fatalf("probe while online: %v", err)
	}
	sim.Close()
	err = p.Probe(ctx)
	if !errors.Is(err, model.ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach the MEGA API at http://"+addr+": connection refused") {
		t.Fatalf("probe after the server stopped: %v", err)
	}
	// The panes keep working from the tree in memory.
	if _, err := newMegaFS("fs", email, c, t.TempDir()).List(ctx, "/"); err != nil {
		t.Fatalf("list while offline: %v", err)
	}
	back, err := megasim.StartOn(addr, megasim.Options{DataDir: dir, Accounts: acct})
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	t.Cleanup(func() { back.Close() })
	if err := p.Probe(ctx); err != nil {
		t.Fatalf("probe once the server is back: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, err = megaclient.Connect(ctx, megaclient.Options{Remote: "fs", Email: email, Password: pass, APIURL: "http://" + closed})
	if !errors.Is(err, model.ErrUnreachable) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("connect to a closed port: %v", err)
	}
}
