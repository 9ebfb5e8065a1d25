// Package model holds megatui's pure domain logic: entries, listings,
// fingerprints, transfer queue state, duplicate groups and dedupe plans.
// It imports only the standard library and performs no I/O of its own.
package model

import "errors"

// Sentinel errors shared by every layer. Backends (megaclient, the local
// filesystem, the keyring) translate their own errors into these once, at
// the boundary, wrapping them with %w and context; callers use errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrExists          = errors.New("already exists")
	ErrNotDir          = errors.New("not a folder")
	ErrIsDir           = errors.New("is a folder")
	ErrPermission      = errors.New("permission denied")
	ErrAccess          = errors.New("access denied by the server")
	ErrCircular        = errors.New("cannot move a folder into itself")
	ErrSessionExpired  = errors.New("session expired")
	ErrLoginFailed     = errors.New("wrong e-mail or password")
	ErrMFARequired     = errors.New("two-factor code required")
	ErrMFAInvalid      = errors.New("two-factor code rejected")
	ErrBlocked         = errors.New("account blocked")
	ErrRateLimited     = errors.New("rate limited")
	ErrTooManyConns    = errors.New("too many connections to MEGA")
	ErrTryAgain        = errors.New("server busy, try again")
	ErrQuota           = errors.New("over storage quota")
	ErrTransferQuota   = errors.New("over transfer quota")
	ErrIntegrity       = errors.New("integrity check failed")
	ErrUnreachable     = errors.New("server unreachable")
	ErrNoSecretService = errors.New("no secret service available")
	ErrKeyringLocked   = errors.New("keyring locked")
	ErrSecretTooLarge  = errors.New("secret too large for the keyring")
	ErrNoCredentials   = errors.New("no credentials")
	ErrCancelled       = errors.New("cancelled")
	ErrUnsafeName      = errors.New("unsafe name")
	ErrBadLink         = errors.New("not a valid MEGA link")
)

// Sentinels of the pure domain model.
var (
	ErrInvalidFingerprint = errors.New("invalid fingerprint attribute")
	ErrBadTransition      = errors.New("invalid transfer state change")
	ErrLastCopy           = errors.New("plan would remove the last copy")
	ErrBadPlan            = errors.New("malformed dedupe plan")
)

// Sentinels of untrusted input: data from the server (or written by
// another client) that megatui refuses to act on, and limits that keep a
// hostile tree from running without end.
var (
	ErrInvalidReply      = errors.New("the server sent an invalid reply")
	ErrInvalidLoginReply = errors.New("the server sent an invalid login reply")
	ErrQuarantined       = errors.New("node quarantined: the server sent invalid data for it")
	ErrTooDeep           = errors.New("folder tree too deep")
	ErrDiskFull          = errors.New("local disk full")
)

// MaxTreeDepth is how many folder levels a recursive walk (a listing, a
// folder copy) descends before it fails with ErrTooDeep.
const MaxTreeDepth = 256
