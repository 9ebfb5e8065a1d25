package account

import (
	"time"

	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
)

// KeyringSessions adapts a keyring.Store to megaclient.SessionStore: the
// client resumes from, and saves new sessions to, the OS keyring.
type KeyringSessions struct {
	store *keyring.Store
	now   func() time.Time
}

var _ megaclient.SessionStore = KeyringSessions{}

func NewKeyringSessions(store *keyring.Store) KeyringSessions {
	return KeyringSessions{store: store, now: time.Now}
}

// LoadSession returns the stored session of remote (an error wrapping
// model.ErrNotFound when there is none).
func (k KeyringSessions) LoadSession(remote string) (megaclient.Session, error) {
	s, err := k.store.LoadSession(remote)
	if err != nil {
		return megaclient.Session{}, err
	}
	return megaclient.Session{Email: s.Email, SessionID: s.SessionID, MasterKey: s.MasterKey}, nil
}

// SaveSession stores s as the session of remote, stamped with the time.
func (k KeyringSessions) SaveSession(remote string, s megaclient.Session) error {
	now := time.Now
	if k.now != nil {
		now = k.now
	}
	return k.store.SaveSession(remote, keyring.Session{
		Email:     s.Email,
		SessionID: s.SessionID,
		MasterKey: s.MasterKey,
		CreatedAt: now().UTC(),
	})
}
