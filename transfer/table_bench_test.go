package transfer

// BenchmarkTransferTable measures, in one run and against one megasim,
// everything the transfer data path is judged by, and prints a table of
// figures and ratios at the end:
//
//	go test -run '^$' -bench TransferTable -benchtime 1x -timeout 30m ./transfer/
//
//   - the machine's limit: AES-128-CTR plus MEGA's CBC-MAC over the same
//     bytes on every core (GOMAXPROCS goroutines), with nothing else running;
//     and, for downloads, how fast this disk takes a file (1 MiB writes and
//     an fsync, as the partial file of a download gets);
//   - 300 files of 16 KiB up and down at 20 ms per request, go-mega's
//     defaults (one instance, one file after the other) against the engine
//     with 4 and 16 transfers;
//   - one 256 MiB file up and down at 0 and 20 ms, go-mega's defaults
//     (UploadFile / DownloadFile) against the engine, in
//     MEGATUI_BENCH_ROUNDS rounds (default 3) keeping the fastest of
//     each, with the crypto limit measured again before each group.
//
// MEGATUI_BENCH_SMALL and MEGATUI_BENCH_BIG (a file count and a size in
// MiB) shrink the run for quick profiling.

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

type tableRow struct {
	name    string
	bytes   int64
	elapsed time.Duration
	note    string
}

func (r tableRow) mbps() float64 { return float64(r.bytes) / r.elapsed.Seconds() / 1e6 }

type table struct {
	mu   sync.Mutex
	rows map[string]tableRow
}

// add records a measurement; of several under one name (rounds), the
// fastest is kept: on a shared machine the others measured the load.
func (t *table) add(r tableRow) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rows == nil {
		t.rows = map[string]tableRow{}
	}
	if old, ok := t.rows[r.name]; ok && old.elapsed <= r.elapsed {
		return
	}
	t.rows[r.name] = r
}

func (t *table) get(name string) (tableRow, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.rows[name]
	return r, ok
}

// measure runs fn once as sub-benchmark name and records its time.
func (t *table) measure(b *testing.B, name string, bytes int64, fn func(b *testing.B) string) {
	b.Run(name, func(b *testing.B) {
		b.SetBytes(bytes)
		var total time.Duration
		var note string
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			note = fn(b)
			total += time.Since(t0)
		}
		t.add(tableRow{name: name, bytes: bytes, elapsed: total / time.Duration(b.N), note: note})
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// cryptoLimit encrypts (CTR) and MACs (CBC, MEGA's chunk MAC) size bytes
// on every core at once, in 1 MiB chunks as a transfer does, and returns
// the total bytes processed.
func cryptoLimit(size int64) int64 {
	procs := runtime.GOMAXPROCS(0)
	per := size / int64(procs)
	var wg sync.WaitGroup
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := make([]byte, 16)
			key[0] = byte(p)
			blk, _ := aes.NewCipher(key)
			buf := make([]byte, 1<<20)
			scratch := make([]byte, 64<<10)
			iv := make([]byte, 16)
			for done := int64(0); done < per; done += int64(len(buf)) {
				mac := cipher.NewCBCEncrypter(blk, iv)
				for i := 0; i < len(buf); i += len(scratch) {
					mac.CryptBlocks(scratch, buf[i:i+len(scratch)])
				}
				cipher.NewCTR(blk, iv).XORKeyStream(buf, buf)
			}
		}()
	}
	wg.Wait()
	return per * int64(procs)
}

// diskWriteLimit writes size bytes to a new file in the benchmark's
// temporary folder, 1 MiB at a time, and syncs it: what writing a
// download costs on this machine with no network and no crypto.
func diskWriteLimit(b *testing.B, size int64) {
	f, err := os.Create(filepath.Join(b.TempDir(), "disk.bin"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(buf)) {
		if _, err := f.WriteAt(buf, off); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
}

// benchCLIClient connects the way `megatui copy` does with the default
// configuration.
func benchCLIClient(b *testing.B, s *megasim.Server) *megaclient.Client {
	return benchClient(b, s, config.DefaultTransfers, config.DefaultChunkWorkers)
}

func BenchmarkTransferTable(b *testing.B) {
	nSmall := envInt("MEGATUI_BENCH_SMALL", 300)
	bigMiB := envInt("MEGATUI_BENCH_BIG", 256)
	const smallSize = 16 << 10
	bigSize := int64(bigMiB) << 20
	var t table
	ctx := context.Background()

	loadBefore := loadAvg()
	t.measure(b, "crypto-limit", 1<<30, func(b *testing.B) string {
		cryptoLimit(1 << 30)
		return fmt.Sprintf("AES-CTR + CBC-MAC, %d goroutines", runtime.GOMAXPROCS(0))
	})

	// In memory: the emulator's disk writes are not the client's data
	// path (and on this machine's virtual disk they cost more CPU than
	// the crypto). Big files are deleted after each measurement.
	s := megasimtest.Start(b, megasim.Options{Accounts: []megasim.Account{{Email: simEmail, Password: simPass}}})
	m := goMega(b, s)
	c := benchCLIClient(b, s)
	root, _, _ := c.Roots()
	rootEntry, err := c.Stat(ctx, root)
	if err != nil {
		b.Fatal(err)
	}

	// Small files.
	dir := filepath.Join(b.TempDir(), "small")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < nSmall; i++ {
		randomFile(b, filepath.Join(dir, fmt.Sprintf("f%04d", i)), smallSize)
	}
	smallBytes := int64(nSmall) * smallSize
	gmSmall, err := m.CreateDir(fmt.Sprintf("gm-small-%d", time.Now().UnixNano()), m.FS.GetRoot())
	if err != nil {
		b.Fatal(err)
	}
	var seedSmall model.Entry
	s.SetFaults(latencyFaults(20 * time.Millisecond))
	t.measure(b, "small/20ms/up/go-mega", smallBytes, func(b *testing.B) string {
		for k := 0; k < nSmall; k++ {
			name := fmt.Sprintf("f%04d", k)
			if _, err := m.UploadFile(filepath.Join(dir, name), gmSmall, name, nil); err != nil {
				b.Fatal(err)
			}
		}
		return "UploadFile in a loop"
	})
	for _, n := range []int{4, 16} {
		t.measure(b, fmt.Sprintf("small/20ms/up/transfers-%d", n), smallBytes, func(b *testing.B) string {
			req := uploadReq(dir, rootEntry)
			req.Name = fmt.Sprintf("mt-%d-%d", n, time.Now().UnixNano())
			runEngine(b, Options{Remote: c, Workers: n}, req)
			e, err := c.Stat(ctx, "/"+req.Name)
			if err != nil {
				b.Fatal(err)
			}
			seedSmall = e
			return ""
		})
	}
	t.measure(b, "small/20ms/down/go-mega", smallBytes, func(b *testing.B) string {
		out := b.TempDir()
		kids, err := m.FS.GetChildren(gmSmall)
		if err != nil || len(kids) != nSmall {
			b.Fatalf("go-mega folder: %d files, %v", len(kids), err)
		}
		for _, k := range kids {
			if err := m.DownloadFile(k, filepath.Join(out, k.GetName()), nil); err != nil {
				b.Fatal(err)
			}
		}
		return "DownloadFile in a loop"
	})
	for _, n := range []int{4, 16} {
		t.measure(b, fmt.Sprintf("small/20ms/down/transfers-%d", n), smallBytes, func(b *testing.B) string {
			runEngine(b, Options{Remote: c, Workers: n}, downloadReq(seedSmall, b.TempDir()))
			return ""
		})
	}
	s.SetFaults(megasim.Faults{})

	// One big file.
	src := filepath.Join(b.TempDir(), "big.bin")
	randomFile(b, src, bigSize)
	gmNode, err := m.UploadFile(src, m.FS.GetRoot(), "seed-go-mega.bin", nil)
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	seedBig, err := c.Upload(ctx, root, "seed-megatui.bin", f, bigSize, time.Now(), nil)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	rounds := envInt("MEGATUI_BENCH_ROUNDS", 3)
	for round := 0; round < rounds; round++ {
		for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
			// The crypto limit again next to each group, so the ratios
			// compare figures measured under the same load.
			ms := fmt.Sprintf("%dms", lat.Milliseconds())
			t.measure(b, "big/"+ms+"/crypto-limit", 256<<20, func(b *testing.B) string {
				cryptoLimit(256 << 20)
				return ""
			})
			if lat == 0 {
				t.measure(b, "big/0ms/disk-write-limit", bigSize, func(b *testing.B) string {
					diskWriteLimit(b, bigSize)
					return "1 MiB writes and an fsync, as a download's partial file gets"
				})
			}
			s.SetFaults(latencyFaults(lat))
			t.measure(b, "big/"+ms+"/up/go-mega", bigSize, func(b *testing.B) string {
				n, err := m.UploadFile(src, m.FS.GetRoot(), fmt.Sprintf("gm-%d", time.Now().UnixNano()), nil)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = m.Delete(n, true)
				b.StartTimer()
				return ""
			})
			t.measure(b, "big/"+ms+"/up/megatui", bigSize, func(b *testing.B) string {
				req := uploadReq(src, rootEntry)
				req.Name = fmt.Sprintf("mt-%d", time.Now().UnixNano())
				runEngine(b, Options{Remote: c}, req)
				b.StopTimer()
				if e, err := c.Stat(ctx, "/"+req.Name); err == nil {
					_ = c.Delete(ctx, e.ID, true)
				}
				b.StartTimer()
				return ""
			})
			t.measure(b, "big/"+ms+"/down/go-mega", bigSize, func(b *testing.B) string {
				dst := filepath.Join(b.TempDir(), "out")
				if err := m.DownloadFile(gmNode, dst, nil); err != nil {
					b.Fatal(err)
				}
				return ""
			})
			t.measure(b, "big/"+ms+"/down/megatui", bigSize, func(b *testing.B) string {
				runEngine(b, Options{Remote: c}, downloadReq(seedBig, b.TempDir()))
				return ""
			})
			s.SetFaults(megasim.Faults{})
		}
	}
	s.SetFaults(megasim.Faults{})
	// Printed, not logged: a parent benchmark's log is not shown.
	fmt.Printf("load average before the run %s, after %s\n%s", loadBefore, loadAvg(), t.render())
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(data))[:3], " ")
}

// render prints every row with its speed and the ratios the data path is
// judged by.
func (t *table) render() string {
	var sb strings.Builder
	names := make([]string, 0, len(t.rows))
	for n := range t.rows {
		names = append(names, n)
	}
	sort.Strings(names)
	limit, hasLimit := t.get("crypto-limit")
	fmt.Fprintf(&sb, "%-32s %10s %10s  %s\n", "case", "seconds", "MB/s", "vs go-mega / vs crypto limit")
	for _, n := range names {
		r := t.rows[n]
		ratio := ""
		if i := strings.LastIndex(n, "/"); i >= 0 && !strings.HasSuffix(n, "/go-mega") {
			if base, ok := t.rows[n[:i]+"/go-mega"]; ok {
				ratio = fmt.Sprintf("%.1f× go-mega", base.elapsed.Seconds()/r.elapsed.Seconds())
			}
		}
		if strings.HasPrefix(n, "big/") && !strings.HasSuffix(n, "-limit") {
			parts := strings.Split(n, "/")
			if near, ok := t.rows["big/"+parts[1]+"/crypto-limit"]; ok {
				ratio += fmt.Sprintf("  limit/this %.2f", near.mbps()/r.mbps())
			} else if hasLimit {
				ratio += fmt.Sprintf("  limit/this %.2f", limit.mbps()/r.mbps())
			}
		}
		if r.note != "" {
			ratio += "  (" + r.note + ")"
		}
		fmt.Fprintf(&sb, "%-32s %10.3f %10.1f  %s\n", n, r.elapsed.Seconds(), r.mbps(), ratio)
	}
	for _, dir := range []string{"up", "down"} {
		a, ok1 := t.rows["small/20ms/"+dir+"/transfers-4"]
		b, ok2 := t.rows["small/20ms/"+dir+"/transfers-16"]
		if ok1 && ok2 {
			fmt.Fprintf(&sb, "small files %s: 16 transfers are %.1f× faster than 4\n", dir, a.elapsed.Seconds()/b.elapsed.Seconds())
		}
	}
	return sb.String()
}
