package dedupe

import (
	"context"
	"fmt"
	"testing"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// benchAccount returns a client logged in to an account of nodes nodes
// under Cloud Drive, seeded with megasim's SeedTree and loaded through
// megaclient (the tree is downloaded and decrypted at Connect; names are
// decrypted lazily on first listing). 82% of the nodes form one tree;
// then each of up to 100 of its folders gets the same 90 files twice (as
// a retried upload would), so the account holds many same-name groups of
// identical copies spread over many folders.
func benchAccount(b *testing.B, nodes int) (*megaclient.Client, int) {
	b.Helper()
	ctx := context.Background()
	srv, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: testEmail, Password: testPass, Version: 2}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	const perCopy = 90
	targets := min(100, nodes*18/100/(2*perCopy))
	if _, err := srv.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: nodes - targets*2*perCopy, FanOut: 100, SubFolders: 10, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	seeder, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: testEmail, Password: testPass,
		APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	if err != nil {
		b.Fatal(err)
	}
	sc, err := Scan(ctx, seeder, "/")
	seeder.Close()
	if err != nil {
		b.Fatal(err)
	}
	var folders []string
	for _, e := range sc.Entries {
		if e.IsDir() && len(folders) < targets {
			folders = append(folders, e.ID)
		}
	}
	for _, h := range folders {
		for range 2 {
			// The same seed twice: same names, same content.
			if _, err := srv.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Parent: h, Nodes: perCopy, FanOut: perCopy,
				SubFolders: 1, NamePrefix: "copy", FileSize: 100, Seed: 7}); err != nil {
				b.Fatal(err)
			}
		}
	}
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: testEmail, Password: testPass,
		APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c, len(folders)
}

// BenchmarkDetect100k measures duplicate detection over a whole account:
// scan (walk megaclient's in-memory tree into entries), detect (group
// and classify same-name and collision groups), and both, for 100,000
// nodes next to a 1,000-node baseline in the same run.
//
//	go test -run '^$' -bench Detect100k -benchmem ./dedupe/
func BenchmarkDetect100k(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1_000, 100_000} {
		c, _ := benchAccount(b, n)
		sc, err := Scan(ctx, c, "/") // warm: names decrypted once
		if err != nil {
			b.Fatal(err)
		}
		groups := Detect(sc.Entries, false, nil)
		identical := 0
		for _, g := range groups {
			if g.Class == model.Identical {
				identical++
			}
		}
		b.Logf("%d nodes: %d entries, %d groups (%d identical)", n, len(sc.Entries), len(groups), identical)
		label := fmt.Sprintf("nodes-%d", n)
		if n == 1_000 {
			label = "baseline-1k"
		}
		b.Run(label+"/scan", func(b *testing.B) {
			for b.Loop() {
				if _, err := Scan(ctx, c, "/"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(label+"/detect", func(b *testing.B) {
			for b.Loop() {
				Detect(sc.Entries, false, nil)
			}
		})
		b.Run(label+"/detect-no-fold", func(b *testing.B) {
			for b.Loop() {
				model.FindDuplicates(sc.Entries, model.DetectOptions{})
			}
		})
		b.Run(label+"/scan+detect", func(b *testing.B) {
			for b.Loop() {
				s, err := Scan(ctx, c, "/")
				if err != nil {
					b.Fatal(err)
				}
				Detect(s.Entries, false, nil)
			}
		})
	}
}
