package megasim

import "net/http"

// Public links, as the real service serves them (protocol notes §5.5):
//
//   - a file link https://mega.nz/file/<ph>#<file key> is read with
//     {"a":"g","p":"<ph>"} and no session;
//   - a folder link https://mega.nz/folder/<ph>#<share key> opens a
//     folder-link session: every cs request carries ?n=<ph> instead of a
//     sid; {"a":"f","c":1,"r":1} answers the exported folder (first) and
//     everything under it, each node's "k" holding only its key under the
//     share key ("<folder handle>:<key>"), and {"a":"g","n":"<h>"} reads
//     a file inside it. Anything else in such a session is refused (-11).

// folderLink returns the exported folder behind the n= parameter of a
// folder-link session: the owner and the folder's handle.
func (s *Server) folderLink(r *http.Request) (*account, string, bool) {
	if r == nil {
		return nil, "", false
	}
	ph := r.URL.Query().Get("n")
	if ph == "" {
		return nil, "", false
	}
	ref, ok := s.links[ph]
	if !ok {
		return nil, "", false
	}
	n := ref.acct.nodes[ref.h]
	if n == nil || n.T != typeFolder || !exportedShare(ref.acct.shares[n.H]) {
		return nil, "", false
	}
	return ref.acct, n.H, true
}

// folderLinkSession reports whether a request is one of a folder-link
// session (n= and no sid).
func folderLinkSession(r *http.Request) bool {
	q := r.URL.Query()
	return q.Get("n") != "" && q.Get("sid") == ""
}

// execFolderLink runs a command of a folder-link session.
func (s *Server) execFolderLink(name string, raw []byte, r *http.Request) any {
	owner, root, ok := s.folderLink(r)
	if !ok {
		return errNoEnt
	}
	switch name {
	case "f":
		var req struct {
			C int `json:"c"`
			R int `json:"r"`
		}
		if !decode(raw, &req) {
			return errArgs
		}
		fr := &fetchResult{owner: owner.rec.Handle, sn: encodeSN(owner.events.sn), ok: []okEntry{}, out: []outShareEntry{}, users: []userEntry{}}
		view := &nodeView{viewer: exportUser, shares: []string{root}}
		for _, n := range owner.subtree(root) {
			fr.inbound = append(fr.inbound, viewNode{n: n, owner: owner.rec.Handle, view: view})
		}
		return fr
	case "g":
		var req struct {
			G   int    `json:"g"`
			N   string `json:"n"`
			SSL int    `json:"ssl"`
		}
		if !decode(raw, &req) || req.N == "" {
			return errArgs
		}
		n := owner.nodes[req.N]
		if n == nil || !owner.isAncestor(root, n.H) {
			return errNoEnt
		}
		return s.downloadReply(n, req.G, req.SSL)
	}
	return errAccess
}
