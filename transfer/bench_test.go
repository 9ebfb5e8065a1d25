package transfer

// Benchmarks against megasim on loopback, each with its go-mega baseline
// in the same run (sub-benchmarks "go-mega" and "megatui"):
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 60m ./transfer/
//
// Throughput is reported as MB/s (b.SetBytes); the peak-RSS benchmark
// reports peak-RSS-MiB of a `megatui copy` process.

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func benchSim(b *testing.B) *megasim.Server {
	b.Helper()
	return megasimtest.Start(b, megasim.Options{Accounts: []megasim.Account{{Email: simEmail, Password: simPass}}, DataDir: b.TempDir()})
}

func benchClient(b *testing.B, s *megasim.Server, workers, chunkWorkers int) *megaclient.Client {
	b.Helper()
	c, err := megaclient.Connect(context.Background(), megaclient.Options{
		// No HTTPClient: megaclient's own, as the CLI and the TUI use it
		// (megasim's data URLs are plain HTTP).
		Remote: "mega", Email: simEmail, Password: simPass, APIURL: s.URL(),
		Workers: workers, ChunkWorkers: chunkWorkers,
	})
	if err != nil {
		b.Fatalf("connect: %v", err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// goMega logs in with go-mega at its default settings.
func goMega(b *testing.B, s *megasim.Server) *mega.Mega {
	b.Helper()
	m := mega.New().SetClient(s.HTTPClient())
	m.SetAPIUrl(s.URL())
	m.SetLogger(func(string, ...any) {})
	if err := m.Login(simEmail, simPass); err != nil {
		b.Fatalf("go-mega login: %v", err)
	}
	return m
}

// randomFile writes size bytes of random data (a repeated 1 MiB block).
func randomFile(b *testing.B, path string, size int64) {
	b.Helper()
	block := make([]byte, 1<<20)
	_, _ = rand.Read(block)
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	for left := size; left > 0; {
		n := min(left, int64(len(block)))
		if _, err := f.Write(block[:n]); err != nil {
			b.Fatal(err)
		}
		left -= n
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// runEngine runs one request to completion and fails on any failed job.
func runEngine(b *testing.B, opts Options, req Request) {
	b.Helper()
	runEngineWith(b, opts, req, nil)
}

// runEngineWith is runEngine with watch (if not nil) started beside the
// engine before the request is queued; it runs until the engine is done.
func runEngineWith(b *testing.B, opts Options, req Request, watch func(ctx context.Context, e *Engine)) {
	b.Helper()
	e := New(opts)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); _ = e.Wait() }()
	if err := e.Start(ctx); err != nil {
		b.Fatal(err)
	}
	go func() {
		for range e.Events() {
		}
	}()
	if watch != nil {
		go watch(ctx, e)
	}
	if _, err := e.Enqueue(req); err != nil {
		b.Fatal(err)
	}
	if err := e.WaitIdle(ctx); err != nil {
		b.Fatal(err)
	}
	for _, j := range e.Snapshot() {
		if j.State != model.StateDone {
			b.Fatalf("job %s: %s %s", j.Dst.Display, j.State, j.Err)
		}
	}
}

func latencyFaults(d time.Duration) megasim.Faults {
	return megasim.Faults{APILatency: d, DataLatency: d}
}

func benchBigFile(b *testing.B, size int64, latency time.Duration) {
	s := benchSim(b)
	dir := b.TempDir()
	src := filepath.Join(dir, "big.bin")
	randomFile(b, src, size)
	m := goMega(b, s)
	c := benchClient(b, s, 0, 0)
	c16 := benchClient(b, s, 0, 16)
	root, _, _ := c.Roots()
	rootEntry, err := c.Stat(context.Background(), root)
	if err != nil {
		b.Fatal(err)
	}
	// Seed one copy for the download benchmarks (before latency is on).
	gmNode, err := m.UploadFile(src, m.FS.GetRoot(), "seed-go-mega.bin", nil)
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	seed, err := c.Upload(context.Background(), root, "seed-megatui.bin", f, size, time.Now(), nil)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	s.SetFaults(latencyFaults(latency))
	defer s.SetFaults(megasim.Faults{})

	b.Run("upload/go-mega", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			if _, err := m.UploadFile(src, m.FS.GetRoot(), fmt.Sprintf("gm-%d-%d", i, time.Now().UnixNano()), nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, v := range []struct {
		name string
		c    *megaclient.Client
	}{{"megatui", c}, {"megatui-16chunks", c16}} {
		b.Run("upload/"+v.name, func(b *testing.B) {
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				req := uploadReq(src, rootEntry)
				req.Name = fmt.Sprintf("%s-%d-%d", v.name, i, time.Now().UnixNano())
				runEngine(b, Options{Remote: v.c}, req)
			}
		})
	}
	b.Run("download/go-mega", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			dst := filepath.Join(b.TempDir(), "out")
			if err := m.DownloadFile(gmNode, dst, nil); err != nil {
				b.Fatal(err)
			}
			os.Remove(dst)
		}
	})
	for _, v := range []struct {
		name string
		c    *megaclient.Client
	}{{"megatui", c}, {"megatui-16chunks", c16}} {
		b.Run("download/"+v.name, func(b *testing.B) {
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				dst := b.TempDir()
				runEngine(b, Options{Remote: v.c}, downloadReq(seed, dst))
				os.RemoveAll(dst)
			}
		})
	}
}

// BenchmarkUpload512MiB (and its download half): no injected latency.
func BenchmarkUpload512MiB(b *testing.B) { benchBigFile(b, 512<<20, 0) }

// BenchmarkUpload512MiBLatency20ms: 20 ms on every API request, upload
// piece and download range.
func BenchmarkUpload512MiBLatency20ms(b *testing.B) { benchBigFile(b, 512<<20, 20*time.Millisecond) }

// BenchmarkSmallFiles1000x16KiBLatency20ms: 1,000 files of 16 KiB, 20 ms
// latency; go-mega's UploadFile in a loop on one client versus the engine.
func BenchmarkSmallFiles1000x16KiBLatency20ms(b *testing.B) {
	const n, size = 1000, 16 << 10
	s := benchSim(b)
	dir := filepath.Join(b.TempDir(), "small")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		randomFile(b, filepath.Join(dir, fmt.Sprintf("f%04d", i)), size)
	}
	m := goMega(b, s)
	c := benchClient(b, s, 16, 0)
	root, _, _ := c.Roots()
	rootEntry, _ := c.Stat(context.Background(), root)
	s.SetFaults(latencyFaults(20 * time.Millisecond))
	defer s.SetFaults(megasim.Faults{})
	b.Run("go-mega-loop", func(b *testing.B) {
		b.SetBytes(n * size)
		for i := 0; i < b.N; i++ {
			parent, err := m.CreateDir(fmt.Sprintf("gm-%d-%d", i, time.Now().UnixNano()), m.FS.GetRoot())
			if err != nil {
				b.Fatal(err)
			}
			for k := 0; k < n; k++ {
				if _, err := m.UploadFile(filepath.Join(dir, fmt.Sprintf("f%04d", k)), parent, fmt.Sprintf("f%04d", k), nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("megatui-16-files", func(b *testing.B) {
		b.SetBytes(n * size)
		for i := 0; i < b.N; i++ {
			req := uploadReq(dir, rootEntry)
			req.Name = fmt.Sprintf("mt-%d-%d", i, time.Now().UnixNano())
			runEngine(b, Options{Remote: c, Workers: 16}, req)
		}
	})
}

// BenchmarkDownload1GiBPeakRSS downloads (and, as megatui-upload, uploads)
// a 1 GiB file in a child process
// (this test binary re-executed as TestHelperDownloadProcess, so megasim's
// memory is not counted) and reports the child's peak RSS: the engine with
// megaclient, and go-mega's DownloadFile as the baseline.
func BenchmarkDownload1GiBPeakRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		b.Skip("peak RSS is read from Linux rusage")
	}
	const size = 1 << 30
	s := benchSim(b)
	dir := b.TempDir()
	src := filepath.Join(dir, "big.bin")
	randomFile(b, src, size)
	c := benchClient(b, s, 0, 0)
	root, _, _ := c.Roots()
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Upload(context.Background(), root, "big.bin", f, size, time.Now(), nil); err != nil {
		b.Fatal(err)
	}
	f.Close()
	for _, mode := range []string{"go-mega", "megatui", "megatui-upload"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(size)
			var peak int64
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, fmt.Sprintf("out-%s-%d", mode, i))
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDownloadProcess$", "-test.v")
				cmd.Env = append(os.Environ(), "MEGATUI_TRANSFER_HELPER="+mode, "MEGATUI_API_URL="+s.URL(),
					"SSL_CERT_FILE="+s.CAFile(), "MEGATUI_HELPER_OUT="+out, "MEGATUI_HELPER_SRC="+src)
				o, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(o), "--- PASS") {
					b.Fatalf("helper: %v\n%s", err, o)
				}
				// The child prints its own high-water mark (VmHWM). rusage's
				// Maxrss would also count the parent's RSS at exec time.
				var hwm int64
				if i := strings.Index(string(o), "VmHWM-KiB="); i >= 0 {
					fmt.Sscanf(string(o[i:]), "VmHWM-KiB=%d", &hwm)
				}
				if hwm == 0 {
					b.Fatalf("helper did not report its peak RSS:\n%s", o)
				}
				peak = max(peak, hwm)
				os.RemoveAll(out)
			}
			b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
		})
	}
}

// TestHelperDownloadProcess is the child process of
// BenchmarkDownload1GiBPeakRSS; it does nothing in a normal test run.
func TestHelperDownloadProcess(t *testing.T) {
	mode := os.Getenv("MEGATUI_TRANSFER_HELPER")
	if mode == "" {
		t.Skip("child process of BenchmarkDownload1GiBPeakRSS only")
	}
	out := os.Getenv("MEGATUI_HELPER_OUT")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	url := os.Getenv("MEGATUI_API_URL")
	if mode == "go-mega" {
		m := mega.New()
		m.SetAPIUrl(url)
		m.SetLogger(func(string, ...any) {})
		if err := m.Login(simEmail, simPass); err != nil {
			t.Fatal(err)
		}
		ns, err := m.FS.PathLookup(m.FS.GetRoot(), []string{"big.bin"})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.DownloadFile(ns[len(ns)-1], filepath.Join(out, "big.bin"), nil); err != nil {
			t.Fatal(err)
		}
	} else {
		// The defaults `megatui copy` runs with.
		c, err := megaclient.Connect(context.Background(), megaclient.Options{Email: simEmail, Password: simPass, APIURL: url,
			Workers: config.DefaultTransfers, ChunkWorkers: config.DefaultChunkWorkers})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		en, err := c.Stat(context.Background(), "/big.bin")
		if err != nil {
			t.Fatal(err)
		}
		req := downloadReq(en, out)
		if mode == "megatui-upload" {
			root, _, _ := c.Roots()
			re, err := c.Stat(context.Background(), root)
			if err != nil {
				t.Fatal(err)
			}
			req = uploadReq(os.Getenv("MEGATUI_HELPER_SRC"), re)
			req.Name = fmt.Sprintf("up-%d", time.Now().UnixNano())
			// The check below looks for a 1 GiB file in out.
			if err := os.Link(os.Getenv("MEGATUI_HELPER_SRC"), filepath.Join(out, "big.bin")); err != nil {
				t.Fatal(err)
			}
		}
		e := New(Options{Remote: c, Workers: config.DefaultTransfers})
		ctx, cancel := context.WithCancel(context.Background())
		defer func() { cancel(); _ = e.Wait() }()
		if err := e.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Enqueue(req); err != nil {
			t.Fatal(err)
		}
		if err := e.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		for _, j := range e.Snapshot() {
			if j.State != model.StateDone {
				t.Fatalf("%s: %s", j.State, j.Err)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(out, "big.bin")); err != nil || fi.Size() != 1<<30 {
		t.Fatalf("downloaded file: %v", err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			t.Logf("VmHWM-KiB=%s", strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
}

// BenchmarkExpand100kFolder queues a local folder of 100,000 files (a dry-run
// local copy, so only the engine's own work is measured) and reports when
// the first job started and when the whole folder was done, in ms after
// Enqueue: the first job must not wait for the scan.
func BenchmarkExpand100kFolder(b *testing.B) {
	const n = 100_000
	dir := filepath.Join(b.TempDir(), "many")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("photo-%06d.jpg", i)))
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	dst := b.TempDir()
	b.ResetTimer()
	var first, total time.Duration
	for i := 0; i < b.N; i++ {
		e := New(Options{DryRun: true})
		ctx, cancel := context.WithCancel(context.Background())
		if err := e.Start(ctx); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		started := make(chan time.Duration, 1)
		go func() {
			for ev := range e.Events() {
				if ev.Kind == EventState && ev.Job.State == model.StateRunning {
					select {
					case started <- time.Since(t0):
					default:
					}
				}
			}
		}()
		if _, err := e.Enqueue(Request{Src: Endpoint{Path: dir}, DstDir: Endpoint{Path: dst}}); err != nil {
			b.Fatal(err)
		}
		if err := e.WaitIdle(ctx); err != nil {
			b.Fatal(err)
		}
		total = time.Since(t0)
		first = <-started
		if got := e.Totals().Jobs; got != n {
			b.Fatalf("jobs: got %d, want %d", got, n)
		}
		cancel()
		_ = e.Wait()
	}
	b.ReportMetric(float64(first.Microseconds())/1000, "first-start-ms")
	b.ReportMetric(float64(total.Milliseconds()), "all-done-ms")
}
