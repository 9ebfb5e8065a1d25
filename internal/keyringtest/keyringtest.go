// Package keyringtest is an in-memory keyring.Backend for tests (go-keyring's
// own mock swaps a package-global provider, which parallel tests and the
// real Secret Service test in one test binary cannot share).
package keyringtest

import (
	"sort"
	"sync"

	gokeyring "github.com/zalando/go-keyring"
)

// Memory is an in-memory keyring.Backend. After Fail, every call fails
// with the error given, as an unreachable or locked keyring would.
type Memory struct {
	mu      sync.Mutex
	entries map[string]string
	err     error
}

// New returns an empty, working Memory.
func New() *Memory { return &Memory{entries: map[string]string{}} }

// Fail makes every later call fail with err (nil: work again).
func (m *Memory) Fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

func (m *Memory) Set(service, user, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.entries[service+"/"+user] = secret
	return nil
}

func (m *Memory) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return "", m.err
	}
	v, ok := m.entries[service+"/"+user]
	if !ok {
		return "", gokeyring.ErrNotFound
	}
	return v, nil
}

func (m *Memory) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	k := service + "/" + user
	if _, ok := m.entries[k]; !ok {
		return gokeyring.ErrNotFound
	}
	delete(m.entries, k)
	return nil
}

// Users lists the entries held, as "service/user", sorted.
func (m *Memory) Users() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
