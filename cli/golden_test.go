package cli

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient/megasim"
)

var update = flag.Bool("update", false, "rewrite the golden files of the command outputs")

var (
	binOnce sync.Once
	binFile string
	binErr  error
)

// builtBinary builds megatui once for the package's binary tests.
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "megatui-bin-")
		if err != nil {
			binErr = err
			return
		}
		binFile = filepath.Join(dir, "megatui")
		if out, err := exec.Command("go", "build", "-o", binFile, "github.com/megatui/megatui").CombinedOutput(); err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("build: %v", binErr)
	}
	return binFile
}

// binRunner runs the built binary against a megasim.
type binRunner struct {
	t   *testing.T
	bin string
	env []string
}

func newBinRunner(t *testing.T, s *megasim.Server) *binRunner {
	home := t.TempDir()
	env := append(os.Environ(), "MEGATUI_USER="+cliEmail, "MEGATUI_PASSWORD="+cliPass, "MEGATUI_API_URL="+s.URL(),
		"SSL_CERT_FILE="+s.CAFile(), "MEGATUI_KEYRING=off", "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "TZ=UTC")
	return &binRunner{t: t, bin: builtBinary(t), env: env}
}

// run returns stdout, stderr and the exit status.
func (r *binRunner) run(stdin string, args ...string) (string, string, int) {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Env = r.env
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return so.String(), se.String(), ee.ExitCode()
	case err != nil:
		r.t.Fatal(err)
	}
	return so.String(), se.String(), 0
}

func (r *binRunner) must(args ...string) string {
	r.t.Helper()
	so, se, code := r.run("", args...)
	if code != 0 {
		r.t.Fatalf("megatui %s: exit %d\n%s", strings.Join(args, " "), code, se)
	}
	return so
}

var (
	logStamp   = regexp.MustCompile(`(?m)^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)
	uploadTime = regexp.MustCompile(`20(2[2-9]|[3-9]\d)-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{9})?(Z|[+-]\d\d:\d\d)?`)
	jsonID     = regexp.MustCompile(`"ID":"[A-Za-z0-9_-]{8}"`)
)

// normalise replaces what differs between runs: log time stamps, upload
// times (the fixture's files date from 2021) and node handles.
func normalise(s string) string {
	s = logStamp.ReplaceAllString(s, "")
	s = uploadTime.ReplaceAllString(s, "<upload time>")
	return jsonID.ReplaceAllString(s, `"ID":"<handle>"`)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, got, want)
	}
}

// The fixture: a small tree with fixed modification times, copied to
// MEGA through the binary.
func goldenFixture(t *testing.T, r *binRunner) string {
	dir := t.TempDir()
	mtime := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	files := map[string]string{
		"a.txt":              "alpha\n",
		"b.json":             `{"b":1}` + "\n",
		"photos/one.png":     strings.Repeat("p", 2048),
		"photos/two.png":     strings.Repeat("q", 1536),
		"photos/old/x.html":  "<p>x</p>\n",
		"empty/.keep":        "",
		"Ünïcode name.bin":   strings.Repeat("u", 10),
		"sub/deeper/end.txt": "the end\n",
	}
	for p, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(body), 0o644)
		os.Chtimes(full, mtime, mtime)
	}
	r.must("copy", "--transfers", "1", dir, "mega:/g")
	return dir
}

// Each listing command's output, compared with rclone's documented format
// through golden files, run through the built binary.
func TestCLIGoldenRcloneFormats(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	dir := goldenFixture(t, r)
	cases := []struct {
		name string
		args []string
	}{
		{"ls", []string{"ls", "mega:/g"}},
		{"lsl", []string{"lsl", "mega:/g"}},
		{"lsf", []string{"lsf", "mega:/g"}},
		{"lsf-R-format", []string{"lsf", "-R", "--format", "pst", "--files-only", "mega:/g"}},
		{"lsf-dirs-only", []string{"lsf", "-R", "--dirs-only", "mega:/g"}},
		{"lsd", []string{"lsd", "mega:/g"}},
		{"lsjson", []string{"lsjson", "mega:/g"}},
		{"lsjson-R", []string{"lsjson", "-R", "--files-only", "mega:/g/photos"}},
		{"tree", []string{"tree", "mega:/g"}},
		{"size", []string{"size", "mega:/g"}},
		{"size-json", []string{"size", "--json", "mega:/g"}},
		{"cat", []string{"cat", "mega:/g/a.txt"}},
		{"cat-offset-count", []string{"cat", "--offset", "1", "--count", "3", "mega:/g/a.txt"}},
		{"cat-tail", []string{"cat", "--tail", "4", "mega:/g/sub/deeper/end.txt"}},
		{"ls-filtered", []string{"ls", "--include", "*.png", "--min-size", "2k", "mega:/g"}},
		{"ls-local", []string{"ls", dir}},
		{"check-combined", []string{"check", "--combined", "-", dir, "mega:/g"}},
	}
	for _, tc := range cases {
		before := s.CommandCount("download-bytes")
		out := r.must(tc.args...)
		golden(t, tc.name, normalise(out))
		// Only cat downloads: listings and check read the tree and the
		// stored fingerprints.
		if got := s.CommandCount("download-bytes") - before; got != 0 && tc.args[0] != "cat" {
			t.Errorf("%s downloaded %d bytes, want 0", tc.name, got)
		}
	}
	golden(t, "about", r.must("about", "mega:"))
	// rclone's check log, with one difference of each kind.
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("ALPHA\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "only-local.txt"), []byte("new"), 0o644)
	os.Remove(filepath.Join(dir, "b.json"))
	so, se, code := r.run("", "check", dir, "mega:/g")
	if code != 1 || so != "" {
		t.Errorf("check with differences: exit %d, stdout %q", code, so)
	}
	golden(t, "check-log", strings.ReplaceAll(normalise(se), dir, "<local>"))
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("alpha\n"), 0o644)
	os.Remove(filepath.Join(dir, "only-local.txt"))
	os.WriteFile(filepath.Join(dir, "b.json"), []byte(`{"b":1}`+"\n"), 0o644)
	// Identical listings from the local side and MEGA.
	if local, remote := r.must("ls", dir), r.must("ls", "mega:/g"); local != remote {
		t.Errorf("ls differs between the local tree and its copy:\n%s\n%s", local, remote)
	}
}

// Exit statuses and usage: unknown commands and wrong argument counts
// print the usage and exit 2, never opening the TUI; every command has
// --help; check exits 1 on differences.
func TestCLIUsageAndExitStatus(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	commands := []string{"ls", "lsl", "lsf", "lsd", "lsjson", "tree", "size", "cat", "rcat", "delete", "purge", "rmdir",
		"rmdirs", "mkdir", "copyto", "moveto", "copy", "move", "sync", "check", "cleanup", "about", "dedupe"}
	for _, c := range commands {
		so, se, code := r.run("", c, "--help")
		if code != 0 || !strings.Contains(so, "Usage:\n  megatui "+c) || se != "" {
			t.Errorf("%s --help: exit %d, stdout %.80q, stderr %q", c, code, so, se)
		}
	}
	for _, args := range [][]string{
		{"tree"}, {"ls", "a:", "b:"}, {"cat"}, {"sync", "x"}, {"check", "a", "b", "c"}, {"nosuchcommand"},
		{"copy", "--progress", "only-one-arg"}, {"ls", "--bogus", "mega:"}, {"lsf", "--format", "q", "mega:"},
	} {
		so, se, code := r.run("", args...)
		if code != 2 || so != "" || !strings.Contains(se, "Usage:") {
			t.Errorf("megatui %s: exit %d, stdout %q, stderr %.200q; want 2 with the usage", strings.Join(args, " "), code, so, se)
		}
	}
	// A missing path is a plain failure (1), with one line.
	if _, se, code := r.run("", "ls", "mega:/missing"); code != 1 || strings.Count(se, "\n") != 1 {
		t.Errorf("ls of a missing path: exit %d, stderr %q", code, se)
	}
	// check: 0 when identical, 1 on a difference.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("same"), 0o644)
	r.must("copy", dir, "mega:/c")
	if _, se, code := r.run("", "check", dir, "mega:/c"); code != 0 || !strings.Contains(se, "0 differences found") {
		t.Errorf("check identical: exit %d\n%s", code, se)
	}
	os.WriteFile(filepath.Join(dir, "f"), []byte("diff"), 0o644)
	os.WriteFile(filepath.Join(dir, "g"), []byte("new"), 0o644)
	so, se, code := r.run("", "check", "--differ", "-", "--missing-on-dst", "-", dir, "mega:/c")
	if code != 1 || so != "f\ng\n" || !strings.Contains(se, "ERROR : f: fingerprints differ") || !strings.Contains(se, "2 differences found") {
		t.Errorf("check with differences: exit %d, stdout %q\n%s", code, so, se)
	}
}
