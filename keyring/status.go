package keyring

import (
	"errors"
	"fmt"
	"time"

	gokeyring "github.com/zalando/go-keyring"
)

// State is the coarse health of the keyring.
type State int

const (
	// StateUsable: entries can be read and written now.
	StateUsable State = iota
	// StateLocked: a Secret Service is running but its keyring is locked.
	StateLocked
	// StateNoSecretService: no keyring service is reachable (headless
	// SSH session, container, no D-Bus session bus).
	StateNoSecretService
	// StateError: the keyring failed for another reason (see Status.Err).
	StateError
)

func (s State) String() string {
	switch s {
	case StateUsable:
		return "usable"
	case StateLocked:
		return "locked"
	case StateNoSecretService:
		return "no secret service"
	default:
		return "error"
	}
}

// Status says whether the keyring can be used and, when not, what to do
// in plain words.
type Status struct {
	State State
	// Advice is a one-line message for the user; empty when usable.
	Advice string
	// Err is the underlying failure, nil when usable.
	Err error
}

// Usable reports whether the keyring can be used now.
func (s Status) Usable() bool { return s.State == StateUsable }

// Status probes the keyring without prompting the user. On Linux and the
// BSDs it asks the Secret Service over D-Bus whether the collection
// go-keyring uses exists and is unlocked; elsewhere the keyring is always
// present and reported usable.
func (s *Store) Status() Status { return s.probe() }

// probeBackend reads an entry that never exists: "not found" means the
// backend answers.
func (s *Store) probeBackend() Status {
	_, err := s.call(func() (string, error) { return s.backend.Get(s.service, "\x01probe") })
	if err == nil || errors.Is(err, gokeyring.ErrNotFound) {
		return Status{State: StateUsable}
	}
	return statusFromError(err)
}

func statusFromError(err error) Status {
	var te *timeoutError
	if errors.As(err, &te) {
		return Status{State: StateLocked, Advice: hintTimeout, Err: err}
	}
	switch st := classifyPlatform(err); st {
	case StateNoSecretService:
		return Status{State: st, Advice: hintNoSecretService, Err: err}
	case StateLocked:
		return Status{State: st, Advice: hintLocked, Err: err}
	default:
		return Status{State: StateError, Advice: fmt.Sprintf("the keyring failed: %v", err), Err: err}
	}
}

// withTimeout runs fn, giving up after d (d <= 0: no bound). On timeout
// fn's goroutine is left to finish on its own; its result is dropped.
func withTimeout[T any](d time.Duration, fn func() (T, error)) (T, error) {
	if d <= 0 {
		return fn()
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, &timeoutError{after: d}
	}
}
