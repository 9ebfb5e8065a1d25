package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A folder exported with `megatui link` is downloaded byte for byte by a
// second megatui process that has no account at all: no user, no
// password, no keyring, a home of its own; only the link (on stdin, so
// its key is not in the process list) and the API URL.
func TestFolderLinkToLoggedOutProcess(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	env := NewEnv(t, bin, sim)
	src := filepath.Join(env.Local, "pub")
	files := map[string][]byte{
		"a.bin":           randomBytes(1, 700<<10),
		"sub/b.txt":       []byte("hello from a link\n"),
		"sub/deep/c.bin":  randomBytes(2, 131073),
		"empty":           nil,
		"sub/ünïcödé.txt": randomBytes(3, 10),
	}
	for rel, b := range files {
		writeFile(t, filepath.Join(src, filepath.FromSlash(rel)), b)
	}
	env.CLI(t, "copy", src, "mega:/pub")
	link := strings.TrimSpace(env.CLI(t, "link", "mega:/pub"))
	if !strings.HasPrefix(link, "https://mega.nz/folder/") {
		t.Fatalf("megatui link printed %q", link)
	}

	home := t.TempDir()
	dst := filepath.Join(home, "download")
	cmd := exec.Command(bin, "copy", "-", dst)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"), "MEGATUI_KEYRING=off", "MEGATUI_API_URL=" + sim.URL}
	cmd.Stdin = strings.NewReader(link + "\n")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("logged-out copy of the link: %v\n%s", err, out.String())
	}
	for rel, want := range files {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(rel)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %v (%d bytes, want %d identical)", rel, err, len(got), len(want))
		}
	}
	if !strings.Contains(out.String(), fmt.Sprintf("copied %d files", len(files))) {
		t.Errorf("summary: %s", out.String())
	}
}
