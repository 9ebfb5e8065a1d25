package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `megatui copy -P` on a terminal draws rclone's live progress block,
// redrawn in place while files move (held to 1 MiB/s by --bwlimit so it
// lasts a few seconds), and -P does not swallow SRC.
func TestCLICopyProgressInTmux(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{DataLatency: 150 * time.Millisecond})
	env := NewEnv(t, bin, sim)
	for i := range 6 {
		writeFile(t, filepath.Join(env.Local, "up", fmt.Sprintf("f%d.bin", i)), randomBytes(uint64(i), 600<<10))
	}
	vars := append(append([]string{}, env.vars...), "MEGATUI_USER="+sim.Email, "MEGATUI_PASSWORD="+sim.Password,
		"MEGATUI_API_URL="+sim.URL, "MEGATUI_CONFIG="+filepath.Join(env.Root, "config", "cli.toml"))
	s := Start(t, Cols, Rows, env.Local, vars, bin, "copy", "-P", "--transfers", "2", "--bwlimit", "1M", filepath.Join(env.Local, "up"), "mega:/up")
	screen := s.WaitFor(`Transferring:`, long)
	for _, want := range []string{"Transferred:", "Elapsed time:", ".bin: "} {
		if !strings.Contains(screen, want) {
			t.Errorf("progress block lacks %q:\n%s", want, screen)
		}
	}
	// Redrawn in place: one block on the screen, not a scrolling log.
	if n := strings.Count(screen, "Elapsed time:"); n != 1 {
		t.Errorf("%d progress blocks on the screen, want 1:\n%s", n, screen)
	}
	final := s.WaitFor(`\[exited: 0\]`, long)
	if !strings.Contains(final, "copy: 6 new") {
		t.Errorf("no summary after the copy:\n%s", final)
	}
	if got := env.CLI(t, "ls", "mega:/up"); strings.Count(got, ".bin") != 6 {
		t.Errorf("after copy -P: %s", got)
	}
}
