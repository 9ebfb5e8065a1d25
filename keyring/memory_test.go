package keyring

import (
	"sync"

	gokeyring "github.com/zalando/go-keyring"
)

// memBackend is an in-memory Backend for unit tests (go-keyring's own
// mock replaces a package-global provider, which would break parallel
// tests and the real Secret Service test in the same binary).
type memBackend struct {
	mu      sync.Mutex
	entries map[string]string
	err     error         // returned by every call when set
	block   chan struct{} // calls wait on it when set
}

func newMemBackend() *memBackend { return &memBackend{entries: map[string]string{}} }

func (m *memBackend) wait() error {
	if m.block != nil {
		<-m.block
	}
	return m.err
}

func (m *memBackend) Set(service, user, secret string) error {
	if err := m.wait(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries[service+"\x00"+user] = secret
	return nil
}

func (m *memBackend) Get(service, user string) (string, error) {
	if err := m.wait(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.entries[service+"\x00"+user]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (m *memBackend) Delete(service, user string) error {
	if err := m.wait(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := service + "\x00" + user
	if _, ok := m.entries[k]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(m.entries, k)
	return nil
}

func (m *memBackend) raw() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]string, len(m.entries))
	for k, v := range m.entries {
		out[k] = v
	}
	return out
}
