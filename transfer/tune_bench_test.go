package transfer

// Benchmarks that choose and check the concurrency defaults:
//
//	go test -run '^$' -bench 'TransferFaults|TransferDefaults' -benchtime 1x -timeout 60m ./transfer/
//
// BenchmarkTransferFaults runs the same work on one megasim without
// faults and with 10 % EAGAIN + 5 % HTTP 500 (API requests, upload pieces
// and download ranges), and prints the throughput lost and how the
// concurrency moved (sampled every 20 ms). BenchmarkTransferDefaults
// measures chunk workers and transfers at 0, 20 and 100 ms of latency.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func memSim(b *testing.B) *megasim.Server {
	b.Helper()
	return megasimtest.Start(b, megasim.Options{Accounts: []megasim.Account{{Email: simEmail, Password: simPass}}, Seed: 11})
}

// throttleSampler records the engine's throttle while a run goes on.
type throttleSampler struct {
	mu      sync.Mutex
	minF    int
	minC    int
	reasons map[string]bool
	last    model.Throttle
}

func (t *throttleSampler) run(ctx context.Context, e *Engine) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		st := e.Throttle()
		t.mu.Lock()
		if t.reasons == nil {
			t.reasons = map[string]bool{}
			t.minF, t.minC = st.Transfers, st.Chunks
		}
		t.minF, t.minC = min(t.minF, st.Transfers), min(t.minC, st.Chunks)
		if st.Reason != "" {
			t.reasons[st.Reason] = true
		}
		t.last = st
		t.mu.Unlock()
	}
}

func (t *throttleSampler) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var rs []string
	for r := range t.reasons {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	return fmt.Sprintf("lowest %d/%d files, %d/%d chunks; %d slow-downs; reasons: %s",
		t.minF, t.last.TransfersMax, t.minC, t.last.ChunksMax, t.last.Slowdowns, strings.Join(rs, ", "))
}

// runSampled is runEngine with the throttle sampled.
func runSampled(b *testing.B, opts Options, req Request) string {
	b.Helper()
	var ts throttleSampler
	runEngineWith(b, opts, req, ts.run)
	return ts.String()
}

// benchSources writes n random files of smallSize bytes into a folder
// and one of bigSize bytes beside it, and returns the folder and the file.
func benchSources(b *testing.B, n int, smallSize, bigSize int64) (dir, big string) {
	b.Helper()
	dir = filepath.Join(b.TempDir(), "small")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		randomFile(b, filepath.Join(dir, fmt.Sprintf("f%04d", i)), smallSize)
	}
	big = filepath.Join(b.TempDir(), "big.bin")
	randomFile(b, big, bigSize)
	return dir, big
}

func BenchmarkTransferFaults(b *testing.B) {
	const n, smallSize = 300, 16 << 10
	bigSize := int64(envInt("MEGATUI_BENCH_BIG", 128)) << 20
	ctx := context.Background()
	s := memSim(b)
	var t table
	dir, src := benchSources(b, n, smallSize, bigSize)
	retry := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: 2 * time.Second, MaxAttempts: 20}
	faults := megasim.Faults{EAGAINRate: 0.10, HTTP500Rate: 0.05}
	// Rounds alternate clean and faulty runs; the fastest of each case is
	// kept (the machine is shared).
	for round := 0; round < envInt("MEGATUI_BENCH_ROUNDS", 3); round++ {
		for _, mode := range []struct {
			name string
			f    megasim.Faults
		}{{"clean", megasim.Faults{}}, {"faults", faults}} {
			for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
				// A new client for each mode, so each starts at its configured
				// concurrency.
				c := benchCLIClient(b, s)
				root, _, _ := c.Roots()
				rootEntry, err := c.Stat(ctx, root)
				if err != nil {
					b.Fatal(err)
				}
				f := mode.f
				f.APILatency, f.DataLatency = lat, lat
				s.SetFaults(f)
				ms := fmt.Sprintf("%dms", lat.Milliseconds())
				var seed model.Entry
				t.measure(b, ms+"/big-up/"+mode.name, bigSize, func(b *testing.B) string {
					req := uploadReq(src, rootEntry)
					req.Name = fmt.Sprintf("big-%s-%d", mode.name, time.Now().UnixNano())
					note := runSampled(b, Options{Remote: c, Retry: retry}, req)
					b.StopTimer()
					if seed.ID != "" {
						_ = c.Delete(ctx, seed.ID, true)
					}
					seed, _ = c.Stat(ctx, "/"+req.Name)
					b.StartTimer()
					return note
				})
				t.measure(b, ms+"/big-down/"+mode.name, bigSize, func(b *testing.B) string {
					return runSampled(b, Options{Remote: c, Retry: retry}, downloadReq(seed, b.TempDir()))
				})
				t.measure(b, ms+"/small-up-16/"+mode.name, n*smallSize, func(b *testing.B) string {
					req := uploadReq(dir, rootEntry)
					req.Name = fmt.Sprintf("small-%s-%d", mode.name, time.Now().UnixNano())
					return runSampled(b, Options{Remote: c, Workers: 16, Retry: retry}, req)
				})
				s.SetFaults(megasim.Faults{})
				_ = c.Delete(ctx, seed.ID, true)
				c.Close()
			}
		}
	}
	fmt.Printf("eagain %d, http500 %d injected\n", s.FaultCount("eagain"), s.FaultCount("http500"))
	fmt.Print(t.renderFaults())
}

// renderFaults prints each case with the throughput the faults cost.
func (t *table) renderFaults() string {
	var sb strings.Builder
	names := make([]string, 0, len(t.rows))
	for n := range t.rows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := t.rows[n]
		extra := ""
		if base, ok := t.rows[strings.TrimSuffix(n, "/faults")+"/clean"]; ok && strings.HasSuffix(n, "/faults") {
			extra = fmt.Sprintf("  %.0f %% of the clean throughput", 100*r.mbps()/base.mbps())
		}
		fmt.Fprintf(&sb, "%-26s %8.3f s %8.1f MB/s%s\n    %s\n", n, r.elapsed.Seconds(), r.mbps(), extra, r.note)
	}
	return sb.String()
}

// BenchmarkTransferDefaults measures a 64 MiB file with 4 to 32 chunk
// workers and 300 small files with 4 to 32 transfers, at 0, 20 and 100 ms.
func BenchmarkTransferDefaults(b *testing.B) {
	const n, smallSize = 300, 16 << 10
	bigSize := int64(envInt("MEGATUI_BENCH_BIG", 64)) << 20
	ctx := context.Background()
	s := memSim(b)
	var t table
	dir, src := benchSources(b, n, smallSize, bigSize)
	for _, lat := range []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond} {
		ms := fmt.Sprintf("%03dms", lat.Milliseconds())
		for _, cw := range []int{4, 8, 16, 32} {
			c := benchClient(b, s, config.DefaultTransfers, cw)
			root, _, _ := c.Roots()
			rootEntry, _ := c.Stat(ctx, root)
			s.SetFaults(latencyFaults(lat))
			var seed model.Entry
			t.measure(b, fmt.Sprintf("%s/big-up/chunks-%02d", ms, cw), bigSize, func(b *testing.B) string {
				req := uploadReq(src, rootEntry)
				req.Name = fmt.Sprintf("d-%d", time.Now().UnixNano())
				runEngine(b, Options{Remote: c}, req)
				seed, _ = c.Stat(ctx, "/"+req.Name)
				return ""
			})
			t.measure(b, fmt.Sprintf("%s/big-down/chunks-%02d", ms, cw), bigSize, func(b *testing.B) string {
				runEngine(b, Options{Remote: c}, downloadReq(seed, b.TempDir()))
				return ""
			})
			s.SetFaults(megasim.Faults{})
			_ = c.Delete(ctx, seed.ID, true)
			c.Close()
		}
		c := benchCLIClient(b, s)
		root, _, _ := c.Roots()
		rootEntry, _ := c.Stat(ctx, root)
		s.SetFaults(latencyFaults(lat))
		for _, tr := range []int{4, 8, 16, 32} {
			t.measure(b, fmt.Sprintf("%s/small-up/transfers-%02d", ms, tr), n*smallSize, func(b *testing.B) string {
				req := uploadReq(dir, rootEntry)
				req.Name = fmt.Sprintf("s-%d", time.Now().UnixNano())
				runEngine(b, Options{Remote: c, Workers: tr}, req)
				return ""
			})
		}
		s.SetFaults(megasim.Faults{})
		c.Close()
	}
	var sb strings.Builder
	names := make([]string, 0, len(t.rows))
	for k := range t.rows {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		r := t.rows[k]
		fmt.Fprintf(&sb, "%-30s %8.3f s %8.1f MB/s\n", k, r.elapsed.Seconds(), r.mbps())
	}
	fmt.Printf("load average %s\n%s", loadAvg(), sb.String())
}
