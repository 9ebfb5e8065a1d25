package megasim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// exportCmd turns an "s2" into the one official clients send before
// exporting a folder: to the pseudo-user EXP (no RSA key), read-only,
// with every node key of the subtree under the share key.
func exportCmd(share map[string]any) map[string]any {
	exp := map[string]any{}
	for k, v := range share {
		exp[k] = v
	}
	exp["s"] = []any{map[string]any{"u": "EXP", "r": 0}}
	return exp
}

func folderLinkAPI(t testing.TB, srv *Server, ph, body string) string {
	t.Helper()
	resp, err := http.Post(srv.URL()+"/cs?id=7&n="+url.QueryEscape(ph), "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestFolderLinkNeedsExportShare(t *testing.T) {
	t.Parallel()
	srv := startSharing(t, "")
	alice := party(t, srv, testEmail, testPassword)
	team := teamFolder(t, srv, alice, testPassword)

	_, body := api(t, srv, alice.sid, cmd(t, map[string]any{"a": "l", "n": team}))
	mustEqual(t, "l on an unshared folder", body, "[-11]")

	// Shared with a user only: still not exported.
	share := buildShare(t, srv, alice, team, bobEmail, 0)
	_, body = api(t, srv, alice.sid, cmd(t, share.cmd))
	if !strings.HasPrefix(body, `[{"r":[0]`) {
		t.Fatalf("s2 to bob: %s", body)
	}
	_, body = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "l", "n": team}))
	mustEqual(t, "l on a folder shared with a user", body, "[-11]")

	shareKey := share.key
	_, body = api(t, srv, alice.sid, cmd(t, exportCmd(share.cmd)))
	if !strings.HasPrefix(body, `[{"r":[0]`) {
		t.Fatalf("s2 to EXP: %s", body)
	}
	_, body = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "l", "n": team}))
	var ph []string
	if err := json.Unmarshal([]byte(body), &ph); err != nil || len(ph) != 1 || len(ph[0]) != 8 {
		t.Fatalf("l after s2 to EXP: %s", body)
	}

	// The folder-link session: n=<ph>, no sid.
	body = folderLinkAPI(t, srv, ph[0], `[{"a":"f","c":1,"r":1}]`)
	var f []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &f); err != nil || len(f) != 1 {
		t.Fatalf("folder-link f: %.300s", body)
	}
	var nodes []wireNode
	var raw []struct {
		H, P, K, A string
		T          int
	}
	if err := json.Unmarshal(f[0]["f"], &raw); err != nil {
		t.Fatal(err)
	}
	for _, n := range raw {
		nodes = append(nodes, wireNode{H: n.H, P: n.P, K: n.K, A: n.A, T: n.T})
	}
	if len(nodes) != 4 || nodes[0].H != team {
		t.Fatalf("folder-link f: %d nodes, first %v; want the folder first and its 3 nodes", len(nodes), nodes)
	}
	var file string
	for _, n := range nodes {
		h, enc, ok := strings.Cut(n.K, ":")
		if !ok || h != team || strings.Contains(enc, "/") {
			t.Fatalf("node %s key %q: want only the share-key entry %s:…", n.H, n.K, team)
		}
		rk, _ := unb64(enc)
		key, err := ecbDecrypt(shareKey, rk)
		if err != nil {
			t.Fatal(err)
		}
		if name := attrName(t, key, n.A); name == "" {
			t.Fatalf("node %s: empty name", n.H)
		}
		if n.T == typeFile {
			file = n.H
		}
	}
	body = folderLinkAPI(t, srv, ph[0], cmd(t, map[string]any{"a": "g", "g": 1, "n": file}))
	var g []downloadReply
	if err := json.Unmarshal([]byte(body), &g); err != nil || len(g) != 1 || g[0].S != 100 {
		t.Fatalf("folder-link g: %s", body)
	}
	if !strings.HasPrefix(g[0].G, srv.DataURL()+"/dl/") || strings.HasPrefix(g[0].G, srv.URL()) {
		t.Fatalf("download URL %s: want the storage host %s, not the API host %s", g[0].G, srv.DataURL(), srv.URL())
	}
	// Nothing but reading in a folder-link session; nothing outside it.
	mustEqual(t, "folder-link p", folderLinkAPI(t, srv, ph[0], cmd(t, map[string]any{"a": "m", "n": file, "t": team})), "[-11]")
	srv.mu.Lock()
	root := srv.accounts[testEmail].rec.Root
	srv.mu.Unlock()
	mustEqual(t, "folder-link g outside", folderLinkAPI(t, srv, ph[0], cmd(t, map[string]any{"a": "g", "g": 1, "n": root})), "[-9]")
	mustEqual(t, "unknown folder link", folderLinkAPI(t, srv, "AAAAAAAA", `[{"a":"f","c":1,"r":1}]`), "[-9]")

	// Removing the EXP share removes the link.
	_, body = api(t, srv, alice.sid, cmd(t, map[string]any{"a": "s2", "n": team, "s": []any{map[string]any{"u": "EXP"}}}))
	if !strings.HasPrefix(body, `[{"r":[0]`) {
		t.Fatalf("s2 removing EXP: %s", body)
	}
	mustEqual(t, "folder link after unsharing", folderLinkAPI(t, srv, ph[0], `[{"a":"f","c":1,"r":1}]`), "[-9]")
}

func TestHandlesDifferWithoutSeed(t *testing.T) {
	t.Parallel()
	root := func(seed int64) string {
		srv := startServer(t, Options{Seed: seed})
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return srv.accounts[testEmail].rec.Root
	}
	if a, b := root(0), root(0); a == b {
		t.Fatalf("two servers without a seed both made root %s", a)
	}
	if a, b := root(9), root(9); a != b {
		t.Fatalf("two servers with seed 9 made roots %s and %s", a, b)
	}
}

func TestDataPathsOnStorageHostOnly(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	if srv.DataURL() == srv.URL() {
		t.Fatalf("storage host %s is the API host", srv.DataURL())
	}
	resp, err := http.Get(srv.URL() + "/dl/" + b64(make([]byte, 36)) + "/0-9")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mustEqual(t, "download path on the API host", resp.StatusCode, http.StatusNotFound)
}
