package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// runLoggedOut runs megatui with no account at all: no user, no
// password, no keyring, a state folder of its own; only the API URL.
func runLoggedOut(t *testing.T, s *megasim.Server, args ...string) (string, string, error) {
	t.Helper()
	return runLoggedOutStdin(t, s, "", args...)
}

func runLoggedOutStdin(t *testing.T, s *megasim.Server, stdin string, args ...string) (string, string, error) {
	t.Helper()
	state := t.TempDir()
	env := map[string]string{"MEGATUI_API_URL": s.URL(), "XDG_STATE_HOME": state, "HOME": state, "MEGATUI_KEYRING": "off"}
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return env[k] }, HTTPClient: s.HTTPClient()},
		Stdin: strings.NewReader(stdin)}, "test")
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestCLILinkCopyImport(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	files := copyTree(t, src, 10, 150000)
	if err := os.WriteFile(filepath.Join(src, "empty-00"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/pub"); err != nil {
		t.Fatalf("upload: %v\n%s", err, se)
	}
	folderLink := strings.TrimSpace(mustCLI(t, s, "link", "mega:/pub"))
	if !strings.HasPrefix(folderLink, "https://mega.nz/folder/") {
		t.Fatalf("link printed %q", folderLink)
	}
	if again := strings.TrimSpace(mustCLI(t, s, "link", "mega:/pub")); again != folderLink {
		t.Fatalf("second link %q, want %q", again, folderLink)
	}
	fileLink := strings.TrimSpace(mustCLI(t, s, "link", "mega:/pub/top-00 é.txt"))
	if !strings.HasPrefix(fileLink, "https://mega.nz/file/") {
		t.Fatalf("file link printed %q", fileLink)
	}

	// A process with no account downloads the folder from the link alone,
	// with the server dropping connections and answering 500s.
	s.SetFaults(megasim.Faults{HTTP500Rate: 0.15, DropRate: 0.1})
	dst := t.TempDir()
	if _, se, err := runLoggedOut(t, s, "copy", folderLink, filepath.Join(dst, "all")); err != nil {
		t.Fatalf("copy folder link: %v\n%s", err, se)
	} else if !strings.Contains(se, "copied 11 files") {
		t.Errorf("summary %q, want 11 files copied", se)
	}
	checkLocalTree(t, filepath.Join(dst, "all"), files)
	if fi, err := os.Stat(filepath.Join(dst, "all", "empty-00")); err != nil || fi.Size() != 0 {
		t.Errorf("empty file: %v", err)
	}
	if _, se, err := runLoggedOut(t, s, "copy", fileLink, filepath.Join(dst, "one")); err != nil {
		t.Fatalf("copy file link: %v\n%s", err, se)
	}
	if got, _ := os.ReadFile(filepath.Join(dst, "one", "top-00 é.txt")); !bytes.Equal(got, files["top-00 é.txt"]) {
		t.Error("file link: content differs")
	}
	s.SetFaults(megasim.Faults{})

	// The link read from stdin (its key stays out of the process list),
	// and listed.
	if _, se, err := runLoggedOutStdin(t, s, folderLink+"\n", "copy", "-", filepath.Join(dst, "stdin")); err != nil {
		t.Fatalf("copy - with the link on stdin: %v\n%s", err, se)
	}
	checkLocalTree(t, filepath.Join(dst, "stdin"), files)
	// The listing commands read links too.
	out, se, err := runLoggedOut(t, s, "lsf", "-R", folderLink)
	if err != nil || !strings.Contains(out, "sub1/") || !strings.Contains(out, "empty-00") {
		t.Fatalf("lsf -R LINK: %v\n%s%s", err, out, se)
	}
	if out, se, err := runLoggedOut(t, s, "ls", fileLink); err != nil || !strings.Contains(out, "top-00 é.txt") {
		t.Fatalf("ls FILE-LINK: %v\n%s%s", err, out, se)
	}

	// A corrupted key: a clear error, a non-zero exit, nothing written.
	l, err := megaclient.ParseLink(folderLink)
	if err != nil {
		t.Fatal(err)
	}
	l.Key[5] ^= 0x10
	_, se, err = runLoggedOut(t, s, "copy", l.String(), filepath.Join(dst, "bad"))
	if err == nil || ExitCode(err, &bytes.Buffer{}) == 0 {
		t.Fatalf("copy with a corrupted key: no error (%s)", se)
	}
	var msg bytes.Buffer
	ExitCode(err, &msg)
	if !strings.Contains(msg.String(), "key does not decrypt") || strings.Contains(msg.String(), "#") {
		t.Errorf("message %q: want the key named as the problem, and no key shown", msg.String())
	}
	if _, err := os.Stat(filepath.Join(dst, "bad")); !os.IsNotExist(err) {
		t.Errorf("a corrupted link left %s behind (%v)", filepath.Join(dst, "bad"), err)
	}
	if _, _, err := runLoggedOut(t, s, "copy", strings.Split(folderLink, "#")[0], filepath.Join(dst, "nokey")); err == nil {
		t.Error("a link without its key: want an error")
	}

	// Import into the account, on the server; then remove the links.
	mustCLI(t, s, "import", folderLink, "mega:/copies")
	out = mustCLI(t, s, "lsf", "-R", "mega:/copies")
	if !strings.Contains(out, "pub/sub1/ファイル-01.bin") && !strings.Contains(out, "ファイル-01.bin") {
		t.Errorf("import: listing %s", out)
	}
	mustCLI(t, s, "link", "--remove", "mega:/pub")
	if _, _, err := runLoggedOut(t, s, "copy", folderLink, filepath.Join(dst, "gone")); err == nil {
		t.Error("copy of a removed link: want an error")
	}
}

func TestCLICopyWaitsForTransferQuota(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	src, state := t.TempDir(), t.TempDir()
	files := copyTree(t, src, 2, 300000)
	if _, se, err := runCopyCLI(t, s, state, src, "mega:/q"); err != nil {
		t.Fatalf("upload: %v\n%s", err, se)
	}
	link := strings.TrimSpace(mustCLI(t, s, "link", "mega:/q"))
	// Room for about one file per second.
	s.SetTransferQuota(400000, time.Second)
	for _, from := range []string{"mega:/q", link} {
		dst := t.TempDir()
		var se string
		var err error
		if strings.HasPrefix(from, "mega:") {
			_, se, err = runCopyCLI(t, s, t.TempDir(), "--transfers", "1", from, dst)
		} else {
			_, se, err = runLoggedOut(t, s, "copy", "--transfers", "1", from, dst)
		}
		if err != nil {
			t.Fatalf("copy %s: %v\n%s", from, err, se)
		}
		if !strings.Contains(se, "megatui: transfer quota exceeded, retry in 1 s") || !strings.Contains(se, "2 new") && !strings.Contains(se, "copied 2 files") {
			t.Errorf("copy %s: stderr %q, want the quota wait announced and both files copied", from, se)
		}
		checkLocalTree(t, dst, files)
	}
	if s.TransferQuotaRefusals() == 0 {
		t.Fatal("the quota never refused a download")
	}
}
