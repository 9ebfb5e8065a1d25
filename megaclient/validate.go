package megaclient

import (
	"crypto/aes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"

	"github.com/megatui/megatui/model"
)

// Every server reply, action packet and node written by another client is
// untrusted. The functions here check what megaclient and go-mega are
// about to act on, before they act: go-mega panics on some malformed data
// (attribute blobs that are not whole AES blocks, short keys, MPIs whose
// lengths overrun) and allocates what a reply claims (a download's size),
// so nothing malformed may reach it. They are pure: they read the raw
// reply or node and say what is wrong with it.

// Limits on what a node may claim.
const (
	// maxFileSize is the largest file megaclient transfers: go-mega keeps
	// a table entry per chunk (about 40 bytes per MiB), so a claimed size
	// is memory; 1 TiB is 40 MiB of tables.
	maxFileSize = 1 << 40
	// maxAttrBytes bounds an encrypted attribute blob.
	maxAttrBytes = 64 << 10
	// maxKeyField bounds a node's `k` field (one entry per share).
	maxKeyField = 16 << 10
	// maxEventsReply bounds one `sc` reply.
	maxEventsReply = 64 << 20
)

// invalidReply is an error for a malformed reply: what is wrong with it.
func invalidReply(format string, args ...any) error {
	return fmt.Errorf("%w: %s", model.ErrInvalidReply, fmt.Sprintf(format, args...))
}

// invalidTransient is an invalid reply worth another try (a data URL, a
// body cut short): the transfer engine retries it, boundedly.
func invalidTransient(format string, args ...any) error {
	return fmt.Errorf("%w: %s (%w)", model.ErrInvalidReply, fmt.Sprintf(format, args...), model.ErrTryAgain)
}

// isHandle reports whether h is an n-character handle (base64url).
func isHandle(h string, n int) bool {
	if len(h) != n {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validateAttrBlob checks an encrypted attribute: base64 of whole AES
// blocks, not empty, not huge.
func validateAttrBlob(a string) error {
	if a == "" {
		return errors.New("no attributes")
	}
	if len(a) > maxAttrBytes*4/3+4 {
		return fmt.Errorf("attributes of %d characters", len(a))
	}
	n, err := b64DecodedLen(a) // every node of a load passes here: no decoding
	if err != nil {
		return errors.New("attributes are not base64")
	}
	if n == 0 || n%aes.BlockSize != 0 {
		return fmt.Errorf("attributes of %d bytes are not whole AES blocks", n)
	}
	return nil
}

// validateNodeKeys checks a node's `k` field ("owner:key/share:key"):
// every entry well formed, at least one of a usable length (16 bytes for
// a folder, 32 for a file; longer entries are RSA-encrypted).
func validateNodeKeys(k string, typ int) error {
	if k == "" {
		return errors.New("no key")
	}
	if len(k) > maxKeyField {
		return fmt.Errorf("key field of %d characters", len(k))
	}
	want := 16
	if typ == typeFile {
		want = 32
	}
	usable := false
	for rest, more := k, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, "/")
		h, enc, ok := strings.Cut(part, ":")
		if !ok || h == "" {
			return fmt.Errorf("key entry %q has no handle", clip(part))
		}
		n, err := b64DecodedLen(enc)
		if err != nil {
			return fmt.Errorf("key entry of %s is not base64", clip(h))
		}
		switch {
		case n == want:
			usable = true
		case n > 32:
			usable = true // RSA-encrypted to this account
		default:
			return fmt.Errorf("key of %d bytes for a %s", n, typeName(typ))
		}
	}
	if !usable {
		return errors.New("no usable key")
	}
	return nil
}

func typeName(typ int) string {
	if typ == typeFile {
		return "file"
	}
	return "folder"
}

// clip shortens untrusted text quoted in an error.
func clip(s string) string {
	const n = 40
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// validateNode checks a node object from an `f` or `p` reply or a `t`
// packet. A node that fails is quarantined: kept in the index (so that
// it is listed, as undecryptable) but never handed to go-mega.
func validateNode(r *rawNode) error {
	if !isHandle(r.H, 8) {
		return fmt.Errorf("node handle %q", clip(r.H))
	}
	switch r.T {
	case typeRoot, typeInbox, typeTrash:
		return nil
	case typeFile, typeDir:
	default:
		return fmt.Errorf("node type %d", r.T)
	}
	if r.P == r.H {
		return errors.New("the node is its own parent")
	}
	if !isHandle(r.P, 8) {
		return fmt.Errorf("parent handle %q", clip(r.P))
	}
	if err := validateNodeKeys(r.K, r.T); err != nil {
		return err
	}
	if err := validateAttrBlob(r.A); err != nil {
		return err
	}
	if r.T == typeFile && (r.S < 0 || r.S > maxFileSize) {
		return fmt.Errorf("file size %d", r.S)
	}
	if r.SK != "" {
		raw, err := b64decode(r.SK)
		if err != nil || len(raw) < 16 {
			return errors.New("share key malformed")
		}
	}
	return nil
}

// loginReply is the part of a `us` reply go-mega reads.
type loginReply struct {
	K     string `json:"k"`
	Csid  string `json:"csid"`
	Privk string `json:"privk"`
	U     string `json:"u"`
}

// Bounds on login values: a 4096-bit RSA key is about 1.3 KiB; larger
// values would only make go-mega's RSA decryption slow.
const (
	maxPrivk = 2048
	maxCsid  = 1024
)

// validateLoginReply checks a `us` reply as go-mega will read it (an
// array of one object; k, csid, privk), so that go-mega neither panics
// nor computes without end on it. passKey, when known, is the password
// key: then k is decrypted and privk and csid are checked in full (MPI
// lengths, a non-zero modulus, a session id of at least 43 bytes).
func validateLoginReply(reply []byte, passKey []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", model.ErrInvalidLoginReply, fmt.Sprintf(format, args...))
	}
	var rs []json.RawMessage
	if err := json.Unmarshal(reply, &rs); err != nil || len(rs) != 1 {
		return bad("not a one-element array")
	}
	var r loginReply
	if err := json.Unmarshal(rs[0], &r); err != nil {
		return bad("not an object of strings")
	}
	k, err := b64decode(r.K)
	if err != nil || len(k) != 16 {
		return bad("master key of %d bytes", len(k))
	}
	if r.Csid == "" {
		return bad("no csid")
	}
	c, err := b64decode(r.Csid)
	if err != nil || len(c) > maxCsid {
		return bad("csid malformed")
	}
	cv, _, err := readMPI(c)
	if err != nil {
		return bad("csid: %v", err)
	}
	if len(cv.Bytes()) < 43 {
		return bad("csid of %d bytes", len(cv.Bytes()))
	}
	pk, err := b64decode(r.Privk)
	if err != nil || len(pk) == 0 || len(pk)%aes.BlockSize != 0 || len(pk) > maxPrivk {
		return bad("private key of %d bytes", len(pk))
	}
	if passKey == nil {
		return nil
	}
	master, err := ecbDecrypt(passKey, k)
	if err != nil {
		return bad("master key: %v", err)
	}
	priv, err := parsePrivk(master, r.Privk)
	if err != nil {
		return bad("%v", err)
	}
	if priv.d.Sign() == 0 {
		return bad("private key: zero exponent")
	}
	mod := new(big.Int).Mul(priv.p, priv.q)
	if cv.Cmp(mod) >= 0 {
		return bad("csid out of range")
	}
	if m := new(big.Int).Exp(cv, priv.d, mod); len(m.Bytes()) < 43 {
		return bad("session id of %d bytes", len(m.Bytes()))
	}
	return nil
}

// downloadReply is the part of a `g` reply go-mega reads.
type downloadReply struct {
	G  json.RawMessage `json:"g"`
	S  json.RawMessage `json:"s"`
	At string          `json:"at"`
	E  int             `json:"e"`
}

// validateDownloadReply checks a `g` reply for a file of size bytes: the
// size must be the node's (go-mega sizes its chunk table from it), the
// attributes whole AES blocks, the URL http(s). A reply carrying an error
// code in `e` is left to go-mega.
func validateDownloadReply(reply []byte, size int64) error {
	var rs []json.RawMessage
	if err := json.Unmarshal(reply, &rs); err != nil || len(rs) != 1 {
		return invalidTransient("download reply is not a one-element array")
	}
	var r downloadReply
	if err := json.Unmarshal(rs[0], &r); err != nil {
		return invalidTransient("download reply is not an object")
	}
	if r.E != 0 {
		return nil
	}
	claim, err := strconv.ParseInt(string(r.S), 10, 64)
	if err != nil {
		return invalidReply("download size %s", clip(string(r.S)))
	}
	if claim != size {
		return invalidReply("download size %d for a file of %d bytes", claim, size)
	}
	if err := validateAttrBlob(r.At); err != nil {
		return invalidReply("download attributes: %v", err)
	}
	u, ok := unquoteRaw(r.G)
	if !ok {
		return invalidTransient("download URL is not a string")
	}
	if err := validateDataURL(u); err != nil {
		return invalidTransient("download URL: %v", err)
	}
	return nil
}

// validateDataURL checks a transfer URL (`g`, `u`, or one a journal kept
// for a resume): http or https with a host, of sane length, and nothing
// that could smuggle credentials or a second request (user info, a
// query, a fragment, white space).
func validateDataURL(s string) error {
	u, err := validateHTTPURL(s)
	switch {
	case err != nil:
		return err
	case len(s) > maxDataURL:
		return fmt.Errorf("URL of %d characters", len(s))
	case strings.ContainsAny(s, " \r\n\t"):
		return fmt.Errorf("%q has white space", clip(s))
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return fmt.Errorf("%q is not a plain storage URL", clip(s))
	}
	return nil
}

// maxDataURL bounds a transfer URL.
const maxDataURL = 2048

// validateHTTPURL checks a URL from the server: http or https, with a
// host.
func validateHTTPURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q does not parse", clip(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not http or https", clip(s))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", clip(s))
	}
	return u, nil
}

// uploadReply is the part of a `u` reply go-mega reads.
type uploadReply struct {
	P string `json:"p"`
}

// validateUploadReply checks a `u` reply: one object with an http(s) URL.
func validateUploadReply(reply []byte) error {
	var rs []uploadReply
	if err := json.Unmarshal(reply, &rs); err != nil || len(rs) != 1 {
		return invalidReply("upload reply is not a one-element array")
	}
	if err := validateDataURL(rs[0].P); err != nil {
		return invalidTransient("upload URL: %v", err)
	}
	return nil
}

// validateNewNodeReply checks a `p` reply: go-mega reads the first node of
// its `f` list, which must be there and valid.
func validateNewNodeReply(reply []byte) ([]rawNode, error) {
	var rs []struct {
		F []rawNode `json:"f"`
	}
	if err := json.Unmarshal(reply, &rs); err != nil || len(rs) != 1 {
		return nil, invalidReply("new node reply is not a one-element array")
	}
	if len(rs[0].F) == 0 {
		return nil, invalidReply("new node reply holds no node")
	}
	for i := range rs[0].F {
		if err := validateNode(&rs[0].F[i]); err != nil {
			return nil, invalidReply("new node: %v", err)
		}
	}
	return rs[0].F, nil
}

// eventsReply is an `sc` reply: packets, or a wait URL.
type eventsReply struct {
	W  string            `json:"w"`
	A  []json.RawMessage `json:"a"`
	SN string            `json:"sn"`
}

// validateEventsReply checks an `sc` reply: an object with a wait URL, or
// a sequence number and packets that are objects naming their action. An
// empty reply or one with nothing to act on is invalid too: go-mega would
// poll again at once.
func validateEventsReply(reply []byte) (eventsReply, error) {
	var ev eventsReply
	if err := json.Unmarshal(reply, &ev); err != nil {
		return ev, invalidReply("event reply is not an object")
	}
	if ev.W != "" {
		if _, err := validateHTTPURL(ev.W); err != nil {
			return ev, invalidReply("event wait URL: %v", err)
		}
		return ev, nil
	}
	if ev.SN == "" {
		return ev, invalidReply("event reply without a sequence number")
	}
	if len(ev.A) == 0 {
		return ev, invalidReply("event reply without packets or wait URL")
	}
	for _, raw := range ev.A {
		var p struct {
			A string `json:"a"`
		}
		if json.Unmarshal(raw, &p) != nil || p.A == "" {
			return ev, invalidReply("action packet %s", clip(string(raw)))
		}
	}
	return ev, nil
}

// validatePacket checks what go-mega would read of one action packet it
// is handed: the nodes of a `t`, the attributes of a `u`, the handle of a
// `d`. It returns the nodes that fail (the index quarantines them; go-mega
// never sees them) and an error for a packet unusable as a whole.
func validatePacket(p *packet) (bad map[string]error, err error) {
	switch p.A {
	case "t":
		for i := range p.T.F {
			if verr := validateNode(&p.T.F[i]); verr != nil {
				if bad == nil {
					bad = map[string]error{}
				}
				bad[p.T.F[i].H] = verr
			}
		}
	case "u":
		if !isHandle(p.N, 8) {
			return nil, fmt.Errorf("update of node %q", clip(p.N))
		}
		if err := validateAttrBlob(p.At); err != nil {
			// Applied to the index (the node is quarantined), kept
			// from go-mega.
			return map[string]error{p.N: err}, nil
		}
	case "d":
		if !isHandle(p.N, 8) {
			return nil, fmt.Errorf("deletion of node %q", clip(p.N))
		}
	}
	return bad, nil
}
