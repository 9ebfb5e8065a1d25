package megasim

import (
	"io"
	"net/http"
	"strings"
	"testing"

	mega "github.com/t3rm1n4l/go-mega"
)

// benchServer starts a v1 account (cheap key derivation, so the figures
// show fetch cost rather than PBKDF2) seeded with nodes nodes.
func benchServer(b *testing.B, nodes int) *Server {
	b.Helper()
	srv := startServer(b, Options{})
	if nodes > 0 {
		res, err := srv.SeedTree(testEmail, SeedOptions{Password: testPassword, Nodes: nodes, FanOut: 100, SubFolders: 10})
		if err != nil {
			b.Fatal(err)
		}
		if res.Folders+res.Files != nodes {
			b.Fatalf("seeded %d nodes, want %d", res.Folders+res.Files, nodes)
		}
	}
	return srv
}

func benchLogin(b *testing.B, nodes int) {
	srv := benchServer(b, nodes)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		m := login(b, srv, testEmail, testPassword)
		if got := len(nodesUnder(m)); got != nodes {
			b.Fatalf("client sees %d nodes, want %d", got, nodes)
		}
	}
	b.ReportMetric(float64(nodes), "nodes")
}

// nodesUnder counts the nodes below the Cloud Drive root.
func nodesUnder(m *mega.Mega) []*mega.Node {
	var out []*mega.Node
	queue := []*mega.Node{m.FS.GetRoot()}
	for len(queue) > 0 {
		kids, _ := m.FS.GetChildren(queue[0])
		queue = append(queue[1:], kids...)
		out = append(out, kids...)
	}
	return out
}

// BenchmarkLoginFetch100k is go-mega's whole Login (us0, us, f with
// 100,000 nodes decrypted, first sc) against megasim.
func BenchmarkLoginFetch100k(b *testing.B) { benchLogin(b, 100000) }

// BenchmarkLoginFetchSmall is the same login on an empty account: the baseline.
func BenchmarkLoginFetchSmall(b *testing.B) { benchLogin(b, 0) }

// BenchmarkFetchRaw100k is the server side alone: one "f" of 100,000
// nodes over HTTP, body read and discarded (no client decoding).
func BenchmarkFetchRaw100k(b *testing.B) {
	srv := benchServer(b, 100000)
	sid, _, _, _ := rawSession(b, srv)
	var size int64
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := http.Post(srv.URL()+"/cs?sid="+sid, "application/json", strings.NewReader(`[{"a":"f","c":1}]`))
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB/reply")
}

// BenchmarkFetchShared100k is one raw "f" of a 100,000-node folder, by
// its owner (the baseline) and by a user it is shared with (share-key
// entries, su/sk on the root, the recipient's view of every node).
func BenchmarkFetchShared100k(b *testing.B) {
	srv := startSharing(b, "")
	alice := party(b, srv, testEmail, testPassword)
	team := teamFolder(b, srv, alice, testPassword)
	if _, err := srv.SeedTree(testEmail, SeedOptions{Password: testPassword, Parent: team, Nodes: 100000 - 3, FanOut: 100, SubFolders: 10}); err != nil {
		b.Fatal(err)
	}
	sb := buildShare(b, srv, alice, team, bobEmail, accessRead)
	if _, got := api(b, srv, alice.sid, cmd(b, sb.cmd)); !strings.HasPrefix(got, `[{"r":[0]`) {
		b.Fatalf("share: %.200s", got)
	}
	// Bob logs in after the share: his go-mega client then reads the tree
	// in its login, not in the background while the fetches are timed.
	bob := party(b, srv, bobEmail, bobPassword)
	for _, who := range []struct{ name, sid string }{{"owner", alice.sid}, {"recipient", bob.sid}} {
		b.Run(who.name, func(b *testing.B) {
			var size int64
			b.ReportAllocs()
			for range b.N {
				resp, err := http.Post(srv.URL()+"/cs?sid="+who.sid, "application/json", strings.NewReader(`[{"a":"f","c":1}]`))
				if err != nil {
					b.Fatal(err)
				}
				size, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size)/1e6, "MB/reply")
		})
	}
}
