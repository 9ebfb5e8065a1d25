package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// BenchmarkScale measures the built binary on big accounts, in one run:
// for an account of 100 nodes (the baseline), 100,000 and 1,000,000 nodes
// it reports
//
//   - ls-s, ls-peak-MiB: wall time and peak RSS (VmHWM, sampled every
//     20 ms until it exits) of `megatui lsf mega:/` (password login, the
//     whole `f` fetch, the listing of one folder);
//   - tui-first-s: the TUI in tmux, from start to the first MEGA listing
//     on screen; tui-dups-s: until the header shows the account's
//     duplicate count; tui-steady-MiB: its RSS a few seconds later;
//     tui-peak-MiB: its peak RSS over the whole run;
//   - dups-ms: the account-wide duplicate count as the TUI header asks
//     for it (Client.CountDuplicateGroups), in process, from a connected
//     client: the first count builds the index; dups-again-ms: the count
//     after one more upload; scan-detect-ms: a full scan of the tree plus
//     dedupe.Detect over it, what the count cost before the index.
//
// Each account is seeded straight into megasim's store (megasim.SeedTree:
// folders of 100 children, 10 of them folders) plus up to 180 files and
// folders that form up to 90 same-name groups at the root. The server runs inside the
// benchmark process, so its memory is not counted in the binary's RSS.
//
//	go test ./e2e -run '^$' -bench Scale -benchtime 1x -timeout 30m
//
// MEGATUI_SCALE_SIZES (comma-separated node counts) picks other sizes;
// the first one is the baseline the table's ratios refer to. To measure
// another build, point MEGATUI_E2E_BIN at it (and MEGATUI_SCALE_LIST at
// its one-folder listing command when it has no lsf).
func BenchmarkScale(b *testing.B) {
	bin := binPath(b)
	sizes := []int{100, 100_000, 1_000_000}
	if v := os.Getenv("MEGATUI_SCALE_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 200 && len(sizes) > 0 {
				b.Fatalf("MEGATUI_SCALE_SIZES: bad size %q", f)
			}
			sizes = append(sizes, n)
		}
	}
	var rows []scaleFigures
	for _, n := range sizes {
		b.Run(fmt.Sprintf("nodes-%d", n), func(b *testing.B) {
			var f scaleFigures
			for range b.N {
				f = measureScale(b, bin, n)
			}
			b.ReportMetric(f.ls.Seconds(), "ls-s")
			b.ReportMetric(f.lsPeak, "ls-peak-MiB")
			b.ReportMetric(f.tuiFirst.Seconds(), "tui-first-s")
			b.ReportMetric(f.tuiDups.Seconds(), "tui-dups-s")
			b.ReportMetric(f.tuiSteady, "tui-steady-MiB")
			b.ReportMetric(f.tuiPeak, "tui-peak-MiB")
			b.ReportMetric(float64(f.dups.Microseconds())/1000, "dups-ms")
			b.ReportMetric(float64(f.dupsAgain.Microseconds())/1000, "dups-again-ms")
			b.ReportMetric(float64(f.scanDetect.Microseconds())/1000, "scan-detect-ms")
			rows = append(rows, f)
		})
	}
	if len(rows) == 0 {
		return
	}
	var t strings.Builder
	base := rows[0]
	ratio := func(v, b float64) string {
		if b <= 0 {
			return "-"
		}
		return fmt.Sprintf("×%.1f", v/b)
	}
	fmt.Fprintf(&t, "\n%10s %16s %16s %16s %16s %16s %16s %8s %16s %8s\n", "nodes", "lsf s", "lsf peak MiB",
		"tui first s", "tui steady MiB", "tui peak MiB", "dups ms", "again ms", "scan+detect ms", "groups")
	for _, r := range rows {
		fmt.Fprintf(&t, "%10d %8.2f %7s %8.0f %7s %8.2f %7s %8.0f %7s %8.0f %7s %8.1f %7s %8.2f %8.1f %7s %8d\n", r.nodes,
			r.ls.Seconds(), ratio(r.ls.Seconds(), base.ls.Seconds()),
			r.lsPeak, ratio(r.lsPeak, base.lsPeak),
			r.tuiFirst.Seconds(), ratio(r.tuiFirst.Seconds(), base.tuiFirst.Seconds()),
			r.tuiSteady, ratio(r.tuiSteady, base.tuiSteady),
			r.tuiPeak, ratio(r.tuiPeak, base.tuiPeak),
			float64(r.dups.Microseconds())/1000, ratio(float64(r.dups), float64(base.dups)),
			float64(r.dupsAgain.Microseconds())/1000,
			float64(r.scanDetect.Microseconds())/1000, ratio(float64(r.scanDetect), float64(base.scanDetect)),
			r.groups)
	}
	fmt.Print(t.String()) // the table, after the per-size lines
}

type scaleFigures struct {
	nodes                       int
	ls, tuiFirst, tuiDups       time.Duration
	lsPeak, tuiSteady, tuiPeak  float64 // MiB
	dups, dupsAgain, scanDetect time.Duration
	groups                      int
}

const (
	scaleEmail = "scale@megatui.test"
	scalePass  = "correct horse scale"
)

func measureScale(b *testing.B, bin string, nodes int) scaleFigures {
	b.Helper()
	f := scaleFigures{nodes: nodes}
	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: scaleEmail, Password: scalePass, Version: 2}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	// Seeded twice at the root: a folder group and copies-1 file groups.
	copies := min(90, nodes/4)
	if _, err := srv.SeedTree(scaleEmail, megasim.SeedOptions{Password: scalePass, Nodes: nodes - 2*copies, FanOut: 100, SubFolders: 10, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	for range 2 {
		if _, err := srv.SeedTree(scaleEmail, megasim.SeedOptions{Password: scalePass, Nodes: copies, FanOut: copies, SubFolders: 1,
			NamePrefix: "copy", FileSize: 100, Seed: 7}); err != nil {
			b.Fatal(err)
		}
	}

	root := b.TempDir()
	for _, d := range []string{"home", "config", "state", "cache", "local"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			b.Fatal(err)
		}
	}
	vars := []string{
		"HOME=" + filepath.Join(root, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"XDG_CACHE_HOME=" + filepath.Join(root, "cache"),
		"MEGATUI_CONFIG=" + filepath.Join(root, "config", "none.toml"),
		"MEGATUI_KEYRING=off",
		"SSL_CERT_FILE=" + srv.CAFile(),
		"MEGATUI_USER=" + scaleEmail,
		"MEGATUI_PASSWORD=" + scalePass,
		"MEGATUI_API_URL=" + srv.URL(),
	}

	// megatui lsf (one folder, as rclone's lsf): wall time and peak RSS
	// of the whole process.
	list := "lsf"
	if v := os.Getenv("MEGATUI_SCALE_LIST"); v != "" {
		list = v // an older binary's one-folder listing ("ls")
	}
	cmd := exec.Command(bin, list, "mega:/")
	cmd.Env = append(os.Environ(), vars...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The peak comes from VmHWM, read until the process ends: the
	// rusage of a child started with vfork (as os/exec does) counts the
	// parent's RSS at exec time, and this process holds the server.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for running := true; running; {
		select {
		case err = <-exited:
			running = false
		case <-time.After(20 * time.Millisecond):
			if hwm, ok := vmHWM(cmd.Process.Pid); ok {
				f.lsPeak = max(f.lsPeak, hwm)
			}
		}
	}
	f.ls = time.Since(start)
	if err != nil {
		b.Fatalf("megatui lsf: %v\n%s", err, stderr.String())
	}
	if want := min(nodes-2*copies, 100) + 2*copies; strings.Count(stdout.String(), "\n") != want {
		b.Fatalf("megatui lsf printed %d lines, want %d", strings.Count(stdout.String(), "\n"), want)
	}

	// The TUI in tmux: first listing, duplicate count, RSS.
	start = time.Now()
	s := Start(b, Cols, Rows, filepath.Join(root, "local"), vars, bin, filepath.Join(root, "local"))
	s.WaitFor(`copy-file-1\.bin`, 5*time.Minute)
	f.tuiFirst = time.Since(start)
	s.Keys("Tab") // the header shows the focused pane's duplicates
	s.WaitFor(`\d+ in account|dup groups? in account`, 5*time.Minute)
	f.tuiDups = time.Since(start)
	pid := paneProgram(b, s)
	time.Sleep(3 * time.Second)
	var steady float64
	for range 5 {
		steady = max(steady, procStatusMiB(b, pid, "VmRSS"))
		time.Sleep(400 * time.Millisecond)
	}
	f.tuiSteady, f.tuiPeak = steady, procStatusMiB(b, pid, "VmHWM")
	if m := regexp.MustCompile(`(\d+) in account|(\d+) dup groups? in account`).FindStringSubmatch(s.Screen()); m == nil || m[1] != strconv.Itoa(copies) && m[2] != strconv.Itoa(copies) {
		b.Fatalf("the header shows %q, want %d groups in the account; screen:\n%s", m, copies, s.Screen())
	}
	s.Keys("q")
	_ = exec.Command("tmux", "-L", s.socket, "kill-server").Run()

	// Duplicate detection in process, from a connected client.
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: scaleEmail, Password: scalePass,
		APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	start = time.Now()
	sc, err := dedupe.Scan(ctx, c, "/")
	if err != nil {
		b.Fatal(err)
	}
	f.groups = len(dedupe.Detect(sc.Entries, false, nil))
	f.scanDetect = time.Since(start)
	if f.groups != copies {
		b.Fatalf("scan and detect found %d duplicate groups, want %d", f.groups, copies)
	}
	start = time.Now()
	n, err := c.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
	f.dups = time.Since(start)
	if err != nil || n != copies {
		b.Fatalf("the duplicate index counts %d groups, %v; want %d", n, err, copies)
	}
	if _, err := c.Upload(ctx, "/", "copy-file-1.bin", strings.NewReader("another"), 7, time.Now(), nil); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	n, err = c.CountDuplicateGroups(ctx, "/", dedupe.FoldDisk)
	f.dupsAgain = time.Since(start)
	if err != nil || n != copies {
		b.Fatalf("after one more copy the index counts %d groups, %v; want %d", n, err, copies)
	}
	return f
}

// paneProgram is the pid of the program the session's wrapper script runs.
func paneProgram(b *testing.B, s *Session) int {
	b.Helper()
	sh, err := strconv.Atoi(strings.TrimSpace(s.tmux("display-message", "-p", "-t", "0", "#{pane_pid}")))
	if err != nil {
		b.Fatal(err)
	}
	kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", sh, sh))
	if err != nil {
		b.Fatal(err)
	}
	fields := strings.Fields(string(kids))
	if len(fields) == 0 {
		b.Fatalf("the wrapper script %d runs no program", sh)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		b.Fatal(err)
	}
	return pid
}

// vmHWM reads the peak RSS of a running process in MiB (false once it
// has exited).
func vmHWM(pid int) (float64, bool) {
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err == nil
		}
	}
	return 0, false
}

// procStatusMiB reads a memory field (VmRSS, VmHWM) of /proc/PID/status.
func procStatusMiB(b *testing.B, pid int, field string) float64 {
	b.Helper()
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
