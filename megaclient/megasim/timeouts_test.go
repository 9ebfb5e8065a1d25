package megasim

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/url"
	"testing"
	"time"
)

// closedWithin reports whether the server ends conn within d (reading
// past any reply it sends first).
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, conn)
	ne, ok := err.(net.Error)
	return err == nil || !(ok && ne.Timeout())
}

func TestSlowClientsAreCut(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{BodyTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	dial := func(t *testing.T) net.Conn {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	t.Run("body never sent", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "POST /cs?id=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{")
		if !closedWithin(c, 5*time.Second) {
			t.Fatal("connection with a stalled body still open after 5 s")
		}
	})
	t.Run("headers never finished", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "POST /cs?id=1 HTTP/1.1\r\nHost: x\r\n")
		if !closedWithin(c, 5*time.Second) {
			t.Fatal("connection with stalled headers still open after 5 s")
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial(t)
		fmt.Fprintf(c, "POST /cs?id=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]")
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil || line[:12] != "HTTP/1.1 200" {
			t.Fatalf("reply: %q %v", line, err)
		}
		if !closedWithin(c, 5*time.Second) {
			t.Fatal("idle connection still open after 5 s")
		}
	})
}
