//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyring

import (
	"errors"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// The D-Bus names go-keyring uses; probePlatform looks at the same
// collection go-keyring would write to.
const (
	secretsName        = "org.freedesktop.secrets"
	secretsPath        = "/org/freedesktop/secrets"
	secretsCollections = "org.freedesktop.Secret.Service.Collections"
	collectionLocked   = "org.freedesktop.Secret.Collection.Locked"
	loginCollection    = "/org/freedesktop/secrets/collection/login"
	defaultCollection  = "/org/freedesktop/secrets/aliases/default"
)

// probePlatform asks the Secret Service, without triggering any prompt,
// whether the collection go-keyring uses is there and unlocked.
func probePlatform(timeout time.Duration) Status {
	locked, err := withTimeout(timeout, func() (bool, error) {
		conn, err := dbus.SessionBus() // shared with go-keyring; never closed here
		if err != nil {
			return false, err
		}
		svc := conn.Object(secretsName, secretsPath)
		v, err := svc.GetProperty(secretsCollections)
		if err != nil {
			return false, err
		}
		path := dbus.ObjectPath(defaultCollection)
		if paths, ok := v.Value().([]dbus.ObjectPath); ok {
			for _, p := range paths {
				if p == loginCollection {
					path = loginCollection
				}
			}
		}
		lv, err := conn.Object(secretsName, path).GetProperty(collectionLocked)
		if err != nil {
			return false, err
		}
		locked, _ := lv.Value().(bool)
		return locked, nil
	})
	if err != nil {
		return statusFromError(err)
	}
	if locked {
		return Status{State: StateLocked, Advice: hintLocked, Err: errors.New("the default keyring collection is locked")}
	}
	return Status{State: StateUsable}
}

// classifyPlatform sorts a go-keyring / D-Bus failure into a State.
func classifyPlatform(err error) State {
	var de dbus.Error
	var dep *dbus.Error
	name := ""
	switch {
	case errors.As(err, &de):
		name = de.Name
	case errors.As(err, &dep):
		name = dep.Name
	}
	switch {
	case name == "org.freedesktop.DBus.Error.ServiceUnknown",
		name == "org.freedesktop.DBus.Error.NameHasNoOwner",
		strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn."),
		// No default collection: the service runs but has no keyring.
		name == "org.freedesktop.DBus.Error.UnknownObject",
		name == "org.freedesktop.Secret.Error.NoSuchObject":
		return StateNoSecretService
	case name == "org.freedesktop.Secret.Error.IsLocked":
		return StateLocked
	case name != "":
		return StateError
	}
	// go-keyring reports a dismissed unlock prompt with this text.
	if strings.Contains(err.Error(), "failed to unlock correct collection") {
		return StateLocked
	}
	// Anything from connecting to the session bus itself, including
	// godbus's attempt to autolaunch one with dbus-launch.
	var ne net.Error
	var ee *exec.Error
	if errors.As(err, &ne) || errors.As(err, &ee) || errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) ||
		strings.HasPrefix(err.Error(), "dbus: ") {
		return StateNoSecretService
	}
	return StateError
}
