package app

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"time"

	"golang.org/x/term"
)

// The crash monitor restores the terminal whatever ends the TUI. Bubble
// Tea restores it when the program returns or its event loop panics, but
// a panic on any other goroutine (a library's poller, a worker) or a
// SIGKILL ends the process at once, leaving the alternate screen, mouse
// tracking and raw mode on. So before the TUI takes the terminal, megatui
// starts itself again as a small monitor that records the terminal's
// state; the runtime copies any fatal crash report to the monitor
// (debug.SetCrashOutput), and a clean exit says so before it closes the
// pipe. When the pipe closes without that word, the monitor puts the
// terminal back and prints the crash report below the restored screen.

const (
	crashMonitorEnv = "MEGATUI_CRASH_MONITOR"
	cleanExit       = "\x00megatui: clean exit\x00"
	maxCrashReport  = 256 << 10
)

// terminalReset leaves the alternate screen and turns off mouse
// tracking, bracketed paste and focus reports, and shows the cursor.
const terminalReset = "\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1004l\x1b[?1049l\x1b[?25h\x1b[0m\r\n"

// IsCrashMonitor reports whether this process was started as a TUI's
// crash monitor (main then calls RunCrashMonitor and nothing else).
func IsCrashMonitor() bool { return os.Getenv(crashMonitorEnv) == "1" }

// RunCrashMonitor is the monitor's whole life: record the terminal
// (stdout), signal readiness on fd 3, read the TUI's crash pipe (stdin)
// to its end, and restore the terminal unless the TUI exited cleanly.
// It returns the exit code.
func RunCrashMonitor() int {
	// Ctrl-C before the TUI takes the terminal is for the TUI.
	signal.Ignore(os.Interrupt)
	fd := int(os.Stdout.Fd())
	var state *term.State
	if term.IsTerminal(fd) {
		state, _ = term.GetState(fd)
	}
	if ready := os.NewFile(3, "ready"); ready != nil {
		_, _ = ready.Write([]byte{1})
		_ = ready.Close()
	}
	report, _ := io.ReadAll(io.LimitReader(os.Stdin, maxCrashReport))
	if bytes.HasSuffix(report, []byte(cleanExit)) {
		return 0
	}
	if state != nil {
		_ = term.Restore(fd, state)
		_, _ = os.Stdout.WriteString(terminalReset)
	}
	report = bytes.TrimSpace(report)
	if len(report) == 0 {
		fmt.Fprintln(os.Stderr, "megatui ended abruptly (killed?); the terminal was restored")
		return 0
	}
	fmt.Fprintf(os.Stderr, "megatui crashed; the terminal was restored. The crash report:\n%s\n", report)
	return 0
}

// crashMonitor is the TUI's side of the monitor.
type crashMonitor struct {
	w    *os.File
	cmd  *exec.Cmd
	done chan struct{}
}

// startCrashMonitor starts the monitor and waits until it has recorded
// the terminal. It returns nil (and the TUI runs without one) when the
// monitor cannot start.
func startCrashMonitor(logf func(string, ...any)) *crashMonitor {
	exe, err := os.Executable()
	if err != nil {
		logf("crash monitor: %v", err)
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		logf("crash monitor: %v", err)
		return nil
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		r.Close()
		w.Close()
		logf("crash monitor: %v", err)
		return nil
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), crashMonitorEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{readyW}
	err = cmd.Start()
	r.Close()
	readyW.Close()
	if err != nil {
		w.Close()
		readyR.Close()
		logf("crash monitor: %v", err)
		return nil
	}
	// Wait (boundedly) until the monitor holds the terminal's state, so
	// it never records the TUI's raw mode as the state to restore.
	got := make(chan struct{})
	go func() {
		var b [1]byte
		_, _ = readyR.Read(b[:])
		readyR.Close()
		close(got)
	}()
	select {
	case <-got:
	case <-time.After(2 * time.Second):
		logf("crash monitor: not ready after 2 s")
	}
	m := &crashMonitor{w: w, cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(m.done)
	}()
	if err := debug.SetCrashOutput(w, debug.CrashOptions{}); err != nil {
		logf("crash monitor: %v", err)
	}
	return m
}

// stop tells the monitor the TUI ended cleanly and waits for it.
func (m *crashMonitor) stop() {
	if m == nil {
		return
	}
	_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
	_, _ = m.w.WriteString(cleanExit)
	_ = m.w.Close()
	select {
	case <-m.done:
	case <-time.After(2 * time.Second):
		_ = m.cmd.Process.Kill()
	}
}
