package megaclient

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/megatui/megatui/megaclient/megasim"
)

// rawCommand sends one API command with the client's session straight to
// megasim (test set-up only: seeding, logging a session out).
func rawCommand(t testing.TB, s *megasim.Server, sid string, cmd any) []byte {
	t.Helper()
	body, err := json.Marshal([]any{cmd})
	if err != nil {
		t.Fatal(err)
	}
	var id [4]byte
	rand.Read(id[:])
	url := fmt.Sprintf("%s/cs?id=%x&sid=%s", s.URL(), id, sid)
	resp, err := s.HTTPClient().Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("raw command: HTTP %d: %s", resp.StatusCode, out)
	}
	return out
}

// seedFolders creates folders under parent with batched `p` commands, each
// with the given attributes (name from names[i]). It returns the handles.
func seedFolders(t testing.TB, s *megasim.Server, sess Session, parent string, names []string, extra map[string]string) []string {
	t.Helper()
	var handles []string
	const batch = 5000
	for start := 0; start < len(names); start += batch {
		end := min(start+batch, len(names))
		nodes := make([]map[string]any, 0, end-start)
		for _, name := range names[start:end] {
			key := make([]byte, 16)
			rand.Read(key)
			a := Attrs{Name: name}
			for k, v := range extra {
				a.SetString(k, v)
			}
			enc, err := encryptAttrs(key, a)
			if err != nil {
				t.Fatal(err)
			}
			blk, _ := aes.NewCipher(sess.MasterKey)
			ek := make([]byte, 16)
			blk.Encrypt(ek, key)
			nodes = append(nodes, map[string]any{"h": "xxxxxxxx", "t": 1, "a": enc, "k": b64encode(ek)})
		}
		out := rawCommand(t, s, sess.SessionID, map[string]any{"a": "p", "t": parent, "n": nodes})
		var r []struct {
			F []rawNode `json:"f"`
		}
		if err := json.Unmarshal(out, &r); err != nil || len(r) != 1 {
			t.Fatalf("seed: bad reply %.200s: %v", out, err)
		}
		for _, n := range r[0].F {
			handles = append(handles, n.H)
		}
	}
	return handles
}

// logout ends a session on the server (as a logout elsewhere would).
func logout(t testing.TB, s *megasim.Server, sid string) {
	t.Helper()
	if out := rawCommand(t, s, sid, map[string]any{"a": "sml"}); string(out) != "[0]" {
		t.Fatalf("logout: got %s, want [0]", out)
	}
}

var _ = http.MethodPost
