package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

func TestCLIListTooDeepFailsLoudly(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	mustCLI(t, s, "mkdir", "mega:/top/"+strings.Repeat("d/", model.MaxTreeDepth+3))
	out, err := runCLI(t, s, "lsf", "-R", "mega:/top")
	if !errors.Is(err, model.ErrTooDeep) {
		t.Fatalf("lsf -R of a %d-level tree: got %v, want %v", model.MaxTreeDepth+3, err, model.ErrTooDeep)
	}
	wantPath := strings.TrimSuffix(strings.Repeat("d/", model.MaxTreeDepth), "/")
	if !strings.Contains(err.Error(), wantPath+": folder tree too deep: more than 256 levels") {
		t.Fatalf("error %q does not name the path", err)
	}
	if out != "" {
		t.Fatalf("a listing that failed printed %d bytes as if complete", len(out))
	}
}

// TestCLIBinaryAgainstHostileServer runs the built binary against megasim
// behind the rewriting proxy: each hostile reply ends the command with
// its own message and a non-zero exit, without a panic, within a bound.
func TestCLIBinaryAgainstHostileServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	s := startCLISim(t)
	h, err := megasim.StartHostile(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	bin := filepath.Join(t.TempDir(), "megatui")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/megatui/megatui").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "MEGATUI_USER="+cliEmail, "MEGATUI_PASSWORD="+cliPass, "MEGATUI_API_URL="+h.URL(),
		"MEGATUI_KEYRING=off", "XDG_STATE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	type result struct {
		stdout, stderr string
		code           int
		maxRSS         int64 // bytes
		took           time.Duration
	}
	run := func(t *testing.T, args ...string) result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang, not a slow run
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = env
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		start := time.Now()
		err := cmd.Run()
		r := result{stdout: so.String(), stderr: se.String(), took: time.Since(start)}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = ru.Maxrss << 10
		}
		if ctx.Err() != nil {
			t.Fatalf("megatui %v still running after a minute", args)
		}
		if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
			t.Fatalf("megatui %v panicked:\n%s", args, r.stderr)
		}
		return r
	}
	ents := seedCLI(t, s, "/docs", "f.bin", bytes.Repeat([]byte("hostile"), 1000))

	t.Run("download size claim of 2^50", func(t *testing.T) {
		h.Rewrite("g", func(_, reply []byte) []byte {
			return bytes.Replace(reply, []byte(`"s":7000`), []byte(`"s":1125899906842624`), 1)
		})
		defer h.Rewrite("g", nil)
		r := run(t, "copy", "mega:/docs/f.bin", t.TempDir())
		t.Logf("failed in %v with a peak RSS of %d MiB", r.took.Round(time.Millisecond), r.maxRSS>>20)
		if r.code == 0 || !strings.Contains(r.stderr, "the server sent an invalid reply: download size 1125899906842624 for a file of 7000 bytes") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		if r.maxRSS >= 128<<20 {
			t.Fatalf("peak RSS %d MiB under a 2^50-byte claim, bound 128 MiB", r.maxRSS>>20)
		}
	})
	t.Run("login reply with a short master key", func(t *testing.T) {
		h.Rewrite("us", func(_, reply []byte) []byte {
			var rs []map[string]any
			if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 {
				return nil
			}
			rs[0]["k"] = "AAAAAAAAAAA"
			out, _ := json.Marshal(rs)
			return out
		})
		defer h.Rewrite("us", nil)
		r := run(t, "ls", "mega:")
		if r.code == 0 || !strings.Contains(r.stderr, "the server sent an invalid login reply: master key of 8 bytes") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("local special files listed with their reason", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "src")
		if err := os.MkdirAll(src, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, "plain.txt"), []byte("plain"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(src, "pipe"), 0o644); err != nil {
			t.Skipf("no FIFOs: %v", err)
		}
		if err := os.Symlink("loop", filepath.Join(src, "loop")); err != nil {
			t.Fatal(err)
		}
		r := run(t, "copy", src, "mega:/special")
		for _, want := range []string{
			"pipe: skipped: special file (named pipe)\n",
			"loop: skipped: special file (symbolic link, not followed)\n",
			"copy: 1 new, 0 updated, 0 identical, 2 skipped, 0 failed; 5 B transferred\n",
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
		if r.code != 0 {
			t.Errorf("exit %d", r.code)
		}
	})
	t.Run("parent cycle and self-parent", func(t *testing.T) {
		loop := seedCLI(t, s, "/loop/a/b", "in-b.txt", []byte("b"))
		top := seedCLI(t, s, "/", "top.txt", []byte("t"))["loop"]
		a := seedCLI(t, s, "/loop", "in-loop.txt", []byte("l"))["a"]
		b := seedCLI(t, s, "/loop/a", "in-a.txt", []byte("a"))["b"]
		self := loop["in-b.txt"]
		h.Rewrite("f", func(_, reply []byte) []byte {
			var rs []map[string]any
			if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 {
				return nil
			}
			for _, n := range rs[0]["f"].([]any) {
				switch nm := n.(map[string]any); nm["h"] {
				case top:
					nm["p"] = b // loop → a → b → loop
				case self:
					nm["p"] = self
				}
			}
			out, _ := json.Marshal(rs)
			return out
		})
		defer h.Rewrite("f", nil)
		r := run(t, "lsf", "-R", "mega:H:"+a)
		if r.code != 0 || strings.Count(r.stderr, "quarantined") != 2 {
			t.Fatalf("ls -R: exit %d, stdout %q, stderr %q; want it to end, with the cycle and the self-parent reported once each", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, "its parents loop back to it") || !strings.Contains(r.stderr, "the node is its own parent") {
			t.Fatalf("stderr %q lacks the reasons", r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		seen := map[string]bool{}
		for _, l := range lines {
			if seen[l] {
				t.Fatalf("ls -R lists %q twice:\n%s", l, r.stdout)
			}
			seen[l] = true
		}
		r = run(t, "copy", "mega:H:"+a, t.TempDir())
		if strings.Contains(r.stderr, "panic") {
			t.Fatalf("copy: %s", r.stderr)
		}
	})
	t.Run("attribute blob go-mega panics on", func(t *testing.T) {
		id := ents["f.bin"]
		h.Rewrite("f", func(_, reply []byte) []byte {
			var rs []map[string]any
			if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 {
				return nil
			}
			for _, n := range rs[0]["f"].([]any) {
				if nm := n.(map[string]any); nm["h"] == id {
					nm["a"] = "AAAAAAAAAAAAAAAAAAAAAAA" // 17 bytes
				}
			}
			out, _ := json.Marshal(rs)
			return out
		})
		defer h.Rewrite("f", nil)
		r := run(t, "ls", "mega:/docs")
		if r.code != 0 || !strings.Contains(r.stdout, "[undecryptable "+id+"]") {
			t.Fatalf("ls: exit %d, stdout %q, stderr %q; want the node listed as undecryptable", r.code, r.stdout, r.stderr)
		}
		warning := "megatui: warning: node " + id + " quarantined (listed as undecryptable): attributes of 17 bytes are not whole AES blocks\n"
		if strings.Count(r.stderr, warning) != 1 {
			t.Fatalf("ls: stderr %q, want the warning %q once", r.stderr, warning)
		}
		r = run(t, "copy", "mega:H:"+id, t.TempDir())
		if r.code == 0 || !strings.Contains(r.stderr, "attributes of 17 bytes are not whole AES blocks: node quarantined") {
			t.Fatalf("copy: exit %d, stderr %q", r.code, r.stderr)
		}
		r = run(t, "mkdir", "mega:/still-usable")
		if r.code != 0 {
			t.Fatalf("the rest of the account: mkdir exit %d: %s", r.code, r.stderr)
		}
	})
}

// seedCLI stores a file in a new MEGA folder and returns name → handle
// of the folder's entries.
func seedCLI(t testing.TB, s *megasim.Server, dir, name string, data []byte) map[string]string {
	t.Helper()
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: cliEmail, Password: cliPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.MkdirAll(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, dir, name, bytes.NewReader(data), int64(len(data)), time.Unix(1700000000, 0), nil); err != nil {
		t.Fatal(err)
	}
	es, err := c.List(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range es {
		out[e.Name] = e.ID
	}
	return out
}

func TestCopySummaryCountsWhatWasCopied(t *testing.T) {
	t.Parallel()
	jobs := []model.Job{
		{Src: model.Location{Display: "a"}, State: model.StateDone, Size: 5, Done: 5},
		{Src: model.Location{Display: "b"}, State: model.StateFailed, Size: 1 << 20, Done: 700 << 10, Err: "local disk full"},
		{Src: model.Location{Display: "c"}, State: model.StateSkipped, Size: 9, Reason: "identical file exists"},
	}
	tot := model.Totals{ByState: map[model.State]int{model.StateDone: 1, model.StateFailed: 1, model.StateSkipped: 1}, BytesDone: 5 + 700<<10}
	var stderr, stdout bytes.Buffer
	if n := printCopySummary(&stderr, &stdout, jobs, tot, nil, false, false); n != 1 {
		t.Fatalf("failures: %d, want 1", n)
	}
	if want := "failed: b: local disk full\ncopied 1 files (5 B), skipped 1, failed 1\n"; stderr.String() != want {
		t.Fatalf("summary:\n%s\nwant:\n%s", stderr.String(), want)
	}
}
