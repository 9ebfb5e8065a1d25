package megasim

import "strings"

// BlockAccount blocks (or unblocks) the account of email, as MEGA does
// for a terms-of-service violation: its login and every request of its
// sessions answer -16.
func (s *Server) BlockAccount(email string, blocked bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[strings.ToLower(email)]
	if a == nil {
		return false
	}
	a.blocked = blocked
	return true
}

// RefuseConnections makes every API request answer "too many
// connections" (-19) while on.
func (s *Server) RefuseConnections(on bool) {
	s.mu.Lock()
	s.refuseConns = on
	s.mu.Unlock()
}
