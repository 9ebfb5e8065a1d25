package megasim

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

const (
	maxCSBody      = 8 << 20 // bytes of one cs request body
	maxBatch       = 2000    // commands in one cs request
	replyCacheSize = 8192    // (sid, id) replies kept for replay
)

// rawJSON is a command result already encoded.
type rawJSON []byte

// fetchResult is the result of "f": encoded while streaming, outside the lock.
type fetchResult struct {
	owner, email, sn string
	nodes            []*nodeRec
	inbound          []viewNode // nodes of inbound shares
	ok               []okEntry
	out              []outShareEntry
	users            []userEntry
}

type replyKey struct{ sid, id string }

// cachedReply is a stored reply for replay. A batch holding "f" is kept as
// parts: the encoded results of its other commands, with nil where "f"
// goes; "f" is read-only, so a replay fetches afresh.
type cachedReply struct {
	bodyHash [32]byte
	reply    []byte
	parts    []any
}

// dispatch routes on the path suffix.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case len(p) >= 3 && p[len(p)-3:] == "/cs":
		s.serveCS(w, r)
	case len(p) >= 3 && p[len(p)-3:] == "/sc":
		s.serveSC(w, r)
	default:
		if rest, ok := trimPathPrefix(p, "/wsc/"); ok {
			s.serveWait(w, r, rest)
		} else {
			http.NotFound(w, r)
		}
	}
}

// dispatchData routes the storage host: upload and download URLs only.
func (s *Server) dispatchData(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if rest, ok := trimPathPrefix(p, "/ul/"); ok {
		s.serveUpload(w, r, rest)
	} else if rest, ok := trimPathPrefix(p, "/dl/"); ok {
		s.serveDownload(w, r, rest)
	} else {
		http.NotFound(w, r)
	}
}

// needsSession reports whether a command requires a valid sid.
func needsSession(cmd string) bool {
	switch cmd {
	case "us0", "us", "g", "":
		return false
	}
	return true
}

// serveCS answers POST {base}/cs?id=N[&sid=..] with one result per command.
func (s *Server) serveCS(w http.ResponseWriter, r *http.Request) {
	f := s.currentFaults()
	if !s.sleep(r, f.APILatency) {
		return
	}
	q := r.URL.Query()
	id, sid := q.Get("id"), q.Get("sid")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCSBody+1))
	if err != nil {
		return
	}
	if len(body) > maxCSBody {
		writeBare(w, errArgs)
		return
	}
	var cmds []json.RawMessage
	if err := json.Unmarshal(body, &cmds); err != nil || len(cmds) == 0 || len(cmds) > maxBatch {
		writeBare(w, errArgs)
		return
	}
	names := make([]string, len(cmds))
	login, fetch, auth := false, false, false
	for i, c := range cmds {
		var head struct {
			A string `json:"a"`
		}
		if json.Unmarshal(c, &head) == nil {
			names[i] = head.A
		}
		switch names[i] {
		case "us0", "us":
			login = true
		case "f":
			fetch = true
		}
		auth = auth || needsSession(names[i])
	}
	if s.wantHashcash(f, login) && !s.checkHashcash(r.Header.Get("X-Hashcash")) {
		s.challenge(w, f)
		return
	}
	if s.roll(faultEAGAIN, f.EAGAINRate) {
		writeBare(w, errAgain)
		return
	}

	s.mu.Lock()
	var sess *session
	if sid != "" {
		if sess = s.sessionFor(sid); sess == nil {
			s.mu.Unlock()
			writeBare(w, errSID)
			return
		}
	}
	if sess != nil && sess.acct.blocked {
		s.mu.Unlock()
		writeBare(w, errBlocked)
		return
	}
	if s.refuseConns {
		s.mu.Unlock()
		writeBare(w, errTooManyConns)
		return
	}
	if sess == nil && auth && !folderLinkSession(r) {
		s.mu.Unlock()
		writeBare(w, errSID)
		return
	}
	key := replyKey{id: id}
	if sess != nil {
		key.sid = sess.hash
	} else if folderLinkSession(r) {
		key.sid = "n=" + q.Get("n") // one folder link's replies are not another's
	}
	sum := sha256.Sum256(body)
	if c, ok := s.replies[key]; ok && id != "" && c.bodyHash == sum {
		s.logf("megasim: cs id=%s replayed", id)
		if c.parts == nil {
			s.mu.Unlock()
			s.respond(w, r, f, c.reply, nil)
			return
		}
		results := make([]any, len(c.parts))
		for i, part := range c.parts {
			if results[i] = part; part == nil {
				if sess == nil {
					results[i] = s.execFolderLink("f", cmds[i], r)
				} else {
					results[i] = s.cmdFetch(sess, cmds[i])
				}
			}
		}
		s.mu.Unlock()
		s.respond(w, r, f, nil, results)
		return
	}
	results := make([]any, len(cmds))
	for i, c := range cmds {
		results[i] = s.exec(sess, names[i], c, r)
		s.logf("megasim: cs id=%s %q", id, names[i])
	}
	var reply []byte
	if !fetch {
		reply = encodeResults(results)
		if id != "" {
			s.remember(key, &cachedReply{bodyHash: sum, reply: reply})
		}
	} else if id != "" {
		parts := make([]any, len(results))
		for i, res := range results {
			if _, isFetch := res.(*fetchResult); !isFetch {
				parts[i] = rawJSON(appendResult(nil, res))
			}
		}
		s.remember(key, &cachedReply{bodyHash: sum, parts: parts})
	}
	s.mu.Unlock()
	if fetch {
		s.respond(w, r, f, nil, results)
		return
	}
	s.respond(w, r, f, reply, nil)
}

// respond writes a reply, applying the post-execution faults: an HTTP 500
// or a connection dropped halfway through the body (the command already
// ran, so the client's retry is answered from the replay cache).
func (s *Server) respond(w http.ResponseWriter, r *http.Request, f Faults, reply []byte, stream []any) {
	if s.roll(fault500, f.HTTP500Rate) {
		http.Error(w, "Server Too Busy", http.StatusInternalServerError)
		return
	}
	drop := s.roll(faultDrop, f.DropRate)
	if stream != nil {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 64<<10)
		writeStreamed(bw, stream, drop)
		_ = bw.Flush()
		if drop {
			panic(http.ErrAbortHandler)
		}
		return
	}
	if drop {
		dropMidBody(w, reply)
	}
	writeJSON(w, reply)
}

// dropMidBody sends the headers and half the body, then kills the connection.
func dropMidBody(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) remember(key replyKey, c *cachedReply) {
	if len(s.replies) >= replyCacheSize {
		// Evict an arbitrary quarter; ids are only reused by immediate retries.
		n := 0
		for k := range s.replies {
			delete(s.replies, k)
			if n++; n >= replyCacheSize/4 {
				break
			}
		}
	}
	s.replies[key] = c
}

func (s *Server) sessionFor(sid string) *session {
	if sid == "" {
		return nil
	}
	return s.sessions[sha256Hex(sid)]
}

// sleep waits d unless the request or the server ends first.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// exec runs one command under s.mu and returns its result.
func (s *Server) exec(sess *session, name string, raw []byte, r *http.Request) any {
	if name == "" {
		return errArgs
	}
	s.counts[name]++
	if sess == nil && folderLinkSession(r) {
		return s.execFolderLink(name, raw, r)
	}
	switch name {
	case "us0":
		return s.cmdPrelogin(raw)
	case "us":
		return s.cmdLogin(raw)
	case "g":
		return s.cmdDownload(sess, raw, r)
	}
	if sess == nil {
		return errSID
	}
	switch name {
	case "ug":
		return s.cmdUserGet(sess)
	case "uq":
		return s.cmdQuota(sess, raw)
	case "sml":
		return s.cmdLogout(sess)
	case "f":
		return s.cmdFetch(sess, raw)
	case "p":
		return s.cmdPut(sess, raw)
	case "m":
		return s.cmdMove(sess, raw)
	case "a":
		return s.cmdSetAttr(sess, raw)
	case "d":
		return s.cmdDelete(sess, raw)
	case "l":
		return s.cmdLink(sess, raw)
	case "u":
		return s.cmdUpload(sess, raw, r)
	case "uk":
		return s.cmdPubKey(raw)
	case "s2", "s":
		return s.cmdShare(sess, raw)
	}
	s.counts[name]--
	s.counts["unknown"]++
	return errArgs
}

func encodeResults(results []any) []byte {
	b := []byte{'['}
	for i, res := range results {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendResult(b, res)
	}
	return append(b, ']')
}

func appendResult(b []byte, res any) []byte {
	switch v := res.(type) {
	case rawJSON:
		return append(b, v...)
	case apiError:
		return strconv.AppendInt(b, int64(v), 10)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	default:
		enc, err := json.Marshal(v)
		if err != nil {
			return strconv.AppendInt(b, int64(errInternal), 10)
		}
		return append(b, enc...)
	}
}

// writeStreamed writes results one by one; an "f" result is streamed node
// by node so a 100,000-node reply is never held in memory. With drop set
// it stops halfway (the caller then aborts the connection).
func writeStreamed(w *bufio.Writer, results []any, drop bool) {
	_ = w.WriteByte('[')
	for i, res := range results {
		if i > 0 {
			_ = w.WriteByte(',')
		}
		fr, ok := res.(*fetchResult)
		if !ok {
			_, _ = w.Write(appendResult(nil, res))
			continue
		}
		_, _ = w.WriteString(`{"f":[`)
		buf := make([]byte, 0, 512)
		for j, n := range fr.nodes {
			if drop && j >= len(fr.nodes)/2 {
				return
			}
			buf = buf[:0]
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendNodeJSON(buf, n, fr.owner)
			_, _ = w.Write(buf)
		}
		for j, vn := range fr.inbound {
			if drop && j >= len(fr.inbound)/2 {
				return
			}
			buf = buf[:0]
			if j > 0 || len(fr.nodes) > 0 {
				buf = append(buf, ',')
			}
			buf = appendNodeView(buf, vn.n, vn.owner, vn.view)
			_, _ = w.Write(buf)
		}
		_, _ = w.WriteString(`],"ok":`)
		_, _ = w.Write(marshalOr(fr.ok, "[]"))
		_, _ = w.WriteString(`,"s":`)
		_, _ = w.Write(marshalOr(fr.out, "[]"))
		_, _ = w.WriteString(`,"ps":[],"opc":[],"ipc":[],"ph":[`)
		first := true
		for _, n := range fr.nodes {
			if n.PH == "" {
				continue
			}
			buf = buf[:0]
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, `{"h":`...)
			buf = appendJSONString(buf, n.H)
			buf = append(buf, `,"ph":`...)
			buf = appendJSONString(buf, n.PH)
			buf = append(buf, '}')
			_, _ = w.Write(buf)
		}
		buf = append(buf[:0], `],"u":`...)
		buf = append(buf, marshalOr(fr.users, "[]")...)
		buf = append(buf, `,"sn":`...)
		buf = appendJSONString(buf, fr.sn)
		buf = append(buf, `,"noc":1}`...)
		_, _ = w.Write(buf)
	}
	_ = w.WriteByte(']')
}

// --- node commands ---

func (s *Server) cmdFetch(sess *session, raw []byte) any {
	var req struct {
		C int `json:"c"`
		R int `json:"r"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	a := sess.acct
	fr := &fetchResult{owner: a.rec.Handle, email: a.rec.Email, sn: encodeSN(a.events.sn), nodes: a.all()}
	s.shareFetch(a, fr)
	return fr
}

// marshalOr encodes v, or returns def if that fails (it cannot for the
// plain structs used here).
func marshalOr(v any, def string) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte(def)
	}
	return b
}

type putNode struct {
	PH string  `json:"ph"` // a file link's public handle: import the file
	H  string  `json:"h"`
	T  int     `json:"t"`
	A  string  `json:"a"`
	K  string  `json:"k"`
	FA *string `json:"fa"`
	P  string  `json:"p"`
}

type putReq struct {
	T  string          `json:"t"`
	N  []putNode       `json:"n"`
	CR json.RawMessage `json:"cr"`
	I  string          `json:"i"`
}

// validAttr checks that a is base64 of a whole number of AES blocks (a
// client decrypting anything else would fail or, with go-mega, panic).
func validAttr(a string) bool {
	b, err := unb64(a)
	return err == nil && len(b) > 0 && len(b)%16 == 0
}

// validKey checks the encrypted node key length: 16 bytes for folders, 32 for files.
func validKey(k string, t int) bool {
	b, err := unb64(k)
	if err != nil {
		return false
	}
	if t == typeFile {
		return len(b) == 32
	}
	return len(b) == 16
}

func (s *Server) cmdPut(sess *session, raw []byte) any {
	var req putReq
	if !decode(raw, &req) || len(req.N) == 0 {
		return errArgs
	}
	a := sess.acct // the creator
	owner := a     // whose tree and storage the nodes go to
	parent := a.nodes[req.T]
	if parent == nil {
		o, n, access, ok := s.sharedNode(a, req.T)
		switch {
		case !ok:
			return errNoEnt
		case access < accessReadWrite:
			return errAccess // a read-only share
		}
		owner, parent = o, n
	}
	if parent.T == typeFile {
		return errAccess
	}
	entries, ok := parseCR(req.CR)
	if !ok {
		return errArgs
	}
	for i := range req.N {
		if req.N[i].H == "" && req.N[i].PH != "" {
			req.N[i].H = req.N[i].PH // an import names the node by its public handle
		}
	}
	var need int64
	temp := map[string]string{} // client temp handle -> real handle
	types := map[string]int{}
	ups := make([]*upload, len(req.N))
	copies := make([]*nodeRec, len(req.N))
	for i, n := range req.N {
		if (n.T != typeFile && n.T != typeFolder) || !validAttr(n.A) || !validKey(n.K, n.T) {
			return errArgs
		}
		if n.P != "" {
			if t, ok := types[n.P]; !ok || t != typeFolder {
				return errNoEnt
			}
		}
		if n.T == typeFile {
			if src := s.copySource(a, n); src != nil {
				// A copy (of an own node, or an import from a public link):
				// the ciphertext is duplicated, the key and attributes are
				// the client's.
				copies[i] = src
				need += src.S
				types[n.H] = n.T
				continue
			}
			up := s.tokens[n.H]
			if up == nil || up.acct != a {
				return errNoEnt
			}
			for _, prev := range ups[:i] {
				if prev == up {
					return errArgs
				}
			}
			ups[i] = up
			need += up.size
		}
		types[n.H] = n.T
	}
	if need > 0 && owner.used+need > s.opts.QuotaBytes {
		return errOverQuota
	}
	for _, e := range entries {
		if _, ok := types[e.item]; !ok || owner.shares[e.share] == nil || !owner.isAncestor(e.share, req.T) {
			return errArgs
		}
	}
	now := nowUnix()
	created := make([]*nodeRec, 0, len(req.N))
	byTemp := map[string]*nodeRec{}
	for i, n := range req.N {
		p := req.T
		if n.P != "" {
			p = temp[n.P]
		}
		rec := &nodeRec{H: s.newNodeHandle(), P: p, T: n.T, A: n.A, K: n.K, TS: now}
		if owner != a {
			rec.U = a.rec.Handle
		}
		if n.FA != nil {
			rec.FA = *n.FA
		}
		if up := ups[i]; up != nil {
			rec.S, rec.Blob = up.size, up.blob
			delete(s.tokens, up.token)
			delete(s.uploads, up.id)
		}
		if src := copies[i]; src != nil {
			blob, err := s.copyBlob(src.Blob, src.S)
			if err != nil {
				s.logf("megasim: copy blob: %v", err)
				for _, c := range created {
					owner.remove(c.H)
				}
				return errInternal
			}
			rec.S, rec.Blob = src.S, blob
		}
		temp[n.H] = rec.H
		byTemp[n.H] = rec
		created = append(created, rec)
		owner.put(rec) // visible to newNodeHandle and to later chained nodes
	}
	keyed, code := s.applyCR(owner, entries, nil, byTemp)
	if code != 0 {
		for _, rec := range created {
			owner.remove(rec.H)
		}
		return code
	}
	for _, k := range keyed {
		for i := range created {
			if created[i].H == k.H {
				created[i] = k
			}
		}
	}
	oh := owner.rec.Handle
	s.commit(owner, change{Put: created, Pkts: [][]byte{pktNew(req.I, oh, created)}})
	s.notifyNew(owner, req.I, req.T, created, nil)
	b := []byte(`{"f":[`)
	for i, n := range created {
		if i > 0 {
			b = append(b, ',')
		}
		if owner == a {
			b = appendNodeJSON(b, n, oh)
		} else {
			b = appendNodeView(b, n, oh, viewFor(owner, n, s.audienceFor(owner, req.T, a)))
		}
	}
	return rawJSON(append(b, "]}"...))
}

// refuseShared answers a command naming nodes the caller does not own:
// -11 when one of them is in a share the caller receives, else -9.
func (s *Server) refuseShared(a *account, handles ...string) apiError {
	for _, h := range handles {
		if _, _, _, ok := s.sharedNode(a, h); ok {
			return errAccess
		}
	}
	return errNoEnt
}

// fullAccess checks that every handle is in a share caller receives with
// full access (2), all of one owner. It returns the owner and the nodes;
// a handle of the caller's own tree among them (a move across accounts),
// a lower access level or another owner is -11, an unknown handle -9.
func (s *Server) fullAccess(caller *account, handles ...string) (*account, *nodeRec, *nodeRec, apiError) {
	var owner *account
	nodes := make([]*nodeRec, 2)
	for i, h := range handles {
		o, n, access, ok := s.sharedNode(caller, h)
		switch {
		case !ok:
			return nil, nil, nil, s.refuseShared(caller, handles...)
		case access < accessFull || owner != nil && o != owner:
			return nil, nil, nil, errAccess
		}
		owner, nodes[i] = o, n
	}
	return owner, nodes[0], nodes[1], 0
}

// isShareRootFor reports whether h is the root of a share viewer receives.
func (s *Server) isShareRootFor(owner *account, h string, viewer *account) bool {
	if sh := owner.shares[h]; sh != nil {
		_, ok := sh.target(viewer.rec.Handle)
		return ok
	}
	return false
}

func isRootType(t int) bool { return t == typeRoot || t == typeInbox || t == typeTrash }

func (s *Server) cmdMove(sess *session, raw []byte) any {
	var req struct {
		N  string          `json:"n"`
		T  string          `json:"t"`
		CR json.RawMessage `json:"cr"`
		I  string          `json:"i"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	a := sess.acct
	n, t := a.nodes[req.N], a.nodes[req.T]
	if n == nil || t == nil {
		// Within the shares of one owner, with full access to both ends.
		owner, sn, st, code := s.fullAccess(a, req.N, req.T)
		if code != 0 {
			return code
		}
		if s.isShareRootFor(owner, sn.H, a) {
			return errAccess // leaving a share is not a move
		}
		a, n, t = owner, sn, st
	}
	entries, ok := parseCR(req.CR)
	switch {
	case !ok:
		return errArgs
	case isRootType(n.T) || t.T == typeFile:
		return errAccess
	case a.isAncestor(n.H, t.H):
		return errCircular
	}
	before := s.audienceOf(a, n.H)
	moved := *n
	moved.P = t.H
	a.put(&moved)
	keyed, code := s.applyCR(a, entries, nil, nil)
	if code != 0 {
		a.put(n)
		return code
	}
	owner := a.rec.Handle
	s.commit(a, change{Put: append([]*nodeRec{&moved}, keyed...), Pkts: [][]byte{
		pktDelete(req.I, owner, n.H, true),
		pktNew(req.I, owner, a.subtree(n.H)),
	}})
	// Recipients who saw the node lose it, keep it (moved) or gain it.
	after := s.audienceOf(a, n.H)
	stays := map[*account]bool{}
	for _, aud := range after {
		stays[aud.acct] = true
	}
	for _, aud := range before {
		if !stays[aud.acct] {
			s.commit(aud.acct, change{Pkts: [][]byte{pktDelete(req.I, owner, n.H, false)}})
		}
	}
	had := map[*account]bool{}
	for _, aud := range before {
		had[aud.acct] = true
	}
	for _, aud := range after {
		pkts := [][]byte{pktNewFor(req.I, a, a.subtree(n.H), aud)}
		if had[aud.acct] {
			pkts = append([][]byte{pktDelete(req.I, owner, n.H, true)}, pkts...)
		}
		s.commit(aud.acct, change{Pkts: pkts})
	}
	return 0
}

func (s *Server) cmdSetAttr(sess *session, raw []byte) any {
	var req struct {
		N    string  `json:"n"`
		Attr *string `json:"attr"`
		At   *string `json:"at"`
		Key  *string `json:"key"`
		I    string  `json:"i"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	attr := req.Attr
	if attr == nil {
		attr = req.At
	}
	caller := sess.acct
	a := caller // whose tree holds the node
	n := a.nodes[req.N]
	if n == nil {
		owner, sn, _, code := s.fullAccess(caller, req.N)
		if code != 0 {
			return code
		}
		a, n = owner, sn
	}
	switch {
	case isRootType(n.T):
		return errAccess
	case attr == nil || !validAttr(*attr):
		return errArgs
	case req.Key != nil && !validKey(*req.Key, n.T):
		return errArgs
	}
	upd := *n
	upd.A = *attr
	if req.Key != nil && (n.U == caller.rec.Handle || n.U == "" && a == caller) {
		upd.K = *req.Key // only the creator's own entry can be rewritten
	}
	a.put(&upd)
	pkt := pktUpdate(req.I, a.rec.Handle, &upd)
	s.commit(a, change{Put: []*nodeRec{&upd}, Pkts: [][]byte{pkt}})
	s.notifySame(s.audienceOf(a, upd.H), pkt)
	return 0
}

func (s *Server) cmdDelete(sess *session, raw []byte) any {
	var req struct {
		N string `json:"n"`
		I string `json:"i"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	a := sess.acct
	n := a.nodes[req.N]
	if n == nil {
		owner, sn, _, code := s.fullAccess(a, req.N)
		if code != 0 {
			return code
		}
		if s.isShareRootFor(owner, sn.H, a) {
			return errAccess // leaving a share: not implemented
		}
		a, n = owner, sn
	}
	if isRootType(n.T) {
		return errAccess
	}
	auds := s.audienceOf(a, n.H)
	sub := a.subtree(n.H)
	del := make([]string, 0, len(sub))
	for i := len(sub) - 1; i >= 0; i-- {
		x := sub[i]
		del = append(del, x.H)
		a.remove(x.H)
		if x.PH != "" {
			delete(s.links, x.PH)
		}
		if x.Blob != "" {
			if err := s.blobs.remove(x.Blob); err != nil {
				s.logf("megasim: remove blob: %v", err)
			}
		}
	}
	pkt := pktDelete(req.I, a.rec.Handle, n.H, false)
	s.commit(a, change{Del: del, Pkts: [][]byte{pkt}})
	s.notifySame(auds, pkt)
	return 0
}

// linkRef locates the node behind a public handle.
type linkRef struct {
	acct *account
	h    string
}

func (s *Server) cmdLink(sess *session, raw []byte) any {
	var req struct {
		N   string `json:"n"`
		D   int    `json:"d"`
		Ets int64  `json:"ets"`
		I   string `json:"i"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	a := sess.acct
	n := a.nodes[req.N]
	switch {
	case n == nil:
		return s.refuseShared(a, req.N)
	case isRootType(n.T):
		return errAccess
	case n.T == typeFolder && req.D != 1 && !exportedShare(a.shares[n.H]):
		// The real service exports only a folder shared to the special
		// user "EXP" (official clients send that `s2` first): the folder
		// link carries the share key, which decrypts the folder's nodes.
		return errAccess
	}
	upd := *n
	if req.D == 1 {
		if n.PH == "" {
			return errNoEnt
		}
		delete(s.links, n.PH)
		upd.PH = ""
		a.put(&upd)
		s.commit(a, change{Put: []*nodeRec{&upd}})
		return 0
	}
	if n.PH != "" {
		return rawJSON(appendJSONString(nil, n.PH))
	}
	upd.PH = s.newNodeHandle()
	s.links[upd.PH] = linkRef{acct: a, h: n.H}
	a.put(&upd)
	s.commit(a, change{Put: []*nodeRec{&upd}})
	return rawJSON(appendJSONString(nil, upd.PH))
}
