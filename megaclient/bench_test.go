package megaclient

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
	mega "github.com/t3rm1n4l/go-mega"
)

// BenchmarkLoginFirstListing100k measures a session resume up to the first
// listing of Cloud Drive, and the heap the connected client holds, for an
// account of 100,000 nodes (megasim.SeedTree: folders of 100 children, 10
// of them folders, the rest files with a `c` fingerprint) next to a
// small-account baseline of 100 nodes, in the same run.
//
//	go test -run '^$' -bench LoginFirstListing -benchtime 3x ./megaclient/
func BenchmarkLoginFirstListing100k(b *testing.B) {
	for _, size := range []struct {
		name  string
		nodes int
	}{{"baseline-100", 100}, {"nodes-100k", 100000}} {
		b.Run(size.name, func(b *testing.B) {
			ctx := context.Background()
			s := startSim(b)
			res, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: size.nodes, FanOut: 100, SubFolders: 10, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			if res.Folders+res.Files != size.nodes {
				b.Fatalf("seeded %d folders and %d files, want %d nodes", res.Folders, res.Files, size.nodes)
			}
			store := &memStore{}
			connect(b, s, func(o *Options) { o.Store = store }).Close()
			var heap, progressCalls float64
			b.ResetTimer()
			for range b.N {
				calls := 0
				c, err := Connect(ctx, Options{Remote: "mega", Email: testEmail, APIURL: s.URL(), HTTPClient: s.HTTPClient(), Store: store,
					Progress: func(read, total int64) { calls++ }})
				if err != nil {
					b.Fatal(err)
				}
				es, err := c.List(ctx, "/")
				if err != nil || len(es) != min(100, size.nodes) {
					b.Fatalf("list: got %d entries, %v; want 100", len(es), err)
				}
				b.StopTimer()
				if n := c.tree.count(); n < size.nodes {
					b.Fatalf("tree holds %d nodes, want ≥ %d", n, size.nodes)
				}
				// The client's heap: live minus after it is closed and
				// released (megasim shares the process, and its reply
				// cache keeps the f reply, so a plain before/after would
				// count server memory too).
				runtime.GC()
				var alive, released runtime.MemStats
				runtime.ReadMemStats(&alive)
				parked := c.tr.parked
				c.Close()
				c = nil
				select {
				case <-parked:
				case <-time.After(10 * time.Second):
					b.Fatal("closed client's poller never parked")
				}
				time.Sleep(20 * time.Millisecond)
				runtime.GC()
				runtime.ReadMemStats(&released)
				heap += float64(alive.HeapAlloc) - float64(released.HeapAlloc)
				progressCalls += float64(calls)
				b.StartTimer()
			}
			b.ReportMetric(heap/float64(b.N)/(1<<20), "heapMiB")
			b.ReportMetric(progressCalls/float64(b.N), "progress-calls")
		})
	}
}

// BenchmarkGoMegaLogin100k is the same resume-and-list with go-mega alone
// (its full index of the 100,000 nodes), for comparison.
func BenchmarkGoMegaLogin100k(b *testing.B) {
	s := startSim(b)
	if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 100000, FanOut: 100, SubFolders: 10, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	first := mega.New().SetClient(s.HTTPClient())
	first.SetAPIUrl(s.URL())
	first.SetLogger(nil)
	if err := first.Login(testEmail, testPass); err != nil {
		b.Fatal(err)
	}
	sid, key := first.GetSessionID(), first.GetMasterKey()
	var heap float64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		m := mega.New().SetClient(s.HTTPClient())
		m.SetAPIUrl(s.URL())
		m.SetLogger(nil)
		if err := m.LoginWithKeys(sid, key); err != nil {
			b.Fatal(err)
		}
		kids, err := m.FS.GetChildren(m.FS.GetRoot())
		if err != nil || len(kids) != 100 {
			b.Fatalf("got %d children, %v", len(kids), err)
		}
		for _, k := range kids {
			_ = k.GetName()
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		// Includes megasim's cached f reply; an upper bound.
		heap += float64(after.HeapAlloc) - float64(before.HeapAlloc)
		runtime.KeepAlive(m)
		b.StartTimer()
	}
	b.ReportMetric(heap/float64(b.N)/(1<<20), "heapMiB-upper")
}

// BenchmarkList10k lists a folder of 10,000 entries from the loaded tree
// (the first listing also decrypts the names), against a 100-entry folder.
//
//	go test -run '^$' -bench List10k ./megaclient/
func BenchmarkList10k(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("entries-%d", n), func(b *testing.B) {
			ctx := context.Background()
			s := startSim(b)
			if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: n, FanOut: n, SubFolders: 1, Seed: 2}); err != nil {
				b.Fatal(err)
			}
			c := connect(b, s, nil)
			b.ResetTimer()
			for range b.N {
				es, err := c.List(ctx, "/")
				if err != nil || len(es) != n {
					b.Fatalf("got %d entries, %v; want %d", len(es), err, n)
				}
			}
		})
	}
}
