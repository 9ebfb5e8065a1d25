package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
)

// BenchmarkTUIGarbageEventChannel runs the TUI (this tree's binary and,
// when MEGATUI_BASELINE_BIN names one, an older build) logged in through
// the proxy, then makes the event channel answer garbage and measures the
// TUI process's CPU use and its polls over 5 s.
//
//	MEGATUI_BASELINE_BIN=/path/to/old/megatui go test -run XXX -bench TUIGarbageEventChannel -benchtime 1x ./e2e
func BenchmarkTUIGarbageEventChannel(b *testing.B) {
	bins := map[string]string{"current": binPath(b)}
	if p := os.Getenv("MEGATUI_BASELINE_BIN"); p != "" {
		bins["baseline"] = p
	}
	for name, bin := range bins {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				srv, h, sim := startHostileSim(b)
				env := NewEnv(b, bin, sim)
				s := env.Start(b)
				env.Login(b, s)
				pid := childPid(b, s)
				other, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "other", Email: sim.Email,
					Password: sim.Password, APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
				if err != nil {
					b.Fatal(err)
				}
				var polls atomic.Int32
				h.Rewrite("sc", func(_, _ []byte) []byte { polls.Add(1); return []byte("<html>502 Bad Gateway</html>") })
				if _, err := other.Mkdir(context.Background(), "/", "poke"); err != nil {
					b.Fatal(err)
				}
				time.Sleep(500 * time.Millisecond)
				cpu0, p0 := procCPU(b, pid), polls.Load()
				const window = 5 * time.Second
				time.Sleep(window)
				cpu := procCPU(b, pid) - cpu0
				b.ReportMetric(100*cpu.Seconds()/window.Seconds(), "cpu-%")
				b.ReportMetric(float64(polls.Load()-p0)/window.Seconds(), "polls/s")
				h.Rewrite("sc", nil)
				other.Close()
			}
		})
	}
}

// childPid is the pid of the program the session's script runs.
func childPid(tb testing.TB, s *Session) int {
	tb.Helper()
	sh := strings.TrimSpace(s.tmux("display", "-p", "-t", "0", "#{pane_pid}"))
	out, err := exec.Command("pgrep", "-P", sh).Output()
	if err != nil {
		tb.Fatalf("pgrep -P %s: %v", sh, err)
	}
	pid, err := strconv.Atoi(strings.Fields(string(out))[0])
	if err != nil {
		tb.Fatal(err)
	}
	return pid
}

// procCPU is a process's user+system CPU time from /proc (clock ticks of
// 10 ms).
func procCPU(tb testing.TB, pid int) time.Duration {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
