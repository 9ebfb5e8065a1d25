// Package secretservicetest holds the test helpers shared by the packages
// that test against a real Secret Service (gnome-keyring over D-Bus).
//
// godbus connects to the session bus once per process and reads
// DBUS_SESSION_BUS_ADDRESS only at the first call, so a test that needs a
// particular bus runs in a child process: the test binary re-executed with
// -test.run for just that test. The helpers here start such children.
package secretservicetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// RequireAllEnv, set to "1", turns the skips for missing tools into
// failures.
const RequireAllEnv = "MEGATUI_REQUIRE_ALL"

// SkipOrFail skips the test with msg, or fails it when MEGATUI_REQUIRE_ALL=1.
func SkipOrFail(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(RequireAllEnv) == "1" {
		t.Fatalf("%s (%s=1)", msg, RequireAllEnv)
	}
	t.Skip(msg)
}

// RerunCommand returns the command that re-runs the current test (and
// only it) in a child process of the test binary, with env added to this
// process's environment. The command is killed when timeout has passed.
func RerunCommand(t testing.TB, timeout time.Duration, env ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// RunChild runs cmd, a child run of the current test, and fails the test
// unless the child ran and passed it. With -test.v the child's output is
// logged.
func RunChild(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
		t.Fatalf("child run of %s failed: %v\n%s", t.Name(), err, out)
	}
	if testing.Verbose() {
		t.Logf("child process:\n%s", out)
	}
}

// RunInPrivate re-runs the current test in a child process under its own
// D-Bus session (dbus-run-session) with an unlocked gnome-keyring-daemon
// whose files live in a throw-away HOME, and fails the test unless the
// child passed it. The child sees childEnv=childValue, so the test can
// tell it is inside, and MEGATUI_REQUIRE_ALL=1. Without dbus-run-session
// or gnome-keyring-daemon the test is skipped (see SkipOrFail).
func RunInPrivate(t testing.TB, childEnv, childValue string, timeout time.Duration) {
	t.Helper()
	for _, prog := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(prog); err != nil {
			SkipOrFail(t, "no Secret Service reachable and "+prog+" is not installed "+
				"(install dbus and gnome-keyring, or run the tests under dbus-run-session with an unlocked keyring)")
		}
	}
	home, err := os.MkdirTemp("", "megatui-secret-service-")
	if err != nil {
		t.Fatal(err)
	}
	// gnome-keyring-daemon may still be writing as it exits: clean up
	// best-effort instead of failing the test on a racing RemoveAll.
	t.Cleanup(func() { _ = os.RemoveAll(home) })
	runtime := filepath.Join(home, "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// The keyring's unlock password is a test value piped on stdin, never
	// an argument.
	script := `eval "$(printf %s megatui-test | gnome-keyring-daemon --unlock --components=secrets)" && ` +
		`exec "$0" -test.run="^$1\$" -test.v -test.count=1`
	cmd := exec.CommandContext(ctx, "dbus-run-session", "--", "sh", "-c", script, os.Args[0], t.Name())
	env := []string{childEnv + "=" + childValue, RequireAllEnv + "=1",
		"HOME=" + home, "XDG_DATA_HOME=" + filepath.Join(home, "data"), "XDG_RUNTIME_DIR=" + runtime}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "HOME=") &&
			!strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, childEnv+"=") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	RunChild(t, cmd)
	t.Log("ran in a private dbus-run-session with gnome-keyring-daemon")
}
