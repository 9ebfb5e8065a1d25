package megaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

// TestConcurrentUploadsIntoNestedFolders uploads files of mixed sizes (a
// few hundred bytes to 3 MiB) from 16 goroutines through one Client into
// a small folder tree, parents and children mixed, so a worker instance
// that was handed a sub-folder is later asked for its parent. Every upload
// must succeed at the first try and leave exactly one node.
func TestConcurrentUploadsIntoNestedFolders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, func(o *Options) { o.Workers = 8 })
	dirs := []string{"/up/a/b/c", "/up/a/b", "/up/a", "/up", "/up/x/y", "/up/x"}
	ids := map[string]string{}
	for _, d := range dirs {
		e, err := c.MkdirAll(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		ids[d] = e.ID
	}
	type job struct {
		dir, name string
		data      []byte
	}
	sizes := []int{512, 3 << 20, 700, 1 << 20, 2<<20 + 17, 100}
	var jobs []job
	for round := range 3 {
		for i, d := range dirs {
			n := len(jobs)
			jobs = append(jobs, job{d, fmt.Sprintf("f%02d.bin", n), randomBytes(sizes[(i+round)%len(sizes)], uint64(n))})
		}
	}
	const parallel = 16
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, errs[i] = c.Upload(ctx, ids[j.dir], j.name, bytes.NewReader(j.data), int64(len(j.data)), time.Unix(1700000000, 0), nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("upload %s: got %v, want success", path.Join(jobs[i].dir, jobs[i].name), err)
		}
	}
	for _, j := range jobs {
		es, err := c.Lookup(ctx, ids[j.dir], j.name)
		if err != nil || len(es) != 1 || es[0].Size != int64(len(j.data)) {
			t.Errorf("%s: got %d nodes (%v), want exactly one of %d bytes", path.Join(j.dir, j.name), len(es), err, len(j.data))
		}
	}
	// A fresh client sees the same: nothing was created twice.
	c2 := connect(t, s, nil)
	for _, d := range dirs {
		es, err := c2.List(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for _, e := range es {
			if !e.IsDir() {
				files++
			}
		}
		if files != 3 {
			t.Errorf("%s: got %d files on the server, want 3", d, files)
		}
	}
}

// A worker handed /p/q holds an empty stand-in for /p; an upload into /p
// on that same worker must go to /p, not to "".
func TestUploadIntoParentOfHandedOverFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, func(o *Options) { o.Workers = 1 }) // one worker: both uploads use it
	q, err := c.MkdirAll(ctx, "/p/q")
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Stat(ctx, "/p")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{q.ID, p.ID} {
		if _, err := c.Upload(ctx, dir, "f.txt", bytes.NewReader([]byte("hello")), 5, time.Unix(1700000000, 0), nil); err != nil {
			t.Fatalf("upload into %s: got %v, want success", dir, err)
		}
	}
	for _, d := range []string{"/p/q/f.txt", "/p/f.txt"} {
		if _, err := c.Stat(ctx, d); err != nil {
			t.Errorf("stat %s: got %v, want the uploaded file", d, err)
		}
	}
}

// A new node whose command names another parent than the one registered
// is refused at once (go-mega sees "bad arguments", no retries, nothing
// reaches the server) and the operation can tell why.
func TestRefusedRewriteFailsFast(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	a, err := c.MkdirAll(ctx, "/a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.MkdirAll(ctx, "/b")
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.current()
	if err != nil {
		t.Fatal(err)
	}
	nb, err := c.megaNode(m, b.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	placeholder := placeholderName()
	defer c.hub.rw.setNewNode(a.ID, placeholder, Attrs{Name: "x"})()
	before := s.CommandCount("p")
	_, err = m.CreateDir(placeholder, nb)
	if !errors.Is(err, mega.EARGS) {
		t.Errorf("create in the wrong parent: got %v, want %v", err, mega.EARGS)
	}
	if rerr := c.hub.rw.refusal(placeholder); rerr == nil || !strings.Contains(rerr.Error(), b.ID) {
		t.Errorf("refusal: got %v, want one naming %s", rerr, b.ID)
	}
	if got := s.CommandCount("p"); got != before {
		t.Errorf("got %d p commands on the server, want %d (nothing sent)", got, before)
	}
}
