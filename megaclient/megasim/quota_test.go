package megasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	mega "github.com/t3rm1n4l/go-mega"
)

func TestQuota(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{QuotaBytes: 1000})
	sid, root, _, _ := rawSession(t, srv)
	uq := func() (total, used int64) {
		_, body := api(t, srv, sid, `[{"a":"uq","xfer":1,"strg":1}]`)
		var res []struct {
			Mstrg, Cstrg int64
			Cstrgn       map[string][]int64
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatalf("uq %s: %v", body, err)
		}
		if res[0].Cstrgn[root] == nil {
			t.Fatalf("uq lacks per-root usage: %s", body)
		}
		mustEqual(t, "root bytes", res[0].Cstrgn[root][0], res[0].Cstrg)
		return res[0].Mstrg, res[0].Cstrg
	}
	total, used := uq()
	mustEqual(t, "total", total, int64(1000))
	mustEqual(t, "used", used, int64(0))

	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"larger than the quota", 1001, "[-24]"},
		{"exactly the quota", 1000, `[{"p":`},
	} {
		_, body := api(t, srv, sid, fmt.Sprintf(`[{"a":"u","s":%d}]`, tc.size))
		if len(body) < len(tc.want) || body[:len(tc.want)] != tc.want {
			t.Fatalf("%s: got %s, want %s", tc.name, body, tc.want)
		}
	}
	uploadRaw(t, srv, sid, root, make([]byte, 600))
	_, used = uq()
	mustEqual(t, "used after 600 bytes", used, int64(600))
	_, body := api(t, srv, sid, `[{"a":"u","s":401}]`)
	mustEqual(t, "u over the remaining quota", body, "[-24]")
	uploadRaw(t, srv, sid, root, make([]byte, 400))
	_, body = api(t, srv, sid, `[{"a":"u","s":1}]`)
	mustEqual(t, "u when full", body, "[-17]")
	_, used = uq()
	mustEqual(t, "used when full", used, int64(1000))

	// go-mega sees the same errors.
	m := login(t, srv, testEmail, testPassword)
	if _, err := m.UploadFile(tempFile(t, "one.bin", []byte("x")), m.FS.GetRoot(), "", nil); !errors.Is(err, mega.EOVERQUOTA) {
		t.Fatalf("go-mega upload when full: got %v, want %v", err, mega.EOVERQUOTA)
	}
	q, err := m.GetQuota()
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "go-mega used", q.Cstrg, uint64(1000))
	mustEqual(t, "go-mega total", q.Mstrg, uint64(1000))
}

// TestQuotaAtCompletion: two uploads that each fit but not together; the
// second completion is refused with -17.
func TestQuotaAtCompletion(t *testing.T) {
	t.Parallel()
	srv := startServer(t, Options{QuotaBytes: 100})
	sid, root, _, _ := rawSession(t, srv)
	u1, u2 := uploadURL(t, srv, sid, 60), uploadURL(t, srv, sid, 60)
	_, tok1 := postPiece(t, u1, 0, make([]byte, 60))
	_, tok2 := postPiece(t, u2, 0, make([]byte, 60))
	put := func(tok string) string {
		_, body := api(t, srv, sid, cmd(t, map[string]any{"a": "p", "t": root,
			"n": []map[string]any{{"h": tok, "t": 0, "a": fakeAttr, "k": b64(make([]byte, 32))}}}))
		return body
	}
	if body := put(tok1); body[:7] != `[{"f":[` {
		t.Fatalf("first completion: %s", body)
	}
	mustEqual(t, "second completion", put(tok2), "[-17]")
	mustEqual(t, "token reuse", put(tok1), "[-9]")
}
