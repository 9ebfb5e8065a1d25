package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// The file commands through the built binary: rcat, copyto, moveto,
// delete with filters, rmdir, rmdirs, purge, cleanup, about, -i, -q and
// --log-file.
func TestCLIFileCommandsThroughBinary(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	if _, se, code := r.run("piped content\n", "rcat", "mega:/r/piped.txt"); code != 0 {
		t.Fatalf("rcat: exit %d\n%s", code, se)
	}
	if got := r.must("cat", "mega:/r/piped.txt"); got != "piped content\n" {
		t.Errorf("cat after rcat: %q", got)
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"a.log": "log a", "b.log": "log b", "keep.txt": "keep"} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	// copyto: an exact name; again: identical, nothing sent.
	r.must("copyto", filepath.Join(dir, "keep.txt"), "mega:/r/renamed.txt")
	if _, se, code := r.run("", "copyto", filepath.Join(dir, "keep.txt"), "mega:/r/renamed.txt"); code != 0 || !strings.Contains(se, "0 new, 0 updated, 1 identical") {
		t.Errorf("second copyto: exit %d\n%s", code, se)
	}
	// moveto within one account: a server-side move and rename.
	pieces := s.CommandCount("upload-piece")
	r.must("moveto", "mega:/r/renamed.txt", "mega:/r/sub/moved.txt")
	if s.CommandCount("upload-piece") != pieces {
		t.Error("moveto within MEGA uploaded content")
	}
	r.must("copy", dir, "mega:/r")
	if got, want := r.must("lsf", "-R", "mega:/r"), "a.log\nb.log\nkeep.txt\npiped.txt\nsub/\nsub/moved.txt\n"; got != want {
		t.Errorf("lsf -R: got %q, want %q", got, want)
	}
	// -i: answered no, nothing goes; then yes.
	if _, se, code := r.run("n\nn\n", "delete", "-i", "--include", "*.log", "mega:/r"); code != 0 || !strings.Contains(se, "megatui: delete \"a.log\"?\ny) Yes, this is OK (default)\nn) No, skip this\n") {
		t.Errorf("delete -i: exit %d\n%s", code, se)
	}
	if got := r.must("lsf", "mega:/r"); !strings.Contains(got, "a.log") {
		t.Errorf("delete -i answered no removed a.log: %q", got)
	}
	// "!" answers yes to every delete at once.
	if _, se, code := r.run("!\n", "delete", "-i", "--include", "*.log", "mega:/r"); code != 0 || strings.Count(se, "y/n/s/!/q>") != 1 {
		t.Errorf("delete -i with !: exit %d\n%s", code, se)
	}
	if got, want := r.must("lsf", "mega:/r"), "keep.txt\npiped.txt\nsub/\n"; got != want {
		t.Errorf("after delete --include: got %q, want %q", got, want)
	}
	if got := r.must("lsf", "mega://bin"); !strings.Contains(got, "a.log") || !strings.Contains(got, "b.log") {
		t.Errorf("deleted files not in the Rubbish Bin: %q", got)
	}
	// rmdir refuses a folder with content; rmdirs removes empty ones.
	r.must("mkdir", "mega:/r/e1/e2")
	if _, se, code := r.run("", "rmdir", "mega:/r/sub"); code != 1 || !strings.Contains(se, "not empty") {
		t.Errorf("rmdir of a full folder: exit %d\n%s", code, se)
	}
	r.must("rmdirs", "--leave-root", "mega:/r")
	if got := r.must("lsf", "mega:/r"); strings.Contains(got, "e1/") {
		t.Errorf("rmdirs left e1: %q", got)
	}
	r.must("purge", "mega:/r/sub")
	if got := r.must("lsf", "mega:/r"); strings.Contains(got, "sub/") {
		t.Errorf("purge left sub: %q", got)
	}
	r.must("cleanup", "mega:")
	if got := r.must("lsf", "mega://bin"); got != "" {
		t.Errorf("after cleanup the Rubbish Bin holds %q", got)
	}
	if got := r.must("about", "--json", "mega:"); !strings.Contains(got, `"total": 53687091200`) || !strings.Contains(got, `"trashed": 0`) {
		t.Errorf("about --json: %s", got)
	}
	// --log-file takes the log; -q silences the summary.
	logFile := filepath.Join(t.TempDir(), "log.txt")
	os.WriteFile(filepath.Join(dir, "new.txt"), []byte("new"), 0o644)
	if _, se, code := r.run("", "copy", "-v", "--log-file", logFile, dir, "mega:/r"); code != 0 || se != "" {
		t.Errorf("copy --log-file: exit %d, stderr %q", code, se)
	}
	if b, _ := os.ReadFile(logFile); !strings.Contains(string(b), "INFO  : new.txt: Copied (new)") {
		t.Errorf("log file: %s", b)
	}
	if _, se, code := r.run("", "copy", "-q", dir, "mega:/r"); code != 0 || se != "" {
		t.Errorf("copy -q: exit %d, stderr %q", code, se)
	}
}

// check of files stored without a fingerprint (as rclone uploads them):
// compared after a sampled fetch whose size is reported, and with
// --fix-fingerprints given one.
func TestCLICheckSamplesFilesWithoutFingerprint(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	r := newBinRunner(t, s)
	dir := t.TempDir()
	body := []byte(strings.Repeat("uploaded by rclone. ", 300000)) // 6 MB
	p := filepath.Join(dir, "big.bin")
	os.WriteFile(p, body, 0o644)
	mtime := time.Date(2023, 3, 4, 5, 6, 7, 0, time.UTC)
	os.Chtimes(p, mtime, mtime)
	m := mega.New().SetClient(s.HTTPClient())
	m.SetLogger(func(string, ...any) {})
	m.SetAPIUrl(s.URL())
	if err := m.Login(cliEmail, cliPass); err != nil {
		t.Fatal(err)
	}
	if _, err := m.UploadFile(p, m.FS.GetRoot(), "big.bin", nil); err != nil {
		t.Fatal(err)
	}
	before := s.CommandCount("download-bytes")
	so, se, code := r.run("", "check", "--fix-fingerprints", "--match", "-", dir, "mega:/")
	fetched := s.CommandCount("download-bytes") - before
	if code != 0 || so != "big.bin\n" || !strings.Contains(se, "1 files without a fingerprint were sampled") {
		t.Fatalf("check: exit %d, stdout %q\n%s", code, so, se)
	}
	if fetched == 0 || fetched > 64<<10 {
		t.Errorf("check fetched %d bytes of a %d-byte file, want a few KiB", fetched, len(body))
	}
	t.Logf("sampled %d of %d bytes", fetched, len(body))
	// Stored now: the next check fetches nothing and lsl shows the time.
	before = s.CommandCount("download-bytes")
	if _, se, code := r.run("", "check", dir, "mega:/"); code != 0 || strings.Contains(se, "sampled") {
		t.Errorf("second check: exit %d\n%s", code, se)
	}
	if s.CommandCount("download-bytes") != before {
		t.Error("the second check downloaded")
	}
	if got := r.must("lsl", "mega:/"); !strings.Contains(got, "2023-03-04 05:06:07") {
		t.Errorf("lsl after --fix-fingerprints: %q", got)
	}
}

// cat of a whole MEGA file checks its MAC as it streams: a corrupted
// download is an error, not silently wrong output.
func TestCLICatVerifiesTheMAC(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	dir, state := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "f.bin"), bytes.Repeat([]byte("0123456789"), 50000), 0o644)
	if _, se, err := runCopyCLI(t, s, state, dir, "mega:/m"); err != nil {
		t.Fatalf("copy: %v\n%s", err, se)
	}
	if out := mustCLI(t, s, "cat", "mega:/m/f.bin"); len(out) != 500000 {
		t.Fatalf("cat: %d bytes", len(out))
	}
	s.SetFaults(megasim.Faults{CorruptRate: 1})
	if _, err := runCLI(t, s, "cat", "mega:/m/f.bin"); !errors.Is(err, model.ErrIntegrity) {
		t.Errorf("cat of a corrupted download: got %v, want ErrIntegrity", err)
	}
}
