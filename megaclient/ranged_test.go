package megaclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

func TestReadRangeFetchesOnlyTheRange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	data := randomBytes(3<<20+77, 11)
	e, err := c.Upload(ctx, "/", "big.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		off, n  int64
		want    []byte
		fetched int64 // ciphertext bytes the server sends: the range widened to 16-byte alignment
	}{
		{"aligned start", 0, 100, data[:100], 100},
		{"unaligned middle", 1<<20 + 5, 33, data[1<<20+5 : 1<<20+38], 38},
		{"across a chunk boundary", 128<<10 - 7, 20, data[128<<10-7 : 128<<10+13], 29},
		{"tail clipped at the end", int64(len(data)) - 10, 100, data[len(data)-10:], 13},
		{"past the end", int64(len(data)) + 5, 10, []byte{}, 0},
	}
	for _, tc := range cases {
		before := s.CommandCount("download-bytes")
		got, err := c.ReadRange(ctx, e.ID, tc.off, tc.n)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s: got %d bytes %x..., want %d bytes %x...", tc.name, len(got), head(got), len(tc.want), head(tc.want))
		}
		if d := int64(s.CommandCount("download-bytes") - before); d != tc.fetched {
			t.Errorf("%s: server sent %d bytes, want %d", tc.name, d, tc.fetched)
		}
	}
}

func head(b []byte) []byte { return b[:min(len(b), 8)] }

func TestFileReaderIsAReaderAt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	data := randomBytes(200<<10+3, 12)
	if _, err := c.Upload(ctx, "/", "f.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil); err != nil {
		t.Fatal(err)
	}
	gBefore := s.CommandCount("g")
	r, err := c.OpenFile(ctx, "/f.bin")
	if err != nil {
		t.Fatal(err)
	}
	// A sectioned stream through the ReaderAt reproduces the file.
	var out bytes.Buffer
	if _, err := io.CopyBuffer(&out, io.NewSectionReader(r, 0, r.Size()), make([]byte, 50<<10)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("content read through ReadAt differs")
	}
	if got := s.CommandCount("g") - gBefore; got != 1 {
		t.Errorf("got %d download-url commands, want 1 for one reader", got)
	}
	if r.BytesFetched() != int64(len(data)) {
		t.Errorf("fetched %d bytes, want %d", r.BytesFetched(), len(data))
	}
	// The last byte with a buffer reaching past the end: one byte, io.EOF.
	p := make([]byte, 10)
	n, err := r.ReadAt(p, int64(len(data))-1)
	if n != 1 || !errors.Is(err, io.EOF) || p[0] != data[len(data)-1] {
		t.Errorf("read at the end: got %d, %v, %x; want 1, EOF, %x", n, err, p[0], data[len(data)-1])
	}
}

func TestReadRangeRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	if _, err := c.MkdirAll(ctx, "/dir"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadRange(ctx, "/dir", 0, 10); !errors.Is(err, model.ErrIsDir) {
		t.Errorf("folder: got %v, want ErrIsDir", err)
	}
	if _, err := c.ReadRange(ctx, "/nope", 0, 10); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("missing: got %v, want ErrNotFound", err)
	}
	if _, err := c.ReadRange(ctx, "/dir", 0, MaxRangeRead+1); err == nil {
		t.Error("an oversized range was accepted")
	}
	empty, err := c.Upload(ctx, "/", "empty", bytes.NewReader(nil), 0, time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := c.ReadRange(ctx, empty.ID, 0, 10); err != nil || len(b) != 0 {
		t.Errorf("empty file: got %d bytes, %v", len(b), err)
	}
}

// stripFingerprint removes a file's `c`, as rclone's and megatools'
// uploads leave it.
func stripFingerprint(t *testing.T, c *Client, h string) {
	t.Helper()
	inf, _ := c.tree.info(h)
	a := inf.attrs.Clone()
	delete(a.Other, "c")
	if err := c.setAttrs(context.Background(), h, a, "strip"); err != nil {
		t.Fatal(err)
	}
}

func TestSampledFingerprintFetchesOnlySamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	mtime := time.Unix(1690000000, 0)
	cases := []struct {
		name     string
		size     int
		maxBytes int64 // bound on the bytes fetched
	}{
		{"tiny", 10, 16},
		{"small, read whole", 5000, 5000 + 16},
		{"large, sampled", 5 << 20, 128*64 + 128*16},
	}
	for i, tc := range cases {
		data := randomBytes(tc.size, uint64(100+i))
		e, err := c.Upload(ctx, "/", tc.name, bytes.NewReader(data), int64(len(data)), mtime, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := model.ParseFingerprint(e.Fingerprint, e.Size)
		stripFingerprint(t, c, e.ID)
		if st, _ := c.Stat(ctx, e.ID); st.Fingerprint != "" {
			t.Fatalf("%s: fingerprint still there", tc.name)
		}
		before := s.CommandCount("download-bytes")
		got, err := c.SampledFingerprint(ctx, e.ID, mtime)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		served := int64(s.CommandCount("download-bytes") - before)
		if got.Fingerprint.Encode() != want.Encode() {
			t.Errorf("%s: got %s, want %s", tc.name, got.Fingerprint.Encode(), want.Encode())
		}
		if served != got.Fetched || served > tc.maxBytes {
			t.Errorf("%s: server sent %d bytes, reader counted %d, want both at most %d", tc.name, served, got.Fetched, tc.maxBytes)
		}
		// Storing it brings the file back to a full fingerprint.
		if err := c.SetFingerprint(ctx, e.ID, got.Fingerprint); err != nil {
			t.Fatal(err)
		}
		st, _ := c.Stat(ctx, e.ID)
		if st.Fingerprint != want.Encode() || !st.ModTimeKnown || !st.ModTime.Equal(mtime) || st.Name != tc.name {
			t.Errorf("%s: after SetFingerprint got %q %v %v %q", tc.name, st.Fingerprint, st.ModTimeKnown, st.ModTime, st.Name)
		}
	}
}

func TestMACVerifierOnStreamedContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s, nil)
	for i, size := range []int{0, 5, 16, 128<<10 + 1, 3<<20 + 12345} {
		data := randomBytes(size, uint64(200+i))
		e, err := c.Upload(ctx, "/", fmt.Sprintf("m%d", i), bytes.NewReader(data), int64(size), time.Unix(1700000000, 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.OpenFile(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		v := r.Verifier()
		buf := make([]byte, 77777) // pieces that straddle chunk boundaries
		for off := int64(0); off < int64(size); {
			n, err := r.ReadAt(buf, off)
			if err != nil && !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			v.Write(buf[:n])
			off += int64(n)
		}
		if err := v.Verify(); err != nil {
			t.Errorf("size %d: %v", size, err)
		}
		if size == 0 {
			continue
		}
		bad := r.Verifier()
		flipped := append([]byte(nil), data...)
		flipped[size/2] ^= 1
		bad.Write(flipped)
		if err := bad.Verify(); !errors.Is(err, model.ErrIntegrity) {
			t.Errorf("size %d, one byte flipped: got %v, want ErrIntegrity", size, err)
		}
		short := r.Verifier()
		short.Write(data[:size-1])
		if err := short.Verify(); !errors.Is(err, model.ErrIntegrity) {
			t.Errorf("size %d, last byte missing: got %v, want ErrIntegrity", size, err)
		}
	}
}
