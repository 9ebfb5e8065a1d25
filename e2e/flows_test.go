package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

const megaTitle = "mega: e2e@megatui.test:"

// TestCopyBothWays copies a local file to MEGA and a MEGA file to the
// local disk, watches both reach "done" in the transfer panel, and checks
// the bytes on the server and on disk (issue 5, Must show 3).
func TestCopyBothWays(t *testing.T) {
	t.Parallel()
	up := randomBytes(1, 300<<10)
	down := randomBytes(2, 200<<10)
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Inbox")
	seed(t, c, "/Inbox", "down.bin", down, time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC))
	env := NewEnv(t, bin, sim)
	writeFile(t, filepath.Join(env.Local, "up.bin"), up)
	s := env.Start(t)
	env.Login(t, s)

	// Right pane: into /Inbox.
	s.Keys("Tab")
	open(s, megaTitle, "/", "Inbox")
	s.WaitFor(`down\.bin`, short)
	// Left pane: copy up.bin to MEGA /Inbox.
	s.Keys("Tab")
	filter(s, "up.bin")
	copyCursor(s, "up.bin")
	// Right pane: copy down.bin to the local folder.
	s.Keys("Tab")
	filter(s, "down.bin")
	copyCursor(s, "down.bin")

	showTransfers(s)
	s.WaitFor(`done +.*up\.bin`, long)
	screen := s.WaitFor(`done +.*down\.bin`, long)
	if !regexp.MustCompile(`2 job\(s\), 2 done`).MatchString(screen) {
		t.Errorf("transfer panel: got\n%s\nwant the header %q", screen, "2 job(s), 2 done")
	}

	got, err := os.ReadFile(filepath.Join(env.Local, "down.bin"))
	if err != nil {
		t.Fatalf("downloaded file: %v", err)
	}
	if !bytes.Equal(got, down) {
		t.Errorf("local down.bin: got %d bytes, want the %d bytes on the server", len(got), len(down))
	}
	if es := named(list(t, env, "/Inbox"), "up.bin"); len(es) != 1 {
		t.Fatalf("server /Inbox: got %d up.bin, want 1", len(es))
	}
	if got := download(t, env, "/Inbox/up.bin"); !bytes.Equal(got, up) {
		t.Errorf("server up.bin: got %d bytes, want the %d local bytes", len(got), len(up))
	}
	// And through the CLI, as a user would check.
	if out := env.CLI(t, "lsl", "mega:/Inbox"); !strings.Contains(out, "307200") || !strings.Contains(out, "up.bin") {
		t.Errorf("megatui ls -l mega:/Inbox: got\n%s\nwant up.bin with 307200 bytes", out)
	}
}

// TestDemoSmoke starts `megatui --demo`, sees both panes filled, and quits
// cleanly with q.
func TestDemoSmoke(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	root := t.TempDir()
	vars := []string{"HOME=" + filepath.Join(root, "home"), "XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"XDG_STATE_HOME=" + filepath.Join(root, "state"), "XDG_CACHE_HOME=" + filepath.Join(root, "cache"),
		"MEGATUI_KEYRING=off"}
	s := Start(t, Cols, Rows, root, vars, bin, "--demo")
	s.WaitFor(`╭─ \S*demo-sandbox ─`, long)
	screen := s.WaitFor(`│ Duplicates/ +(DIR|[0-9.]+ [KMG]?i?B)`, long)
	if !strings.Contains(screen, "╭─ demo") {
		t.Errorf("screen: got\n%s\nwant the demo remote's pane", screen)
	}
	s.Keys("q")
	screen = s.WaitFor(`\[exited: \d+\]`, short)
	if !strings.Contains(screen, "[exited: 0]") {
		t.Errorf("after q: got\n%s\nwant exit status 0", screen)
	}
	if !strings.Contains(screen, "sandbox folder") {
		t.Errorf("after q: got\n%s\nwant the note about the kept sandbox folder", screen)
	}
}

// TestLogin2FABrowseFilter logs in to a two-factor account through the
// login form, browses both panes down and up, and filters.
func TestLogin2FABrowseFilter(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{TOTPSecret: "JBSWY3DPEHPK3PXP"})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Photos")
	mkdir(t, c, "/Photos", "2024")
	mkdir(t, c, "/", "Documents")
	seed(t, c, "/Photos/2024", "beach.jpg", randomBytes(3, 5000), time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC))
	seed(t, c, "/Documents", "letter.txt", []byte("dear e2e\n"), time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC))
	env := NewEnv(t, bin, sim)
	writeFile(t, filepath.Join(env.Local, "projects", "plan.md"), []byte("# plan\n"))
	writeFile(t, filepath.Join(env.Local, "notes.txt"), []byte("notes\n"))
	s := env.Start(t)
	env.Login(t, s)
	s.WaitFor(`│ Photos/ +(DIR|[0-9.]+ [KMG]?i?B)`, short)

	// Local pane (focused first): into projects/ and back up.
	localTitle := "local:" + env.Local
	open(s, "local:", env.Local, "projects")
	s.WaitFor(`│.plan\.md `, short)
	s.Keys("BSpace")
	s.WaitFor(regexp.QuoteMeta(localTitle)+` ─`, short)
	s.WaitFor(`│.notes\.txt `, short)

	// MEGA pane: two levels down, two up.
	s.Keys("Tab")
	open(s, megaTitle, "/", "Photos")
	open(s, megaTitle, "/Photos", "2024")
	s.WaitFor(`│.beach\.jpg +4\.9 KiB 2024-07-01`, short)
	s.Keys("BSpace")
	s.WaitFor(regexp.QuoteMeta(megaTitle+"/Photos")+` ─`, short)
	s.Keys("BSpace")
	s.WaitFor(regexp.QuoteMeta(megaTitle+"/")+` ─`, short)

	// Filter as you type: only the matching folder stays.
	s.Keys("/")
	s.WaitFor(`enter keep · esc clear`, short)
	s.Type("docu")
	screen := s.WaitFor(`/docu▏`, short)
	screen = s.WaitGone(`│.Photos/ `, short)
	if !strings.Contains(screen, "Documents/") {
		t.Errorf("filtered MEGA pane: got\n%s\nwant Documents/ listed", screen)
	}
	s.Keys("Enter")
	s.WaitFor(`1/1 of 2 · filter: docu`, short)
	clearFilter(s, "docu")
	s.WaitFor(`│.Photos/ `, short)
}

// TestRenameMkdirDeleteRestore renames, creates a folder, deletes to the
// Rubbish Bin and restores from it on MEGA, checking the server each time.
func TestRenameMkdirDeleteRestore(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Work")
	content := []byte("a file that moves around\n")
	seed(t, c, "/Work", "old.txt", content, time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC))
	env := NewEnv(t, bin, sim)
	s := env.Start(t)
	env.Login(t, s)
	s.Keys("Tab")
	open(s, megaTitle, "/", "Work")
	s.WaitFor(`│.old\.txt `, short)

	// Rename (F2/r) in place.
	s.Keys("r")
	s.WaitFor(`rename: enter apply · esc cancel`, short)
	s.Keys("C-u")
	s.Type("new.txt")
	s.Keys("Enter")
	s.WaitFor(`renamed old\.txt to new\.txt`, short)
	s.WaitFor(`│.new\.txt `, short)
	if es := list(t, env, "/Work"); len(named(es, "new.txt")) != 1 || len(named(es, "old.txt")) != 0 {
		t.Fatalf("server /Work after rename: got %v, want [new.txt]", names(es))
	}

	// Mkdir (F7).
	s.Keys("F7")
	s.WaitFor(`Create folder in /Work`, short)
	s.Type("Sub")
	s.Keys("Enter")
	s.WaitFor(`│.Sub/ +(DIR|[0-9.]+ [KMG]?i?B)`, short)
	if es := named(list(t, env, "/Work"), "Sub"); len(es) != 1 || !es[0].IsDir() {
		t.Fatalf("server /Work after mkdir: got %v, want one folder Sub", es)
	}

	// Delete (F8) to the Rubbish Bin.
	filter(s, "new.txt")
	s.Keys("F8")
	s.WaitFor(`Rubbish Bin and can be restored`, short)
	s.Keys("y")
	s.WaitGone(`│.new\.txt `, short)
	clearFilter(s, "new.txt")
	if es := list(t, env, "/Work"); len(named(es, "new.txt")) != 0 {
		t.Fatalf("server /Work after delete: got %v, want no new.txt", names(es))
	}
	if es := list(t, env, "//bin"); len(named(es, "new.txt")) != 1 {
		t.Fatalf("server Rubbish Bin after delete: got %v, want new.txt", names(es))
	}

	// Open the Rubbish Bin (b) and restore (u).
	s.Keys("b")
	s.WaitFor(`│.new\.txt `, short)
	filter(s, "new.txt")
	s.Keys("u")
	s.WaitFor(`Restore .*from the Rubbish Bin\?`, short)
	s.Keys("y")
	s.WaitGone(`│.new\.txt `, short)
	es := named(list(t, env, "/Work"), "new.txt")
	if len(es) != 1 {
		t.Fatalf("server /Work after restore: got %v, want new.txt back", es)
	}
	if got := download(t, env, "/Work/new.txt"); !bytes.Equal(got, content) {
		t.Errorf("restored new.txt: got %q, want %q", got, content)
	}
	if es := list(t, env, "//bin"); len(named(es, "new.txt")) != 0 {
		t.Errorf("server Rubbish Bin after restore: got %v, want no new.txt", names(es))
	}

	// The same keys on the local pane: mkdir, then rename the new folder.
	s.Keys("Tab")
	s.Keys("F7")
	s.WaitFor(`Create folder in `, short)
	s.Type("made here")
	s.Keys("Enter")
	s.WaitFor(`│.made here/ +(DIR|[0-9.]+ [KMG]?i?B)`, short)
	filter(s, "made here")
	s.Keys("r")
	s.WaitFor(`rename: enter apply · esc cancel`, short)
	s.Keys("C-u")
	s.Type("renamed here")
	s.Keys("Enter")
	s.WaitFor(`renamed made here to renamed here`, short)
	if fi, err := os.Stat(filepath.Join(env.Local, "renamed here")); err != nil || !fi.IsDir() {
		t.Errorf("local folder after mkdir and rename: got %v, %v; want a folder \"renamed here\"", fi, err)
	}
	if _, err := os.Stat(filepath.Join(env.Local, "made here")); !os.IsNotExist(err) {
		t.Errorf("local \"made here\" after the rename: got %v, want it gone", err)
	}
}

// TestDuplicatesDedupeUndo sees the duplicate badge on same-name files,
// runs a full guided dedupe (keep the copy under the cursor), checks the
// server, then undoes it and checks again.
func TestDuplicatesDedupeUndo(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Dups")
	same := randomBytes(4, 3000)
	seed(t, c, "/Dups", "same.txt", same, time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC))
	seed(t, c, "/Dups", "same.txt", same, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
	seed(t, c, "/Dups", "solo.txt", []byte("only one\n"), time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC))
	env := NewEnv(t, bin, sim)
	s := env.Start(t)
	env.Login(t, s)
	s.Keys("Tab")
	open(s, megaTitle, "/", "Dups")
	screen := s.WaitFor(`│.same\.txt +×2 identical`, short)
	if n := strings.Count(screen, "×2 identical"); n != 2 {
		t.Errorf("badges: got %d rows with ×2 identical, want 2; screen:\n%s", n, screen)
	}
	if regexp.MustCompile(`solo\.txt +×`).MatchString(screen) {
		t.Errorf("solo.txt has a duplicate badge; screen:\n%s", screen)
	}
	s.WaitFor(`⧉ 1 dup group`, short)

	// Guided dedupe: scope = this folder, keep the first copy, review, apply.
	s.Keys("d")
	s.WaitFor(`Find duplicates in:`, short)
	s.Keys("Enter")
	screen = s.WaitFor(`Group 1 of 1 +"same\.txt" in /Dups`, short)
	m := regexp.MustCompile(`│ > .*  (\S+) +│`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no copy under the cursor; screen:\n%s", screen)
	}
	kept := m[1]
	s.Keys("Enter")
	s.WaitFor(`Review the plan · nothing has changed yet`, short)
	if es := named(list(t, env, "/Dups"), "same.txt"); len(es) != 2 {
		t.Fatalf("server before apply: got %d same.txt, want 2 (the review changes nothing)", len(es))
	}
	s.Keys("y")
	s.WaitFor(`Removed copies are in the Rubbish Bin`, long)
	es := named(list(t, env, "/Dups"), "same.txt")
	if len(es) != 1 || es[0].ID != kept {
		t.Fatalf("server /Dups after dedupe: got %v, want only the kept copy %s", es, kept)
	}
	if bin := named(list(t, env, "//bin"), "same.txt"); len(bin) != 1 {
		t.Fatalf("Rubbish Bin after dedupe: got %d same.txt, want 1", len(bin))
	}

	// Undo from the done screen: both copies back in /Dups.
	s.Keys("u")
	s.WaitGone(`Removed copies are in the Rubbish Bin`, long)
	waitServer(t, s, func() string {
		es := named(list(t, env, "/Dups"), "same.txt")
		bin := named(list(t, env, "//bin"), "same.txt")
		if len(es) != 2 || len(bin) != 0 {
			return fmt.Sprintf("/Dups has %d same.txt and the Rubbish Bin %d, want 2 and 0", len(es), len(bin))
		}
		return ""
	})
	s.Keys("Escape")
	s.WaitFor(`│.same\.txt +×2 identical`, short)
}

// waitServer polls check until it returns "" (the server reached the
// expected state), failing with its last answer after a while.
func waitServer(t *testing.T, s *Session, check func() string) {
	t.Helper()
	deadline := time.Now().Add(long)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server: %s; screen:\n%s", msg, s.Screen())
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// slowUpload starts the copy of a 4 MiB local file to the MEGA root over
// a sim that delays every upload piece, and waits until it is running.
func slowUpload(t *testing.T) (*Env, *Session, []byte) {
	t.Helper()
	content := randomBytes(5, 4<<20)
	env, s := setup(t, SimOptions{DataLatency: 2 * time.Second}, map[string][]byte{"big.bin": content})
	s.WaitFor(`│ Name↑ .*││ Name↑`, short)
	filter(s, "big.bin")
	copyCursor(s, "big.bin")
	showTransfers(s)
	s.WaitFor(`(?m)^│ \S+ +/\S*big\.bin → .*\d+%`, long)
	return env, s, content
}

// TestResizeMidTransfer resizes the terminal while an upload runs: the
// screen redraws at the new size and the upload still finishes intact.
func TestResizeMidTransfer(t *testing.T) {
	t.Parallel()
	env, s, content := slowUpload(t)
	before := s.Screen()
	if strings.Contains(before, "done ") {
		t.Fatalf("the upload finished before the resize; screen:\n%s", before)
	}
	s.Resize(100, 30)
	screen := waitScreen(t, s, func(screen string) bool {
		lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
		top := ""
		for _, l := range lines {
			if strings.Contains(l, "╭─ local:") || strings.Contains(l, "╭─ …") {
				top = l
				break
			}
		}
		return len(lines) <= 30 && ansi.StringWidth(top) == 100 && strings.Contains(screen, "Transfers ·")
	})
	for i, l := range strings.Split(screen, "\n") {
		if w := ansi.StringWidth(l); w > 100 {
			t.Errorf("line %d is %d cells wide after the resize to 100 columns: %q", i+1, w, l)
		}
	}
	// At 100 columns the job's name is cut ("big.b…"): the panel's
	// totals say it.
	s.WaitFor(`Transfers · 1 job\(s\), 1 done`, long)
	if es := named(list(t, env, "/"), "big.bin"); len(es) != 1 {
		t.Fatalf("server /: got %d big.bin, want 1", len(es))
	}
	if got := download(t, env, "/big.bin"); !bytes.Equal(got, content) {
		t.Errorf("server big.bin: got %d bytes, want the %d local bytes", len(got), len(content))
	}
}

// waitScreen polls until ok(screen), failing with the last screen.
func waitScreen(t *testing.T, s *Session, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(short)
	for {
		screen := s.Screen()
		if ok(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen never matched; last screen:\n%s", screen)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestQuitAndResume quits (through the quit dialog) while an upload runs,
// starts again with the same state folders, and sees the upload resume and
// finish: one node on the server, byte-identical.
func TestQuitAndResume(t *testing.T) {
	t.Parallel()
	env, s, content := slowUpload(t)
	s.Keys("q")
	s.WaitFor(`Quit megatui\?`, short)
	s.WaitFor(`1 transfer\(s\) are still running`, short)
	s.Keys("y")
	screen := s.WaitFor(`\[exited: \d+\]`, long)
	if !strings.Contains(screen, "[exited: 0]") || !strings.Contains(screen, "1 transfer(s) unfinished") {
		t.Errorf("after quitting: got\n%s\nwant exit status 0 and the unfinished-transfer note", screen)
	}
	if es := named(list(t, env, "/"), "big.bin"); len(es) != 0 {
		t.Fatalf("server / after quitting: got %d big.bin, want none yet", len(es))
	}

	s2 := env.Start(t)
	env.Login(t, s2)
	showTransfers(s2)
	s2.WaitFor(`Transfers · 1 job\(s\), 1 done`, long)
	if es := named(list(t, env, "/"), "big.bin"); len(es) != 1 {
		t.Fatalf("server / after the resumed upload: got %d big.bin, want exactly 1", len(es))
	}
	if got := download(t, env, "/big.bin"); !bytes.Equal(got, content) {
		t.Errorf("server big.bin: got %d bytes, want the %d local bytes", len(got), len(content))
	}
}
