package megasim

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// actionLogLimit is how many action packets an account keeps in memory;
// a client polling with an older sn gets -6 (the SDK then reloads with f).
const actionLogLimit = 200000

// waitTimeout bounds how long a wait URL is held open.
const waitTimeout = 40 * time.Second

// eventLog is an account's action packet log. sn is one account-wide
// counter; each packet advances it by one.
type eventLog struct {
	sn   uint64   // sequence number after the last packet
	base uint64   // sequence number before pkts[0]
	pkts [][]byte // pkts[i] moved the account from base+i to base+i+1
	wake chan struct{}
}

func newEventLog(start uint64) eventLog {
	return eventLog{sn: start, base: start, wake: make(chan struct{})}
}

// emit appends packets and wakes every waiting poll.
func (a *account) emit(pkts ...[]byte) {
	if len(pkts) == 0 {
		return
	}
	l := &a.events
	for _, p := range pkts {
		l.pkts = append(l.pkts, p)
		l.sn++
	}
	if over := len(l.pkts) - actionLogLimit; over > 0 {
		l.pkts = append([][]byte(nil), l.pkts[over:]...)
		l.base += uint64(over)
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// encodeSN renders a sequence number as clients see it: 8 bytes, base64url (11 chars).
func encodeSN(sn uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], sn)
	return b64(b[:])
}

func decodeSN(s string) (uint64, bool) {
	b, err := unb64(s)
	if err != nil || len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// --- packets (fixed key order: "a" first, "i" right after) ---

func pktHead(b []byte, kind, reqID string) []byte {
	b = append(b, `{"a":`...)
	b = appendJSONString(b, kind)
	if reqID != "" {
		b = append(b, `,"i":`...)
		b = appendJSONString(b, reqID)
	}
	return b
}

// pktNew is {"a":"t","i":..,"t":{"f":[nodes]},"ou":owner}.
func pktNew(reqID, owner string, nodes []*nodeRec) []byte {
	b := pktHead(nil, "t", reqID)
	b = append(b, `,"t":{"f":[`...)
	for i, n := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNodeJSON(b, n, owner)
	}
	b = append(b, `]},"ou":`...)
	b = appendJSONString(b, owner)
	return append(b, '}')
}

// pktDelete is {"a":"d","i":..,"n":h[,"m":1],"ou":owner}.
func pktDelete(reqID, owner, h string, moved bool) []byte {
	b := pktHead(nil, "d", reqID)
	b = append(b, `,"n":`...)
	b = appendJSONString(b, h)
	if moved {
		b = append(b, `,"m":1`...)
	}
	b = append(b, `,"ou":`...)
	b = appendJSONString(b, owner)
	return append(b, '}')
}

// pktUpdate is {"a":"u","i":..,"n":h,"u":owner,"at":attr,"ts":ts}.
func pktUpdate(reqID, owner string, n *nodeRec) []byte {
	b := pktHead(nil, "u", reqID)
	b = append(b, `,"n":`...)
	b = appendJSONString(b, n.H)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, owner)
	b = append(b, `,"at":`...)
	b = appendJSONString(b, n.A)
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, n.TS, 10)
	return append(b, '}')
}

// --- the sc channel ---

// serveSC answers POST {base}/sc?sn=..&sid=.. (§7): pending packets after
// sn, or an immediate wait URL when there are none.
func (s *Server) serveSC(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	sess := s.sessionFor(q.Get("sid"))
	if sess == nil {
		s.mu.Unlock()
		writeBare(w, errSID)
		return
	}
	s.counts["sc"]++
	a := sess.acct
	l := &a.events
	sn, ok := decodeSN(q.Get("sn"))
	switch {
	case !ok || sn > l.sn:
		s.mu.Unlock()
		writeBare(w, errArgs)
		return
	case sn < l.base:
		s.mu.Unlock()
		writeBare(w, errTooMany)
		return
	case sn == l.sn:
		cur := encodeSN(l.sn)
		wait := schemeOf(r) + "://" + r.Host + "/wsc/" + a.rec.Handle + cur
		s.mu.Unlock()
		b := append([]byte(`{"w":`), appendJSONString(nil, wait)...)
		b = append(b, `,"sn":`...)
		b = appendJSONString(b, cur)
		writeJSON(w, append(b, '}'))
		return
	}
	pkts := l.pkts[sn-l.base:]
	cur := encodeSN(l.sn)
	s.mu.Unlock()
	b := []byte(`{"a":[`)
	for i, p := range pkts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p...)
	}
	b = append(b, `],"sn":`...)
	b = appendJSONString(b, cur)
	writeJSON(w, append(b, '}'))
}

// serveWait holds a wait URL ({base}/wsc/<user handle><sn>) open until the
// account's sn moves past the recorded one, then answers 0.
func (s *Server) serveWait(w http.ResponseWriter, r *http.Request, token string) {
	if len(token) != 22 {
		http.NotFound(w, r)
		return
	}
	sn, ok := decodeSN(token[11:])
	s.mu.Lock()
	a := s.byHandle[token[:11]]
	if a == nil || !ok {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	s.counts["wsc"]++
	for a.events.sn == sn {
		wake := a.events.wake
		s.mu.Unlock()
		t := time.NewTimer(waitTimeout)
		select {
		case <-wake:
		case <-t.C:
		case <-r.Context().Done():
		case <-s.closing:
		}
		t.Stop()
		s.mu.Lock()
		if r.Context().Err() != nil || s.isClosing() {
			break
		}
		if a.events.sn == sn {
			break // timed out: the client polls sc again
		}
	}
	s.mu.Unlock()
	writeJSON(w, []byte("0"))
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

type connKey struct{}

// schemeOf reports whether r arrived over TLS on the sniffing listener.
func schemeOf(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if c, ok := r.Context().Value(connKey{}).(*sniffConn); ok {
		if _, isTLS := c.rw.(*tls.Conn); isTLS {
			return "https"
		}
	}
	return "http"
}

func withConn(ctx context.Context, c net.Conn) context.Context {
	if sc, ok := c.(*sniffConn); ok {
		return context.WithValue(ctx, connKey{}, sc)
	}
	return ctx
}

// trimPathPrefix returns what follows marker in p, or "" and false.
func trimPathPrefix(p, marker string) (string, bool) {
	i := strings.Index(p, marker)
	if i < 0 {
		return "", false
	}
	return p[i+len(marker):], true
}
