package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestHarnessRoundTrip checks the tmux driver itself: typed text reaches
// the program, and the program's output and exit are visible on screen.
func TestHarnessRoundTrip(t *testing.T) {
	t.Parallel()
	s := Start(t, 60, 10, t.TempDir(), []string{"GREETING=it's here"}, "sh", "-c", `echo "$GREETING"; read x; echo "got:$x"`)
	s.WaitFor(`it's here`, 5*time.Second)
	s.Type("abc def")
	s.Keys("Enter")
	screen := s.WaitFor(`\[exited: 0\]`, 5*time.Second)
	if !strings.Contains(screen, "got:abc def") {
		t.Errorf("screen: got\n%s\nwant a line %q", screen, "got:abc def")
	}
	s.Resize(40, 8)
	if n := len(strings.Split(strings.TrimRight(s.Screen(), "\n"), "\n")); n > 8 {
		t.Errorf("after resize the screen has %d lines, want at most 8", n)
	}
}
