package megaclient

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// rewrites holds the attribute rewrites registered by operations, and
// why the transport refused to send a command it should have rewritten.
type rewrites struct {
	mu      sync.Mutex
	uploads map[string]nodeRewrite // placeholder name
	attrs   map[string]Attrs       // node handle
	refused map[string]error       // placeholder name or node handle
}

// nodeRewrite is the rewrite of a new node's attributes.
type nodeRewrite struct {
	parent string
	attrs  Attrs
}

func newRewrites() *rewrites {
	return &rewrites{uploads: map[string]nodeRewrite{}, attrs: map[string]Attrs{}, refused: map[string]error{}}
}

// register stores v under key in m (one of r's maps) and returns the func
// that removes it again, with any refusal recorded for key.
func register[V any](r *rewrites, m map[string]V, key string, v V) func() {
	r.mu.Lock()
	m[key] = v
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(m, key)
		delete(r.refused, key)
		r.mu.Unlock()
	}
}

// lookup reads key in m (one of r's maps).
func lookup[V any](r *rewrites, m map[string]V, key string) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := m[key]
	return v, ok
}

// setNewNode registers the real attributes of the new node that go-mega
// creates in parent under the (unique) placeholder name.
func (r *rewrites) setNewNode(parent, placeholder string, a Attrs) func() {
	return register(r, r.uploads, placeholder, nodeRewrite{parent: parent, attrs: a})
}

func (r *rewrites) newNode(placeholder string) (nodeRewrite, bool) {
	return lookup(r, r.uploads, placeholder)
}

// setAttrs registers the full attribute set to write in place of the
// attribute go-mega sends for node h.
func (r *rewrites) setAttrs(h string, a Attrs) func() {
	return register(r, r.attrs, h, a)
}

func (r *rewrites) attrsFor(h string) (Attrs, bool) {
	return lookup(r, r.attrs, h)
}

// refuse records why a command registered under key was not sent.
func (r *rewrites) refuse(key string, err error) {
	r.mu.Lock()
	r.refused[key] = err
	r.mu.Unlock()
}

// refusal returns why the transport refused to send the command
// registered under key (nil if it did not).
func (r *rewrites) refusal(key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused[key]
}

// rewriteRefused is a command the transport will not send.
type rewriteRefused struct {
	key string // registration it belongs to ("" if none)
	err error
}

func (e *rewriteRefused) Error() string { return e.err.Error() }
func (e *rewriteRefused) Unwrap() error { return e.err }

// codeArgs is the API's "bad arguments" code, the local answer to a
// command the transport refuses to send.
const codeArgs = -2

// placeholderPrefix starts the names megaclient hands go-mega for new
// nodes; the transport replaces them before the command leaves.
const placeholderPrefix = "megatui-placeholder-"

// rewrite applies a registered attribute rewrite to an outgoing command.
// It fails rather than let a placeholder name reach the server.
func (t *transport) rewrite(name string, cmd map[string]json.RawMessage) ([]byte, bool, error) {
	switch name {
	case "p":
		var nodes []map[string]json.RawMessage
		if json.Unmarshal(cmd["n"], &nodes) != nil || len(nodes) != 1 {
			return nil, false, nil
		}
		if typ, _ := strconv.Atoi(string(nodes[0]["t"])); typ != typeFile && typ != typeDir {
			return nil, false, nil
		}
		parent, _ := unquoteRaw(cmd["t"])
		k, _ := unquoteRaw(nodes[0]["k"])
		a, _ := unquoteRaw(nodes[0]["a"])
		tr := t.hub().tree
		tr.mu.Lock()
		master := tr.master
		tr.mu.Unlock()
		encKey, err := b64decode(k)
		if err != nil || master == nil {
			return nil, false, nil
		}
		key, err := ecbDecrypt(master, encKey)
		if err != nil {
			return nil, false, nil
		}
		placeholder, err := decryptAttrs(key, a)
		if err != nil || !strings.HasPrefix(placeholder.Name, placeholderPrefix) {
			return nil, false, nil
		}
		want, ok := t.hub().rw.newNode(placeholder.Name)
		if !ok {
			return nil, false, &rewriteRefused{err: fmt.Errorf("megaclient: no attributes registered for a new node in %q", parent)}
		}
		if parent != want.parent {
			return nil, false, &rewriteRefused{key: placeholder.Name,
				err: fmt.Errorf("megaclient: new node meant for %q would go to %q", want.parent, parent)}
		}
		enc, err := encryptAttrs(key, want.attrs)
		if err != nil {
			return nil, false, &rewriteRefused{key: placeholder.Name, err: fmt.Errorf("megaclient: encrypt attributes: %w", err)}
		}
		nodes[0]["a"] = json.RawMessage(strconv.Quote(enc))
		nb, err := json.Marshal(nodes)
		if err != nil {
			return nil, false, err
		}
		cmd["n"] = nb
		// Inside a shared folder, the node key also goes under each share
		// key ("cr": [[shares], [new node], [share, node, key, ...]]), or
		// the people it is shared with could not decrypt the new node.
		if shares, keys := tr.shareCR(parent, key); len(shares) > 0 {
			links := make([]any, 0, 3*len(shares))
			for i := range shares {
				links = append(links, i, 0, keys[i])
			}
			cr, err := json.Marshal([]any{shares, []json.RawMessage{nodes[0]["h"]}, links})
			if err != nil {
				return nil, false, err
			}
			cmd["cr"] = cr
		}
	case "a":
		h, _ := unquoteRaw(cmd["n"])
		want, ok := t.hub().rw.attrsFor(h)
		if !ok {
			return nil, false, nil
		}
		inf, ok := t.hub().tree.info(h)
		if !ok || inf.key == nil {
			return nil, false, &rewriteRefused{key: h, err: fmt.Errorf("megaclient: set attributes of %s: node key unknown", h)}
		}
		enc, err := encryptAttrs(inf.key, want)
		if err != nil {
			return nil, false, &rewriteRefused{key: h, err: fmt.Errorf("megaclient: encrypt attributes: %w", err)}
		}
		cmd["attr"] = json.RawMessage(strconv.Quote(enc))
	default:
		return nil, false, nil
	}
	out, err := json.Marshal([]map[string]json.RawMessage{cmd})
	return out, err == nil, err
}
