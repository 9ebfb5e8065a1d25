package megasim

import (
	"slices"
	"strconv"
	"time"
)

// Node types.
const (
	typeFile   = 0
	typeFolder = 1
	typeRoot   = 2
	typeInbox  = 3
	typeTrash  = 4
)

// nodeRec is one stored node. Records are immutable once published in an
// account's map: an update stores a modified copy, so a reader that took a
// pointer under the lock may keep using it after releasing the lock (the
// streaming "f" reply relies on that).
type nodeRec struct {
	H    string `json:"h"`
	P    string `json:"p"`
	T    int    `json:"t"`
	A    string `json:"a,omitempty"` // encrypted attributes, verbatim
	K    string `json:"k,omitempty"` // owner's encrypted key, verbatim, without "<owner>:"
	S    int64  `json:"s,omitempty"`
	TS   int64  `json:"ts"`
	FA   string `json:"fa,omitempty"`
	Blob string `json:"blob,omitempty"` // ciphertext id (files)
	PH   string `json:"ph,omitempty"`   // public link handle
	Seq  uint64 `json:"seq"`            // creation order
	// U is the user who created the node when it is not the account's
	// owner (a share recipient with write access); K is then under U's
	// master key.
	U string `json:"u,omitempty"`
	// SK holds the node key encrypted with each share key, by share
	// handle, verbatim from the client's "cr" element.
	SK map[string]string `json:"sk,omitempty"`
}

// withShareKey returns a copy of n whose key under share sh is enc.
func (n *nodeRec) withShareKey(sh, enc string) *nodeRec {
	c := *n
	c.SK = make(map[string]string, len(n.SK)+1)
	for k, v := range n.SK {
		c.SK[k] = v
	}
	c.SK[sh] = enc
	return &c
}

// account is an account's live state.
type account struct {
	blocked  bool // BlockAccount: every request answers -16
	rec      accountRec
	nodes    map[string]*nodeRec
	children map[string]map[string]struct{}
	used     int64  // bytes of all files (trash included)
	seq      uint64 // last node sequence number
	events   eventLog
	shares   map[string]*shareRec // outgoing shares by folder handle
}

func (s *Server) addAccount(rec *accountRec) *account {
	a := &account{
		rec:      *rec,
		nodes:    map[string]*nodeRec{},
		children: map[string]map[string]struct{}{},
		events:   newEventLog(s.ids.Uint64() >> 8),
		shares:   map[string]*shareRec{},
	}
	s.accounts[a.rec.Email] = a
	s.byHandle[a.rec.Handle] = a
	for _, h := range a.rec.Sessions {
		s.sessions[h] = &session{acct: a, hash: h}
	}
	return a
}

// bootstrapRoots creates the Cloud Drive, Inbox and Rubbish bin nodes.
func (a *account) bootstrapRoots() {
	ts := a.rec.Since
	for _, r := range []struct {
		h string
		t int
	}{{a.rec.Root, typeRoot}, {a.rec.Inbox, typeInbox}, {a.rec.Trash, typeTrash}} {
		a.put(&nodeRec{H: r.h, T: r.t, TS: ts})
	}
}

// put inserts or replaces a node and keeps the child index and the
// storage usage in step.
func (a *account) put(n *nodeRec) {
	if old, ok := a.nodes[n.H]; ok {
		if old.P != n.P {
			a.unlinkChild(old.P, n.H)
		}
		if old.T == typeFile {
			a.used -= old.S
		}
	}
	if n.Seq == 0 {
		a.seq++
		n.Seq = a.seq
	} else if n.Seq > a.seq {
		a.seq = n.Seq
	}
	a.nodes[n.H] = n
	if n.P != "" {
		set := a.children[n.P]
		if set == nil {
			set = map[string]struct{}{}
			a.children[n.P] = set
		}
		set[n.H] = struct{}{}
	}
	if n.T == typeFile {
		a.used += n.S
	}
}

func (a *account) unlinkChild(parent, h string) {
	if set := a.children[parent]; set != nil {
		delete(set, h)
		if len(set) == 0 {
			delete(a.children, parent)
		}
	}
}

// remove deletes one node (not its children).
func (a *account) remove(h string) *nodeRec {
	n, ok := a.nodes[h]
	if !ok {
		return nil
	}
	delete(a.nodes, h)
	a.unlinkChild(n.P, h)
	if n.T == typeFile {
		a.used -= n.S
	}
	return n
}

// sortedChildren returns the children of h in creation order.
func (a *account) sortedChildren(h string) []*nodeRec {
	set := a.children[h]
	out := make([]*nodeRec, 0, len(set))
	for c := range set {
		if n := a.nodes[c]; n != nil {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(x, y *nodeRec) int {
		switch {
		case x.Seq < y.Seq:
			return -1
		case x.Seq > y.Seq:
			return 1
		}
		return 0
	})
	return out
}

// subtree returns h and all its descendants, parents before children.
func (a *account) subtree(h string) []*nodeRec {
	n := a.nodes[h]
	if n == nil {
		return nil
	}
	out := []*nodeRec{n}
	for i := 0; i < len(out); i++ {
		if out[i].T != typeFile {
			out = append(out, a.sortedChildren(out[i].H)...)
		}
	}
	return out
}

// all returns every node, parents before children: the three roots and
// their trees, then any orphan (there should be none).
func (a *account) all() []*nodeRec {
	out := make([]*nodeRec, 0, len(a.nodes))
	for _, r := range []string{a.rec.Root, a.rec.Inbox, a.rec.Trash} {
		out = append(out, a.subtree(r)...)
	}
	if len(out) != len(a.nodes) {
		seen := make(map[string]bool, len(out))
		for _, n := range out {
			seen[n.H] = true
		}
		for _, n := range a.nodes {
			if !seen[n.H] {
				out = append(out, n)
			}
		}
	}
	return out
}

// isAncestor reports whether anc is h or one of h's ancestors.
func (a *account) isAncestor(anc, h string) bool {
	for cur := h; cur != ""; {
		if cur == anc {
			return true
		}
		n := a.nodes[cur]
		if n == nil {
			return false
		}
		cur = n.P
	}
	return false
}

func (a *account) subtreeUsage(h string) (bytes, files, folders int64) {
	for _, n := range a.subtree(h) {
		switch n.T {
		case typeFile:
			bytes += n.S
			files++
		case typeFolder:
			folders++
		}
	}
	return bytes, files, folders
}

// appendNodeJSON writes n as its owner's own sessions see it (§4.1),
// with a fixed key order.
func appendNodeJSON(b []byte, n *nodeRec, owner string) []byte {
	return appendNodeView(b, n, owner, nil)
}

// nodeView is how a node looks to a user other than the account owner:
// which share keys of the owner it holds, and, on an inbound share's
// root, the share's own fields.
type nodeView struct {
	viewer string   // the user the node is written for
	shares []string // handles of the owner's shares the viewer can use
	root   *shareTarget
}

// appendNodeView writes n for the owner (v nil) or for another user (v).
// The "k" value holds only the entries the viewer can decrypt: the
// creator's own entry when the viewer created the node (or owns it), and
// one "<share handle>:<key>" per share of the viewer's that covers it.
func appendNodeView(b []byte, n *nodeRec, owner string, v *nodeView) []byte {
	creator := owner
	if n.U != "" {
		creator = n.U
	}
	viewer := owner
	if v != nil {
		viewer = v.viewer
	}
	b = append(b, `{"h":`...)
	b = appendJSONString(b, n.H)
	b = append(b, `,"p":`...)
	b = appendJSONString(b, n.P)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, creator)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, int64(n.T), 10)
	b = append(b, `,"a":`...)
	b = appendJSONString(b, n.A)
	if n.T == typeFile || n.T == typeFolder {
		b = append(b, `,"k":"`...)
		first := true
		if viewer == creator {
			b = appendEscaped(b, creator)
			b = append(b, ':')
			b = appendEscaped(b, n.K)
			first = false
		}
		var shares []string
		switch {
		case v != nil:
			shares = v.shares
		case creator != owner:
			// The owner reads a node a recipient created through the
			// share key it holds for every one of its shares.
			shares = sortedKeys(n.SK)
		}
		for _, sh := range shares {
			enc, ok := n.SK[sh]
			if !ok {
				continue
			}
			if !first {
				b = append(b, '/')
			}
			first = false
			b = appendEscaped(b, sh)
			b = append(b, ':')
			b = appendEscaped(b, enc)
		}
		b = append(b, '"')
	}
	if n.T == typeFile {
		b = append(b, `,"s":`...)
		b = strconv.AppendInt(b, n.S, 10)
	}
	if n.FA != "" {
		b = append(b, `,"fa":`...)
		b = appendJSONString(b, n.FA)
	}
	if v != nil && v.root != nil {
		b = append(b, `,"su":`...)
		b = appendJSONString(b, owner)
		b = append(b, `,"sk":`...)
		b = appendJSONString(b, v.root.K)
		b = append(b, `,"r":`...)
		b = strconv.AppendInt(b, int64(v.root.R), 10)
	}
	b = append(b, `,"ts":`...)
	b = strconv.AppendInt(b, n.TS, 10)
	return append(b, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// appendJSONString appends s as a JSON string, escaping what must be.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends the JSON-escaped body of s (without quotes).
// Stored strings were decoded from JSON, so they are valid UTF-8.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return b
}

func nowUnix() int64 { return time.Now().Unix() }

// newNodeHandle returns a fresh 8-character node handle (6 seeded random bytes).
func (s *Server) newNodeHandle() string {
	for {
		h := b64(s.randID(6))
		if !s.handleTaken(h) {
			return h
		}
	}
}

func (s *Server) handleTaken(h string) bool {
	for _, a := range s.accounts {
		if _, ok := a.nodes[h]; ok {
			return true
		}
		if h == a.rec.Root || h == a.rec.Inbox || h == a.rec.Trash {
			return true
		}
	}
	_, ok := s.links[h]
	return ok
}

// randID returns n bytes from the seeded generator (handles are
// deterministic under Options.Seed).
func (s *Server) randID(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.ids.Uint32())
	}
	return b
}
