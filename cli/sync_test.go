package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/operations"
)

// syncFiles is the size of the sync test tree: 200 here (keep go test
// short); MEGATUI_SYNC_FILES=1000 runs the full count.
func syncFiles(t *testing.T) int {
	if v, err := strconv.Atoi(os.Getenv("MEGATUI_SYNC_FILES")); err == nil && v > 0 {
		return v
	}
	return 200
}

func writeFiles(t *testing.T, dir string, files map[string][]byte, mtime time.Time) {
	t.Helper()
	for p, b := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(full, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
}

// megaTree walks a MEGA folder: relative path -> size, failing on
// same-name duplicates (a retried upload must never leave one).
func megaTree(t *testing.T, s *megasim.Server, root string) map[string]int64 {
	t.Helper()
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Email: cliEmail, Password: cliPass, APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	l, err := operations.Walk(context.Background(), operations.NewMega(c, "mega", root), operations.WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range l.Duplicates {
		t.Errorf("duplicate node %s", d.Path)
	}
	out := map[string]int64{}
	for p, o := range l.Files {
		out[p] = o.Entry.Size
	}
	return out
}

func localTree(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = fi.Size()
		}
		return nil
	})
	return out
}

func sameTree(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func changeCounters(s *megasim.Server) map[string]int {
	m := map[string]int{}
	for _, k := range []string{"u", "p", "g", "m", "a", "d", "upload-piece", "download-range"} {
		m[k] = s.CommandCount(k)
	}
	return m
}

// sync through the built binary: a tree with adds, changes, deletes and
// renames converges; an unchanged tree makes no request; --max-delete
// and an empty or missing SRC change nothing; a sync killed with SIGKILL
// is finished by the next run with no duplicate nodes.
func TestCLISyncConverges(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	n := syncFiles(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	mtime := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	files := map[string][]byte{}
	for i := range n {
		files[fmt.Sprintf("d%02d/s%d/file-%04d.txt", i%17, i%3, i)] = []byte(strings.Repeat(fmt.Sprint(i%10), 50+i%300))
	}
	writeFiles(t, src, files, mtime)
	if _, se, code := r.run("", "sync", "--transfers", "8", src, "mega:/sync"); code != 0 || !strings.Contains(se, fmt.Sprintf("sync: %d new", n)) {
		t.Fatalf("first sync: exit %d\n%s", code, se)
	}
	// Adds, changes (half with the same size), deletes and renames.
	k := max(n/10, 4)
	for i := 0; i < k; i++ {
		writeFiles(t, src, map[string][]byte{fmt.Sprintf("new/added-%d.txt", i): []byte("added " + fmt.Sprint(i))}, mtime.Add(time.Hour))
		p := filepath.Join(src, fmt.Sprintf("d%02d/s%d/file-%04d.txt", i%17, i%3, i))
		b, _ := os.ReadFile(p)
		if i%2 == 0 {
			b[0] ^= 0x20 // same size, new content
		} else {
			b = append(b, "grown"...)
		}
		os.WriteFile(p, b, 0o644)
		os.Chtimes(p, mtime.Add(2*time.Hour), mtime.Add(2*time.Hour))
		j := n - 1 - i
		old := filepath.Join(src, fmt.Sprintf("d%02d/s%d/file-%04d.txt", j%17, j%3, j))
		if i%2 == 0 {
			os.Remove(old)
		} else {
			os.Rename(old, old+".renamed")
		}
	}
	if _, se, code := r.run("", "sync", "-v", "--transfers", "8", src, "mega:/sync"); code != 0 {
		t.Fatalf("second sync: exit %d\n%s", code, se)
	} else if !strings.Contains(se, "Copied (replaced existing)") || !strings.Contains(se, "Deleted") {
		t.Errorf("second sync log lacks replacements or deletions:\n%s", se)
	}
	if got, want := megaTree(t, s, "/sync"), localTree(t, src); !sameTree(got, want) {
		t.Fatalf("after the second sync the trees differ: %d files on MEGA, %d local", len(got), len(want))
	}
	if _, se, code := r.run("", "check", "--download", src, "mega:/sync"); code != 0 {
		t.Errorf("check --download after the sync: exit %d\n%s", code, se)
	}
	// Unchanged: nothing moves, no command but the login's listing.
	before := changeCounters(s)
	if _, se, code := r.run("", "sync", src, "mega:/sync"); code != 0 || !strings.Contains(se, "sync: 0 new, 0 updated") {
		t.Errorf("third sync: exit %d\n%s", code, se)
	}
	for key, v := range changeCounters(s) {
		if v != before[key] {
			t.Errorf("the no-op sync made %d %q requests", v-before[key], key)
		}
	}
	// --max-delete: refused before any change.
	for i := 0; i < 12; i++ {
		os.Remove(filepath.Join(src, fmt.Sprintf("new/added-%d.txt", i)))
	}
	onMega := megaTree(t, s, "/sync")
	if _, se, code := r.run("", "sync", "--max-delete", "3", src, "mega:/sync"); code == 0 || !strings.Contains(se, "--max-delete") {
		t.Errorf("sync over --max-delete: exit %d\n%s", code, se)
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	if _, se, code := r.run("", "sync", empty, "mega:/sync"); code == 0 || !strings.Contains(se, "source is empty") {
		t.Errorf("sync from an empty folder: exit %d\n%s", code, se)
	}
	if _, _, code := r.run("", "sync", filepath.Join(dir, "missing"), "mega:/sync"); code == 0 {
		t.Error("sync from a missing folder: exit 0")
	}
	if got := megaTree(t, s, "/sync"); !sameTree(got, onMega) {
		t.Errorf("refused syncs changed the destination: %d files, want %d", len(got), len(onMega))
	}
	// Killed mid-run: the next run finishes, with no duplicates.
	s.SetFaults(megasim.Faults{DataLatency: 20 * time.Millisecond})
	for i := 0; i < n; i += 2 {
		p := filepath.Join(src, fmt.Sprintf("d%02d/s%d/file-%04d.txt", i%17, i%3, i))
		if b, err := os.ReadFile(p); err == nil {
			os.WriteFile(p, append(b, bytes.Repeat([]byte("k"), 5000)...), 0o644)
		}
	}
	cmd := exec.Command(r.bin, "sync", "--transfers", "2", src, "mega:/sync")
	cmd.Env = r.env
	var firstErr bytes.Buffer
	cmd.Stderr = &firstErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pieces := s.CommandCount("upload-piece")
	deadline := time.Now().Add(60 * time.Second)
	for s.CommandCount("upload-piece") < pieces+n/8 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the sync never got going: %s", firstErr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s.SetFaults(megasim.Faults{})
	if _, se, code := r.run("", "sync", src, "mega:/sync"); code != 0 {
		t.Fatalf("sync after SIGKILL: exit %d\n%s", code, se)
	} else if !strings.Contains(se, "resuming") {
		t.Logf("the rerun found nothing to resume (the kill came between journal writes):\n%s", se)
	}
	if got, want := megaTree(t, s, "/sync"), localTree(t, src); !sameTree(got, want) {
		t.Errorf("after the kill and rerun the trees differ: %d files on MEGA, %d local", len(got), len(want))
	}
	if _, se, code := r.run("", "check", src, "mega:/sync"); code != 0 {
		t.Errorf("check after the rerun: exit %d\n%s", code, se)
	}
}

// copy replaces a file that changed since the last copy (the old one to
// the Rubbish Bin) and says so; identical files are left alone.
func TestCLICopyUpdatesChangedFiles(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	mtime := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	writeFiles(t, src, map[string][]byte{"report.txt": []byte("first draft"), "same.txt": []byte("unchanged")}, mtime)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/docs"); err != nil {
		t.Fatalf("copy: %v\n%s", err, se)
	}
	writeFiles(t, src, map[string][]byte{"report.txt": []byte("final version")}, mtime.Add(time.Hour))
	_, se, err := runCopyCLI(t, s, state, "-v", src, "mega:/docs")
	if err != nil {
		t.Fatalf("second copy: %v\n%s", err, se)
	}
	for _, want := range []string{"INFO  : report.txt: Copied (replaced existing)", "copy: 0 new, 1 updated, 1 identical, 0 failed"} {
		if !strings.Contains(se, want) {
			t.Errorf("second copy's log lacks %q:\n%s", want, se)
		}
	}
	if got := mustCLI(t, s, "cat", "mega:/docs/report.txt"); got != "final version" {
		t.Errorf("report.txt on MEGA: %q", got)
	}
	if got := mustCLI(t, s, "lsf", "mega://bin"); got != "report.txt\n" {
		t.Errorf("rubbish bin: %q, want the old report.txt", got)
	}
}

// -P off a terminal prints plain periodic lines; --max-transfer stops
// queueing at the limit with rclone's exit status 8.
func TestCLIProgressLinesAndMaxTransfer(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	writeFiles(t, src, map[string][]byte{"a.bin": bytes.Repeat([]byte("a"), 300<<10), "b.bin": bytes.Repeat([]byte("b"), 300<<10)}, time.Now())
	_, se, err := runCopyCLI(t, s, state, "-P", "--bwlimit", "300k", src, "mega:/p")
	if err != nil {
		t.Fatalf("copy -P: %v\n%s", err, se)
	}
	lines := strings.Count(se, "Transferred: ")
	if lines < 1 || strings.Contains(se, "\x1b[") {
		t.Errorf("copy -P off a terminal: %d plain progress lines (want some, no escape codes):\n%q", lines, se)
	}
	writeFiles(t, src, map[string][]byte{"c.bin": []byte("cc"), "d.bin": []byte("dd"), "e.bin": []byte("ee")}, time.Now())
	_, se, err = runCopyCLI(t, s, state, "--max-transfer", "4B", src, "mega:/p")
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 8 || !strings.Contains(se, "max transfer limit reached") || !strings.Contains(se, "2 new") {
		t.Errorf("copy --max-transfer: %v\n%s", err, se)
	}
}

// sync MEGA → local: local files SRC lacks go to the desktop trash.
func TestCLISyncDownDeletesToTheTrash(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	up, down := t.TempDir(), t.TempDir()
	writeFiles(t, up, map[string][]byte{"keep.txt": []byte("keep"), "dir/also.txt": []byte("also")}, time.Now())
	r.must("copy", up, "mega:/down")
	writeFiles(t, down, map[string][]byte{"extra.txt": []byte("extra"), "keep.txt": []byte("old")}, time.Now().Add(-time.Hour))
	if _, se, code := r.run("", "sync", "mega:/down", down); code != 0 || !strings.Contains(se, "1 new, 1 updated, 0 identical, 1 deleted") {
		t.Fatalf("sync down: exit %d\n%s", code, se)
	}
	if got, want := localTree(t, down), map[string]int64{"keep.txt": 4, "dir/also.txt": 4}; !sameTree(got, want) {
		t.Errorf("local tree: %v, want %v", got, want)
	}
	var dataHome string
	for _, kv := range r.env {
		if v, ok := strings.CutPrefix(kv, "XDG_DATA_HOME="); ok {
			dataHome = v
		}
	}
	if b, err := os.ReadFile(filepath.Join(dataHome, "Trash", "files", "extra.txt")); err != nil || string(b) != "extra" {
		t.Errorf("extra.txt not in the trash: %v", err)
	}
}
