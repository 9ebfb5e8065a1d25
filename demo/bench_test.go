package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// BenchmarkManyFiles compares the two ways of creating the demo's folder
// of small files: one megaclient upload per file (8 in parallel) against
// megasim's SeedTree, per 1,000 files of 512 bytes. Start uses SeedTree.
//
//	go test -run '^$' -bench ManyFiles -benchtime 3x ./demo/
func BenchmarkManyFiles(b *testing.B) {
	const files = 1000
	ctx := context.Background()
	for _, how := range []string{"upload-parallel-8", "seedtree"} {
		b.Run(how, func(b *testing.B) {
			srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: DemoEmail, Password: "pw", Version: 2}}})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "demo", Email: DemoEmail, Password: "pw",
				APIURL: srv.URL(), HTTPClient: srv.HTTPClient(), Workers: 8})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			i := 0
			var spent time.Duration
			for b.Loop() {
				i++
				b.StopTimer()
				dir, err := c.MkdirAll(ctx, fmt.Sprintf("/many-%d", i))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				t0 := time.Now()
				if how == "seedtree" {
					_, err = srv.SeedTree(DemoEmail, megasim.SeedOptions{Password: "pw", Parent: dir.ID, Nodes: files + 10,
						FanOut: files + 10, FileSize: 512, Seed: int64(i), Notify: true})
				} else {
					specs := make([]spec, files)
					for j := range specs {
						specs[j] = spec{name: fmt.Sprintf("f-%d.txt", j), data: Text(fmt.Sprint(j), 512), mtime: day(2024, 1, 1)}
					}
					err = uploadAll(ctx, c, fixedDir(dir.ID), specs, 8, func() {})
				}
				spent += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(spent.Microseconds())/float64(b.N*files), "µs/file")
			b.ReportMetric(0, "ns/op")
		})
	}
}
