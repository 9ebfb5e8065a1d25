package megasim

import (
	"bytes"
	"encoding/json"
	"sort"
)

// dumpState serialises everything the server holds in memory (accounts,
// sessions, nodes, shares, action logs, uploads, cached replies, and the raw
// ciphertext of in-memory blobs) so tests can prove no plaintext or
// secret is among it.
func (s *Server) dumpState() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, a := range s.accounts {
		_ = enc.Encode(a.rec)
		_ = enc.Encode(a.all())
		for _, h := range sortedKeys(a.shares) {
			_ = enc.Encode(a.shares[h])
		}
		for _, p := range a.events.pkts {
			buf.Write(p)
		}
	}
	for h := range s.sessions {
		buf.WriteString(h)
	}
	for _, u := range s.uploads {
		_ = enc.Encode([]any{u.id, u.size, u.blob, u.token, u.ranges})
		buf.Write(u.reply)
	}
	for _, r := range s.replies {
		buf.Write(r.reply)
	}
	if mb, ok := s.blobs.(*memBlobs); ok {
		mb.mu.Lock()
		ids := make([]string, 0, len(mb.blobs))
		for id := range mb.blobs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			pages := mb.blobs[id]
			for i := int64(0); i < int64(len(pages))+1; i++ {
				buf.Write(pages[i])
			}
		}
		mb.mu.Unlock()
	}
	return buf.Bytes()
}

// storedCiphertext returns the stored bytes of a file node (for tests).
func (s *Server) storedCiphertext(h string) ([]byte, error) {
	s.mu.Lock()
	var n *nodeRec
	for _, a := range s.accounts {
		if x := a.nodes[h]; x != nil {
			n = x
		}
	}
	s.mu.Unlock()
	if n == nil || n.T != typeFile {
		return nil, errBlobMissing(h)
	}
	buf := make([]byte, n.S)
	if _, err := s.blobs.readAt(n.Blob, buf, 0); err != nil {
		return nil, err
	}
	return buf, nil
}
