package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/megatui/megatui/internal/megasimtest"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// startHostileSim runs megasim in this process behind the rewriting
// proxy, for an Env whose remote "mega" is the proxy.
func startHostileSim(t testing.TB) (*megasim.Server, *megasim.Hostile, *Sim) {
	t.Helper()
	sim := &Sim{Email: "e2e@megatui.test", Password: "correct horse e2e", stderr: &lockedBuffer{}}
	s, h := megasimtest.StartHostile(t, megasim.Options{Accounts: []megasim.Account{{Email: sim.Email, Password: sim.Password}}})
	sim.URL, sim.CAFile = h.URL(), s.CAFile()
	return s, h, sim
}

// terminalState reads what tmux knows of the pane's modes.
func terminalState(s *Session) (altScreen, mouse bool) {
	out := strings.Fields(s.tmux("display", "-p", "-t", "0", "#{alternate_on} #{mouse_any_flag}"))
	return len(out) == 2 && out[0] == "1", len(out) == 2 && out[1] == "1"
}

// TestTUISurvivesHostileActionPackets: another client renames a folder
// the TUI made (so go-mega holds it), and the update arrives with an
// attribute blob go-mega panics on. The TUI lists the folder as
// undecryptable, stays usable, and quits cleanly.
func TestTUISurvivesHostileActionPackets(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	srv, h, sim := startHostileSim(t)
	env := NewEnv(t, bin, sim)
	s := env.Start(t)
	env.Login(t, s)
	mkdirInTUI := func(name string) {
		s.Keys("F7")
		s.WaitFor(`Create folder in /`, short)
		s.Type(name)
		s.Keys("Enter")
		s.WaitFor(name+`/`, long)
	}
	s.Keys("Tab")
	mkdirInTUI("victim")
	other, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "other", Email: sim.Email, Password: sim.Password,
		APIURL: srv.URL(), HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	victim, err := other.Stat(context.Background(), "/victim")
	if err != nil {
		t.Fatal(err)
	}
	const notWholeBlocks = "AAAAAAAAAAAAAAAAAAAAAAA" // 17 bytes
	h.Rewrite("sc", megasim.CorruptAttrs(notWholeBlocks))
	if err := other.Rename(context.Background(), "H:"+victim.ID, "renamed"); err != nil {
		t.Fatal(err)
	}
	s.WaitFor(`\[undecryptable `+victim.ID+`\]`, long)
	// The rest of the account still works.
	h.Rewrite("sc", nil)
	mkdirInTUI("made-after")
	s.Keys("q")
	s.WaitFor(`\[exited: 0\]`, short)
	if alt, mouse := terminalState(s); alt || mouse {
		t.Fatalf("after quitting: alternate screen %v, mouse tracking %v", alt, mouse)
	}
}

// TestTUIRestoresTerminalOnAnyExit kills the TUI in ways Bubble Tea cannot
// clean up after (a runtime crash report, SIGKILL): the crash monitor puts
// the terminal back — main screen, no mouse tracking, cooked mode.
func TestTUIRestoresTerminalOnAnyExit(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		want string
	}{
		{"crash", syscall.SIGQUIT, "megatui crashed; the terminal was restored"},
		{"killed", syscall.SIGKILL, "megatui ended abruptly (killed?); the terminal was restored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			pidFile := filepath.Join(root, "pid")
			vars := []string{"HOME=" + root, "XDG_STATE_HOME=" + filepath.Join(root, "state"), "XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
				"XDG_CACHE_HOME=" + filepath.Join(root, "cache"), "MEGATUI_KEYRING=off"}
			// Standard error goes to a file: the crash report of a
			// thousand goroutines (a signal from outside always dumps
			// them all) could take minutes to scroll through tmux on a
			// loaded machine, and the terminal's state is what counts.
			stderrFile := filepath.Join(root, "stderr")
			script := `sh -c 'echo $$ > "$0"; exec "$1" --demo 2>"$2"' ` + shellQuote(pidFile) + ` ` + shellQuote(bin) + ` ` + shellQuote(stderrFile) +
				`; echo "[tui ended]"; ` +
				// The monitor restores the terminal just after the TUI is gone,
				// and says so on standard error: read the mode after that
				// (for at most 10 s), not in the race with it.
				`i=0; while [ $i -lt 100 ] && ! grep -q 'the terminal was restored' ` + shellQuote(stderrFile) + `; do sleep 0.1; i=$((i+1)); done; ` +
				`stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo)$' | tr '\n' ' '; echo`
			s := Start(t, Cols, Rows, root, vars, "sh", "-c", script)
			s.WaitFor(`demo: demo@`, long)
			if alt, mouse := terminalState(s); !alt || !mouse {
				t.Fatalf("while running: alternate screen %v, mouse %v; want both on", alt, mouse)
			}
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatal(err)
			}
			if err := syscall.Kill(pid, tc.sig); err != nil {
				t.Fatal(err)
			}
			// The shell goes on as soon as the TUI is gone, so its "[tui
			// ended]" may land on the alternate screen the monitor then
			// leaves; the stty line printed after it is what to wait for.
			screen := s.WaitFor(`icanon`, long)
			if alt, mouse := terminalState(s); alt || mouse {
				t.Fatalf("after %s: alternate screen %v, mouse tracking %v; screen:\n%s", tc.name, alt, mouse, screen)
			}
			if !strings.Contains(screen, "icanon echo") {
				t.Fatalf("after %s the terminal is not in cooked mode; screen:\n%s", tc.name, screen)
			}
			errOut, err := os.ReadFile(stderrFile)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(errOut), tc.want) {
				t.Fatalf("no %q on standard error:\n%s", tc.want, errOut[max(0, len(errOut)-3000):])
			}
		})
	}
}
