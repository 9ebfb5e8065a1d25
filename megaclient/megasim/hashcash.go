package megasim

import (
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	hashcashReplications = 262144
	hashcashTTL          = 5 * time.Minute
)

// hashcashThreshold is the largest acceptable leading uint32 of the hash.
func hashcashThreshold(e int) uint32 {
	return uint32((((e & 63) << 1) + 1) << ((e>>6)*7 + 3))
}

func easiness(f Faults) int {
	if f.HashcashEasiness <= 0 || f.HashcashEasiness > 255 {
		return 255
	}
	return f.HashcashEasiness
}

// wantHashcash decides whether a cs request must carry a solved challenge.
func (s *Server) wantHashcash(f Faults, login bool) bool {
	if login && f.HashcashLogin {
		return true
	}
	return s.roll(faultHashcash, f.HashcashRate)
}

type hashcashChallenge struct {
	easiness int
	expires  time.Time
}

// challenge answers 402 with an X-Hashcash header and an empty body.
func (s *Server) challenge(w http.ResponseWriter, f Faults) {
	tok := b64(randomBytes(48))
	e := easiness(f)
	s.mu.Lock()
	now := time.Now()
	for k, c := range s.hashcash {
		if now.After(c.expires) {
			delete(s.hashcash, k)
		}
	}
	s.hashcash[tok] = hashcashChallenge{easiness: e, expires: now.Add(hashcashTTL)}
	s.counts["hashcash-challenge"]++
	s.mu.Unlock()
	w.Header().Set("X-Hashcash", "1:"+strconv.Itoa(e)+":"+strconv.FormatInt(now.Unix(), 10)+":"+tok)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusPaymentRequired)
}

// checkHashcash verifies "1:<token>:<prefix>": a token we issued (each is
// single-use) and SHA-256(prefix ‖ token × 262144) at or under the threshold.
func (s *Server) checkHashcash(header string) bool {
	parts := strings.Split(header, ":")
	if len(parts) != 3 || parts[0] != "1" {
		return false
	}
	tok, prefix := parts[1], parts[2]
	s.mu.Lock()
	c, ok := s.hashcash[tok]
	if ok {
		delete(s.hashcash, tok)
	}
	s.mu.Unlock()
	if !ok || time.Now().After(c.expires) {
		return false
	}
	ok = verifyHashcash(tok, prefix, c.easiness)
	if ok {
		s.mu.Lock()
		s.counts["hashcash-solved"]++
		s.mu.Unlock()
	}
	return ok
}

func verifyHashcash(token, prefix string, e int) bool {
	tb, err := unb64(token)
	if err != nil || len(tb) != 48 {
		return false
	}
	pb, err := unb64(prefix)
	if err != nil || len(pb) != 4 {
		return false
	}
	h := sha256.New()
	h.Write(pb)
	block := make([]byte, 0, 48*1024)
	for range 1024 {
		block = append(block, tb...)
	}
	for range hashcashReplications / 1024 {
		h.Write(block)
	}
	sum := h.Sum(nil)
	return binary.BigEndian.Uint32(sum[:4]) <= hashcashThreshold(e)
}
