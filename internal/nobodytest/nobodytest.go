// Package nobodytest runs a test again as an unprivileged user: root
// passes every permission check, so a test of what happens when a file
// cannot be read or written must run as someone else to mean anything.
package nobodytest

import (
	"os"
	"strings"
	"testing"
)

// Rerun runs test name of the current test binary again as the user
// nobody and fails t if it fails or does not run there. Call it when
// os.Geteuid() is 0, then return. Where privileges cannot be dropped the
// test is skipped (a failure with MEGATUI_REQUIRE_ALL=1).
func Rerun(t testing.TB, name string) {
	t.Helper()
	out, err := rerun(t, name)
	if err != nil {
		t.Fatalf("%s as user nobody: %v\n%s", name, err, out)
	}
	if !containsPass(out, name) {
		t.Fatalf("%s did not run as user nobody:\n%s", name, out)
	}
	t.Logf("%s as user nobody:\n%s", name, out)
}

func skipUnsupported(t testing.TB, name string) {
	t.Helper()
	if os.Getenv("MEGATUI_REQUIRE_ALL") == "1" {
		t.Fatalf("%s: running as root and cannot drop privileges on this platform", name)
	}
	t.Skipf("%s: running as root, where permission checks cannot fail", name)
}

// containsPass reports whether the verbose output shows test name passed.
func containsPass(out []byte, name string) bool {
	return strings.Contains(string(out), "--- PASS: "+name)
}
