package megasim

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Access levels of a share (the "r" of a share target).
const (
	accessRead      = 0
	accessReadWrite = 1
	accessFull      = 2
)

// shareRec is an outgoing share of a folder, kept in its owner's
// account: what the real service keeps. The share key exists only
// encrypted: under the owner's master key (OK) and, per recipient, under
// the recipient's RSA public key (shareTarget.K). The server never sees
// it in clear.
type shareRec struct {
	H  string        `json:"h"`  // shared folder
	OK string        `json:"ok"` // share key, AES-ECB under the owner's master key (verbatim)
	HA string        `json:"ha"` // handle authentication, verbatim
	TS int64         `json:"ts"`
	To []shareTarget `json:"to"`
}

// shareTarget is one recipient of a share.
type shareTarget struct {
	U  string `json:"u"`  // recipient's user handle
	R  int    `json:"r"`  // access level 0..2
	K  string `json:"k"`  // share key RSA-encrypted to the recipient (MPI, base64url, verbatim)
	TS int64  `json:"ts"` // when this recipient got access
}

func (r *shareRec) clone() *shareRec {
	c := *r
	c.To = slices.Clone(r.To)
	return &c
}

func (r *shareRec) target(u string) (int, bool) {
	for i, t := range r.To {
		if t.U == u {
			return i, true
		}
	}
	return -1, false
}

// inRef is an inbound share as its recipient sees it.
type inRef struct {
	owner *account
	h     string
	to    shareTarget
}

// rebuildInbound recomputes the recipient index from every account's
// outgoing shares (there are few; called after each share change).
func (s *Server) rebuildInbound() {
	idx := map[string][]inRef{}
	for _, a := range s.sortedAccounts() {
		for _, h := range sortedKeys(a.shares) {
			sh := a.shares[h]
			for _, t := range sh.To {
				idx[t.U] = append(idx[t.U], inRef{owner: a, h: sh.H, to: t})
			}
		}
	}
	s.inbound = idx
}

func (s *Server) sortedAccounts() []*account {
	out := make([]*account, 0, len(s.accounts))
	for _, e := range sortedKeys(s.accounts) {
		out = append(out, s.accounts[e])
	}
	return out
}

// applyShares stores share records (a change being committed or
// replayed) and drops the shares of deleted folders. It reports whether
// any share changed.
func (a *account) applyShares(put []*shareRec, del []string) bool {
	changed := len(put) > 0
	for _, sh := range put {
		if len(sh.To) == 0 {
			delete(a.shares, sh.H)
		} else {
			a.shares[sh.H] = sh
		}
	}
	for _, h := range del {
		if _, ok := a.shares[h]; ok {
			delete(a.shares, h)
			changed = true
		}
	}
	return changed
}

// sharedNode finds node h in a share that viewer receives: the owner's
// account, the node, and the viewer's highest access level over it.
func (s *Server) sharedNode(viewer *account, h string) (*account, *nodeRec, int, bool) {
	var owner *account
	var node *nodeRec
	access := -1
	for _, ref := range s.inbound[viewer.rec.Handle] {
		n := ref.owner.nodes[h]
		if n == nil || !ref.owner.isAncestor(ref.h, h) {
			continue
		}
		owner, node = ref.owner, n
		access = max(access, ref.to.R)
	}
	return owner, node, access, node != nil
}

// audience is a recipient of the owner's shares covering a node.
type audience struct {
	acct   *account
	shares []string // the owner's share handles this recipient can use
	access int
}

// audienceOf lists the recipients who see node h of owner's account (h
// itself or an ancestor is shared with them), in a stable order.
func (s *Server) audienceOf(owner *account, h string) []audience {
	var out []audience
	index := map[string]int{}
	for cur, depth := h, 0; cur != "" && depth < 100000; depth++ {
		if sh := owner.shares[cur]; sh != nil {
			for _, t := range sh.To {
				b := s.byHandle[t.U]
				if b == nil {
					continue
				}
				i, ok := index[t.U]
				if !ok {
					i = len(out)
					index[t.U] = i
					out = append(out, audience{acct: b, access: -1})
				}
				out[i].shares = append(out[i].shares, cur)
				out[i].access = max(out[i].access, t.R)
			}
		}
		n := owner.nodes[cur]
		if n == nil {
			break
		}
		cur = n.P
	}
	return out
}

// viewFor is how node n of owner looks to aud (root fields when n is the
// root of one of aud's shares).
func viewFor(owner *account, n *nodeRec, aud audience) *nodeView {
	v := &nodeView{viewer: aud.acct.rec.Handle, shares: aud.shares}
	if sh := owner.shares[n.H]; sh != nil {
		if i, ok := sh.target(aud.acct.rec.Handle); ok {
			t := sh.To[i]
			v.root = &t
		}
	}
	return v
}

// pktNewFor is a "t" packet with nodes as aud sees them.
func pktNewFor(reqID string, owner *account, nodes []*nodeRec, aud audience) []byte {
	b := pktHead(nil, "t", reqID)
	b = append(b, `,"t":{"f":[`...)
	for i, n := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNodeView(b, n, owner.rec.Handle, viewFor(owner, n, aud))
	}
	b = append(b, `]},"ou":`...)
	b = appendJSONString(b, owner.rec.Handle)
	return append(b, '}')
}

// notifyNew tells the recipients who see parent about new nodes in it.
func (s *Server) notifyNew(owner *account, reqID, parent string, nodes []*nodeRec, skip *account) {
	for _, aud := range s.audienceOf(owner, parent) {
		if aud.acct == skip {
			continue
		}
		s.commit(aud.acct, change{Pkts: [][]byte{pktNewFor(reqID, owner, nodes, aud)}})
	}
}

// notifySame sends the same packets to every recipient in auds.
func (s *Server) notifySame(auds []audience, pkts ...[]byte) {
	for _, aud := range auds {
		s.commit(aud.acct, change{Pkts: pkts})
	}
}

// --- uk: a user's public key ---

type ukReply struct {
	U    string `json:"u"`
	Pubk string `json:"pubk"`
}

// cmdPubKey answers {"a":"uk","u":<e-mail or user handle>} with the
// user's handle and RSA public key (what a client encrypts a share key
// to). Unknown user: -9.
func (s *Server) cmdPubKey(raw []byte) any {
	var req struct {
		U string `json:"u"`
	}
	if !decode(raw, &req) || req.U == "" {
		return errArgs
	}
	b := s.userByRef(req.U)
	if b == nil {
		return errNoEnt
	}
	return ukReply{U: b.rec.Handle, Pubk: b.rec.Pubk}
}

// exportUser is the pseudo-user a folder is shared to before it gets a
// public link (the SDK's EXPORTEDLINK).
const exportUser = "EXP"

// exportedShare reports whether sh includes the share to exportUser.
func exportedShare(sh *shareRec) bool {
	if sh == nil {
		return false
	}
	_, ok := sh.target(exportUser)
	return ok
}

// userByRef finds an account by e-mail (any case) or user handle.
func (s *Server) userByRef(ref string) *account {
	if strings.Contains(ref, "@") {
		return s.accounts[strings.ToLower(ref)]
	}
	return s.byHandle[ref]
}

// --- s2 / s: create, change or remove a share ---

type shareTargetReq struct {
	U string `json:"u"`
	R *int   `json:"r"`
	K string `json:"k"`
}

type shareReq struct {
	N  string           `json:"n"`
	OK string           `json:"ok"`
	HA string           `json:"ha"`
	S  []shareTargetReq `json:"s"`
	CR json.RawMessage  `json:"cr"`
	I  string           `json:"i"`
}

type shareUser struct {
	U string `json:"u"`
	M string `json:"m"`
}

type shareReply struct {
	R []int       `json:"r"`
	U []shareUser `json:"u"`
}

// shareKeyReply answers a share creation whose owner key differs from the
// one stored (the same folder shared concurrently with another key): the
// client re-encrypts with the stored key and retries.
type shareKeyReply struct {
	OK string `json:"ok"`
}

// crEntry is one node key of a "cr" element.
type crEntry struct {
	share, item, key string
}

// parseCR decodes a "cr" element:
// [[share handles], [item handles], [share index, item index, "key", ...]].
func parseCR(raw json.RawMessage) ([]crEntry, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var parts []json.RawMessage
	if json.Unmarshal(raw, &parts) != nil || len(parts) != 3 {
		return nil, false
	}
	var shares, items []string
	var links []any
	if json.Unmarshal(parts[0], &shares) != nil || json.Unmarshal(parts[1], &items) != nil ||
		json.Unmarshal(parts[2], &links) != nil || len(links)%3 != 0 {
		return nil, false
	}
	out := make([]crEntry, 0, len(links)/3)
	for i := 0; i < len(links); i += 3 {
		si, ok1 := links[i].(float64)
		ni, ok2 := links[i+1].(float64)
		k, ok3 := links[i+2].(string)
		if !ok1 || !ok2 || !ok3 || si < 0 || ni < 0 || int(si) >= len(shares) || int(ni) >= len(items) ||
			si != float64(int(si)) || ni != float64(int(ni)) {
			return nil, false
		}
		out = append(out, crEntry{share: shares[int(si)], item: items[int(ni)], key: k})
	}
	return out, true
}

func validShareKeyField(s string) bool {
	b, err := unb64(s)
	return err == nil && len(b) == 16
}

// validRSAKey accepts an RSA-encrypted key: an MPI longer than any AES key.
func validRSAKey(s string) bool {
	b, err := unb64(s)
	if err != nil || len(b) <= 32 {
		return false
	}
	_, rest, err := readMPI(b)
	return err == nil && len(rest) == 0
}

// cmdShare runs "s2" (and the older "s"): the owner shares folder n with
// the users in s. Per the official SDK the request is
//
//	{"a":"s2","n":<folder>,"ok":<share key under the owner's master key>,
//	 "ha":<handle auth>,"s":[{"u":<e-mail or handle>,"r":<0|1|2>,"k":<share key RSA-encrypted to u>}],
//	 "cr":[[<share handles>],[<node handles>],[si,ni,"<node key under share key>",...]]}
//
// and a target without "r" removes that user's access. The reply is
// {"r":[<0 per target>],"u":[{"u":<handle>,"m":<e-mail>}]}.
func (s *Server) cmdShare(sess *session, raw []byte) any {
	var req shareReq
	if !decode(raw, &req) || req.N == "" || len(req.S) == 0 {
		return errArgs
	}
	a := sess.acct
	n := a.nodes[req.N]
	if n == nil {
		if _, _, _, ok := s.sharedNode(a, req.N); ok {
			return errAccess // only the owner shares a folder
		}
		return errNoEnt
	}
	if n.T != typeFolder || n.U != "" || a.isAncestor(a.rec.Trash, n.H) || a.isAncestor(a.rec.Inbox, n.H) {
		return errAccess
	}
	adding := false
	for _, t := range req.S {
		adding = adding || t.R != nil
	}
	old := a.shares[n.H]
	if adding {
		if !validShareKeyField(req.OK) || !validShareKeyField(req.HA) {
			return errArgs
		}
		if old != nil && old.OK != req.OK {
			return shareKeyReply{OK: old.OK}
		}
	}
	rec := &shareRec{H: n.H, OK: req.OK, HA: req.HA, TS: nowUnix()}
	if old != nil {
		rec = old.clone()
	}
	type added struct {
		b     *account
		fresh bool
	}
	var changes []added
	var removed []*account
	reply := shareReply{}
	now := nowUnix()
	unlinked := ""
	for _, t := range req.S {
		if t.U == exportUser {
			// The share behind a folder link: no recipient, no RSA key.
			i, exists := rec.target(exportUser)
			switch {
			case t.R == nil && !exists:
				return errNoEnt
			case t.R == nil:
				rec.To = slices.Delete(rec.To, i, i+1)
				unlinked = n.PH // removing the share removes the link
			case *t.R < accessRead || *t.R > accessFull || t.K != "":
				return errArgs
			case exists:
				rec.To[i].R = *t.R
			default:
				rec.To = append(rec.To, shareTarget{U: exportUser, R: *t.R, TS: now})
			}
			reply.R = append(reply.R, 0)
			continue
		}
		b := s.userByRef(t.U)
		switch {
		case b == nil:
			return errNoEnt
		case b == a:
			return errArgs
		}
		i, exists := rec.target(b.rec.Handle)
		if t.R == nil {
			if !exists {
				return errNoEnt
			}
			rec.To = slices.Delete(rec.To, i, i+1)
			removed = append(removed, b)
		} else {
			if *t.R < accessRead || *t.R > accessFull {
				return errArgs
			}
			switch {
			case exists && t.K == "":
				rec.To[i].R = *t.R
			case !validRSAKey(t.K):
				return errArgs
			case exists:
				rec.To[i].R, rec.To[i].K = *t.R, t.K
			default:
				rec.To = append(rec.To, shareTarget{U: b.rec.Handle, R: *t.R, K: t.K, TS: now})
			}
			changes = append(changes, added{b: b, fresh: !exists})
		}
		reply.R = append(reply.R, 0)
		reply.U = append(reply.U, shareUser{U: b.rec.Handle, M: b.rec.Email})
	}
	entries, ok := parseCR(req.CR)
	if !ok {
		return errArgs
	}
	updated, code := s.applyCR(a, entries, map[string]bool{n.H: true}, nil)
	if code != 0 {
		return code
	}

	if unlinked != "" {
		delete(s.links, unlinked)
		for i, u := range updated {
			if u.H == n.H {
				c := *u
				c.PH = ""
				updated[i] = &c
			}
		}
		if !slices.ContainsFunc(updated, func(u *nodeRec) bool { return u.H == n.H }) {
			c := *n
			c.PH = ""
			updated = append(updated, &c)
		}
	}
	owner := a.rec.Handle
	var ownerPkts [][]byte
	for _, t := range req.S {
		if t.U == exportUser {
			if i, ok := rec.target(exportUser); ok && t.R != nil {
				ownerPkts = append(ownerPkts, pktShare(req.I, n.H, owner, rec.To[i], rec, true))
			} else {
				ownerPkts = append(ownerPkts, pktShare(req.I, n.H, owner, shareTarget{U: exportUser}, nil, false))
			}
			continue
		}
		b := s.userByRef(t.U)
		if i, ok := rec.target(b.rec.Handle); ok && t.R != nil {
			ownerPkts = append(ownerPkts, pktShare(req.I, n.H, owner, rec.To[i], rec, true))
		} else {
			ownerPkts = append(ownerPkts, pktShare(req.I, n.H, owner, shareTarget{U: b.rec.Handle}, nil, false))
		}
	}
	s.commit(a, change{Put: updated, Shares: []*shareRec{rec}, Pkts: ownerPkts})
	for _, b := range removed {
		s.commit(b, change{Pkts: [][]byte{pktShare(req.I, n.H, owner, shareTarget{U: b.rec.Handle}, nil, false)}})
	}
	for _, c := range changes {
		i, _ := rec.target(c.b.rec.Handle)
		pkts := [][]byte{pktShare(req.I, n.H, owner, rec.To[i], nil, false)}
		if c.fresh {
			for _, aud := range s.audienceOf(a, n.H) {
				if aud.acct == c.b {
					pkts = append(pkts, pktNewFor(req.I, a, a.subtree(n.H), aud))
				}
			}
		}
		s.commit(c.b, change{Pkts: pkts})
	}
	return reply
}

// applyCR checks "cr" node keys and returns the nodes with their new
// share keys. Each share must be one of the caller's shares (or in
// newShares), each item a node under it (or, with items, a new node
// being created, by its temporary handle), each key 16 bytes for a
// folder or 32 for a file. Bad entries: -2.
func (s *Server) applyCR(a *account, entries []crEntry, newShares map[string]bool, items map[string]*nodeRec) ([]*nodeRec, apiError) {
	var out []*nodeRec
	pos := map[string]int{}
	for _, e := range entries {
		if a.shares[e.share] == nil && !newShares[e.share] {
			return nil, errArgs
		}
		n := items[e.item]
		if n == nil {
			n = a.nodes[e.item]
			if n == nil || !a.isAncestor(e.share, n.H) {
				return nil, errArgs
			}
		}
		if i, ok := pos[n.H]; ok {
			n = out[i]
		}
		if !validKey(e.key, n.T) {
			return nil, errArgs
		}
		c := n.withShareKey(e.share, e.key)
		if i, ok := pos[n.H]; ok {
			out[i] = c
		} else {
			pos[n.H] = len(out)
			out = append(out, c)
		}
	}
	return out, 0
}

// pktShare is the "s2" action packet: for the owner n/o/u/r/ts/ok/ha,
// for the recipient n/o/u/k/r/ts, for a removal n/o/u only.
func pktShare(reqID, h, owner string, t shareTarget, rec *shareRec, forOwner bool) []byte {
	b := pktHead(nil, "s2", reqID)
	b = append(b, `,"n":`...)
	b = appendJSONString(b, h)
	b = append(b, `,"o":`...)
	b = appendJSONString(b, owner)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, t.U)
	if t.K != "" || forOwner {
		if !forOwner {
			b = append(b, `,"k":`...)
			b = appendJSONString(b, t.K)
		}
		b = append(b, `,"r":`...)
		b = strconv.AppendInt(b, int64(t.R), 10)
		b = append(b, `,"ts":`...)
		b = strconv.AppendInt(b, t.TS, 10)
		if forOwner && rec != nil {
			b = append(b, `,"ok":`...)
			b = appendJSONString(b, rec.OK)
			b = append(b, `,"ha":`...)
			b = appendJSONString(b, rec.HA)
		}
	}
	return append(b, '}')
}

// --- what "f" adds for shares ---

type okEntry struct {
	H  string `json:"h"`
	K  string `json:"k"`
	HA string `json:"ha"`
}

type outShareEntry struct {
	H  string `json:"h"`
	U  string `json:"u"`
	R  int    `json:"r"`
	TS int64  `json:"ts"`
}

type userEntry struct {
	U  string   `json:"u"`
	C  int      `json:"c"`
	M  string   `json:"m"`
	M2 []string `json:"m2,omitempty"`
}

// viewNode is a node of another account in a viewer's "f" reply.
type viewNode struct {
	n     *nodeRec
	owner string
	view  *nodeView
}

// shareFetch fills the share parts of an "f" reply for a: the owner keys
// and outgoing shares (ok, s), the nodes of inbound shares, and the
// users on either side of a share as contacts (c=1).
func (s *Server) shareFetch(a *account, fr *fetchResult) {
	fr.ok = []okEntry{}
	fr.out = []outShareEntry{}
	contacts := map[string]bool{}
	for _, h := range sortedKeys(a.shares) {
		sh := a.shares[h]
		fr.ok = append(fr.ok, okEntry{H: sh.H, K: sh.OK, HA: sh.HA})
		for _, t := range sh.To {
			fr.out = append(fr.out, outShareEntry{H: sh.H, U: t.U, R: t.R, TS: t.TS})
			contacts[t.U] = true
		}
	}
	refs := s.inbound[a.rec.Handle]
	for _, ref := range refs {
		contacts[ref.owner.rec.Handle] = true
		if nestedRef(ref, refs) {
			continue // comes with the outer share's tree, parents first
		}
		s.appendInbound(a, ref, fr)
	}
	fr.users = []userEntry{{U: a.rec.Handle, C: 2, M: a.rec.Email, M2: []string{a.rec.Email}}}
	for _, u := range sortedKeys(contacts) {
		if b := s.byHandle[u]; b != nil && b != a {
			fr.users = append(fr.users, userEntry{U: u, C: 1, M: b.rec.Email})
		}
	}
}

// appendInbound adds the tree of an inbound share to fr as viewer sees
// it. Views are shared: every child of a folder gets its parent's share
// list, except the root of another share of the viewer's inside it.
func (s *Server) appendInbound(viewer *account, ref inRef, fr *fetchResult) {
	owner := ref.owner
	childViews := map[string]*nodeView{} // folder -> the view of its children
	for _, n := range owner.subtree(ref.h) {
		var v *nodeView
		if n.H == ref.h {
			v = viewFor(owner, n, s.audienceFor(owner, n.H, viewer))
		} else {
			v = childViews[n.P]
			if sh := owner.shares[n.H]; sh != nil {
				if i, ok := sh.target(viewer.rec.Handle); ok {
					t := sh.To[i]
					v = &nodeView{viewer: v.viewer, shares: append([]string{n.H}, v.shares...), root: &t}
				}
			}
		}
		if n.T != typeFile {
			cv := v
			if v.root != nil {
				cv = &nodeView{viewer: v.viewer, shares: v.shares}
			}
			childViews[n.H] = cv
		}
		fr.inbound = append(fr.inbound, viewNode{n: n, owner: owner.rec.Handle, view: v})
	}
}

// nestedRef reports whether ref's folder lies inside another of refs.
func nestedRef(ref inRef, refs []inRef) bool {
	for _, o := range refs {
		if o.owner == ref.owner && o.h != ref.h && ref.owner.isAncestor(o.h, ref.h) {
			return true
		}
	}
	return false
}

// audienceFor is viewer's entry in audienceOf(owner, h).
func (s *Server) audienceFor(owner *account, h string, viewer *account) audience {
	for _, x := range s.audienceOf(owner, h) {
		if x.acct == viewer {
			return x
		}
	}
	return audience{acct: viewer, access: -1}
}
