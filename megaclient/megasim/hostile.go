package megasim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Hostile is a proxy in front of a Server that rewrites what the server
// answers: the harness for testing a client against a malicious or broken
// server (or another client writing garbage into a shared folder). Every
// request goes to the server unchanged; a rule registered for what the
// request was — an API command by name ("us", "f", "g", ...), "sc" for
// the event channel, "data" for download ranges, "upload" for upload
// pieces — may replace the reply.
// The proxy has a data host of its own, and the data URLs in replies are
// rewritten to name it, so transfers go through it too.
type Hostile struct {
	srv     *Server
	ln      net.Listener
	httpSrv *http.Server
	url     string
	dataLn  net.Listener
	dataSrv *http.Server
	dataURL string
	client  *http.Client

	mu     sync.Mutex
	rules  map[string]Rule
	status map[string]int
	hits   map[string]int
}

// Rule rewrites one reply. req is the command object (for "sc" the query
// string, for "data" the request path); reply is what the server
// answered. It returns the body to send instead (nil keeps the reply).
type Rule func(req, reply []byte) []byte

// StartHostile starts a proxy for srv on a free local port.
func StartHostile(srv *Server) (*Hostile, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("megasim: hostile proxy: %w", err)
	}
	dln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("megasim: hostile proxy: %w", err)
	}
	h := &Hostile{
		srv: srv, ln: ln, url: "http://" + ln.Addr().String(),
		dataLn: dln, dataURL: "http://" + dln.Addr().String(),
		client: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 32}},
		rules:  map[string]Rule{}, status: map[string]int{}, hits: map[string]int{},
	}
	newServer := func(upstream string) *http.Server {
		return &http.Server{
			Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, upstream) }),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		}
	}
	h.httpSrv = newServer(srv.URL())
	h.dataSrv = newServer(srv.DataURL())
	go func() { _ = h.httpSrv.Serve(ln) }()
	go func() { _ = h.dataSrv.Serve(dln) }()
	return h, nil
}

// URL is the proxy's API base URL.
func (h *Hostile) URL() string { return h.url }

// Rewrite sets the rule for what (a command name, "sc" or "data"); a nil
// rule removes it.
func (h *Hostile) Rewrite(what string, r Rule) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r == nil {
		delete(h.rules, what)
		return
	}
	h.rules[what] = r
}

// Status makes every request of kind what (as for Rewrite; "wait" for the
// event channel's wait URLs) fail with HTTP status code; 0 turns it off.
func (h *Hostile) Status(what string, code int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if code == 0 {
		delete(h.status, what)
		return
	}
	h.status[what] = code
}

// Hits reports how many replies the rule for what rewrote.
func (h *Hostile) Hits(what string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[what]
}

// Close stops the proxy (not the server).
func (h *Hostile) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := h.httpSrv.Shutdown(ctx)
	if err != nil {
		err = h.httpSrv.Close()
	}
	if derr := h.dataSrv.Shutdown(ctx); derr != nil {
		_ = h.dataSrv.Close()
	}
	h.client.CloseIdleConnections()
	return err
}

func (h *Hostile) rule(what string) Rule {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rules[what]
}

func (h *Hostile) hit(what string) {
	h.mu.Lock()
	h.hits[what]++
	h.mu.Unlock()
}

func (h *Hostile) serve(w http.ResponseWriter, r *http.Request, upstream string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCSBody+1))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if what, _ := h.classify(r, body); what != "" {
		h.mu.Lock()
		code := h.status[what]
		if code != 0 {
			h.hits[what]++
		}
		h.mu.Unlock()
		if code != 0 {
			w.WriteHeader(code)
			return
		}
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, "request", http.StatusBadRequest)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := h.client.Do(out)
	if err != nil {
		http.Error(w, "upstream", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	what, req := h.classify(r, body)
	rule := h.rule(what)
	// API replies carry URLs (data URLs, the event channel's wait URL):
	// they are rewritten to name the proxy.
	isCS := strings.HasSuffix(r.URL.Path, "/cs") || strings.HasSuffix(r.URL.Path, "/sc")
	if (rule == nil && !isCS) || resp.StatusCode != http.StatusOK {
		copyHeader(w.Header(), resp.Header)
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		return
	}
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, "upstream body", http.StatusBadGateway)
		return
	}
	if isCS {
		reply = bytes.ReplaceAll(reply, []byte(h.srv.DataURL()), []byte(h.dataURL))
		reply = bytes.ReplaceAll(reply, []byte(h.srv.URL()), []byte(h.url))
	}
	if rule == nil {
		// unchanged but for the data URLs
	} else if nb := rule(req, reply); nb != nil {
		h.hit(what)
		reply = nb
	}
	copyHeader(w.Header(), resp.Header)
	w.Header().Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(reply)
}

// classify names a request for the rules: the command of a one-command
// cs batch, "sc", "data" (a download range), or "" (not rewritten).
func (h *Hostile) classify(r *http.Request, body []byte) (string, []byte) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/cs"):
		var cmds []map[string]json.RawMessage
		if json.Unmarshal(body, &cmds) != nil || len(cmds) != 1 {
			return "", nil
		}
		var name string
		if json.Unmarshal(cmds[0]["a"], &name) != nil {
			return "", nil
		}
		raw, _ := json.Marshal(cmds[0])
		return name, raw
	case strings.HasSuffix(p, "/sc"):
		return "sc", []byte(r.URL.RawQuery)
	case strings.HasPrefix(p, "/dl/"):
		return "data", []byte(p)
	case strings.HasPrefix(p, "/ul/"):
		return "upload", []byte(p)
	case strings.Contains(p, "/wsc/"):
		return "wait", []byte(p)
	}
	return "", nil
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

// EditResult is a rule for a one-command reply holding one object (`g`,
// `u`, `f`, ...): edit changes that object in place. Any other reply is
// kept.
func EditResult(edit func(m map[string]any)) Rule {
	return func(_, reply []byte) []byte {
		var rs []map[string]any
		if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 {
			return nil
		}
		edit(rs[0])
		out, _ := json.Marshal(rs)
		return out
	}
}

// CorruptAttrs is an "sc" rule that puts blob in place of the attribute
// blob of every node (`t` packets) and attribute update (`u` packets):
// another client writing garbage into the account.
func CorruptAttrs(blob string) Rule {
	return func(_, reply []byte) []byte {
		var ev map[string]any
		if json.Unmarshal(reply, &ev) != nil {
			return nil
		}
		pkts, _ := ev["a"].([]any)
		for _, p := range pkts {
			pm, _ := p.(map[string]any)
			switch pm["a"] {
			case "u":
				pm["at"] = blob
			case "t":
				tm, _ := pm["t"].(map[string]any)
				nodes, _ := tm["f"].([]any)
				for _, n := range nodes {
					if nm, ok := n.(map[string]any); ok {
						nm["a"] = blob
					}
				}
			}
		}
		out, _ := json.Marshal(ev)
		return out
	}
}
