// Package megasimtest starts megasim servers for tests: each one is
// closed when the test ends, and a server that cannot start fails the
// test.
package megasimtest

import (
	"testing"

	"github.com/megatui/megatui/megaclient/megasim"
)

// Start starts a megasim server with opts for the rest of t.
func Start(t testing.TB, opts megasim.Options) *megasim.Server {
	t.Helper()
	s, err := megasim.Start(opts)
	if err != nil {
		t.Fatalf("start megasim: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// StartHostile starts a megasim server with opts behind the rewriting
// proxy (megasim.Hostile), both for the rest of t.
func StartHostile(t testing.TB, opts megasim.Options) (*megasim.Server, *megasim.Hostile) {
	t.Helper()
	s := Start(t, opts)
	h, err := megasim.StartHostile(s)
	if err != nil {
		t.Fatalf("start the hostile proxy: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return s, h
}
