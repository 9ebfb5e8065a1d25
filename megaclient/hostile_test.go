package megaclient

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// startHostile starts megasim behind the rewriting proxy.
func startHostile(t testing.TB, accounts ...megasim.Account) (*megasim.Server, *megasim.Hostile) {
	t.Helper()
	return megasimtest.StartHostile(t, simOptions(accounts))
}

// connectVia logs in through the proxy.
func connectVia(t testing.TB, h *megasim.Hostile, mod func(*Options)) (*Client, error) {
	t.Helper()
	opts := Options{Remote: "mega", Email: testEmail, Password: testPass, APIURL: h.URL(), EventWait: time.Second}
	if mod != nil {
		mod(&opts)
	}
	c, err := Connect(context.Background(), opts)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// editNodes rewrites the nodes of an `f` reply.
func editNodes(edit func(n map[string]any)) megasim.Rule {
	return megasim.EditResult(func(m map[string]any) {
		nodes, _ := m["f"].([]any)
		for _, n := range nodes {
			if nm, ok := n.(map[string]any); ok {
				edit(nm)
			}
		}
	})
}

// notWholeBlocks is an attribute blob of 17 bytes: go-mega panics on it.
var notWholeBlocks = b64encode(make([]byte, 17))

func TestHostileLoginReplies(t *testing.T) {
	t.Parallel()
	for _, version := range []int{1, 2} {
		_, h := startHostile(t, megasim.Account{Email: testEmail, Password: testPass, Version: version})
		for _, tc := range []struct {
			name string
			edit func(m map[string]any)
			want string
		}{
			{"short k", func(m map[string]any) { m["k"] = b64encode(make([]byte, 8)) }, "master key of 8 bytes"},
			{"empty k", func(m map[string]any) { m["k"] = "" }, "master key of 0 bytes"},
			{"missing csid", func(m map[string]any) { delete(m, "csid") }, "no csid"},
			{"empty csid", func(m map[string]any) { m["csid"] = "" }, "no csid"},
			{"csid MPI overruns", func(m map[string]any) { m["csid"] = b64encode([]byte{0x10, 0x00, 1, 2, 3}) }, "csid: mpi: truncated"},
			{"privk MPIs overrun", func(m map[string]any) {
				pk, _ := b64decode(m["privk"].(string))
				m["privk"] = b64encode(pk[:32]) // decrypts, but p claims 1024 bits
			}, "private key: mpi: truncated"},
			{"privk not whole blocks", func(m map[string]any) {
				pk, _ := b64decode(m["privk"].(string))
				m["privk"] = b64encode(pk[:33])
			}, "private key of 33 bytes"},
			{"not an array", nil, "not a one-element array"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h.Rewrite("us", func(_, reply []byte) []byte {
					if tc.edit == nil {
						return []byte(`{"k":"x"}`)
					}
					return megasim.EditResult(tc.edit)(nil, reply)
				})
				start := time.Now()
				_, err := connectVia(t, h, nil)
				if !errors.Is(err, model.ErrInvalidLoginReply) {
					t.Fatalf("v%d: got %v, want %v", version, err, model.ErrInvalidLoginReply)
				}
				if !strings.Contains(err.Error(), "the server sent an invalid login reply: "+tc.want) {
					t.Fatalf("v%d: got %q, want it to say %q", version, err, tc.want)
				}
				if d := time.Since(start); d > 20*time.Second {
					t.Fatalf("login took %v", d) // a bound on the failure, not a benchmark
				}
			})
		}
		h.Rewrite("us", nil)
		if _, err := connectVia(t, h, nil); err != nil {
			t.Fatalf("v%d: login through the untouched proxy: %v", version, err)
		}
	}
}

func TestGuardTurnsPanicIntoError(t *testing.T) {
	t.Parallel()
	err := guard(model.ErrInvalidReply, func() error { panic("crypto/cipher: input not full blocks") })
	if !errors.Is(err, model.ErrInvalidReply) || !strings.Contains(err.Error(), "input not full blocks") {
		t.Fatalf("got %v", err)
	}
}

func TestHostileAttributeBlobQuarantined(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	seed := connect(t, s, nil)
	ctx := context.Background()
	victim, err := seed.Mkdir(ctx, "/", "victim")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("the rest of the account stays usable")
	fileEnt, err := seed.Upload(ctx, "/victim", "inside.txt", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	badFile, err := seed.Upload(ctx, "/", "bad.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Rewrite("f", editNodes(func(n map[string]any) {
		if n["h"] == victim.ID || n["h"] == badFile.ID {
			n["a"] = notWholeBlocks
		}
	}))
	var logs atomic.Int32
	c, err := connectVia(t, h, func(o *Options) {
		o.Warn = func(msg string) {
			if strings.Contains(msg, "quarantined (listed as undecryptable)") {
				logs.Add(1)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := c.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	want := "[undecryptable " + victim.ID + "]"
	found := false
	for _, e := range es {
		found = found || e.Name == want
	}
	if !found {
		t.Fatalf("listing %v lacks %s", names(es), want)
	}
	q := c.Quarantined()
	if !strings.Contains(q[victim.ID], "attributes of 17 bytes are not whole AES blocks") || len(q) != 2 {
		t.Fatalf("quarantined: %v", q)
	}
	if n := logs.Load(); n != 2 {
		t.Fatalf("reported %d times, want once per node (2)", n)
	}
	for name, op := range map[string]func() error{
		"delete":   func() error { return c.Delete(ctx, "H:"+victim.ID, false) },
		"rename":   func() error { return c.Rename(ctx, "H:"+victim.ID, "x") },
		"download": func() error { return c.Download(ctx, "H:"+badFile.ID, &memFile{}, nil) },
		"link":     func() error { _, err := c.Link(ctx, "H:"+victim.ID); return err },
	} {
		if err := op(); !errors.Is(err, model.ErrQuarantined) {
			t.Errorf("%s: got %v, want %v", name, err, model.ErrQuarantined)
		}
	}
	// The rest of the account: a child of the quarantined folder is
	// reached by handle, new folders work.
	var out memFile
	if err := c.Download(ctx, "H:"+fileEnt.ID, &out, nil); err != nil || !bytes.Equal(out.buf, data) {
		t.Fatalf("download of a sound file: %v", err)
	}
	if _, err := c.Mkdir(ctx, "/", "still works"); err != nil {
		t.Fatal(err)
	}
}

func TestHostileActionPacketsQuarantined(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	ctx := context.Background()
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := connect(t, s, nil)
	kept, err := other.Mkdir(ctx, "/", "renamed-badly")
	if err != nil {
		t.Fatal(err)
	}
	waitLong(t, func() bool { _, err := c.Stat(ctx, "/renamed-badly"); return err == nil })
	// Every node and attribute update another client sends from now on
	// carries an attribute blob go-mega would panic on.
	h.Rewrite("sc", megasim.CorruptAttrs(notWholeBlocks))
	// Make go-mega hold the node, so the `u` packet reaches its filter.
	if err := c.Rename(ctx, "/renamed-badly", "renamed-badly"); err != nil {
		t.Fatal(err)
	}
	added, err := other.Mkdir(ctx, "/", "added-badly")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Rename(ctx, "H:"+kept.ID, "new name"); err != nil {
		t.Fatal(err)
	}
	waitLong(t, func() bool {
		q := c.Quarantined()
		return q[added.ID] != "" && q[kept.ID] != ""
	})
	if err := c.Move(ctx, "H:"+kept.ID, "//bin"); !errors.Is(err, model.ErrQuarantined) {
		t.Fatalf("move of a node updated with a bad blob: got %v", err)
	}
	h.Rewrite("sc", nil)
	if _, err := c.Mkdir(ctx, "/", "after"); err != nil {
		t.Fatalf("the client no longer works: %v", err)
	}
}

func TestHostileDownloadReplies(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	ctx := context.Background()
	seed := connect(t, s, nil)
	data := randomBytes(300<<10, 7)
	f, err := seed.Upload(ctx, "/", "f.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, what string
		rule       megasim.Rule
		want       string
		retry      bool
	}{
		{"size claim of 2^50", "g", megasim.EditResult(func(m map[string]any) { m["s"] = int64(1) << 50 }), "download size 1125899906842624 for a file of 307200 bytes", false},
		{"attributes not whole blocks", "g", megasim.EditResult(func(m map[string]any) { m["at"] = notWholeBlocks }), "download attributes: attributes of 17 bytes are not whole AES blocks", false},
		{"URL not http", "g", megasim.EditResult(func(m map[string]any) { m["g"] = "file:///etc/passwd" }), `download URL: "file:///etc/passwd" is not http or https`, true},
		{"URL empty", "g", megasim.EditResult(func(m map[string]any) { m["g"] = "" }), "download URL: empty", true},
		{"reply not JSON", "g", func(_, r []byte) []byte { return []byte(`[{"g":`) }, "download reply is not a one-element array", true},
		{"body truncated", "data", func(_, r []byte) []byte { return r[:len(r)/2] }, "download body of ", true},
		{"body overlong", "data", func(_, r []byte) []byte { return append(r, make([]byte, 1<<20)...) }, "download body longer than the", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Rewrite(tc.what, tc.rule)
			defer h.Rewrite(tc.what, nil)
			var out memFile
			err := c.Download(ctx, "H:"+f.ID, &out, nil)
			if !errors.Is(err, model.ErrInvalidReply) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v saying %q", err, model.ErrInvalidReply, tc.want)
			}
			if got := errors.Is(err, model.ErrTryAgain); got != tc.retry {
				t.Fatalf("worth a retry: got %v, want %v (%v)", got, tc.retry, err)
			}
		})
	}
	var out memFile
	if err := c.Download(ctx, "H:"+f.ID, &out, nil); err != nil || !bytes.Equal(out.buf, data) {
		t.Fatalf("download after the proxy behaves: %v", err)
	}
}

func TestHostileEventChannelBacksOff(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := connect(t, s, nil)
	bad := []string{"<html>not json</html>", "", `{"a":[],"sn":"x"}`, "-3", `{"w":"ftp://x/wait"}`}
	var polls atomic.Int32
	h.Rewrite("sc", func(_, _ []byte) []byte { return []byte(bad[int(polls.Add(1))%len(bad)]) })
	// A change ends the client's long poll, so it polls into the rule.
	if _, err := other.Mkdir(context.Background(), "/", "poke"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	h.Rewrite("sc", nil)
	// A busy poll makes hundreds of requests a second; backing off from
	// 250 ms makes a handful in two seconds.
	if n := polls.Load(); n > 12 || n == 0 {
		t.Fatalf("%d polls in 2 s: want a few (none means the test missed the poll; many, a busy loop)", n)
	}
	// Healthy again: a change arrives.
	if _, err := other.Mkdir(context.Background(), "/", "after-garbage"); err != nil {
		t.Fatal(err)
	}
	waitLong(t, func() bool { _, err := c.Stat(context.Background(), "/after-garbage"); return err == nil })
	if _, err := c.Mkdir(context.Background(), "/", "after"); err != nil {
		t.Fatal(err)
	}
}

// waitLong waits up to 10 s: through the proxy, with the event channel
// rewritten, packets take a few polls.
func waitLong(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fullDisk is a download target on a full disk.
type fullDisk struct{}

func (fullDisk) WriteAt(p []byte, off int64) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/full/f.bin", Err: syscall.ENOSPC}
}

func TestDownloadOntoFullDiskIsNotUnreachable(t *testing.T) {
	t.Parallel()
	s := startSim(t)
	c := connect(t, s, nil)
	ctx := context.Background()
	data := []byte("does not fit")
	f, err := c.Upload(ctx, "/", "f.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Download(ctx, "H:"+f.ID, fullDisk{}, nil)
	if !errors.Is(err, model.ErrDiskFull) || errors.Is(err, model.ErrUnreachable) || errors.Is(err, model.ErrTryAgain) {
		t.Fatalf("got %v, want %v only", err, model.ErrDiskFull)
	}
}

func TestHostileUploadReplies(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	_ = s
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := randomBytes(200<<10, 3)
	for _, tc := range []struct {
		name, what string
		rule       megasim.Rule
		want       string
	}{
		{"upload URL not http", "u", megasim.EditResult(func(m map[string]any) { m["p"] = "ftp://x/ul" }), `upload URL: "ftp://x/ul" is not http or https`},
		{"new node reply without a node", "p", megasim.EditResult(func(m map[string]any) { m["f"] = []any{} }), "new node reply holds no node"},
		{"new node with a bad blob", "p", megasim.EditResult(func(m map[string]any) {
			for _, n := range m["f"].([]any) {
				n.(map[string]any)["a"] = notWholeBlocks
			}
		}), "new node: attributes of 17 bytes are not whole AES blocks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Rewrite(tc.what, tc.rule)
			defer h.Rewrite(tc.what, nil)
			_, err := c.Upload(ctx, "/", "up-"+tc.what+".bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
			if !errors.Is(err, model.ErrInvalidReply) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v saying %q", err, model.ErrInvalidReply, tc.want)
			}
		})
	}
	t.Run("upload piece reply overlong", func(t *testing.T) {
		h.Rewrite("upload", func(_, r []byte) []byte { return append(r, make([]byte, 1<<20)...) })
		defer h.Rewrite("upload", nil)
		_, err := c.Upload(ctx, "/", "overlong.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
		if err == nil || !strings.Contains(err.Error(), "unexpected reply of 4096 bytes") {
			t.Fatalf("got %v, want the piece reply refused", err)
		}
	})
	t.Run("mkdir: new node reply without a node", func(t *testing.T) {
		h.Rewrite("p", megasim.EditResult(func(m map[string]any) { m["f"] = []any{} }))
		defer h.Rewrite("p", nil)
		if _, err := c.Mkdir(ctx, "/", "x"); !errors.Is(err, model.ErrInvalidReply) {
			t.Fatalf("got %v, want %v", err, model.ErrInvalidReply)
		}
	})
	if _, err := c.Upload(ctx, "/", "fine.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil); err != nil {
		t.Fatalf("upload through the untouched proxy: %v", err)
	}
}

func TestHostileWaitURLFailingBacksOff(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	other := connect(t, s, nil)
	var polls atomic.Int32
	h.Rewrite("sc", func(_, _ []byte) []byte { polls.Add(1); return nil })
	h.Status("wait", http.StatusInternalServerError)
	if _, err := other.Mkdir(context.Background(), "/", "poke"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	h.Status("wait", 0)
	if n, w := polls.Load(), h.Hits("wait"); n > 12 || w == 0 {
		t.Fatalf("%d polls and %d failed waits in 2 s: want a few of each", n, w)
	}
	if _, err := other.Mkdir(context.Background(), "/", "after-wait"); err != nil {
		t.Fatal(err)
	}
	waitLong(t, func() bool { _, err := c.Stat(context.Background(), "/after-wait"); return err == nil })
}

func TestHostileRangedReadSizeClaim(t *testing.T) {
	t.Parallel()
	s, h := startHostile(t)
	ctx := context.Background()
	data := randomBytes(100<<10, 9)
	f, err := connect(t, s, nil).Upload(ctx, "/", "r.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := connectVia(t, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.Rewrite("g", megasim.EditResult(func(m map[string]any) { m["s"] = int64(1) << 50 }))
	fr, err := c.OpenFile(ctx, "H:"+f.ID)
	if err == nil {
		_, err = fr.ReadAt(make([]byte, 16), 0)
	}
	if !errors.Is(err, model.ErrInvalidReply) || !strings.Contains(err.Error(), "download size 1125899906842624 for a file of 102400 bytes") {
		t.Fatalf("got %v, want the size claim refused", err)
	}
	h.Rewrite("g", nil)
	// The refusal belongs to that read only: the next operation is clean.
	if _, err := c.Mkdir(ctx, "/", "after"); err != nil {
		t.Fatalf("mkdir after the refused read: %v", err)
	}
}
