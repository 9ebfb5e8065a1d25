package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// copyTree writes n files (nested, Unicode names) below dir and returns
// their relative paths and contents.
func copyTree(t *testing.T, dir string, n, size int) map[string][]byte {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, uint64(n)))
	files := map[string][]byte{}
	for i := 0; i < n; i++ {
		rel := fmt.Sprintf("sub%d/ファイル-%02d.bin", i%3, i)
		if i%5 == 0 {
			rel = fmt.Sprintf("top-%02d é.txt", i)
		}
		data := make([]byte, size+i)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2018, 7, 1, 12, 0, i, 0, time.UTC)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		files[rel] = data
	}
	return files
}

func checkLocalTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, want := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes (%v), want %d identical bytes", rel, len(got), err, len(want))
			continue
		}
		fi, _ := os.Stat(p)
		i := 0
		fmt.Sscanf(filepath.Base(rel)[strings.IndexAny(filepath.Base(rel), "0123456789"):], "%d", &i)
		if want := time.Date(2018, 7, 1, 12, 0, i, 0, time.UTC); !fi.ModTime().Equal(want) {
			t.Errorf("%s: mtime %v, want %v", rel, fi.ModTime(), want)
		}
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".megatui-partial-") {
			t.Errorf("leftover partial file %s", p)
		}
		return nil
	})
}

// runCopyCLI runs megatui copy in-process against s.
func runCopyCLI(t *testing.T, s *megasim.Server, state string, args ...string) (string, string, error) {
	t.Helper()
	env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": s.URL(), "XDG_STATE_HOME": state, "HOME": state}
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()}}, "test")
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"copy"}, args...))
	ctx := context.Background()
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

func TestCLICopyRoundTrip(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, back, state := t.TempDir(), t.TempDir(), t.TempDir()
	files := copyTree(t, src, 12, 2000)

	// Dry run: lists every file, changes nothing.
	out, se, err := runCopyCLI(t, s, state, "--dry-run", src, "mega:/dest")
	if err != nil || strings.Count(se, "Skipped copy as --dry-run is set") != 12 {
		t.Errorf("dry run into a folder still to create: %v\nstdout %s\nstderr %s", err, out, se)
	}
	if ents, _ := runCLIList(t, s); len(ents) != 0 {
		t.Errorf("the dry run created %v", ents)
	}
	if _, se, err = runCopyCLI(t, s, state, src, "mega:/dest"); err != nil {
		t.Fatalf("copy up: %v\n%s", err, se)
	}
	if !strings.Contains(se, "copy: 12 new, 0 updated, 0 identical, 0 failed") {
		t.Errorf("summary: %q", se)
	}
	_, se, err = runCopyCLI(t, s, state, "--dry-run", src, "mega:/dest")
	if err != nil || !strings.Contains(se, "dry run: would be 0 new, 0 updated, 12 identical") {
		t.Errorf("dry run after the copy: %v\n%s", err, se)
	}
	// Again: everything identical, nothing sent.
	before := s.CommandCount("u")
	if _, se, err = runCopyCLI(t, s, state, src, "mega:/dest"); err != nil || !strings.Contains(se, "12 identical") {
		t.Errorf("second copy: %v: %s", err, se)
	}
	if n := s.CommandCount("u") - before; n != 0 {
		t.Errorf("second copy started %d uploads, want 0", n)
	}
	if _, se, err = runCopyCLI(t, s, state, "mega:/dest", filepath.Join(back, "down")); err != nil {
		t.Fatalf("copy down: %v\n%s", err, se)
	}
	checkLocalTree(t, filepath.Join(back, "down"), files)
	// A single file goes into the destination folder.
	if _, se, err = runCopyCLI(t, s, state, "mega:/dest/top-00 é.txt", filepath.Join(back, "one")); err != nil {
		t.Fatalf("copy one file: %v\n%s", err, se)
	}
	if got, _ := os.ReadFile(filepath.Join(back, "one", "top-00 é.txt")); !bytes.Equal(got, files["top-00 é.txt"]) {
		t.Error("single file not copied into the destination folder")
	}
	// Failures: a missing source is an error.
	if _, _, err = runCopyCLI(t, s, state, filepath.Join(src, "nope"), "mega:/dest"); err == nil {
		t.Error("copy of a missing source: want an error")
	}
	if ents, _ := os.ReadDir(filepath.Join(state, "megatui")); len(ents) != 0 {
		t.Errorf("journals left after finished copies: %v", ents)
	}
}

// The copy process is killed with SIGKILL mid-transfer and run again: it
// finishes with identical content, no duplicate nodes, and the files that
// were complete before the kill are not sent again.
func TestCLICopySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	s := startCLISim(t)
	s.SetFaults(megasim.Faults{DataLatency: 15 * time.Millisecond})
	dir := t.TempDir()
	src, back, state := filepath.Join(dir, "src"), filepath.Join(dir, "back"), filepath.Join(dir, "state")
	const n = 30
	files := copyTree(t, src, n, 200<<10)
	bin := filepath.Join(dir, "megatui")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/megatui/megatui").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	env := append(os.Environ(), "MEGATUI_USER="+cliEmail, "MEGATUI_PASSWORD="+cliPass, "MEGATUI_API_URL="+s.URL(),
		"SSL_CERT_FILE="+s.CAFile(), "XDG_STATE_HOME="+state, "HOME="+dir)
	command := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		return cmd
	}

	first := command("copy", "--transfers", "2", src, "mega:/crash")
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once a third of the files are journaled as done.
	journalDone := func() int {
		m, _ := filepath.Glob(filepath.Join(state, "megatui", "copy-*.jsonl"))
		if len(m) != 1 {
			return 0
		}
		b, _ := os.ReadFile(m[0])
		return strings.Count(string(b), `"t":"end"`)
	}
	deadline := time.Now().Add(60 * time.Second)
	for journalDone() < n/3 {
		if time.Now().After(deadline) {
			_ = first.Process.Kill()
			t.Fatalf("the copy never got going: %s", firstErr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	doneBefore := journalDone()
	if doneBefore >= n {
		t.Fatalf("the copy finished before it could be killed (%d files)", doneBefore)
	}
	uploadsBefore := s.CommandCount("u")

	second := command("copy", "--transfers", "2", src, "mega:/crash")
	if out, err := second.CombinedOutput(); err != nil {
		t.Fatalf("resumed copy: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "resuming") {
		t.Errorf("the second run did not resume: %s", out)
	}
	resent := s.CommandCount("u") - uploadsBefore
	if resent > n-doneBefore {
		t.Errorf("the resumed run started %d uploads; only %d files were unfinished", resent, n-doneBefore)
	}
	t.Logf("killed after %d of %d files; the resumed run uploaded %d", doneBefore, n, resent)

	// No duplicates on the server.
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Email: cliEmail, Password: cliPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var walk func(ref string) int
	walk = func(ref string) int {
		ents, err := c.List(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		seen, count := map[string]bool{}, 0
		for _, e := range ents {
			if seen[e.Name] {
				t.Errorf("duplicate node %s/%s", ref, e.Name)
			}
			seen[e.Name] = true
			if e.IsDir() {
				count += walk(e.ID)
			} else {
				count++
			}
		}
		return count
	}
	if got := walk("/crash"); got != n {
		t.Errorf("files on the server: got %d, want %d", got, n)
	}
	// Copy back, killed the same way: whatever sits under a final name is
	// complete; the next run finishes with identical content and mtimes and
	// no partial files.
	down := command("copy", "--transfers", "2", "mega:/crash", back)
	if err := down.Start(); err != nil {
		t.Fatal(err)
	}
	for journalDone() < n/3 {
		if time.Now().After(deadline.Add(60 * time.Second)) {
			_ = down.Process.Kill()
			t.Fatal("the download never got going")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := down.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = down.Wait()
	complete := 0
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(back, filepath.FromSlash(rel)))
		if err == nil {
			complete++
			if !bytes.Equal(got, want) {
				t.Errorf("%s: an incomplete file under its final name after SIGKILL", rel)
			}
		}
	}
	if complete == n {
		t.Errorf("the download finished before it could be killed")
	}
	if out, err := command("copy", "--transfers", "2", "mega:/crash", back).CombinedOutput(); err != nil {
		t.Fatalf("copy back: %v\n%s", err, out)
	}
	checkLocalTree(t, back, files)
	var ee *exec.ExitError
	if err := command("copy", filepath.Join(src, "missing"), "mega:/crash").Run(); !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Errorf("copy of a missing source: want a non-zero exit, got %v", err)
	}
}

// runCLIList lists the Cloud Drive's top folder through the CLI.
func runCLIList(t *testing.T, s *megasim.Server) ([]string, error) {
	t.Helper()
	out, err := runCLI(t, s, "lsf", "mega:/")
	return strings.Fields(out), err
}

// Within one MEGA remote, copy goes through a temporary file: the copy is
// byte-identical with the original mtimes and the source stays.
func TestCLICopyWithinMEGA(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, back, state := t.TempDir(), t.TempDir(), t.TempDir()
	files := copyTree(t, src, 6, 3000)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/a"); err != nil {
		t.Fatalf("copy up: %v\n%s", err, se)
	}
	_, se, err := runCopyCLI(t, s, state, "mega:/a", "mega:/b")
	if err != nil || !strings.Contains(se, "copy: 6 new") {
		t.Fatalf("copy within MEGA: %v\n%s", err, se)
	}
	if _, se, err := runCopyCLI(t, s, state, "mega:/b", back); err != nil {
		t.Fatalf("copy down: %v\n%s", err, se)
	}
	checkLocalTree(t, back, files)
	if ents, err := runCLIList(t, s); err != nil || !slices.Equal(ents, []string{"a/", "b/"}) {
		t.Errorf("top level after the copy: %v %v", ents, err)
	}
	if _, _, err := runCopyCLI(t, s, state, "mega:/a", "other:/b"); err == nil {
		t.Error("copy between two remotes: want an error")
	}
}

// megatui move: local → MEGA removes the local files, within MEGA moves on
// the server, MEGA → local sends the nodes to the Rubbish Bin.
func TestCLICopyMoveCommand(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, back, state := t.TempDir(), t.TempDir(), t.TempDir()
	files := copyTree(t, src, 6, 3000)
	runMove := func(args ...string) string {
		t.Helper()
		env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": s.URL(), "XDG_STATE_HOME": state, "HOME": state}
		root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()}}, "test")
		var out, errOut bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&errOut)
		root.SetArgs(append([]string{"move"}, args...))
		ctx := context.Background()
		if err := root.ExecuteContext(ctx); err != nil {
			t.Fatalf("move %v: %v\n%s", args, err, errOut.String())
		}
		return errOut.String()
	}
	if se := runMove(src, "mega:/a"); !strings.Contains(se, "moved 6 files") {
		t.Errorf("summary: %q", se)
	}
	if ents, _ := os.ReadDir(src); len(ents) != 0 {
		t.Errorf("local source after the move up: %v, want empty", ents)
	}
	runMove("mega:/a", "mega:/b")
	runMove("mega:/b", back)
	checkLocalTree(t, back, files)
	ents, err := runCLIList(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ents, []string{"a/", "b/"}) {
		t.Errorf("top level after the moves: %v (want the emptied a/ and b/ kept, as rclone does)", ents)
	}
	out, err := runCLI(t, s, "lsf", "-R", "mega:/b")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("mega:/b after the move down: %q %v, want empty", out, err)
	}
}

// runTransferCLI runs megatui copy or move (verb) in-process against s.
func runTransferCLI(t *testing.T, s *megasim.Server, state, verb string, args ...string) (string, string, error) {
	t.Helper()
	env := map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass, "MEGATUI_API_URL": s.URL(), "XDG_STATE_HOME": state, "HOME": state}
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()}}, "test")
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{verb}, args...))
	ctx := context.Background()
	err := root.ExecuteContext(ctx)
	return out.String(), errOut.String(), err
}

// A dry run within MEGA into a folder that does not exist yet lists what
// would be copied or moved (it used to fail: "move needs a MEGA source and
// a MEGA folder") and creates nothing.
func TestCLIDryRunWithinMEGAIntoNewFolder(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	copyTree(t, src, 4, 100)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/a"); err != nil {
		t.Fatalf("copy up: %v\n%s", err, se)
	}
	for verb, want := range map[string]string{"copy": "Skipped copy as --dry-run is set", "move": "would move "} {
		out, se, err := runTransferCLI(t, s, state, verb, "--dry-run", "mega:/a", "mega:/new/deeper")
		if err != nil || strings.Count(out+se, want) != 4 {
			t.Errorf("%s --dry-run: got %v\nstdout: %s\nstderr: %s\nwant 4 lines %q", verb, err, out, se, want)
		}
	}
	if ents, err := runCLIList(t, s); err != nil || !slices.Equal(ents, []string{"a/"}) {
		t.Errorf("top level after the dry runs: got %v %v, want [a/]", ents, err)
	}
}

// As rclone, moving a folder into itself is refused before anything is
// created; copying into a subfolder stays allowed.
func TestCLIMoveIntoItselfRefused(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	copyTree(t, src, 3, 100)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/a"); err != nil {
		t.Fatalf("copy up: %v\n%s", err, se)
	}
	for _, args := range [][]string{
		{"mega:/a", "mega:/a"},
		{"mega:/a", "mega:/a/in/deeper"},
		{"mega:/", "mega:/x"},
		{"--dry-run", "mega:/a", "mega:/a/in"},
		{src, filepath.Join(src, "in", "deeper")},
		{src, src + "/"},
	} {
		_, se, err := runTransferCLI(t, s, state, "move", args...)
		if err == nil || !strings.Contains(err.Error(), "into itself") {
			t.Errorf("move %v: got %v (%s), want a refusal", args, err, se)
		}
	}
	if _, err := os.Stat(filepath.Join(src, "in")); !os.IsNotExist(err) {
		t.Errorf("a refused local move created its destination: %v", err)
	}
	out, err := runCLI(t, s, "lsf", "mega:/a")
	if err != nil || strings.Contains(out, "in/") || !strings.Contains(out, "sub1/") {
		t.Errorf("mega:/a after refused moves: %q %v", out, err)
	}
	if ents, err := runCLIList(t, s); err != nil || !slices.Equal(ents, []string{"a/"}) {
		t.Errorf("top level after refused moves: got %v %v, want [a/]", ents, err)
	}
	// A move next to the source is fine.
	if _, se, err := runTransferCLI(t, s, state, "move", "mega:/a/sub1", "mega:/a-sub1"); err != nil {
		t.Errorf("move beside the source: %v\n%s", err, se)
	}
}

// Bad flag values are one-line errors before anything is opened or copied.
func TestCLICopyRejectsBadFlagValues(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	copyTree(t, src, 1, 10)
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--progress", "bogus"}, "copy needs 2 argument(s), got 3"},
		{[]string{"--conflict", "ask"}, "unknown flag: --conflict"},
		{[]string{"--transfers", "0"}, "--transfers: want 1 to 64"},
		{[]string{"--bwlimit", "fast"}, "--bwlimit: "},
	} {
		args := append(append([]string{}, tc.flags...), src, "mega:/dst")
		_, _, err := runCopyCLI(t, s, state, args...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("copy %v: got %v, want a one-line error starting %q", tc.flags, err, tc.want)
		}
	}
	if ents, err := runCLIList(t, s); err != nil || len(ents) != 0 {
		t.Errorf("top level after refused copies: got %v %v, want nothing", ents, err)
	}
	// -P/--progress is a switch: it does not take SRC as its value.
	for _, p := range []string{"--progress", "-P"} {
		if _, se, err := runCopyCLI(t, s, state, p, src, "mega:/dst"); err != nil {
			t.Errorf("copy %s SRC DST: %v\n%s", p, err, se)
		}
	}
	if ents, err := runCLIList(t, s); err != nil || !slices.Equal(ents, []string{"dst/"}) {
		t.Errorf("after copy -P: got %v %v, want [dst/]", ents, err)
	}
}
