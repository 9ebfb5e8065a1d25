// Package e2e drives the real megatui binary in tmux, as a user would:
// it types keys with send-keys and reads the screen with capture-pane.
// The tests in this package run against megasim (in-process or through
// `megatui sim`); they skip when tmux is missing unless
// MEGATUI_REQUIRE_ALL=1, which CI sets.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireTmux skips the test when tmux is not installed, or fails it when
// MEGATUI_REQUIRE_ALL=1.
func RequireTmux(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("MEGATUI_REQUIRE_ALL") == "1" {
			t.Fatal("tmux is required (MEGATUI_REQUIRE_ALL=1) but not installed")
		}
		t.Skip("tmux not installed: skipping end-to-end test (install tmux to run it)")
	}
}

// Binary builds megatui once per test process and returns its path.
type Binary struct {
	once sync.Once
	path string
	err  error
}

// Path builds the binary on first use into a temporary folder that lives as
// long as the test process.
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "megatui-e2e-bin-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "megatui")
		cmd := exec.Command("go", "build", "-o", b.path, "..")
		cmd.Dir = "."
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			b.err = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// Session is one tmux server running one program in a window of a fixed
// size. Each session uses its own socket, so tests can run in parallel.
type Session struct {
	t      testing.TB
	socket string
}

// Start runs argv in a new detached tmux session of cols×rows with the
// given extra environment (KEY=VALUE) and the given working directory.
func Start(t testing.TB, cols, rows int, dir string, env []string, argv ...string) *Session {
	t.Helper()
	RequireTmux(t)
	s := &Session{t: t, socket: fmt.Sprintf("megatui-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	// A wrapper script keeps the environment out of tmux's own arguments
	// and leaves the pane open after the program exits so its last screen
	// can still be read.
	script := filepath.Join(t.TempDir(), "run.sh")
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	fmt.Fprintf(&b, "cd %s || exit 1\n", shellQuote(dir))
	for i, a := range argv {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(shellQuote(a))
	}
	b.WriteString("\necho \"[exited: $?]\"\nsleep 600\n")
	if err := os.WriteFile(script, []byte(b.String()), 0o700); err != nil {
		t.Fatal(err)
	}
	s.tmux("-f", "/dev/null", "new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows),
		"-e", "TERM=xterm-256color", script)
	s.tmux("set-option", "-g", "status", "off")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (s *Session) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Keys sends tmux key names (e.g. "Down", "Enter", "F5", "C-c", "q").
func (s *Session) Keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// Type sends literal text.
func (s *Session) Type(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "0", "-l", text)
}

// Screen returns the visible screen as plain text.
func (s *Session) Screen() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", "0")
}

// ScreenANSI returns the visible screen with colour escape sequences.
func (s *Session) ScreenANSI() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-e", "-t", "0")
}

// Resize changes the window size.
func (s *Session) Resize(cols, rows int) {
	s.t.Helper()
	s.tmux("resize-window", "-t", "0", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows))
}

// WaitFor polls the screen until re matches, and fails the test with the
// last screen after timeout.
func (s *Session) WaitFor(re string, timeout time.Duration) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	var screen string
	for {
		screen = s.Screen()
		if rx.MatchString(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %v waiting for %q; screen:\n%s", timeout, re, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitGone polls until re no longer matches.
func (s *Session) WaitGone(re string, timeout time.Duration) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		screen := s.Screen()
		if !rx.MatchString(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out after %v waiting for %q to go; screen:\n%s", timeout, re, screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
