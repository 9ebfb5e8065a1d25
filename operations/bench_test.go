package operations

import (
	"context"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// benchTree seeds about 10,000 small files on MEGA (with fingerprints, as
// MEGA's apps store them) and mirrors them to a local folder with one
// sync, so that both sides are identical.
func benchTree(b *testing.B) (*megasim.Server, *megaclient.Client, *Local, *Mega, int) {
	b.Helper()
	s := startSim(b)
	res, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 11200, FanOut: 100, SubFolders: 10, FileSize: 256, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	c := connect(b, s)
	dir := b.TempDir()
	local, _ := NewLocal(dir, nil)
	mega := NewMega(c, "mega", "/")
	ctx := context.Background()
	start := time.Now()
	r, err := Sync(ctx, mega, local, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, Transfers: 8})
	if err != nil || r.Failed > 0 || r.New != res.Files {
		b.Fatalf("mirror: %+v, %v (want %d new)", r, err, res.Files)
	}
	b.Logf("mirrored %d files in %d folders in %v", res.Files, res.Folders, time.Since(start).Round(time.Millisecond))
	return s, c, local, mega, res.Files
}

// requests counts every API command and data request made.
func requests(s *megasim.Server) int {
	n := 0
	for _, k := range []string{"f", "g", "u", "p", "m", "a", "d", "l", "uq", "ug", "upload-piece", "download-range"} {
		n += s.CommandCount(k)
	}
	return n
}

// BenchmarkNoOpOn10kFiles measures, in one run, a full listing of both
// trees (the baseline: what any comparison must at least do), a check of
// the identical trees and a sync of the unchanged tree, with the requests
// each makes.
//
//	go test ./operations -run '^$' -bench NoOpOn10kFiles -benchtime 3x
func BenchmarkNoOpOn10kFiles(b *testing.B) {
	s, c, local, mega, files := benchTree(b)
	ctx := context.Background()
	type result struct {
		d    time.Duration
		reqs int
	}
	measure := func(fn func() error) result {
		before := requests(s)
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		return result{time.Since(start), requests(s) - before}
	}
	var base, check, sync result
	b.ResetTimer()
	for range b.N {
		r := measure(func() error {
			if _, err := Walk(ctx, local, WalkOptions{}); err != nil {
				return err
			}
			_, err := Walk(ctx, mega, WalkOptions{})
			return err
		})
		base.d += r.d
		base.reqs += r.reqs
		r = measure(func() error {
			res, err := Check(ctx, local, mega, CheckOptions{})
			if err == nil && (res.Matches != files || res.Differences() != 0) {
				b.Fatalf("check: %d matches, %d differences; want %d, 0", res.Matches, res.Differences(), files)
			}
			return err
		})
		check.d += r.d
		check.reqs += r.reqs
		r = measure(func() error {
			res, err := Sync(ctx, local, mega, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1})
			if err == nil && (res.Identical != files || res.New+res.Updated+res.Deleted != 0) {
				b.Fatalf("sync: %+v", res)
			}
			return err
		})
		sync.d += r.d
		sync.reqs += r.reqs
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64(base.d/n)/1e6, "listing-ms")
	b.ReportMetric(float64(check.d/n)/1e6, "check-ms")
	b.ReportMetric(float64(sync.d/n)/1e6, "sync-ms")
	b.ReportMetric(float64(check.d)/float64(base.d), "check/listing")
	b.ReportMetric(float64(sync.d)/float64(base.d), "sync/listing")
	b.ReportMetric(float64(check.reqs)/float64(b.N), "check-requests")
	b.ReportMetric(float64(sync.reqs)/float64(b.N), "sync-requests")
	b.ReportMetric(float64(files), "files")
}
