package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// TestChunkList checks MEGA's chunk boundaries: 128 KiB × 1..8, then
// 1 MiB, covering the file exactly.
func TestChunkList(t *testing.T) {
	t.Parallel()
	for _, size := range []int64{0, 1, 128 << 10, 128<<10 + 1, 4608 << 10, 4608<<10 + 1, 10<<20 + 7} {
		cs := chunkList(size)
		var pos int64
		for i, c := range cs {
			if c.pos != pos || c.n <= 0 || c.pos%16 != 0 {
				t.Fatalf("size %d, chunk %d: got %+v at %d", size, i, c, pos)
			}
			want := int64(maxChunk)
			if i < 8 {
				want = int64(i+1) * 128 << 10
			}
			if int64(c.n) != min(want, size-pos) {
				t.Fatalf("size %d, chunk %d: got %d bytes, want %d", size, i, c.n, min(want, size-pos))
			}
			pos += int64(c.n)
		}
		if pos != size {
			t.Fatalf("size %d: chunks cover %d", size, pos)
		}
	}
}

// TestDataPathInteroperatesWithGoMega uploads with megaclient's own data
// path and downloads with go-mega (which checks MAC and content), and the
// other way round, for sizes around the chunk boundaries.
func TestDataPathInteroperatesWithGoMega(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	c := connect(t, s, nil)
	m := mega.New().SetClient(s.HTTPClient())
	m.SetAPIUrl(s.URL())
	m.SetLogger(nil)
	if err := m.Login(testEmail, testPass); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, size := range []int{1, 15, 16, 17, 128 << 10, 3<<20 + 5} {
		data := make([]byte, size)
		_, _ = rand.Read(data)
		e, err := c.Upload(ctx, "/", "ours.bin", bytes.NewReader(data), int64(size), time.Now(), nil)
		if err != nil {
			t.Fatalf("size %d: upload: %v", size, err)
		}
		// go-mega learns of the node from its event channel.
		var gn *mega.Node
		for i := 0; i < 100 && gn == nil; i++ {
			gn = m.FS.HashLookup(e.ID)
			if gn == nil {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if gn == nil {
			t.Fatalf("size %d: go-mega never saw node %s", size, e.ID)
		}
		out := t.TempDir() + "/x"
		if err := m.DownloadFile(gn, out, nil); err != nil {
			t.Fatalf("size %d: go-mega download of our upload: %v", size, err)
		}
		var got memFile // chunks arrive concurrently
		if err := c.Download(ctx, e.ID, &got, nil); err != nil {
			t.Fatalf("size %d: our download of our upload: %v", size, err)
		}
		if !bytes.Equal(got.buf, data) {
			t.Fatalf("size %d: content differs", size)
		}
		if err := c.Delete(ctx, e.ID, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestThrottleBacksOffAndRecovers(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	th := newThrottle(8)
	th.now = func() time.Time { return now }
	th.failure("server errors (HTTP 500)")
	th.failure("server errors (HTTP 500)") // same burst
	if st := th.state(); st.Chunks != 6 || st.Slowdowns != 1 || st.Reason != "server errors (HTTP 500)" {
		t.Fatalf("after a burst: got %+v, want 6 chunks, 1 slow-down", st)
	}
	now = now.Add(time.Second)
	th.failure("connections dropped")
	if st := th.state(); st.Chunks != 4 || st.Reason != "connections dropped" {
		t.Fatalf("after a second burst: got %+v, want 4 chunks", st)
	}
	for i := 0; i < 1000 && th.limit() < 8; i++ {
		th.success()
	}
	if st := th.state(); st.Chunks != 8 || st.Reason != "" {
		t.Fatalf("after successes: got %+v, want back at 8 with no reason", st)
	}
}

func TestPieceErrorsAreClassified(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body    string
		code    int
		ok      bool
		restart bool
	}{{"-3", -3, true, false}, {"-8", -8, true, true}, {"", 0, false, false}, {"abc", 0, false, false}, {"-99999", 0, false, false}, {"[-3]", -3, true, false}, {"-0", 0, false, false}} {
		code, ok := apiError([]byte(c.body))
		if code != c.code || ok != c.ok {
			t.Errorf("apiError(%q): got %d %v, want %d %v", c.body, code, ok, c.code, c.ok)
		}
	}
	pe := &pieceError{op: "x", status: 500, retry: true}
	if !errors.Is(pe, model.ErrTryAgain) || pe.reason() != "server errors (HTTP 500)" {
		t.Errorf("HTTP 500 piece error: %v, reason %q", pe, pe.reason())
	}
}

// TestFailedChunkIsResentAlone: with a quarter of the requests answered
// HTTP 500, the file still goes up and comes back intact, and each
// failure costs at most one more request for that chunk — never a restart
// of the file. (A 500 on an API command is retried by go-mega and only
// loosens the bound.)
func TestFailedChunkIsResentAlone(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	c := connect(t, s, nil)
	ctx := context.Background()
	const size = 6<<20 + 999
	data := make([]byte, size)
	_, _ = rand.Read(data)
	chunks := len(chunkList(size))
	s.SetFaults(megasim.Faults{HTTP500Rate: 0.25})

	pieces0, faults0 := s.CommandCount("upload-piece"), s.FaultCount("http500")
	e, err := c.Upload(ctx, "/", "f.bin", bytes.NewReader(data), size, time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pieces, faults := s.CommandCount("upload-piece")-pieces0, s.FaultCount("http500")-faults0
	if faults == 0 || pieces < chunks || pieces > chunks+faults {
		t.Fatalf("upload: %d pieces for %d chunks and %d HTTP 500s; want between %d and %d", pieces, chunks, faults, chunks, chunks+faults)
	}

	ranges0, faults0 := s.CommandCount("download-range"), s.FaultCount("http500")
	var got memFile
	if err := c.Download(ctx, e.ID, &got, nil); err != nil {
		t.Fatal(err)
	}
	ranges, faults := s.CommandCount("download-range")-ranges0, s.FaultCount("http500")-faults0
	if !bytes.Equal(got.buf, data) {
		t.Fatal("downloaded content differs")
	}
	// A range answered 500 is not counted as served.
	if ranges != chunks {
		t.Fatalf("download: %d ranges served for %d chunks (%d HTTP 500s); want each chunk once", ranges, chunks, faults)
	}
	// By now it may have recovered (and dropped its reason), but it did
	// slow down.
	if st := c.Throttle(); st.Slowdowns == 0 {
		t.Errorf("throttle after failures: %d slow-downs, want some", st.Slowdowns)
	}
}
