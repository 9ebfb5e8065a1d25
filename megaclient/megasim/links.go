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

// copySource returns the file a new node of a `p` copies: a file link's
// file ("ph"), or an existing file named by "h" that the caller may read
// (its own, in a share it receives, or in an exported folder). nil: the
// node is an upload completion.
func (s *Server) copySource(caller *account, n putNode) *nodeRec {
	if n.PH != "" {
		ref, ok := s.links[n.PH]
		if !ok {
			return nil
		}
		if src := ref.acct.nodes[ref.h]; src != nil && src.T == typeFile {
			return src
		}
		return nil
	}
	if _, isToken := s.tokens[n.H]; isToken || len(n.H) != 8 {
		return nil
	}
	if src := caller.nodes[n.H]; src != nil && src.T == typeFile {
		return src
	}
	if _, src, _, ok := s.sharedNode(caller, n.H); ok && src.T == typeFile {
		return src
	}
	for _, ref := range s.links {
		if ref.acct.nodes[ref.h] == nil || !exportedShare(ref.acct.shares[ref.h]) {
			continue
		}
		if src := ref.acct.nodes[n.H]; src != nil && src.T == typeFile && ref.acct.isAncestor(ref.h, n.H) {
			return src
		}
	}
	return nil
}

// copyBlob duplicates a file's ciphertext into a new blob.
func (s *Server) copyBlob(src string, size int64) (string, error) {
	id := b64(randomBytes(16))
	if err := s.blobs.create(id); err != nil {
		return "", err
	}
	buf := make([]byte, min(size, 1<<20))
	for off := int64(0); off < size; {
		n := min(int64(len(buf)), size-off)
		if _, err := s.blobs.readAt(src, buf[:n], off); err != nil {
			_ = s.blobs.remove(id)
			return "", err
		}
		if err := s.blobs.writeAt(id, buf[:n], off); err != nil {
			_ = s.blobs.remove(id)
			return "", err
		}
		off += n
	}
	return id, nil
}
