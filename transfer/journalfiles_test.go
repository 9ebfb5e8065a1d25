package transfer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestFinishedJournalRemoved(t *testing.T) {
	t.Parallel()
	src, dst, state := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "f"), []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	jp := filepath.Join(state, "copy-0123456789abcdef.jsonl")
	e := New(Options{JournalPath: jp, Retry: fastRetry})
	ctx, cancel := context.WithCancel(context.Background())
	if err := e.Start(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range e.Events() {
		}
	}()
	if _, err := e.Enqueue(Request{Src: Endpoint{Path: filepath.Join(src, "f")}, DstDir: Endpoint{Path: dst}}); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e)
	cancel()
	if err := e.Wait(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(state, "*"))
	if len(left) != 0 {
		t.Fatalf("state folder after a finished copy: %v, want empty", left)
	}
}

func TestAbandonedJournalsPruned(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	now := time.Now()
	write := func(name string, size int, age time.Duration) string {
		p := filepath.Join(state, name)
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		mt := now.Add(-age)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := write("copy-aaaaaaaaaaaaaaaa.jsonl", 10, 40*24*time.Hour)
	oldLocked := write("copy-bbbbbbbbbbbbbbbb.jsonl", 10, 40*24*time.Hour)
	lock, err := lockJournal(oldLocked) // another process is running it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	// Six recent journals of nearly 4 MiB: over the 16 MiB bound together.
	var recent []string
	for i := range 6 {
		recent = append(recent, write(fmt.Sprintf("copy-%016x.jsonl", 0xc0+i), 4<<20-1024, time.Duration(10-i)*time.Hour))
	}
	tui := write("transfers.jsonl", 20<<20, 60*24*time.Hour)
	otherKind := write("move-dddddddddddddddd.jsonl", 10, 40*24*time.Hour)

	pruneJournals(filepath.Join(state, "copy-eeeeeeeeeeeeeeee.jsonl"), now)

	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	for p, want := range map[string]bool{
		old: false, oldLocked: true, tui: true, otherKind: true,
		recent[0]: false, recent[1]: false, recent[2]: true, recent[5]: true,
	} {
		if exists(p) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), !want, want)
		}
	}
	var total int64
	for _, p := range recent {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	if total > journalMaxTotal {
		t.Errorf("copy journals hold %d bytes, bound %d", total, journalMaxTotal)
	}
}
