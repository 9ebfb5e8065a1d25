//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keyring

import "time"

// probePlatform: macOS Keychain and Windows Credential Manager are always
// present; a failure surfaces from the call itself.
func probePlatform(time.Duration) Status { return Status{State: StateUsable} }

// classifyPlatform has nothing platform-specific to recognise here.
func classifyPlatform(error) State { return StateError }
