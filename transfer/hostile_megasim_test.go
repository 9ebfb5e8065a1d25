package transfer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// TestHostileDownloadsEndInBoundedRetries: through the engine, a download
// whose URL or body is bad is retried a bounded number of times and then
// fails with the reason; one whose claimed size is wrong fails at once.
func TestHostileDownloadsEndInBoundedRetries(t *testing.T) {
	t.Parallel()
	_, h := megasimtest.StartHostile(t, megasim.Options{Accounts: []megasim.Account{{Email: simEmail, Password: simPass}}})
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: simEmail, Password: simPass, APIURL: h.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	data := bytes.Repeat([]byte("hostile body "), 20000)
	f, err := c.Upload(ctx, "/", "f.bin", bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	editG := megasim.EditResult
	policy := RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond, MaxAttempts: 3}
	for _, tc := range []struct {
		name, what string
		rule       megasim.Rule
		want       string
		attempts   int
	}{
		{"URL not http", "g", editG(func(m map[string]any) { m["g"] = "gopher://x/dl" }), `download URL: "gopher://x/dl" is not http or https`, 3},
		{"URL empty", "g", editG(func(m map[string]any) { m["g"] = "" }), "download URL: empty", 3},
		{"reply not JSON", "g", func(_, _ []byte) []byte { return []byte("[{") }, "download reply is not a one-element array", 3},
		{"body cut short", "data", func(_, r []byte) []byte { return r[:len(r)-1] }, "download body of ", 3},
		{"size claim", "g", editG(func(m map[string]any) { m["s"] = int64(1) << 50 }), "download size 1125899906842624 for a file of 260000 bytes", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.Rewrite(tc.what, tc.rule)
			defer h.Rewrite(tc.what, nil)
			e := start(t, Options{Remote: c, Retry: policy})
			if _, err := e.Enqueue(downloadReq(f, t.TempDir())); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e)
			j := e.Snapshot()[0]
			if j.State != model.StateFailed || !strings.Contains(j.Err, tc.want) || j.Attempts != tc.attempts {
				t.Fatalf("%s %q after %d attempts; want failed saying %q after %d", j.State, j.Err, j.Attempts, tc.want, tc.attempts)
			}
		})
	}
}
