package megasim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// upload is an upload session created by "u".
type upload struct {
	id      string // URL path component
	acct    *account
	size    int64
	blob    string
	binTok  bool       // "u" had v>=2: 36 raw bytes ending 0x01 instead of text
	ranges  [][2]int64 // received [start,end) ranges, merged and sorted
	token   string     // completion token (as the client will send it in "p"), once complete
	reply   []byte     // the body that carried the token
	created time.Time  // for expiry of abandoned uploads
}

const (
	maxPendingUploads = 4096           // beyond this, expired uploads are purged
	uploadTTL         = 24 * time.Hour // an upload URL's lifetime
)

// purgeUploads forgets expired upload sessions (and their partial
// ciphertext) once there are many of them. Called under s.mu.
func (s *Server) purgeUploads(now time.Time) {
	if len(s.uploads) < maxPendingUploads {
		return
	}
	for id, u := range s.uploads {
		if now.Sub(u.created) > uploadTTL {
			delete(s.uploads, id)
			if u.token != "" {
				delete(s.tokens, u.token)
			}
			if err := s.blobs.remove(u.blob); err != nil {
				s.logf("megasim: remove blob: %v", err)
			}
		}
	}
}

// addRange records [start,end) and reports whether [0,size) is covered.
func (u *upload) addRange(start, end int64) bool {
	if end > start {
		u.ranges = append(u.ranges, [2]int64{start, end})
		slices.SortFunc(u.ranges, func(x, y [2]int64) int { return int(max(-1, min(1, x[0]-y[0]))) })
		merged := u.ranges[:1]
		for _, r := range u.ranges[1:] {
			last := &merged[len(merged)-1]
			if r[0] <= last[1] {
				last[1] = max(last[1], r[1])
			} else {
				merged = append(merged, r)
			}
		}
		u.ranges = merged
	}
	if u.size == 0 {
		return true
	}
	return len(u.ranges) == 1 && u.ranges[0][0] == 0 && u.ranges[0][1] >= u.size
}

func (s *Server) cmdUpload(sess *session, raw []byte, r *http.Request) any {
	var req struct {
		S   int64 `json:"s"`
		SSL int   `json:"ssl"`
		V   int   `json:"v"`
	}
	if !decode(raw, &req) || req.S < 0 {
		return errArgs
	}
	a := sess.acct
	if a.used >= s.opts.QuotaBytes {
		return errOverQuota
	}
	if a.used+req.S > s.opts.QuotaBytes {
		return errGoingOverQuota
	}
	now := time.Now()
	s.purgeUploads(now)
	up := &upload{id: b64(randomBytes(16)), acct: a, size: req.S, blob: b64(randomBytes(16)), binTok: req.V >= 2, created: now}
	if err := s.blobs.create(up.blob); err != nil {
		s.logf("megasim: create blob: %v", err)
		return errInternal
	}
	s.uploads[up.id] = up
	return struct {
		P string `json:"p"`
	}{P: s.dataBase(req.SSL) + "/ul/" + up.id}
}

// dataBase is the storage host's base URL, https when the command asked
// for ssl (the real service answers gfsNNN.userstorage.mega.co.nz URLs,
// never the API host).
func (s *Server) dataBase(ssl int) string {
	if ssl >= 1 {
		return "https" + strings.TrimPrefix(s.dataURL, "http")
	}
	return s.dataURL
}

type downloadReply struct {
	S   int64  `json:"s"`
	At  string `json:"at"`
	Msd int    `json:"msd"`
	Tl  int64  `json:"tl"`
	G   string `json:"g,omitempty"`
	Pfa int    `json:"pfa"`
	E   int    `json:"e,omitempty"` // a per-file error (over transfer quota: -17, with tl)
}

func (s *Server) cmdDownload(sess *session, raw []byte, r *http.Request) any {
	var req struct {
		G   int    `json:"g"`
		N   string `json:"n"`
		P   string `json:"p"`
		SSL int    `json:"ssl"`
	}
	if !decode(raw, &req) {
		return errArgs
	}
	var n *nodeRec
	switch {
	case req.P != "":
		if ref, ok := s.links[req.P]; ok {
			n = ref.acct.nodes[ref.h]
		}
	case req.N != "":
		if sess == nil {
			return errSID
		}
		if n = sess.acct.nodes[req.N]; n == nil {
			_, n, _, _ = s.sharedNode(sess.acct, req.N) // any access level may read
		}
	default:
		return errArgs
	}
	if n == nil {
		return errNoEnt
	}
	return s.downloadReply(n, req.G, req.SSL)
}

// downloadReply answers `g` for file n: size, attributes and, when asked
// for (g=1), the download URL on the storage host.
func (s *Server) downloadReply(n *nodeRec, g, ssl int) any {
	if n.T != typeFile {
		return errAccess
	}
	rep := downloadReply{S: n.S, At: n.A, Msd: 1, Pfa: 1}
	if wait := s.xfer.left(time.Now()); wait > 0 && g != 0 {
		rep.E, rep.Tl = int(errOverQuota), waitSeconds(wait)
		return rep
	}
	if g != 0 {
		rep.G = s.dataBase(ssl) + "/dl/" + s.downloadToken(n.Blob, n.S)
	}
	return rep
}

// downloadToken is a stateless, unforgeable download URL component:
// base64url(blob id (16 bytes) ‖ size (8) ‖ HMAC(first 24 bytes)[:12]).
func (s *Server) downloadToken(blob string, size int64) string {
	id, err := unb64(blob)
	if err != nil || len(id) != 16 {
		return "invalid"
	}
	b := make([]byte, 24, 36)
	copy(b, id)
	binary.BigEndian.PutUint64(b[16:], uint64(size))
	m := hmac.New(sha256.New, s.dlKey)
	m.Write(b)
	return b64(append(b, m.Sum(nil)[:12]...))
}

func (s *Server) parseDownloadToken(tok string) (blob string, size int64, ok bool) {
	b, err := unb64(tok)
	if err != nil || len(b) != 36 {
		return "", 0, false
	}
	m := hmac.New(sha256.New, s.dlKey)
	m.Write(b[:24])
	if !hmac.Equal(m.Sum(nil)[:12], b[24:]) {
		return "", 0, false
	}
	return b64(b[:16]), int64(binary.BigEndian.Uint64(b[16:24])), true
}

// serveUpload handles POST {upload url}/{offset}: a piece of ciphertext.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, rest string) {
	f := s.currentFaults()
	if !s.sleep(r, f.DataLatency) {
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	id, offStr, _ := strings.Cut(rest, "/")
	off, err := strconv.ParseInt(offStr, 10, 64)
	if offStr == "" {
		off, err = 0, nil
	}
	s.mu.Lock()
	up := s.uploads[id]
	s.mu.Unlock()
	if up == nil {
		writeBare(w, errExpired)
		return
	}
	if err != nil || off < 0 {
		writeBare(w, errRange)
		return
	}
	if s.roll(faultDrop, f.DropRate) {
		// Read part of the piece, then hang up without an answer.
		_, _ = io.CopyN(io.Discard, r.Body, max(r.ContentLength/2, 1))
		panic(http.ErrAbortHandler)
	}
	limit := up.size - off
	if limit < 0 || (r.ContentLength >= 0 && r.ContentLength > limit) {
		writeBare(w, errRange)
		return
	}
	q := r.URL.Query()
	n, sum, err := s.copyPiece(up.blob, r.Body, off, limit, q.Get("c") != "" || q.Get("d") != "")
	if errors.Is(err, errPieceRange) {
		writeBare(w, errRange)
		return
	}
	if errors.Is(err, errBlobWrite) {
		s.logf("megasim: upload piece: %v", err)
		http.Error(w, "storage failure", http.StatusInternalServerError)
		return
	}
	if err != nil {
		return // the client's body broke off: there is no one to answer
	}
	if c := q.Get("c"); c != "" && c != sum {
		writeBare(w, errKey)
		return
	}
	if d := q.Get("d"); d != "" && d != sum {
		writeBare(w, errKey)
		return
	}
	s.mu.Lock()
	s.counts["upload-piece"]++
	s.counts["upload-bytes"] += int(n)
	var reply []byte
	switch {
	case up.token != "":
		reply = up.reply
	case up.addRange(off, off+n):
		if up.binTok {
			raw := randomBytes(36)
			raw[35] = 0x01
			up.reply, up.token = raw, b64(raw)
		} else {
			up.token = b64(randomBytes(27)) // 36 base64url characters
			up.reply = []byte(up.token)
		}
		s.tokens[up.token] = up
		reply = up.reply
	case r.URL.Query().Get("d") != "":
		reply = []byte("0")
	}
	s.mu.Unlock()
	s.logf("megasim: upload piece at %d (%d bytes)", off, n)
	if s.roll(fault500, f.HTTP500Rate) {
		http.Error(w, "Server Too Busy", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(reply)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(reply)
}

var (
	errPieceRange = errors.New("piece out of range")
	errBlobWrite  = errors.New("blob write")
)

// copyPiece streams a piece into the blob at off, 1 MiB at a time, and
// returns its length and, when checked is set (the client sent one to
// compare), its 12-byte XOR checksum (§6.2, base64url). A
// piece longer than limit fails with errPieceRange; what was written
// before is harmless, because only ranges of accepted pieces count.
func (s *Server) copyPiece(blob string, body io.Reader, off, limit int64, checked bool) (int64, string, error) {
	var sum [12]byte
	// At most 1 MiB at a time, and no more than the piece can hold (most
	// pieces of small files are far smaller).
	buf := make([]byte, min(max(limit+1, 1), 1<<20))
	var n int64
	for {
		k, err := io.ReadFull(body, buf)
		if k > 0 {
			if n+int64(k) > limit {
				return n, "", errPieceRange
			}
			if checked {
				for i, c := range buf[:k] {
					sum[(n+int64(i))%12] ^= c
				}
			}
			if werr := s.blobs.writeAt(blob, buf[:k], off+n); werr != nil {
				return n, "", fmt.Errorf("%w: %w", errBlobWrite, werr)
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return n, b64(sum[:]), nil
		}
		if err != nil {
			return n, "", err
		}
	}
}

// serveDownload handles GET/POST {download url}[/{start}-{end}].
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request, rest string) {
	f := s.currentFaults()
	if !s.sleep(r, f.DataLatency) {
		return
	}
	tok, rng, _ := strings.Cut(rest, "/")
	blob, size, ok := s.parseDownloadToken(tok)
	if !ok {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if !s.blobs.exists(blob) {
		http.NotFound(w, r)
		return
	}
	start, end := int64(0), size-1
	if rng != "" {
		a, b, _ := strings.Cut(rng, "-")
		var err1, err2 error
		start, err1 = strconv.ParseInt(a, 10, 64)
		if b != "" {
			end, err2 = strconv.ParseInt(b, 10, 64)
		}
		if err1 != nil || err2 != nil || start < 0 || end < start-1 || end >= size {
			http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
			return
		}
	}
	if start > size {
		http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	if s.roll(fault500, f.HTTP500Rate) {
		http.Error(w, "Server Too Busy", http.StatusInternalServerError)
		return
	}
	drop := s.roll(faultDrop, f.DropRate)
	if drop && !f.DropDownloadMidBody {
		panic(http.ErrAbortHandler) // hang up before any response
	}
	n := end - start + 1
	s.mu.Lock()
	wait := s.xfer.left(time.Now())
	if wait > 0 {
		s.xfer.deniedDL++
	} else {
		s.xfer.spend(n, time.Now())
	}
	s.mu.Unlock()
	if wait > 0 {
		w.Header().Set("X-MEGA-Time-Left", strconv.FormatInt(waitSeconds(wait), 10))
		http.Error(w, "bandwidth limit exceeded", 509)
		return
	}
	buf := make([]byte, n)
	if n > 0 {
		if _, err := s.blobs.readAt(blob, buf, start); err != nil {
			s.logf("megasim: read blob: %v", err)
			http.Error(w, "read failed", http.StatusInternalServerError)
			return
		}
	}
	if n > 0 && s.roll(faultCorrupt, f.CorruptRate) {
		i := s.rngs.intn(faultCorrupt, int(n))
		buf[i] ^= 0xff
	}
	s.mu.Lock()
	s.counts["download-range"]++
	s.counts["download-bytes"] += int(n)
	s.mu.Unlock()
	s.logf("megasim: download range %d-%d (%d bytes)", start, end, n)
	w.Header().Set("Content-Type", "application/octet-stream")
	if drop {
		dropMidBody(w, buf)
	}
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
}

// errBlobMissing reports a blob that does not exist.
type errBlobMissing string

func (e errBlobMissing) Error() string { return fmt.Sprintf("blob %s missing", string(e)) }
