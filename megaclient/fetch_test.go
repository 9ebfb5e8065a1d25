package megaclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// loadNodes loads nodes into tr as the `f` reply of a login would.
func loadNodes(t testing.TB, tr *tree, nodes []rawNode) {
	t.Helper()
	reply, err := json.Marshal([]any{map[string]any{"f": nodes, "sn": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	fr := &fetchReader{r: bytes.NewReader(reply)}
	if _, err := tr.loadStream(json.NewDecoder(fr), fr); err != nil {
		t.Fatal(err)
	}
}

// fetchRewriter hands the client's `f` replies to rewrite (the other
// requests pass untouched).
type fetchRewriter struct {
	base    http.RoundTripper
	rewrite func(reply []byte, attempt int) io.ReadCloser
	fetches atomic.Int32
}

func (f *fetchRewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := f.base.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/cs") || !bytes.Contains(body, []byte(`"a":"f"`)) {
		return resp, err
	}
	reply, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = f.rewrite(reply, int(f.fetches.Add(1)))
	resp.ContentLength = -1
	return resp, nil
}

// failingBody returns the first n bytes of b, then a read error.
type failingBody struct {
	r *bytes.Reader
	n int
}

func (b *failingBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errors.New("connection reset")
	}
	p = p[:min(len(p), b.n)]
	n, err := b.r.Read(p)
	b.n -= n
	return n, err
}

func (b *failingBody) Close() error { return nil }

// endless is a body that never ends: a JSON string that goes on for ever.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.read += int64(len(p))
	return len(p), nil
}

func (e *endless) Close() error { return nil }

func TestFetchReplyStreamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	if _, err := s.SeedTree(testEmail, megasim.SeedOptions{Password: testPass, Nodes: 300, FanOut: 30, SubFolders: 3, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	open := func(rewrite func(reply []byte, attempt int) io.ReadCloser) (*Client, *fetchRewriter, error) {
		rw := &fetchRewriter{base: s.HTTPClient().Transport, rewrite: rewrite}
		if rw.base == nil {
			rw.base = http.DefaultTransport
		}
		c, err := Connect(ctx, Options{Remote: "mega", Email: testEmail, Password: testPass, APIURL: s.URL(),
			HTTPClient: &http.Client{Transport: rw}})
		if c != nil {
			t.Cleanup(func() { c.Close() })
		}
		return c, rw, err
	}
	pass := func(reply []byte, _ int) io.ReadCloser { return io.NopCloser(bytes.NewReader(reply)) }

	t.Run("members megaclient does not read are skipped", func(t *testing.T) {
		c, _, err := open(func(reply []byte, _ int) io.ReadCloser {
			// Unknown members, nested deeply, before and after the nodes.
			extra := `"mcf":{"c":[[1,2,{"x":[]}]],"pf":null},"s":[{"h":"x","u":"y"}],`
			reply = bytes.Replace(reply, []byte(`[{`), []byte(`[{`+extra), 1)
			reply = bytes.Replace(reply, []byte(`}]`), []byte(`,"zz":[[[["deep"]]]]}]`), 1)
			return io.NopCloser(bytes.NewReader(reply))
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := c.tree.count(); n != 303 {
			t.Errorf("tree holds %d nodes, want 300 and the 3 roots", n)
		}
		es, err := c.List(ctx, "/")
		if err != nil || len(es) != 30 {
			t.Errorf("list: got %d entries, %v; want 30", len(es), err)
		}
	})
	t.Run("a body cut short is fetched again", func(t *testing.T) {
		c, rw, err := open(func(reply []byte, attempt int) io.ReadCloser {
			if attempt == 1 {
				return &failingBody{r: bytes.NewReader(reply), n: len(reply) / 2}
			}
			return pass(reply, attempt)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := c.tree.count(); n != 303 || rw.fetches.Load() != 2 {
			t.Errorf("after a retry: %d nodes in %d fetches, want 303 in 2", n, rw.fetches.Load())
		}
	})
	for _, tc := range []struct {
		name  string
		reply string
	}{
		{"not JSON", `[{"f":[{"h":"abcdefgh",`},
		{"not an array", `{"f":[]}`},
		{"nodes not an array", `[{"f":{"h":"x"}}]`},
		{"a node of the wrong shape", `[{"f":[{"h":12}]}]`},
		{"trailing data", `[{"f":[],"sn":"x"}][]`},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			start := time.Now()
			_, _, err := open(func([]byte, int) io.ReadCloser { return io.NopCloser(strings.NewReader(tc.reply)) })
			if !errors.Is(err, model.ErrInvalidReply) {
				t.Fatalf("connect: got %v, want %v", err, model.ErrInvalidReply)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("connect failed after %v: a malformed reply must not be retried", d)
			}
		})
	}
	t.Run("refused on a session resume", func(t *testing.T) {
		store := &memStore{}
		connect(t, s, func(o *Options) { o.Store = store }).Close()
		rw := &fetchRewriter{base: http.DefaultTransport, rewrite: func([]byte, int) io.ReadCloser {
			return io.NopCloser(strings.NewReader(`[{"f":7}]`))
		}}
		if b := s.HTTPClient().Transport; b != nil {
			rw.base = b
		}
		c, err := Connect(ctx, Options{Remote: "mega", Email: testEmail, APIURL: s.URL(), HTTPClient: &http.Client{Transport: rw}, Store: store})
		if c != nil {
			c.Close()
		}
		if !errors.Is(err, model.ErrInvalidReply) {
			t.Fatalf("resume: got %v, want %v", err, model.ErrInvalidReply)
		}
	})
	t.Run("refused: a value that never ends", func(t *testing.T) {
		body := &endless{}
		_, _, err := open(func([]byte, int) io.ReadCloser {
			return io.NopCloser(io.MultiReader(strings.NewReader(`[{"f":[{"h":"`), body))
		})
		if !errors.Is(err, model.ErrInvalidReply) {
			t.Fatalf("connect: got %v, want %v", err, model.ErrInvalidReply)
		}
		if body.read > 2*maxFetchValue {
			t.Errorf("read %d bytes of one value, want at most about %d", body.read, maxFetchValue)
		}
	})
}

func TestB64DecodedLenAgreesWithB64decode(t *testing.T) {
	t.Parallel()
	const alphabet = "AZaz09-_+/=\r\n!. é"
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		b := make([]byte, rng.IntN(12))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if i%3 == 0 {
			s = b64encode([]byte(s)) + strings.Repeat("=", rng.IntN(3))
		}
		raw, derr := b64decode(s)
		n, lerr := b64DecodedLen(s)
		if (derr == nil) != (lerr == nil) || derr == nil && n != len(raw) {
			t.Fatalf("%q: b64DecodedLen gives %d, %v; b64decode %d bytes, %v", s, n, lerr, len(raw), derr)
		}
	}
}
