package megasim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPersistence: a restarted server with the same --data keeps
// accounts, sessions, nodes, links, the action log and ciphertext.
func TestPersistence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opts := Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: testPassword, Version: 2}}}
	srv1, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	m := login(t, srv1, testEmail, testPassword)
	sid := m.GetSessionID()
	d, err := m.CreateDir("kept-folder", m.FS.GetRoot())
	if err != nil {
		t.Fatal(err)
	}
	content := randomContent(t, 700000)
	n, err := m.UploadFile(tempFile(t, "kept.bin", content), d, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := m.UploadFile(tempFile(t, "gone.bin", []byte("bye")), d, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(gone, true); err != nil {
		t.Fatal(err)
	}
	link, err := m.Link(n, false)
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, sn1 := rawSession(t, srv1)
	before := fetchNodes(t, srv1, sid)
	if err := srv1.Close(); err != nil {
		t.Fatal(err)
	}

	srv2 := startServer(t, opts)
	after := fetchNodes(t, srv2, sid) // the old session still works
	mustEqual(t, "nodes after restart", len(after), len(before))
	for i := range before {
		for _, k := range []string{"h", "p", "a", "k", "ts"} {
			if before[i][k] != after[i][k] {
				t.Fatalf("node %d field %s: got %v, want %v", i, k, after[i][k], before[i][k])
			}
		}
	}
	_, _, _, sn2 := rawSession(t, srv2)
	mustEqual(t, "sn after restart", sn2, sn1)

	m2 := login(t, srv2, testEmail, testPassword)
	dir2 := childByName(t, m2, m2.FS.GetRoot(), "kept-folder")
	file2 := childByName(t, m2, dir2, "kept.bin")
	got, err := downloadBytes(t, m2, file2)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, content) {
		t.Fatal("content differs after restart")
	}
	link2, err := m2.Link(file2, false)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "link after restart", link2, link)
	if kids, _ := m2.FS.GetChildren(dir2); len(kids) != 1 {
		t.Fatalf("folder has %d children after restart, want 1 (the deleted file must stay gone)", len(kids))
	}
}

func TestRestartWithWrongPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv, err := Start(Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: testPassword, Version: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if srv, err := Start(Options{DataDir: dir, Accounts: []Account{{Email: testEmail, Password: "other", Version: 1}}}); err == nil {
		_ = srv.Close()
		t.Fatal("restart with another password must fail")
	}
}

// TestMemBlobsWrites: pieces written out of order, overlapping, repeated
// and across page boundaries read back exactly; bytes never written (gaps,
// the tail, whole pages skipped) read as zeros.
func TestMemBlobsWrites(t *testing.T) {
	t.Parallel()
	const size = 3*pageSize + 12345
	tests := []struct {
		name   string
		writes func(r *rand.Rand) [][2]int // offset, length
	}{
		{"in order, MEGA chunk sizes", func(*rand.Rand) [][2]int {
			var w [][2]int
			for off, n := 0, 128<<10; off < size; off, n = off+n, min(n+128<<10, pageSize) {
				w = append(w, [2]int{off, min(n, size-off)})
			}
			return w
		}},
		{"reversed", func(*rand.Rand) [][2]int {
			var w [][2]int
			for off := size; off > 0; off -= 300000 {
				w = append(w, [2]int{max(off-300000, 0), min(300000, off)})
			}
			return w
		}},
		{"random, overlapping, repeated", func(r *rand.Rand) [][2]int {
			var w [][2]int
			for range 200 {
				off := r.IntN(size)
				w = append(w, [2]int{off, r.IntN(min(size-off, 2*pageSize)) + 1})
			}
			return append(w, w[:50]...)
		}},
		{"sparse: only the last page", func(*rand.Rand) [][2]int {
			return [][2]int{{size - 100, 100}, {3*pageSize - 10, 20}}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			m := newMemBlobs()
			if err := m.create("b"); err != nil {
				t.Fatal(err)
			}
			want := make([]byte, size+1000)
			for _, w := range tc.writes(r) {
				p := make([]byte, w[1])
				for j := range p {
					p[j] = byte(r.Uint32() | 1) // never zero: a lost byte shows
				}
				copy(want[w[0]:], p)
				if err := m.writeAt("b", p, int64(w[0])); err != nil {
					t.Fatal(err)
				}
			}
			got := make([]byte, len(want))
			if n, err := m.readAt("b", got, 0); err != nil || n != len(got) {
				t.Fatalf("read all: got %d, %v; want %d, nil", n, err, len(got))
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("content differs at byte %d", firstDiff(got, want))
			}
			// Reads at odd offsets and lengths, across page boundaries.
			for range 100 {
				off := r.IntN(len(want))
				part := make([]byte, r.IntN(len(want)-off)+1)
				for j := range part {
					part[j] = 0xAA // stale content must be overwritten
				}
				if _, err := m.readAt("b", part, int64(off)); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(part, want[off:off+len(part)]) {
					t.Fatalf("read %d bytes at %d: differs at byte %d", len(part), off, firstDiff(part, want[off:]))
				}
			}
			if fp := m.footprint(); fp > 4*pageSize {
				t.Errorf("footprint %d bytes for a %d-byte blob, want at most %d", fp, size, 4*pageSize)
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestMemBlobsFootprint: many small blobs cost about their size, not a
// page each (10,000 files of 512 bytes took 10 GiB with whole pages).
func TestMemBlobsFootprint(t *testing.T) {
	t.Parallel()
	const files, size = 10000, 512
	m := newMemBlobs()
	p := bytes.Repeat([]byte{0x5a}, size)
	for i := range files {
		id := fmt.Sprintf("blob%05d", i)
		if err := m.create(id); err != nil {
			t.Fatal(err)
		}
		if err := m.writeAt(id, p, 0); err != nil {
			t.Fatal(err)
		}
	}
	// A blob written in MEGA's upload pieces (128 KiB, 256 KiB, ...) of
	// 1.5 MiB costs at most its size rounded up to whole pages.
	if err := m.create("big"); err != nil {
		t.Fatal(err)
	}
	const big = 3 * pageSize / 2
	for off, n := 0, 128<<10; off < big; off, n = off+n, n+128<<10 {
		if err := m.writeAt("big", make([]byte, min(n, big-off)), int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	got := m.footprint()
	want := int64(files*size + 2*pageSize)
	t.Logf("footprint: %d bytes (%.2f MiB) for %d blobs of %d bytes and one of %d", got, float64(got)/(1<<20), files, size, big)
	if got > want {
		t.Errorf("footprint: got %d bytes, want at most %d", got, want)
	}
}

// TestSeededSmallFilesInMemory: megasim's in-memory store holds 10,000
// seeded 512-byte files in a few MiB, as the demo seeds them.
func TestSeededSmallFilesInMemory(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{Accounts: []Account{{Email: testEmail, Password: testPassword, Version: 2}}})
	if _, err := srv.SeedTree(testEmail, SeedOptions{Password: testPassword, Nodes: 10010, FanOut: 10010, SubFolders: 10, FileSize: 512, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	mb, ok := srv.blobs.(*memBlobs)
	if !ok {
		t.Fatalf("blob store: got %T, want *memBlobs", srv.blobs)
	}
	got := mb.footprint()
	t.Logf("footprint: %d bytes (%.2f MiB) for 10,000 seeded files of 512 bytes", got, float64(got)/(1<<20))
	if want := int64(8 << 20); got > want {
		t.Errorf("footprint: got %d bytes, want at most %d", got, want)
	}
}
