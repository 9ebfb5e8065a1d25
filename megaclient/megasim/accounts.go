package megasim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// accountRec is what the server keeps about an account: exactly what the
// real service keeps. The password, the password key and the master key
// are never stored; the master key exists only encrypted with the password
// key (K), and the RSA private key only encrypted with the master key.
type accountRec struct {
	Email      string   `json:"email"`
	Handle     string   `json:"u"`
	Version    int      `json:"v"`
	Salt       string   `json:"salt,omitempty"` // v2: 32 bytes, base64url
	UHHash     string   `json:"uh_sha256"`      // SHA-256 of the "uh" the client must send
	K          string   `json:"k"`              // master key, AES-ECB under the password key
	Privk      string   `json:"privk"`          // p,q,d,u MPIs, AES-ECB under the master key
	Pubk       string   `json:"pubk"`           // n,e MPIs, clear
	TS         string   `json:"ts"`             // 16 random bytes ‖ AES(master, them)
	TOTPSecret string   `json:"totp,omitempty"` // base32
	Root       string   `json:"root"`
	Inbox      string   `json:"inbox"`
	Trash      string   `json:"trash"`
	Since      int64    `json:"since"`
	Sessions   []string `json:"sessions,omitempty"` // SHA-256 of live session ids
}

// maxSessionsPerAccount bounds the live sessions of an account; the
// oldest is logged out (its sid answers -15) when a new one exceeds it.
const maxSessionsPerAccount = 1000

// session is a logged-in session; the key of Server.sessions is the
// SHA-256 of its id, so the id itself is never stored.
type session struct {
	acct *account
	hash string
}

// provision creates the configured accounts that the store does not
// already hold. Existing accounts keep their keys (a restarted server
// must keep serving the same ciphertext).
func (s *Server) provision(accts []Account) error {
	for _, a := range accts {
		email := strings.ToLower(strings.TrimSpace(a.Email))
		if email == "" {
			return errors.New("megasim: account without e-mail")
		}
		if existing, ok := s.accounts[email]; ok {
			// Kept from the data directory: the password must still match,
			// or every login would fail with no hint why.
			master, err := existing.rec.masterKey(a.Password)
			if err != nil {
				return fmt.Errorf("megasim: account %s in the data directory: %w", email, err)
			}
			clear(master)
			continue
		}
		rec, err := s.newAccountRec(email, a)
		if err != nil {
			return fmt.Errorf("megasim: provision %s: %w", email, err)
		}
		acct := s.addAccount(rec)
		acct.bootstrapRoots()
		if err := s.saveAccounts(); err != nil {
			return err
		}
		if err := s.snapshot(acct); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) newAccountRec(email string, a Account) (*accountRec, error) {
	version := a.Version
	if version == 0 {
		version = 2
	}
	if version != 1 && version != 2 {
		return nil, fmt.Errorf("account version %d not supported", a.Version)
	}
	if a.TOTPSecret != "" {
		if _, err := decodeTOTPSecret(a.TOTPSecret); err != nil {
			return nil, err
		}
	}
	rec := &accountRec{
		Email:      email,
		Handle:     b64(s.randID(8)),
		Version:    version,
		TOTPSecret: a.TOTPSecret,
		Root:       s.newNodeHandle(),
		Inbox:      s.newNodeHandle(),
		Trash:      s.newNodeHandle(),
		Since:      time.Now().Unix(),
	}
	var pwKey []byte
	var uh string
	var err error
	if version == 1 {
		if pwKey, err = v1PasswordKey(a.Password); err != nil {
			return nil, err
		}
		if uh, err = v1UserHash(email, pwKey); err != nil {
			return nil, err
		}
	} else {
		salt := randomBytes(32)
		var authKey []byte
		if pwKey, authKey, err = v2Derive(a.Password, salt); err != nil {
			return nil, err
		}
		rec.Salt = b64(salt)
		uh = b64(authKey)
	}
	rec.UHHash = sha256Hex(uh)

	master := randomBytes(16)
	defer clear(master)
	encMaster, err := ecbEncrypt(pwKey, master)
	if err != nil {
		return nil, err
	}
	rec.K = b64(encMaster)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("rsa key: %w", err)
	}
	p, q := key.Primes[0], key.Primes[1]
	u := new(big.Int).ModInverse(p, q)
	priv := append(append(append(mpi(p), mpi(q)...), mpi(key.D)...), mpi(u)...)
	if r := len(priv) % 16; r != 0 {
		priv = append(priv, make([]byte, 16-r)...)
	}
	encPriv, err := ecbEncrypt(master, priv)
	clear(priv)
	if err != nil {
		return nil, err
	}
	rec.Privk = b64(encPriv)
	e := make([]byte, 4)
	binary.BigEndian.PutUint32(e, uint32(key.E))
	rec.Pubk = b64(append(mpi(key.N), mpiBytes(e)...))

	chal := randomBytes(16)
	encChal, err := ecbEncrypt(master, chal)
	if err != nil {
		return nil, err
	}
	rec.TS = b64(append(chal, encChal...))
	return rec, nil
}

// masterKey recovers an account's master key from its password, after
// checking the password against the stored hash. Only SeedTree uses it;
// the caller must clear the result.
func (rec *accountRec) masterKey(password string) ([]byte, error) {
	var pwKey []byte
	var uh string
	var err error
	if rec.Version == 1 {
		if pwKey, err = v1PasswordKey(password); err != nil {
			return nil, err
		}
		if uh, err = v1UserHash(rec.Email, pwKey); err != nil {
			return nil, err
		}
	} else {
		salt, err := unb64(rec.Salt)
		if err != nil {
			return nil, fmt.Errorf("salt: %w", err)
		}
		var authKey []byte
		if pwKey, authKey, err = v2Derive(password, salt); err != nil {
			return nil, err
		}
		uh = b64(authKey)
	}
	if subtle.ConstantTimeCompare([]byte(sha256Hex(uh)), []byte(rec.UHHash)) != 1 {
		return nil, errors.New("wrong password")
	}
	k, err := unb64(rec.K)
	if err != nil {
		return nil, fmt.Errorf("stored k: %w", err)
	}
	return ecbDecrypt(pwKey, k)
}

// rsaPublic parses the stored pubk.
func (rec *accountRec) rsaPublic() (n, e *big.Int, err error) {
	raw, err := unb64(rec.Pubk)
	if err != nil {
		return nil, nil, err
	}
	n, rest, err := readMPI(raw)
	if err != nil {
		return nil, nil, err
	}
	e, _, err = readMPI(rest)
	return n, e, err
}

// newSessionID builds a 43-byte sid (16 random bytes ‖ the 11-char user
// handle ‖ 16 random bytes, first byte non-zero) and its csid: the RSA
// encryption of sid ‖ filler (255 bytes in all) with the account's key.
func newSessionID(rec *accountRec) (sid []byte, csid string, err error) {
	sid = randomBytes(43)
	for sid[0] == 0 {
		sid[0] = randomBytes(1)[0]
	}
	copy(sid[16:27], rec.Handle)
	n, e, err := rec.rsaPublic()
	if err != nil {
		return nil, "", fmt.Errorf("pubk: %w", err)
	}
	mlen := (n.BitLen()+7)/8 - 1
	if mlen < 43 {
		return nil, "", errors.New("rsa modulus too small")
	}
	m := append(append([]byte{}, sid...), randomBytes(mlen-43)...)
	c := new(big.Int).Exp(new(big.Int).SetBytes(m), e, n)
	return sid, b64(mpi(c)), nil
}

// --- commands ---

type us0Req struct {
	User string `json:"user"`
}

type us0Reply struct {
	V int    `json:"v"`
	S string `json:"s,omitempty"`
}

func (s *Server) cmdPrelogin(raw []byte) any {
	var req us0Req
	if !decode(raw, &req) {
		return errArgs
	}
	acct := s.accounts[strings.ToLower(req.User)]
	if acct == nil {
		return errNoEnt
	}
	if acct.rec.Version == 1 {
		return us0Reply{V: 1}
	}
	return us0Reply{V: 2, S: acct.rec.Salt}
}

type usReq struct {
	User string `json:"user"`
	UH   string `json:"uh"`
	Mfa  string `json:"mfa"`
	Sek  string `json:"sek"`
}

type usReply struct {
	Csid  string `json:"csid"`
	Privk string `json:"privk"`
	K     string `json:"k"`
	U     string `json:"u"`
	Ach   int    `json:"ach"`
	Sek   string `json:"sek,omitempty"`
}

func (s *Server) cmdLogin(raw []byte) any {
	var req usReq
	if !decode(raw, &req) {
		return errArgs
	}
	acct := s.accounts[strings.ToLower(req.User)]
	if acct == nil || req.UH == "" {
		return errNoEnt
	}
	if subtle.ConstantTimeCompare([]byte(sha256Hex(req.UH)), []byte(acct.rec.UHHash)) != 1 {
		return errNoEnt
	}
	if acct.blocked {
		return errBlocked
	}
	if acct.rec.TOTPSecret != "" {
		key, err := decodeTOTPSecret(acct.rec.TOTPSecret)
		if err != nil || req.Mfa == "" || !totpValid(key, req.Mfa, time.Now()) {
			return errMFARequired
		}
	}
	sid, csid, err := newSessionID(&acct.rec)
	if err != nil {
		s.logf("megasim: login %s: %v", acct.rec.Email, err)
		return errInternal
	}
	h := sha256Hex(b64(sid))
	s.sessions[h] = &session{acct: acct, hash: h}
	acct.rec.Sessions = append(acct.rec.Sessions, h)
	if over := len(acct.rec.Sessions) - maxSessionsPerAccount; over > 0 {
		for _, old := range acct.rec.Sessions[:over] {
			delete(s.sessions, old)
		}
		acct.rec.Sessions = append([]string(nil), acct.rec.Sessions[over:]...)
	}
	if err := s.saveAccounts(); err != nil {
		s.logf("megasim: %v", err)
	}
	return usReply{Csid: csid, Privk: acct.rec.Privk, K: acct.rec.K, U: acct.rec.Handle, Ach: 1, Sek: req.Sek}
}

type ugReply struct {
	U       string   `json:"u"`
	S       int      `json:"s"`
	Since   int64    `json:"since"`
	Email   string   `json:"email"`
	Emails  []string `json:"emails"`
	Pemails []string `json:"pemails"`
	Name    string   `json:"name"`
	K       string   `json:"k"`
	C       int      `json:"c"`
	Pubk    string   `json:"pubk"`
	Privk   string   `json:"privk"`
	Terms   string   `json:"terms"`
	TS      string   `json:"ts"`
	Flags   struct{} `json:"flags"`
	Aav     int      `json:"aav,omitempty"`
	Aas     string   `json:"aas,omitempty"`
}

func (s *Server) cmdUserGet(sess *session) any {
	rec := &sess.acct.rec
	r := ugReply{
		U: rec.Handle, S: 0, Since: rec.Since, Email: rec.Email,
		Emails: []string{rec.Email}, Pemails: []string{},
		Name: strings.SplitN(rec.Email, "@", 2)[0], K: rec.K, C: 1,
		Pubk: rec.Pubk, Privk: rec.Privk, Terms: "Mg", TS: rec.TS,
	}
	if rec.Version == 2 {
		r.Aav, r.Aas = 2, rec.Salt
	}
	return r
}

type uqReq struct {
	Xfer int `json:"xfer"`
	Strg int `json:"strg"`
	Pro  int `json:"pro"`
}

type uqReply struct {
	Mstrg    int64              `json:"mstrg"`
	Cstrg    int64              `json:"cstrg"`
	Cstrgn   map[string][]int64 `json:"cstrgn,omitempty"`
	Uslw     int                `json:"uslw"`
	Srvratio float64            `json:"srvratio"`
	Mxfer    int64              `json:"mxfer,omitempty"`
	Caxfer   *int64             `json:"caxfer,omitempty"`
	Csxfer   *int64             `json:"csxfer,omitempty"`
	Utype    *int               `json:"utype,omitempty"`
}

func (s *Server) cmdQuota(sess *session, raw []byte) any {
	var req uqReq
	if !decode(raw, &req) {
		return errArgs
	}
	a := sess.acct
	r := uqReply{Mstrg: s.opts.QuotaBytes, Cstrg: a.used, Uslw: 9000, Srvratio: 25}
	if req.Strg != 0 {
		r.Cstrgn = map[string][]int64{}
		for _, root := range []string{a.rec.Root, a.rec.Inbox, a.rec.Trash} {
			bytes, files, folders := a.subtreeUsage(root)
			r.Cstrgn[root] = []int64{bytes, files, folders, 0, 0}
		}
	}
	if req.Xfer != 0 || req.Pro != 0 {
		zero, utype := int64(0), 0
		r.Mxfer, r.Caxfer, r.Csxfer, r.Utype = 10*s.opts.QuotaBytes, &zero, &zero, &utype
	}
	return r
}

func (s *Server) cmdLogout(sess *session) any {
	delete(s.sessions, sess.hash)
	a := sess.acct
	for i, h := range a.rec.Sessions {
		if h == sess.hash {
			a.rec.Sessions = append(a.rec.Sessions[:i:i], a.rec.Sessions[i+1:]...)
			break
		}
	}
	if err := s.saveAccounts(); err != nil {
		s.logf("megasim: %v", err)
	}
	return 0
}
