package transfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// megaclient's Client is the engine's Remote.
var _ Remote = (*megaclient.Client)(nil)

const (
	simEmail = "transfer@example.com"
	simPass  = "transfer test password"
)

// simRetry retries quickly, and a corrupted download (one byte flipped in
// one of the 20 ranges of the biggest file) up to 10 times.
var simRetry = RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, MaxAttempts: 15, IntegrityAttempts: 10}

func startSimClient(t testing.TB, faults megasim.Faults) (*megasim.Server, *megaclient.Client) {
	t.Helper()
	s := megasimtest.Start(t, megasim.Options{Accounts: []megasim.Account{{Email: simEmail, Password: simPass}}, Seed: 7})
	c, err := megaclient.Connect(context.Background(), megaclient.Options{
		Remote: "mega", Email: simEmail, Password: simPass, APIURL: s.URL(), HTTPClient: s.HTTPClient(),
	})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	// Faults start after login, so the test exercises the transfers.
	s.SetFaults(faults)
	return s, c
}

// bigTree is 200 files from 0 bytes to 20 MiB in nested folders with
// Unicode names.
func bigTree() []spec {
	rng := rand.New(rand.NewPCG(3, 4))
	dirs := []string{"", "photos/", "photos/2024 été/", "docs/日本語/", "docs/日本語/深い/more/", "ünïcødé 📁/"}
	var specs []spec
	for i := 0; i < 200; i++ {
		var size int
		switch {
		case i == 0:
			size = 0
		case i == 1:
			size = 20 << 20
		case i < 6:
			size = 1<<20 + rng.IntN(4<<20)
		default:
			size = rng.IntN(40 << 10)
		}
		name := fmt.Sprintf("%sfile-%03d-ß✓.bin", dirs[i%len(dirs)], i)
		specs = append(specs, spec{name, size})
	}
	return specs
}

func remoteDuplicates(t *testing.T, c *megaclient.Client, id string) []string {
	t.Helper()
	var dups []string
	ents, err := c.List(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range ents {
		if seen[e.Name] {
			dups = append(dups, e.Name)
		}
		seen[e.Name] = true
		if e.IsDir() {
			dups = append(dups, remoteDuplicates(t, c, e.ID)...)
		}
	}
	return dups
}

func roundTripThroughMegasim(t *testing.T, faults megasim.Faults) *megasim.Server {
	if testing.Short() {
		t.Skip("megasim round trip skipped in -short mode")
	}
	specs := bigTree()
	src, back := t.TempDir(), t.TempDir()
	writeTree(t, filepath.Join(src, "tree"), specs)
	s, c := startSimClient(t, faults)
	root, _, _ := c.Roots()
	rootEntry, err := c.Stat(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, Options{Remote: c, Workers: 4, Retry: simRetry})
	if _, err := e.Enqueue(uploadReq(filepath.Join(src, "tree"), rootEntry)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	assertStates(t, e, model.StateDone)
	if d := remoteDuplicates(t, c, root); len(d) > 0 {
		t.Errorf("duplicate nodes on the server: %v", d)
	}
	tops, err := c.Lookup(context.Background(), root, "tree")
	if err != nil || len(tops) != 1 {
		t.Fatalf("uploaded folder: %v %v", tops, err)
	}
	e2 := start(t, Options{Remote: c, Workers: 4, Retry: simRetry})
	if _, err := e2.Enqueue(downloadReq(tops[0], back)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e2)
	assertStates(t, e2, model.StateDone)
	compareTrees(t, filepath.Join(src, "tree"), filepath.Join(back, "tree"), specs)
	t.Logf("faults injected: EAGAIN %d, HTTP 500 %d, dropped %d, corrupted %d", s.FaultCount("eagain"), s.FaultCount("http500"), s.FaultCount("drop"), s.FaultCount("corrupt"))
	return s
}

func TestMegasimRoundTrip200Files(t *testing.T) {
	t.Parallel()
	roundTripThroughMegasim(t, megasim.Faults{})
}

func TestMegasimRoundTripWithFaults(t *testing.T) {
	t.Parallel()
	s := roundTripThroughMegasim(t, megasim.Faults{EAGAINRate: 0.10, HTTP500Rate: 0.05, DropRate: 0.02, CorruptRate: 0.02})
	for _, kind := range []string{"eagain", "http500", "drop"} {
		if s.FaultCount(kind) == 0 {
			t.Errorf("no %s fault was injected: the test proved nothing about it", kind)
		}
	}
}

func TestMegasimOverwriteKeepsACopy(t *testing.T) {
	t.Parallel()
	_, c := startSimClient(t, megasim.Faults{})
	root, _, trash := c.Roots()
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	for i, content := range []string{"first version", "second version!"} {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2022, 1, 1+i, 0, 0, 0, 0, time.UTC)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		rootEntry, _ := c.Stat(ctx, root)
		e := start(t, Options{Remote: c, Conflict: model.ConflictOverwrite})
		if _, err := e.Enqueue(uploadReq(p, rootEntry)); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, e)
		assertStates(t, e, model.StateDone)
	}
	ents, _ := c.Lookup(ctx, root, "f.txt")
	if len(ents) != 1 || ents[0].Size != int64(len("second version!")) {
		t.Fatalf("after overwrite: %+v", ents)
	}
	if !ents[0].ModTimeKnown || ents[0].ModTime.Unix() != time.Date(2022, 1, 2, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("mtime on MEGA: %v (known %v)", ents[0].ModTime, ents[0].ModTimeKnown)
	}
	old, _ := c.Lookup(ctx, trash, "f.txt")
	if len(old) != 1 {
		t.Errorf("old version in the Rubbish Bin: got %d, want 1", len(old))
	}
}
