package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
)

// BenchmarkSizeClaim2p50 copies a 7000-byte file whose download reply
// claims 2^50 bytes, with the binary of this tree and, when
// MEGATUI_BASELINE_BIN names one, an older binary for comparison. It
// reports the peak RSS and the time to the end; a run is stopped when its
// RSS passes 1 GiB (the baseline grows without bound) or after 60 s.
//
//	go test -run XXX -bench SizeClaim2p50 -benchtime 1x ./cli
func BenchmarkSizeClaim2p50(b *testing.B) {
	s, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: cliEmail, Password: cliPass, Version: 2}}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h, err := megasim.StartHostile(s)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	seedCLI(b, s, "/docs", "f.bin", bytes.Repeat([]byte("hostile"), 1000))
	h.Rewrite("g", func(_, reply []byte) []byte {
		return bytes.Replace(reply, []byte(`"s":7000`), []byte(`"s":1125899906842624`), 1)
	})
	bins := map[string]string{}
	cur := filepath.Join(b.TempDir(), "megatui")
	if out, err := exec.Command("go", "build", "-o", cur, "github.com/megatui/megatui").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	bins["current"] = cur
	if p := os.Getenv("MEGATUI_BASELINE_BIN"); p != "" {
		bins["baseline"] = p
	}
	for name, bin := range bins {
		b.Run(name, func(b *testing.B) {
			for range b.N {
				peak, took, ended := runWatched(b, bin, h.URL())
				b.ReportMetric(float64(peak>>20), "peakRSS-MiB")
				b.ReportMetric(took.Seconds(), "s-to-end")
				if !ended {
					b.Logf("%s stopped at %d MiB after %v (it had not ended)", name, peak>>20, took.Round(time.Millisecond))
				}
			}
		})
	}
}

// runWatched runs `megatui copy` and samples its RSS every 20 ms.
func runWatched(b *testing.B, bin, api string) (peak int64, took time.Duration, ended bool) {
	dir := b.TempDir()
	cmd := exec.Command(bin, "copy", "mega:/docs/f.bin", dir)
	cmd.Env = append(os.Environ(), "MEGATUI_USER="+cliEmail, "MEGATUI_PASSWORD="+cliPass, "MEGATUI_API_URL="+api,
		"MEGATUI_KEYRING=off", "XDG_STATE_HOME="+dir, "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return peak, time.Since(start), true
		case <-tick.C:
			peak = max(peak, rss(cmd.Process.Pid))
			if peak > 1<<30 || time.Since(start) > time.Minute {
				_ = cmd.Process.Kill()
				<-done
				return peak, time.Since(start), false
			}
		}
	}
}

// rss reads a process's resident set size from /proc (0 if unknown).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
