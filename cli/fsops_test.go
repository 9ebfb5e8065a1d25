package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

const (
	cliEmail = "cli@example.com"
	cliPass  = "cli password"
)

func startCLISim(t *testing.T) *megasim.Server {
	t.Helper()
	s, err := megasim.Start(megasim.Options{Accounts: []megasim.Account{{Email: cliEmail, Password: cliPass, Version: 2}}})
	if err != nil {
		t.Fatalf("start megasim: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runCLI runs the file commands in-process against s.
func runCLI(t *testing.T, s *megasim.Server, args ...string) (string, error) {
	t.Helper()
	env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": s.URL()}
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()}}, "test")
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	ctx := context.Background()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func mustCLI(t *testing.T, s *megasim.Server, args ...string) string {
	t.Helper()
	out, err := runCLI(t, s, args...)
	if err != nil {
		t.Fatalf("megatui %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestCLIFileCommands(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	mustCLI(t, s, "mkdir", "mega:/a/b")
	mustCLI(t, s, "mkdir", "mega:a/c")
	if got, want := mustCLI(t, s, "lsf", "mega:/a"), "b/\nc/\n"; got != want {
		t.Errorf("ls: got %q, want %q", got, want)
	}
	if got, want := mustCLI(t, s, "lsf", "-R", "mega:"), "a/\na/b/\na/c/\n"; got != want {
		t.Errorf("ls -R: got %q, want %q", got, want)
	}
	if got := mustCLI(t, s, "lsd", "mega:/"); !strings.HasSuffix(got, " a\n") || !strings.HasPrefix(got, "          -1 ") {
		t.Errorf("lsd: got %q, want one line in rclone's columns ending in ' a'", got)
	}
	// mv into a folder, then mv with a new name (rename).
	mustCLI(t, s, "mv", "mega:/a/c", "mega:/a/b")
	if got, want := mustCLI(t, s, "lsf", "-R", "mega:/a"), "b/\nb/c/\n"; got != want {
		t.Errorf("after mv into: got %q, want %q", got, want)
	}
	mustCLI(t, s, "mv", "mega:/a/b/c", "mega:/a/d")
	if got, want := mustCLI(t, s, "lsf", "-R", "mega:/a"), "b/\nd/\n"; got != want {
		t.Errorf("after mv rename: got %q, want %q", got, want)
	}
	// rm goes to the Rubbish Bin; --permanent deletes.
	mustCLI(t, s, "rm", "mega:/a/d")
	if got, want := mustCLI(t, s, "lsf", "mega://bin"), "d/\n"; got != want {
		t.Errorf("rubbish bin after rm: got %q, want %q", got, want)
	}
	mustCLI(t, s, "rm", "--permanent", "mega:/a/b")
	mustCLI(t, s, "rm", "--permanent", "mega://bin/d")
	if got := mustCLI(t, s, "lsf", "-R", "mega:"); got != "a/\n" {
		t.Errorf("after rm --permanent: got %q, want %q", got, "a/\n")
	}
	if got := mustCLI(t, s, "about", "mega:"); !strings.Contains(got, "Total:") || !strings.Contains(got, "Used:") {
		t.Errorf("about: got %q, want Total and Used lines", got)
	}
	// Failures are errors with one line and a model sentinel.
	for _, tc := range []struct {
		args []string
		want error
	}{
		{[]string{"lsf", "mega:/missing"}, model.ErrNotFound},
		{[]string{"rm", "mega:/missing"}, model.ErrNotFound},
		{[]string{"mv", "mega:/a", "mega:/a"}, model.ErrCircular},
		{[]string{"lsf", "other:/"}, model.ErrNoCredentials},
	} {
		_, err := runCLI(t, s, tc.args...)
		if !errors.Is(err, tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("megatui %s: got %v, want one line wrapping %v", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

func TestCLILocalSide(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	dir := t.TempDir()
	mustCLI(t, s, "mkdir", filepath.Join(dir, "x/y"))
	os.WriteFile(filepath.Join(dir, "x", "f.txt"), []byte("hi"), 0o644)
	os.Symlink("..", filepath.Join(dir, "x", "loop"))
	if got, want := mustCLI(t, s, "lsf", "-R", filepath.Join(dir, "x")), "f.txt\ny/\n"; got != want {
		t.Errorf("local lsf -R (symlinks are skipped, as rclone does): got %q, want %q", got, want)
	}
	mustCLI(t, s, "mv", filepath.Join(dir, "x", "f.txt"), filepath.Join(dir, "x", "y", "g.txt"))
	if _, err := os.Stat(filepath.Join(dir, "x", "y", "g.txt")); err != nil {
		t.Errorf("local mv: %v", err)
	}
	mustCLI(t, s, "rm", filepath.Join(dir, "x"))
	if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
		t.Errorf("local rm: still there (%v)", err)
	}
}

// After an upload, ls -l shows the local file's original mtime (from the
// fingerprint), and hostile names are listed escaped.
func TestCLILongListingShowsOriginalMtime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startCLISim(t)
	local := filepath.Join(t.TempDir(), "report.pdf")
	os.WriteFile(local, []byte("%PDF-1.4 content"), 0o644)
	mtime := time.Date(2015, 10, 21, 16, 29, 0, 0, time.UTC)
	os.Chtimes(local, mtime, mtime)

	c, err := megaclient.Connect(ctx, megaclient.Options{Email: cliEmail, Password: cliPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, _ := os.Open(local)
	fi, _ := f.Stat()
	if _, err := c.Upload(ctx, "/", fi.Name(), f, fi.Size(), fi.ModTime(), nil); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := c.Upload(ctx, "/", "evil\x1b[2J\n../../x", strings.NewReader("x"), 1, mtime, nil); err != nil {
		t.Fatal(err)
	}
	out := mustCLI(t, s, "lsl", "mega:/")
	want := "       16 " + mtime.Local().Format("2006-01-02 15:04:05.000000000") + " report.pdf\n"
	if !strings.Contains(out, want) {
		t.Errorf("ls -l: got\n%s\nwant a line %q", out, want)
	}
	if !strings.Contains(out, `evil\x1b[2J\x0a../../x`) || strings.ContainsAny(out, "\x1b") {
		t.Errorf("ls -l: hostile name not escaped:\n%q", out)
	}
}

// The built binary: exit status and a one-line error on stderr.
func TestCLIBinaryExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	s := startCLISim(t)
	bin := filepath.Join(t.TempDir(), "megatui")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/megatui/megatui").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "MEGATUI_USER="+cliEmail, "MEGATUI_PASSWORD="+cliPass, "MEGATUI_API_URL="+s.URL(), "SSL_CERT_FILE="+s.CAFile(), "MEGATUI_KEYRING=off")
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var so, se bytes.Buffer
		cmd.Stdout, cmd.Stderr = &so, &se
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return so.String(), se.String(), code
	}
	if _, se, code := run("mkdir", "mega:/bin-test"); code != 0 {
		t.Fatalf("mkdir: exit %d: %s", code, se)
	}
	if so, se, code := run("lsf", "mega:"); code != 0 || so != "bin-test/\n" {
		t.Errorf("ls: exit %d, stdout %q, stderr %q; want 0 and bin-test/", code, so, se)
	}
	so, se, code := run("rm", "mega:/nothing-here")
	if code == 0 || so != "" || strings.Count(se, "\n") != 1 || !strings.Contains(se, "not found") {
		t.Errorf("rm missing: exit %d, stdout %q, stderr %q; want non-zero and one line saying not found", code, so, se)
	}
	if strings.Contains(se, cliPass) {
		t.Error("the password leaked into the error")
	}
}

// "//shares" is the list of incoming shares, not a node: listing it works
// (empty here, no share) instead of failing with "not found".
func TestCLIListSharesRoot(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	for _, args := range [][]string{
		{"lsf", "mega://shares"},
		{"lsl", "mega://shares/"},
		{"lsd", "-R", "mega://shares"},
	} {
		out, err := runCLI(t, s, args...)
		if err != nil || out != "" {
			t.Errorf("megatui %s: got %q, %v; want no output and no error", strings.Join(args, " "), out, err)
		}
	}
	if _, err := runCLI(t, s, "lsf", "mega://shares/nobody"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("ls of a missing share: got %v, want %v", err, model.ErrNotFound)
	}
}

// mv into a folder that already holds the name is refused (as a move onto
// an existing file is) instead of leaving two same-name nodes on MEGA;
// moving a node into the folder it is already in changes nothing.
func TestCLIMvIntoFolderHoldingTheName(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	mustCLI(t, s, "mkdir", "mega:/a/x")
	mustCLI(t, s, "mkdir", "mega:/b/x")
	mustCLI(t, s, "mkdir", "mega:/a/y")
	if _, err := runCLI(t, s, "mv", "mega:/a/x", "mega:/b"); !errors.Is(err, model.ErrExists) {
		t.Errorf("mv onto a same-name folder: got %v, want %v", err, model.ErrExists)
	}
	mustCLI(t, s, "mv", "mega:/a/y", "mega:/a")
	if got, want := mustCLI(t, s, "lsf", "-R", "mega:"), "a/\na/x/\na/y/\nb/\nb/x/\n"; got != want {
		t.Errorf("after the mv calls: got %q, want %q", got, want)
	}
	mustCLI(t, s, "mv", "mega:/a/y", "mega:/b")
	if got, want := mustCLI(t, s, "lsf", "-R", "mega:/b"), "x/\ny/\n"; got != want {
		t.Errorf("after a plain mv into b: got %q, want %q", got, want)
	}
}

// TestCLIRmRefusesAmbiguousName: with two files of one name in a folder,
// rm by path refuses (naming both handles) and deletes nothing; rm by
// handle removes exactly that one.
func TestCLIRmRefusesAmbiguousName(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	ctx := context.Background()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "mega", Email: cliEmail, Password: cliPass,
		APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ids []string
	for _, body := range []string{"first", "second!"} {
		e, err := c.Upload(ctx, "/", "dup.txt", strings.NewReader(body), int64(len(body)), time.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	out, err := runCLI(t, s, "rm", "mega:/dup.txt")
	if !errors.Is(err, model.ErrExists) {
		t.Fatalf("rm of an ambiguous path: got %v (output %q), want %v", err, out, model.ErrExists)
	}
	for _, id := range ids {
		if !strings.Contains(err.Error(), "mega:H:"+id) {
			t.Errorf("error %q does not name mega:H:%s", err, id)
		}
	}
	if got := strings.Count(mustCLI(t, s, "lsf", "mega:"), "dup.txt"); got != 2 {
		t.Fatalf("after the refused rm: %d dup.txt listed, want 2", got)
	}
	mustCLI(t, s, "rm", "mega:H:"+ids[1])
	if got := strings.Count(mustCLI(t, s, "lsf", "mega:"), "dup.txt"); got != 1 {
		t.Errorf("after rm by handle: %d dup.txt listed, want 1", got)
	}
	if bin := mustCLI(t, s, "lsf", "mega://bin"); !strings.Contains(bin, "dup.txt") {
		t.Errorf("the removed copy is not in the Rubbish Bin: %q", bin)
	}
	if left, err := c.Stat(ctx, "H:"+ids[0]); err != nil || left.Size != int64(len("first")) {
		t.Errorf("the other copy: got %+v, %v; want the 5-byte first upload", left, err)
	}
}
