//go:build !linux

package localfs

import (
	"os"
	"testing"
)

func rerunUnprivileged(t *testing.T, name string) {
	t.Helper()
	if os.Getenv("MEGATUI_REQUIRE_ALL") == "1" {
		t.Fatalf("%s: running as root and cannot drop privileges on this platform", name)
	}
	t.Skipf("%s: running as root, where permission checks cannot fail", name)
}
