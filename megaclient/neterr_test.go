package megaclient

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func TestUnreachableAPI(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	cases := []struct {
		name, url, cause string
	}{
		{"connection refused", "http://" + closedPort(t), "connection refused"},
		{"DNS", "http://megatui-test.invalid", "host megatui-test.invalid not found (DNS)"},
		{"TLS", "https://" + strings.TrimPrefix(s.URL(), "http://"), "TLS certificate not trusted"},
		{"timeout", "http://" + silentServer(t), "no answer within 300ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			// The TLS case uses a client that does not trust megasim's CA.
			_, err := Connect(context.Background(), Options{Email: testEmail, Password: testPass, APIURL: tc.url, AnswerTimeout: 300 * time.Millisecond})
			t.Logf("%s: failed after %v", tc.name, time.Since(start).Round(time.Millisecond))
			if !errors.Is(err, model.ErrUnreachable) {
				t.Fatalf("got %v, want ErrUnreachable", err)
			}
			want := "cannot reach the MEGA API at " + tc.url + ": " + tc.cause
			if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "JSON") {
				t.Fatalf("message %q, want it to say %q", err, want)
			}
		})
	}
}

func TestServerStopsMidSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	if _, err := c.Mkdir(ctx, "/", "before"); err != nil {
		t.Fatal(err)
	}
	url := s.URL()
	s.Close()
	_, err := c.Mkdir(ctx, "/", "after")
	if !errors.Is(err, model.ErrUnreachable) || !strings.Contains(err.Error(), "cannot reach the MEGA API at "+url+": connection refused") {
		t.Fatalf("mkdir after the server stopped: %v", err)
	}
	if _, err := c.Link(ctx, "/before"); !errors.Is(err, model.ErrUnreachable) {
		t.Fatalf("link after the server stopped: %v", err)
	}
	if _, err := OpenLink(ctx, "https://mega.nz/file/AbCdEfGh#"+b64encode(make([]byte, 32)), LinkOptions{APIURL: url}); !errors.Is(err, model.ErrUnreachable) ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("open link after the server stopped: %v", err)
	}
}

func TestServiceRefusalsMidSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	s.RefuseConnections(true)
	if _, err := c.Mkdir(ctx, "/", "x"); !errors.Is(err, model.ErrTooManyConns) {
		t.Fatalf("too many connections: %v", err)
	}
	s.RefuseConnections(false)
	s.BlockAccount(testEmail, true)
	if _, err := c.Mkdir(ctx, "/", "y"); !errors.Is(err, model.ErrBlocked) {
		t.Fatalf("blocked: %v", err)
	}
	s.BlockAccount(testEmail, false)
	if _, err := c.Mkdir(ctx, "/", "z"); err != nil {
		t.Fatalf("after unblocking: %v", err)
	}
}
