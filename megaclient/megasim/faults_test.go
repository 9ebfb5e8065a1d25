package megasim

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

// TestFaultyRoundTrip: with 10% EAGAIN, 5% HTTP 500, dropped connections
// and hashcash on login, go-mega still uploads and downloads byte-identical
// files (it retries), and no command is applied twice.
func TestFaultyRoundTrip(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{Seed: 42, Faults: Faults{
		EAGAINRate:       0.10,
		HTTP500Rate:      0.05,
		DropRate:         0.05,
		HashcashLogin:    true,
		HashcashEasiness: 255,
	}})
	m := login(t, srv, testEmail, testPassword)
	if srv.CommandCount("hashcash-solved") < 2 {
		t.Fatalf("hashcash solved %d times, want at least 2 (us0 and us)", srv.CommandCount("hashcash-solved"))
	}
	const dirs = 12
	for i := range dirs {
		if _, err := m.CreateDir(fmt.Sprintf("faulty-dir-%d", i), m.FS.GetRoot()); err != nil {
			t.Fatalf("mkdir %d: %v", i, err)
		}
	}
	sizes := []int{0, 31, 128 << 10, 3<<20 + 12345}
	for _, size := range sizes {
		content := randomContent(t, size)
		name := fmt.Sprintf("faulty-%d.bin", size)
		n, err := m.UploadFile(tempFile(t, name, content), m.FS.GetRoot(), "", nil)
		if err != nil {
			t.Fatalf("upload %d bytes: %v", size, err)
		}
		got, err := downloadBytes(t, m, n)
		if err != nil {
			t.Fatalf("download %d bytes: %v", size, err)
		}
		if !bytes.Equal(got, content) {
			t.Fatalf("round trip of %d bytes differs", size)
		}
	}
	// Each mkdir and each upload completion executed exactly once, even
	// though replies were lost to 500s and drops after execution.
	mustEqual(t, "p executions", srv.CommandCount("p"), dirs+len(sizes))
	srv.SetFaults(Faults{})
	nodes := fetchNodes(t, srv, m.GetSessionID())
	mustEqual(t, "nodes", len(nodes), 3+dirs+len(sizes))
	for _, kind := range []string{"eagain", "http500", "drop"} {
		if srv.FaultCount(kind) == 0 {
			t.Errorf("no %s fault was injected; the test proves nothing about it", kind)
		}
	}
	t.Logf("faults injected: eagain=%d http500=%d drop=%d, login challenges=%d",
		srv.FaultCount("eagain"), srv.FaultCount("http500"), srv.FaultCount("drop"), srv.CommandCount("hashcash-challenge"))
}

func TestReplayOfRepeatedRequest(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, root, _, _ := rawSession(t, srv)
	body := cmd(t, map[string]any{"a": "p", "t": root, "n": []map[string]any{{"h": "xxxxxxxx", "t": 1, "a": fakeAttr, "k": fakeFolderKey}}})
	post := func(id string, b string) string {
		resp, err := http.Post(srv.URL()+"/cs?id="+id+"&sid="+sid, "application/json", strings.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return buf.String()
	}
	before := srv.CommandCount("p")
	first := post("777", body)
	again := post("777", body)
	mustEqual(t, "replayed reply", again, first)
	mustEqual(t, "p executions", srv.CommandCount("p")-before, 1)
	other := post("778", body)
	if other == first {
		t.Fatal("a new id must execute again")
	}
	mustEqual(t, "p executions", srv.CommandCount("p")-before, 2)
}

func TestCorruptDownload(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	m := login(t, srv, testEmail, testPassword)
	content := randomContent(t, 200000)
	n, err := m.UploadFile(tempFile(t, "c.bin", content), m.FS.GetRoot(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(Faults{CorruptRate: 1})
	if _, err := downloadBytes(t, m, n); !errors.Is(err, mega.EMACMISMATCH) {
		t.Fatalf("download with corrupted bytes: got %v, want %v", err, mega.EMACMISMATCH)
	}
	srv.SetFaults(Faults{})
	got, err := downloadBytes(t, m, n)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("clean download: %v", err)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{Faults: Faults{APILatency: 150 * time.Millisecond}})
	start := time.Now()
	api(t, srv, "", `[{"a":"us0","user":"`+testEmail+`"}]`)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("API request took %v, want at least the 150ms latency", d)
	}
	srv.SetFaults(Faults{DataLatency: 150 * time.Millisecond})
	sid, _, _, _ := rawSession(t, srv)
	url := uploadURL(t, srv, sid, 10)
	start = time.Now()
	postPiece(t, url, 0, make([]byte, 10))
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("upload piece took %v, want at least the 150ms data latency", d)
	}
}

func TestHashcash(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{Faults: Faults{HashcashLogin: true, HashcashEasiness: 255}})
	req := func(header string) *http.Response {
		r, err := http.NewRequest(http.MethodPost, srv.URL()+"/cs?id=1", strings.NewReader(`[{"a":"us0","user":"`+testEmail+`"}]`))
		if err != nil {
			t.Fatal(err)
		}
		if header != "" {
			r.Header.Set("X-Hashcash", header)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := req("")
	mustEqual(t, "status", resp.StatusCode, http.StatusPaymentRequired)
	mustEqual(t, "content length", resp.ContentLength, int64(0))
	parts := strings.Split(resp.Header.Get("X-Hashcash"), ":")
	if len(parts) != 4 || parts[0] != "1" || parts[1] != "255" || len(parts[3]) != 64 {
		t.Fatalf("challenge header %q", resp.Header.Get("X-Hashcash"))
	}
	tok := parts[3]
	prefix, bad := solveHashcash(t, tok, 255)
	mustEqual(t, "wrong proof", req("1:"+tok+":"+bad).StatusCode, http.StatusPaymentRequired)
	// A token is single-use: a challenge answered wrongly is gone.
	mustEqual(t, "spent token", req("1:"+tok+":"+prefix).StatusCode, http.StatusPaymentRequired)

	tok = strings.Split(req("").Header.Get("X-Hashcash"), ":")[3]
	prefix, _ = solveHashcash(t, tok, 255)
	mustEqual(t, "valid proof", req("1:"+tok+":"+prefix).StatusCode, http.StatusOK)
	mustEqual(t, "unknown token", req("1:"+b64(make([]byte, 48))+":"+prefix).StatusCode, http.StatusPaymentRequired)
}

// solveHashcash finds a valid and an invalid prefix for token.
func solveHashcash(t *testing.T, token string, e int) (good, bad string) {
	t.Helper()
	for i := uint32(1); i < 200; i++ {
		p := b64([]byte{byte(i), byte(i >> 8), 0, 0})
		if verifyHashcash(token, p, e) {
			good = p
		} else {
			bad = p
		}
		if good != "" && bad != "" {
			return good, bad
		}
	}
	t.Fatal("no hashcash solution in 200 tries")
	return "", ""
}

func TestHashcashThreshold(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    int
		want uint32
	}{{255, 127 << 24}, {0, 1 << 3}, {64, 1 << 10}, {192, 1 << 24}} {
		mustEqual(t, fmt.Sprintf("threshold(%d)", tc.e), hashcashThreshold(tc.e), tc.want)
	}
}

// TestFaultsDeterministic: the same seed and the same sequential requests
// meet the same faults.
func TestFaultsDeterministic(t *testing.T) {
	t.Parallel()
	pattern := func() string {
		srv := startServer(t, Options{Seed: 7, Faults: Faults{EAGAINRate: 0.3, HTTP500Rate: 0.2}})
		var b strings.Builder
		for range 40 {
			code, body := api(t, srv, "", `[{"a":"us0","user":"`+testEmail+`"}]`)
			if code != 200 {
				b.WriteString("5")
			} else if body == "-3" {
				b.WriteString("E")
			} else {
				b.WriteString(".")
			}
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	mustEqual(t, "fault pattern", p2, p1)
	if !strings.Contains(p1, "E") || !strings.Contains(p1, "5") || !strings.Contains(p1, ".") {
		t.Fatalf("pattern %s lacks a kind of outcome", p1)
	}
}

// TestReplayOfBatchWithFetch: a retried batch holding f and a mutation
// fetches afresh but does not run the mutation twice.
func TestReplayOfBatchWithFetch(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, root, _, _ := rawSession(t, srv)
	body := cmd(t, map[string]any{"a": "f", "c": 1},
		map[string]any{"a": "p", "t": root, "n": []map[string]any{{"h": "xxxxxxxx", "t": 1, "a": fakeAttr, "k": fakeFolderKey}}})
	post := func() string {
		resp, err := http.Post(srv.URL()+"/cs?id=4242&sid="+sid, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return buf.String()
	}
	before := srv.CommandCount("p")
	first, again := post(), post()
	mustEqual(t, "p executions", srv.CommandCount("p")-before, 1)
	// The replayed p result is identical; the fresh f now includes the folder.
	pFirst, pAgain := first[strings.LastIndex(first, `{"f":[`):], again[strings.LastIndex(again, `{"f":[`):]
	mustEqual(t, "replayed p result", pAgain, pFirst)
	if len(again) <= len(first) {
		t.Fatalf("replayed f should list the new folder: %d <= %d bytes", len(again), len(first))
	}
}
