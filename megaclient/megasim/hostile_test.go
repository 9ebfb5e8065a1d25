package megasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestHostileCommands(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, root, trash, _ := rawSession(t, srv)
	dir := mkdir(t, srv, sid, root, "")
	sub := mkdir(t, srv, sid, dir, "")
	fileNode := uploadRaw(t, srv, sid, root, []byte("0123456789abcdef-hostile"))

	for _, tc := range []struct {
		name, sid, body, want string
	}{
		{"malformed JSON", sid, `[{"a":"ug"`, `-2`},
		{"not an array", sid, `{"a":"ug"}`, `-2`},
		{"empty batch", sid, `[]`, `-2`},
		{"command not an object", sid, `[42]`, `[-2]`},
		{"command name not a string", sid, `[{"a":7}]`, `[-2]`},
		{"unknown command", sid, `[{"a":"xyzzy"}]`, `[-2]`},
		{"wrong field type", sid, `[{"a":"m","n":5,"t":"` + trash + `"}]`, `[-2]`},
		{"wrong type in p", sid, `[{"a":"p","t":"` + root + `","n":"nope"}]`, `[-2]`},
		{"p without nodes", sid, `[{"a":"p","t":"` + root + `","n":[]}]`, `[-2]`},
		{"p bad attr", sid, `[{"a":"p","t":"` + root + `","n":[{"h":"xxxxxxxx","t":1,"a":"abc","k":"` + fakeFolderKey + `"}]}]`, `[-2]`},
		{"p bad key length", sid, `[{"a":"p","t":"` + root + `","n":[{"h":"xxxxxxxx","t":1,"a":"` + fakeAttr + `","k":"AAAA"}]}]`, `[-2]`},
		{"p bad node type", sid, `[{"a":"p","t":"` + root + `","n":[{"h":"xxxxxxxx","t":2,"a":"` + fakeAttr + `","k":"` + fakeFolderKey + `"}]}]`, `[-2]`},
		{"p missing parent", sid, `[{"a":"p","t":"zzzzzzzz","n":[{"h":"xxxxxxxx","t":1,"a":"` + fakeAttr + `","k":"` + fakeFolderKey + `"}]}]`, `[-9]`},
		{"p into a file", sid, `[{"a":"p","t":"` + fileNode + `","n":[{"h":"xxxxxxxx","t":1,"a":"` + fakeAttr + `","k":"` + fakeFolderKey + `"}]}]`, `[-11]`},
		{"p unknown upload token", sid, `[{"a":"p","t":"` + root + `","n":[{"h":"bm90LWEtdG9rZW4tbm90LWEtdG9rZW4tbm90LWEt","t":0,"a":"` + fakeAttr + `","k":"` + b64(make([]byte, 32)) + `"}]}]`, `[-9]`},
		{"m bad handle", sid, `[{"a":"m","n":"zzzzzzzz","t":"` + trash + `"}]`, `[-9]`},
		{"m bad target", sid, `[{"a":"m","n":"` + dir + `","t":"zzzzzzzz"}]`, `[-9]`},
		{"m into itself", sid, `[{"a":"m","n":"` + dir + `","t":"` + dir + `"}]`, `[-10]`},
		{"m into own subtree", sid, `[{"a":"m","n":"` + dir + `","t":"` + sub + `"}]`, `[-10]`},
		{"m into a file", sid, `[{"a":"m","n":"` + dir + `","t":"` + fileNode + `"}]`, `[-11]`},
		{"m a root", sid, `[{"a":"m","n":"` + root + `","t":"` + trash + `"}]`, `[-11]`},
		{"d bad handle", sid, `[{"a":"d","n":"zzzzzzzz"}]`, `[-9]`},
		{"d cloud drive root", sid, `[{"a":"d","n":"` + root + `"}]`, `[-11]`},
		{"d rubbish bin", sid, `[{"a":"d","n":"` + trash + `"}]`, `[-11]`},
		{"a bad handle", sid, `[{"a":"a","n":"zzzzzzzz","attr":"` + fakeAttr + `"}]`, `[-9]`},
		{"a root", sid, `[{"a":"a","n":"` + root + `","attr":"` + fakeAttr + `"}]`, `[-11]`},
		{"a without attr", sid, `[{"a":"a","n":"` + dir + `"}]`, `[-2]`},
		{"a attr not whole blocks", sid, `[{"a":"a","n":"` + dir + `","attr":"` + b64(make([]byte, 17)) + `"}]`, `[-2]`},
		{"g bad handle", sid, `[{"a":"g","g":1,"n":"zzzzzzzz"}]`, `[-9]`},
		{"g a folder", sid, `[{"a":"g","g":1,"n":"` + dir + `"}]`, `[-11]`},
		{"g bad public handle", "", `[{"a":"g","g":1,"p":"zzzzzzzz"}]`, `[-9]`},
		{"l bad handle", sid, `[{"a":"l","n":"zzzzzzzz"}]`, `[-9]`},
		{"u negative size", sid, `[{"a":"u","s":-1}]`, `[-2]`},
		{"us0 unknown user", "", `[{"a":"us0","user":"nobody@example.com"}]`, `[-9]`},
		{"us wrong uh", "", `[{"a":"us","user":"` + testEmail + `","uh":"AAAAAAAAAAA"}]`, `[-9]`},
		{"bad sid", "bogus", `[{"a":"ug"}]`, `-15`},
		{"batch: one bad, one good", sid, `[{"a":"d","n":"zzzzzzzz"},{"a":"l","n":"` + fileNode + `"}]`, `[-9,"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := api(t, srv, tc.sid, tc.body)
			mustEqual(t, "status", code, 200)
			if strings.HasSuffix(tc.want, `"`) {
				if !strings.HasPrefix(body, tc.want) {
					t.Fatalf("reply: got %s, want prefix %s", body, tc.want)
				}
				return
			}
			mustEqual(t, "reply", body, tc.want)
		})
	}

	t.Run("oversized body", func(t *testing.T) {
		big := `[{"a":"ug","pad":"` + strings.Repeat("x", maxCSBody) + `"}]`
		_, body := api(t, srv, sid, big)
		mustEqual(t, "reply", body, "-2")
	})
	t.Run("too many commands", func(t *testing.T) {
		_, body := api(t, srv, sid, "["+strings.TrimSuffix(strings.Repeat(`{"a":"uq"},`, maxBatch+1), ",")+"]")
		mustEqual(t, "reply", body, "-2")
	})
	t.Run("unknown path", func(t *testing.T) {
		resp, err := http.Get(srv.URL() + "/nothing-here")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mustEqual(t, "status", resp.StatusCode, http.StatusNotFound)
	})
}

// uploadRaw uploads content through u + one POST + p and returns the node handle.
func uploadRaw(t testing.TB, srv *Server, sid, parent string, content []byte) string {
	t.Helper()
	url := uploadURL(t, srv, sid, len(content))
	code, tok := postPiece(t, url, 0, content)
	mustEqual(t, "piece status", code, 200)
	mustEqual(t, "token length", len(tok), 36)
	_, body := api(t, srv, sid, cmd(t, map[string]any{
		"a": "p", "t": parent,
		"n": []map[string]any{{"h": tok, "t": 0, "a": fakeAttr, "k": b64(make([]byte, 32))}},
	}))
	var res []struct {
		F []struct {
			H string `json:"h"`
			S int64  `json:"s"`
		} `json:"f"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res) != 1 || len(res[0].F) != 1 {
		t.Fatalf("p reply %s: %v", body, err)
	}
	mustEqual(t, "size", res[0].F[0].S, int64(len(content)))
	return res[0].F[0].H
}

func uploadURL(t testing.TB, srv *Server, sid string, size int) string {
	t.Helper()
	_, body := api(t, srv, sid, fmt.Sprintf(`[{"a":"u","s":%d}]`, size))
	var res []struct {
		P string `json:"p"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || len(res) != 1 || res[0].P == "" {
		t.Fatalf("u reply %s: %v", body, err)
	}
	return res[0].P
}

func postPiece(t testing.TB, url string, off int, data []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("%s/%d", url, off), "application/octet-stream", bytes.NewReader(data))
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

func TestHostileUploadPieces(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, _, _, _ := rawSession(t, srv)
	url := uploadURL(t, srv, sid, 100)
	for _, tc := range []struct {
		name string
		off  int
		n    int
		want string
	}{
		{"piece past the end", 90, 20, "-7"},
		{"offset past the end", 101, 1, "-7"},
		{"first half", 0, 50, ""},
		{"same half again", 0, 50, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := postPiece(t, url, tc.off, make([]byte, tc.n))
			mustEqual(t, "status", code, 200)
			mustEqual(t, "body", body, tc.want)
		})
	}
	t.Run("negative offset", func(t *testing.T) {
		code, body := postPiece(t, url, -5, make([]byte, 5))
		mustEqual(t, "status", code, 200)
		mustEqual(t, "body", body, "-7")
	})
	t.Run("bad checksum", func(t *testing.T) {
		resp, err := http.Post(url+"/50?c=AAAAAAAAAAAAAAAA", "application/octet-stream", bytes.NewReader(bytes.Repeat([]byte{1}, 50)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		mustEqual(t, "body", string(b), "-14")
	})
	t.Run("good checksum", func(t *testing.T) {
		piece := bytes.Repeat([]byte{9}, 10)
		resp, err := http.Post(url+"/50?c="+pieceChecksum(piece), "application/octet-stream", bytes.NewReader(piece))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		mustEqual(t, "body", string(b), "")
	})
	t.Run("completing piece", func(t *testing.T) {
		_, tok := postPiece(t, url, 50, make([]byte, 50))
		mustEqual(t, "token length", len(tok), 36)
		_, again := postPiece(t, url, 50, make([]byte, 50))
		mustEqual(t, "repeated completing piece", again, tok)
	})
	t.Run("unknown upload URL", func(t *testing.T) {
		_, body := postPiece(t, srv.DataURL()+"/ul/doesnotexist", 0, []byte("x"))
		mustEqual(t, "body", body, "-8")
	})
	t.Run("forged download URL", func(t *testing.T) {
		resp, err := http.Get(srv.DataURL() + "/dl/" + b64(make([]byte, 36)) + "/0-9")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mustEqual(t, "status", resp.StatusCode, http.StatusForbidden)
	})
}

// TestConcurrentSessions: many sessions of one account mutate at once;
// every change lands exactly once and every session's event stream
// carries all of them in the same order.
func TestConcurrentSessions(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	const sessions, perSession = 6, 15
	sids := make([]string, sessions)
	var root, sn0 string
	for i := range sids {
		sids[i], root, _, sn0 = rawSession(t, srv)
	}
	var wg sync.WaitGroup
	for i := range sids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range perSession {
				_, body := api(t, srv, sids[i], cmd(t, map[string]any{
					"a": "p", "t": root, "i": fmt.Sprintf("s%d-%d", i, j),
					"n": []map[string]any{{"h": "xxxxxxxx", "t": 1, "a": fakeAttr, "k": fakeFolderKey}},
				}))
				if !strings.HasPrefix(body, `[{"f":[`) {
					t.Errorf("session %d mkdir %d: %s", i, j, body)
				}
				_, _ = api(t, srv, sids[i], `[{"a":"uq","strg":1}]`)
			}
		}()
	}
	wg.Wait()
	nodes := fetchNodes(t, srv, sids[0])
	mustEqual(t, "nodes", len(nodes), 3+sessions*perSession)
	var first string
	for i, sid := range sids {
		_, body := postSC(t, srv, sid, sn0)
		var evs struct {
			A []json.RawMessage `json:"a"`
		}
		if err := json.Unmarshal([]byte(body), &evs); err != nil {
			t.Fatal(err)
		}
		mustEqual(t, "packets", len(evs.A), sessions*perSession)
		if i == 0 {
			first = body
		} else if body != first {
			t.Fatalf("session %d saw a different event stream", i)
		}
	}
}

// pieceChecksum is the 12-byte XOR checksum of §6.2, base64url: an
// independent reference for the server's streaming computation.
func pieceChecksum(data []byte) string {
	var sum [12]byte
	for i, c := range data {
		sum[i%12] ^= c
	}
	return b64(sum[:])
}

func getBody(t *testing.T, method, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestDataPathForms covers the URL and token forms other clients use:
// bare and open-ended ranges, POST downloads (megatools), "?d=" pieces
// (SDK) and binary completion tokens for "u" with v>=2.
func TestDataPathForms(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{})
	sid, root, _, _ := rawSession(t, srv)
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	h := uploadRaw(t, srv, sid, root, content)
	_, body := api(t, srv, sid, `[{"a":"g","g":1,"n":"`+h+`"}]`)
	var res []struct {
		G string `json:"g"`
		S int64  `json:"s"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil || res[0].G == "" {
		t.Fatalf("g: %s", body)
	}
	g := res[0].G
	for _, tc := range []struct {
		name, method, suffix string
		code                 int
		want                 int // bytes
	}{
		{"bare URL", "GET", "", 200, 36},
		{"closed range", "GET", "/3-7", 200, 5},
		{"open range", "GET", "/30-", 200, 6},
		{"POST range", "POST", "/0-35", 200, 36},
		{"past the end", "GET", "/0-36", 416, -1},
		{"garbage range", "GET", "/x-y", 416, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := getBody(t, tc.method, g+tc.suffix)
			mustEqual(t, "status", code, tc.code)
			if tc.want >= 0 {
				mustEqual(t, "length", len(b), tc.want)
			}
		})
	}
	// The stored bytes are what was uploaded (the test client sent them
	// in clear; real clients send ciphertext).
	_, b := getBody(t, "GET", g+"/3-7")
	mustEqual(t, "range content", string(b), "34567")

	t.Run("d= pieces and binary token", func(t *testing.T) {
		_, body := api(t, srv, sid, `[{"a":"u","s":20,"ssl":0,"v":2}]`)
		var u []struct{ P string }
		if err := json.Unmarshal([]byte(body), &u); err != nil {
			t.Fatal(err)
		}
		half := make([]byte, 10)
		code, reply := getBodyPost(t, u[0].P+"/0?d="+pieceChecksum(half), half)
		mustEqual(t, "status", code, 200)
		mustEqual(t, "incomplete d= piece", string(reply), "0")
		_, tok := getBodyPost(t, u[0].P+"/10?d="+pieceChecksum(half), half)
		mustEqual(t, "binary token length", len(tok), 36)
		mustEqual(t, "binary token last byte", tok[35], byte(1))
		_, body = api(t, srv, sid, cmd(t, map[string]any{"a": "p", "t": root,
			"n": []map[string]any{{"h": b64(tok), "t": 0, "a": fakeAttr, "k": b64(make([]byte, 32)), "fa": nil}}}))
		if !strings.HasPrefix(body, `[{"f":[{"h":"`) || !strings.Contains(body, `"s":20`) {
			t.Fatalf("p with a binary token: %s", body)
		}
	})
}

func getBodyPost(t *testing.T, url string, data []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/octet-stream", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
