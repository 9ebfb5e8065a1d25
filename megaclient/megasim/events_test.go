package megasim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func postSC(t testing.TB, srv *Server, sid, sn string) (int, string) {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/sc?sn="+sn+"&sid="+sid, "application/xml", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// rawSession logs in with go-mega and returns its sid, root and trash
// handles and the sn of a fresh fetch.
func rawSession(t testing.TB, srv *Server) (sid, root, trash, sn string) {
	t.Helper()
	m := login(t, srv, testEmail, testPassword)
	sid = m.GetSessionID()
	_, body := api(t, srv, sid, `[{"a":"f","c":1}]`)
	var res []struct {
		F []struct {
			H string `json:"h"`
			T int    `json:"t"`
		} `json:"f"`
		Sn string `json:"sn"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	for _, n := range res[0].F {
		switch n.T {
		case typeRoot:
			root = n.H
		case typeTrash:
			trash = n.H
		}
	}
	return sid, root, trash, res[0].Sn
}

const (
	// fakeAttr is a well-formed encrypted attribute: 32 bytes (two AES blocks), base64url.
	fakeAttr = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	// fakeFolderKey is a well-formed encrypted folder key: 16 bytes, base64url.
	fakeFolderKey = "AAAAAAAAAAAAAAAAAAAAAA"
)

func mkdir(t testing.TB, srv *Server, sid, parent, reqID string) string {
	t.Helper()
	_, body := api(t, srv, sid, cmd(t, map[string]any{
		"a": "p", "t": parent, "i": reqID,
		"n": []map[string]any{{"h": "xxxxxxxx", "t": 1, "a": fakeAttr, "k": fakeFolderKey}},
	}))
	var res []struct {
		F []struct {
			H, P string
		} `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res) != 1 || len(res[0].F) != 1 {
		t.Fatalf("mkdir reply %s: %v", body, err)
	}
	mustEqual(t, "new folder parent", res[0].F[0].P, parent)
	return res[0].F[0].H
}

func TestActionPackets(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, root, trash, sn0 := rawSession(t, srv)

	// Nothing pending: an immediate wait URL.
	_, body := postSC(t, srv, sid, sn0)
	var wait struct {
		W, Sn string
	}
	if err := json.Unmarshal([]byte(body), &wait); err != nil || wait.W == "" {
		t.Fatalf("sc with current sn: got %s, want a wait URL", body)
	}
	mustEqual(t, "wait sn", wait.Sn, sn0)
	mustEqual(t, "sn length", len(sn0), 11)

	// The wait URL holds until the account changes.
	done := make(chan string, 1)
	go func() {
		resp, err := http.Get(wait.W)
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- string(b)
	}()
	select {
	case b := <-done:
		t.Fatalf("wait URL answered %q before any change", b)
	case <-time.After(200 * time.Millisecond):
	}

	dir := mkdir(t, srv, sid, root, "req-mkdir1")
	select {
	case b := <-done:
		mustEqual(t, "wait URL body", b, "0")
	case <-time.After(10 * time.Second):
		t.Fatal("wait URL did not return after a change")
	}
	sub := mkdir(t, srv, sid, dir, "req-mkdir2")
	_, body = api(t, srv, sid, cmd(t, map[string]any{"a": "a", "n": dir, "attr": fakeAttr, "key": fakeFolderKey, "i": "req-rename"}))
	mustEqual(t, "rename", body, "[0]")
	_, body = api(t, srv, sid, cmd(t, map[string]any{"a": "m", "n": dir, "t": trash, "i": "req-move"}))
	mustEqual(t, "move", body, "[0]")
	_, body = api(t, srv, sid, cmd(t, map[string]any{"a": "d", "n": dir, "i": "req-delete"}))
	mustEqual(t, "delete", body, "[0]")

	_, body = postSC(t, srv, sid, sn0)
	var evs struct {
		A  []json.RawMessage `json:"a"`
		Sn string            `json:"sn"`
	}
	if err := json.Unmarshal([]byte(body), &evs); err != nil {
		t.Fatalf("sc: %s: %v", body, err)
	}
	want := []string{
		`{"a":"t","i":"req-mkdir1","t":{"f":[{"h":"` + dir + `","p":"` + root + `"`,
		`{"a":"t","i":"req-mkdir2","t":{"f":[{"h":"` + sub + `","p":"` + dir + `"`,
		`{"a":"u","i":"req-rename","n":"` + dir + `","u":"`,
		`{"a":"d","i":"req-move","n":"` + dir + `","m":1,"ou":"`,
		`{"a":"t","i":"req-move","t":{"f":[{"h":"` + dir + `","p":"` + trash + `"`,
		`{"a":"d","i":"req-delete","n":"` + dir + `","ou":"`,
	}
	if len(evs.A) != len(want) {
		t.Fatalf("packets: got %d (%s), want %d", len(evs.A), body, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(string(evs.A[i]), w) {
			t.Errorf("packet %d: got %s, want prefix %s", i, evs.A[i], w)
		}
	}
	if !strings.Contains(string(evs.A[4]), `"h":"`+sub+`"`) {
		t.Errorf("move packet lacks the moved subtree: %s", evs.A[4])
	}
	if !strings.HasSuffix(body, `"sn":"`+evs.Sn+`"}`) {
		t.Errorf("sn is not the last key: %s", body)
	}
	// Polling from the new sn: nothing pending again.
	_, body = postSC(t, srv, sid, evs.Sn)
	if !strings.HasPrefix(body, `{"w":`) {
		t.Fatalf("sc after catching up: got %s, want a wait URL", body)
	}
	// A bad sn.
	_, body = postSC(t, srv, sid, "not-an-sn")
	mustEqual(t, "bad sn", body, "-2")
}

// TestEventsReachOtherSession: a change by one go-mega session shows up in another's tree.
func TestEventsReachOtherSession(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	m1 := login(t, srv, testEmail, testPassword)
	m2 := login(t, srv, testEmail, testPassword)
	dir, err := m1.CreateDir("shared-news", m1.FS.GetRoot())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for m2.FS.HashLookup(dir.GetHash()) == nil {
		if time.Now().After(deadline) {
			t.Fatal("second session never saw the new folder")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mustEqual(t, "name seen by session 2", m2.FS.HashLookup(dir.GetHash()).GetName(), "shared-news")
}

// TestSNOlderThanLog: an sn that fell out of the retained action log gets
// -6, which tells the SDK to reload with f.
func TestSNOlderThanLog(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, _, _, sn0 := rawSession(t, srv)
	srv.mu.Lock()
	a := srv.accounts[testEmail]
	pkts := make([][]byte, actionLogLimit+1)
	for i := range pkts {
		pkts[i] = []byte(`{"a":"psts"}`)
	}
	a.emit(pkts...)
	srv.mu.Unlock()
	_, body := postSC(t, srv, sid, sn0)
	mustEqual(t, "stale sn", body, "-6")
}
