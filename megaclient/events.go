package megaclient

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
)

// packet is an action packet as far as megaclient reads it.
type packet struct {
	A string `json:"a"`
	T struct {
		F []rawNode `json:"f"`
	} `json:"t"`
	N  string `json:"n"`
	At string `json:"at"`
	M  int    `json:"m"`
}

func (t *transport) roundTripSC(req *http.Request) (*http.Response, error) {
	if pending := t.link.take(); len(pending) > 0 {
		// Hand nodes over without moving go-mega's sequence number.
		out, _ := json.Marshal(map[string]any{"a": pending, "sn": req.URL.Query().Get("sn")})
		return localResponse(req, out), nil
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err // go-mega backs off after a transport error itself
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return t.scBackoff(req, t.noteSC(false))
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxEventsReply+1))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(reply) > maxEventsReply {
		return t.scBackoff(req, t.noteSC(false))
	}
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	resp.ContentLength = int64(len(reply))
	if code, ok := apiError(reply); ok {
		if code == codeSessionExpired {
			if h := t.hub(); h.onExpired != nil {
				h.onExpired()
			}
			// go-mega would poll with a dead session every few seconds
			// for ever; the next command re-logs in on a new instance.
			return t.park(req)
		}
		return t.scBackoff(req, t.noteSC(false))
	}
	ev, err := validateEventsReply(reply)
	if err != nil {
		return t.scBackoff(req, t.noteSC(false))
	}
	if ev.W != "" {
		t.mu.Lock()
		t.waitURL = ev.W
		t.mu.Unlock()
		return resp, nil // go-mega ignores packets next to a wait URL; so do we
	}
	t.noteSC(true)
	changed := map[string]bool{}
	tr := t.hub().tree
	forGoMega := make([]json.RawMessage, 0, len(ev.A))
	for _, raw := range ev.A {
		var p packet
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		bad, err := validatePacket(&p)
		if err != nil {
			continue // neither applied nor handed to go-mega
		}
		var c map[string]bool
		switch p.A {
		case "t":
			c = tr.add(p.T.F)
		case "u":
			c = tr.setAttr(p.N, p.At)
		case "d":
			c = tr.remove(p.N, p.M == 1)
		case "s", "s2":
			c = tr.sharePacket(raw)
		}
		for k := range c {
			changed[k] = true
		}
		// After the tree took the packet: it knows which of its nodes are
		// quarantined (invalid, or closing a parent cycle).
		// Invalid nodes and updates never reach go-mega, whatever the
		// index says by now: another goroutine (our own rename's reply)
		// may already have put a valid attribute back on the node.
		if kept := t.filterPacket(p, raw, bad); kept != nil {
			forGoMega = append(forGoMega, kept)
		}
	}
	if len(changed) > 0 && t.hub().notify != nil {
		t.hub().notify(changed)
	}
	if len(forGoMega) != len(ev.A) {
		var full map[string]json.RawMessage
		if json.Unmarshal(reply, &full) == nil {
			full["a"], _ = json.Marshal(forGoMega)
			if out, err := json.Marshal(full); err == nil {
				return localResponse(req, out), nil
			}
		}
		// The filtered reply could not be written: go-mega gets none of
		// it rather than the unfiltered one.
		return t.scBackoff(req, t.noteSC(false))
	}
	return resp, nil
}

// filterPacket keeps what go-mega's slim index needs from a packet: node
// additions and attribute updates of nodes it already holds (a move
// brings its node back), and every deletion. Other nodes reach it only
// when megaclient hands them over.
func (t *transport) filterPacket(p packet, raw json.RawMessage, bad map[string]error) json.RawMessage {
	tr := t.hub().tree
	known := func(h string) bool { return bad[h] == nil && (t.known == nil || t.known(h)) && tr.usable(h) }
	switch p.A {
	case "u":
		if !known(p.N) {
			return nil
		}
	case "t":
		var full map[string]json.RawMessage
		var body struct {
			F []json.RawMessage `json:"f"`
		}
		if json.Unmarshal(raw, &full) != nil || json.Unmarshal(full["t"], &body) != nil || len(body.F) != len(p.T.F) {
			return nil // what cannot be checked node by node is not handed on
		}
		kept := body.F[:0]
		for i, n := range body.F {
			if i < len(p.T.F) && known(p.T.F[i].H) {
				kept = append(kept, n)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		if len(kept) == len(p.T.F) {
			return raw
		}
		inner := map[string]json.RawMessage{}
		_ = json.Unmarshal(full["t"], &inner)
		inner["f"], _ = json.Marshal(kept)
		full["t"], _ = json.Marshal(inner)
		out, err := json.Marshal(full)
		if err != nil {
			return nil
		}
		return out
	}
	return raw
}
