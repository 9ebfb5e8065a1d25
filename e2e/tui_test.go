package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestFolderCopyIsOneGroup copies a 200-file MEGA folder to the disk and
// follows it in the transfer panel: one row for the whole folder, opened
// into its files, the last reached with G.
func TestFolderCopyIsOneGroup(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Many")
	for i := range 200 {
		seed(t, c, "/Many", fmt.Sprintf("f-%03d.txt", i), []byte(fmt.Sprintf("file %d\n", i)), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	env := NewEnv(t, bin, sim)
	s := env.Start(t)
	env.Login(t, s)
	s.Keys("Tab")
	filter(s, "Many")
	copyCursor(s, "Many")
	s.Keys("t") // the panel's own key: show and focus it
	s.WaitFor(`▸ Many/ \(200 files\)`, short)
	screen := s.WaitFor(`200/200 files`, long)
	if n := strings.Count(screen, "f-0"); n > 0 {
		t.Errorf("a closed group lists %d files:\n%s", n, screen)
	}
	s.Keys("Enter") // open the group
	s.WaitFor(`▾ Many/`, short)
	s.Keys("G")
	screen = s.WaitFor(`row 201 of 201`, short)
	if !strings.Contains(screen, "f-199.txt") {
		t.Errorf("G: got\n%s\nwant the last file f-199.txt on screen", screen)
	}
}

// TestQuotaFollowsUpload: the header's quota changes after an upload.
func TestQuotaFollowsUpload(t *testing.T) {
	t.Parallel()
	env, s := setup(t, SimOptions{}, map[string][]byte{"big.bin": randomBytes(7, 3<<20)})
	before := s.WaitFor(`\d+(\.\d+)? [KMG]?i?B / `, short)
	quota := regexp.MustCompile(`mega: e2e@megatui\.test ([0-9.]+ [KMG]?i?B) / `)
	m := quota.FindStringSubmatch(before)
	if m == nil {
		t.Fatalf("no quota in the header:\n%s", before)
	}
	filter(s, "big.bin")
	copyCursor(s, "big.bin")
	deadline := time.Now().Add(long)
	for {
		screen := s.Screen()
		if now := quota.FindStringSubmatch(screen); now != nil && now[1] != m[1] {
			if !strings.Contains(now[1], "MiB") {
				t.Errorf("quota after a 3 MiB upload: got %q", now[1])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the header's quota stayed %q after the upload:\n%s", m[1], screen)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if es := named(list(t, env, "/"), "big.bin"); len(es) != 1 {
		t.Errorf("server: got %d big.bin", len(es))
	}
}

// TestViewerFindAndSafeDelete: F3 shows a MEGA text file; F finds files
// across the account; the permanent-delete dialog does nothing on Enter.
func TestViewerFindAndSafeDelete(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	sim := StartSim(t, bin, SimOptions{})
	c := sim.Connect(t)
	mkdir(t, c, "/", "Docs")
	mkdir(t, c, "/Docs", "Deep")
	var log strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&log, "event %05d: all is well\n", i)
	}
	when := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	seed(t, c, "/Docs", "server.log", []byte(log.String()), when)
	seed(t, c, "/Docs/Deep", "needle-report.pdf", []byte("%PDF-1.4 not really\n"), when)
	seed(t, c, "/", "keep-me.txt", []byte("precious\n"), when)
	env := NewEnv(t, bin, sim)
	s := env.Start(t)
	env.Login(t, s)
	s.Keys("Tab")
	open(s, megaTitle, "/", "Docs")
	filter(s, "server.log")
	s.Keys("F3")
	screen := s.WaitFor(`event 00000: all is well`, short)
	if !regexp.MustCompile(`server\.log · .* · text`).MatchString(screen) {
		t.Errorf("viewer: got\n%s\nwant its title line", screen)
	}
	s.Keys("G")
	s.WaitFor(`event 04999`, short)
	s.Keys("Escape")
	s.WaitGone(`· text ·`, short)
	clearFilter(s, "server.log")

	// Find from the top of the account.
	s.Keys("BSpace")
	s.WaitFor(regexp.QuoteMeta(megaTitle+"/")+` ─`, short)
	s.Keys("F")
	s.WaitFor(`Find below`, short)
	s.Type("needle")
	s.Keys("Enter")
	screen = s.WaitFor(`find needle below / · 1 result`, short)
	if !strings.Contains(screen, "Docs/Deep/needle-report.pdf") {
		t.Errorf("find: got\n%s\nwant the result with its folder", screen)
	}
	s.Keys("BSpace")
	s.WaitGone(`find needle`, short)

	// Permanent delete: Enter is No.
	filter(s, "keep-me.txt")
	s.Keys("D")
	s.WaitFor(`PERMANENTLY delete "keep-me\.txt"`, short)
	s.Keys("Enter")
	s.WaitGone(`PERMANENTLY delete`, short)
	time.Sleep(500 * time.Millisecond) // give a wrong delete the time to happen
	if es := named(list(t, env, "/"), "keep-me.txt"); len(es) != 1 {
		t.Fatalf("Enter in the permanent-delete dialog deleted the file")
	}
}

// TestFindOverTheDemoAccount: in `megatui --demo`, F from the top of the
// MEGA account finds every report.pdf, in whatever folder, and the first
// screen says where to start.
func TestFindOverTheDemoAccount(t *testing.T) {
	t.Parallel()
	bin := binPath(t)
	root := t.TempDir()
	vars := []string{"HOME=" + root + "/home", "XDG_CONFIG_HOME=" + root + "/config",
		"XDG_STATE_HOME=" + root + "/state", "XDG_CACHE_HOME=" + root + "/cache", "MEGATUI_KEYRING=off"}
	s := Start(t, Cols, Rows, root, vars, bin, "--demo")
	screen := s.WaitFor(`│ Duplicates/ `, long)
	if !strings.Contains(screen, "d: guided dedupe") {
		t.Errorf("first screen: got\n%s\nwant the hint about the duplicates and d", screen)
	}
	s.Keys("Tab")
	s.Keys("F")
	s.WaitFor(`Find below`, short)
	s.Type("report*.pdf")
	s.Keys("Enter")
	screen = s.WaitFor(`find report\*\.pdf below / · \d+ result`, short)
	for _, want := range []string{"Duplicates/report.pdf", "Archive/report (copy).pdf"} {
		if !strings.Contains(screen, want) {
			t.Errorf("find: got\n%s\nwant %q among the results", screen, want)
		}
	}
	m := regexp.MustCompile(`· (\d+) result`).FindStringSubmatch(screen)
	if m == nil || m[1] != "4" {
		t.Errorf("find: got %v results, want 4 (three report.pdf and the copy)", m)
	}
}
