package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient/megasim"
)

// stateCLI runs megatui in-process against s with a state folder of its
// own (copies keep a journal there).
func stateCLI(t *testing.T, s *megasim.Server) func(args ...string) string {
	state := t.TempDir()
	env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": s.URL(), "XDG_STATE_HOME": state, "HOME": state}
	return func(args ...string) string {
		t.Helper()
		root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()}}, "test")
		var out, errOut bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&errOut)
		root.SetArgs(args)
		if err := root.ExecuteContext(context.Background()); err != nil {
			t.Fatalf("megatui %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
		}
		return out.String()
	}
}

// TestMovetoKeepsASkippedSource: a moveto whose copy was skipped
// (--ignore-existing) must not remove the source, whose content would
// then exist nowhere.
func TestMovetoKeepsASkippedSource(t *testing.T) {
	t.Parallel()
	run := stateCLI(t, startCLISim(t))
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := os.WriteFile(src, []byte("new content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("moveto", "--ignore-existing", src, dst)
	if b, err := os.ReadFile(src); err != nil || string(b) != "new content" {
		t.Fatalf("source after a skipped moveto: %q, %v", b, err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "old" {
		t.Fatalf("destination changed: %q", b)
	}
}

// TestServerMovetoReplacesAfterTheMove: within one account the old
// target goes to the Rubbish Bin only once the source took its place;
// with --ignore-existing nothing moves.
func TestServerMovetoReplacesAfterTheMove(t *testing.T) {
	t.Parallel()
	run := stateCLI(t, startCLISim(t))
	dir := t.TempDir()
	for name, body := range map[string]string{"src.txt": "source", "dst.txt": "old target"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("copy", dir, "mega:/m")
	run("moveto", "--ignore-existing", "mega:/m/src.txt", "mega:/m/dst.txt")
	if got := run("lsf", "mega:/m"); got != "dst.txt\nsrc.txt\n" {
		t.Fatalf("after --ignore-existing: %q", got)
	}
	run("moveto", "mega:/m/src.txt", "mega:/m/dst.txt")
	if got := run("lsf", "mega:/m"); got != "dst.txt\n" {
		t.Fatalf("after moveto: %q", got)
	}
	if got := run("cat", "mega:/m/dst.txt"); got != "source" {
		t.Fatalf("dst.txt holds %q", got)
	}
	if got := run("lsf", "mega://bin"); !strings.Contains(got, "dst.txt") {
		t.Fatalf("the replaced target is not in the Rubbish Bin: %q", got)
	}
}

// TestBackupDirInsideDstRefused: a backup folder inside DST would be
// seen as a folder the source lacks and removed with the backups in it.
func TestBackupDirInsideDstRefused(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, dst := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dst, "old"), []byte("only copy"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "new"), []byte("n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, s, "sync", "--permanent", "--backup-dir", filepath.Join(dst, "bak"), src, dst)
	if err == nil || !strings.Contains(err.Error(), "must not overlap DST") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if b, err := os.ReadFile(filepath.Join(dst, "old")); err != nil || string(b) != "only copy" {
		t.Fatalf("dst/old after the refused sync: %q, %v", b, err)
	}
}

func TestOverlaps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"mega:/a", "mega:/a/b", true}, {"mega:/a/b", "mega:/a", true}, {"mega:/a", "mega:/a", true},
		{"mega:/a", "mega:/ab", false}, {"/x/y", "/x/y/z", true}, {"/x/y", "/x/yz", false},
	} {
		if got := overlaps(parseLocation(tc.a), parseLocation(tc.b)); got != tc.want {
			t.Errorf("overlaps(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestMoveRefusesFlagsItWouldIgnore: move runs through the queue, which
// applies no filters; an --exclude it ignored would move what the user
// meant to keep.
func TestMoveRefusesFlagsItWouldIgnore(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, dst := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "keep.tmp"), []byte("k"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runCLI(t, s, "move", "--exclude", "*.tmp", src, dst)
	if err == nil || !strings.Contains(err.Error(), "move does not take --exclude") {
		t.Fatalf("got %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(src, "keep.tmp")); err != nil {
		t.Fatalf("the excluded file left its source: %v", err)
	}
}

// TestInteractiveQuitStops: answering q to -i changes nothing more, even
// for a kind of change answered "!" before, and the run fails.
func TestInteractiveQuitStops(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	src := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, se, code := r.run("q\n", "copy", "-i", "--transfers", "1", src, "mega:/q")
	if code == 0 || !strings.Contains(se, "stopped at the -i answer q") {
		t.Fatalf("copy -i answered q: exit %d\n%s", code, se)
	}
	if out, _, _ := r.run("", "lsf", "mega:/q"); out != "" {
		t.Fatalf("files copied after q: %q", out)
	}
}
