package transfers

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// TestJobLabel: a narrow panel still names the file of each job rather
// than the account prefix every row shares.
func TestJobLabel(t *testing.T) {
	t.Parallel()
	const (
		down = "demo: demo@megatui.invalid/Many files/log-file-9909.bin"
		home = "/tmp/home/.cache/megatui/demo-sandbox/log-file-9909.bin"
	)
	tests := []struct {
		name      string
		src, dst  string
		w         int
		want      string
		mustHave  []string
		mustWidth bool
	}{
		{name: "fits", src: "/home/u/a.txt", dst: "mega:/Cloud", w: 40, want: "/home/u/a.txt → mega:/Cloud"},
		{name: "80 columns", src: down, dst: home, w: 30,
			mustHave: []string{"…/log-file-9909.bin → …", "sandbox"}, mustWidth: true},
		{name: "destination keeps its end", src: down, dst: "/very/long/local/folder/for/downloads", w: 40,
			want: "…/log-file-9909.bin → …der/for/downloads"},
		{name: "tiny", src: down, dst: home, w: 12, want: "…/log-file-…"},
		{name: "escaped name", src: "/u/evil\x1b]0;x\x07.txt", dst: "mega: someone@example.com:/Cloud/Folder", w: 40,
			mustHave: []string{`/…/evil\x1b]0;x\x07.txt → …`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := jobLabel(tc.src, tc.dst, tc.w)
			if tc.want != "" && got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			for _, s := range tc.mustHave {
				if !strings.Contains(got, s) {
					t.Errorf("got %q, want it to contain %q", got, s)
				}
			}
			if w := lipgloss.Width(got); w > tc.w || (tc.mustWidth && w != tc.w) {
				t.Errorf("got width %d (%q), want at most %d", w, got, tc.w)
			}
		})
	}
}

// TestPanelRowAt80Columns: on an 80-column terminal each row still names
// its file in full, next to a shortened reason.
func TestPanelRowAt80Columns(t *testing.T) {
	t.Parallel()
	m := New(Keys{})
	m.SetSize(80, 6)
	m.SetSnapshot(Snapshot{Jobs: []model.Job{{ID: 1,
		Src:  model.Location{Display: "demo: demo@megatui.invalid/Many files/log-file-9909.bin"},
		Dst:  model.Location{Display: "/tmp/home/.cache/megatui/demo-sandbox/Many files/log-file-9909.bin"},
		Size: 512, State: model.StateSkipped, Reason: "identical file exists"}}})
	v := m.View(theme.New(true, true))
	row := strings.Split(v, "\n")[2]
	if !strings.Contains(row, "…/log-file-9909.bin") || !strings.Contains(row, "identical") {
		t.Errorf("got row %q, want the file name and the reason", row)
	}
	if w := lipgloss.Width(row); w != 80 {
		t.Errorf("got row width %d, want 80", w)
	}
}

// TestPanelSaysWhyItSlowedDown: while transfers run below their
// configured concurrency the totals line says so and why.
func TestPanelSaysWhyItSlowedDown(t *testing.T) {
	t.Parallel()
	m := New(Keys{})
	m.SetSize(160, 6)
	jobs := []model.Job{{ID: 1, Src: model.Location{Display: "a.bin"}, Dst: model.Location{Display: "mega:/a.bin"}, Size: 10, State: model.StateRunning}}
	m.SetSnapshot(Snapshot{Jobs: jobs, Totals: model.Totals{Jobs: 1,
		Throttle: model.Throttle{Transfers: 3, TransfersMax: 16, Chunks: 4, ChunksMax: 16, Reason: "server busy (EAGAIN)"}}})
	if v := m.View(theme.New(true, true)); !strings.Contains(v, "slowed down (server busy (EAGAIN)): 3/16 files, 4/16 chunks each") {
		t.Errorf("got panel\n%s\nwant the throttle line", v)
	}
	m.SetSnapshot(Snapshot{Jobs: jobs, Totals: model.Totals{Jobs: 1,
		Throttle: model.Throttle{Transfers: 16, TransfersMax: 16, Chunks: 16, ChunksMax: 16}}})
	if v := m.View(theme.New(true, true)); strings.Contains(v, "slowed") {
		t.Errorf("got panel\n%s\nwant no throttle line at full speed", v)
	}
}

// TestGroupSpeedNeverExceedsTheQueue: a group's speed is at most the
// queue's smoothed speed (per-job speeds of small files run ahead of it).
func TestGroupSpeedNeverExceedsTheQueue(t *testing.T) {
	t.Parallel()
	m := New(Keys{})
	m.SetSize(140, 6)
	jobs := []model.Job{
		{ID: 1, Group: "g", Size: 1 << 20, Done: 1 << 19, State: model.StateRunning, Src: model.Location{Display: "/a/x"}, Dst: model.Location{Display: "m:/a/x"}},
		{ID: 2, Group: "g", Size: 1 << 20, Done: 1 << 19, State: model.StateRunning, Src: model.Location{Display: "/a/y"}, Dst: model.Location{Display: "m:/a/y"}},
	}
	m.SetSnapshot(Snapshot{Jobs: jobs, Speed: map[model.JobID]float64{1: 8 << 20, 2: 8 << 20},
		Totals: model.Totals{Jobs: 2, Speed: 1 << 20}})
	v := m.View(theme.New(true, true))
	if !strings.Contains(v, "1.0 MiB/s") || strings.Contains(v, "16 MiB/s") {
		t.Errorf("got %q, want the group at the queue's 1.0 MiB/s", v)
	}
}

// TestGroupNamesEscapedOnce: a folder whose name holds a backslash shows
// it escaped once (as everywhere else), not twice.
func TestGroupNamesEscapedOnce(t *testing.T) {
	t.Parallel()
	m := New(Keys{})
	m.SetSize(140, 6)
	jobs := []model.Job{
		{ID: 1, Group: "g", Size: 10, State: model.StateQueued, Src: model.Location{Display: `/w\x/f1`}, Dst: model.Location{Display: `m:/d\e/f1`}},
		{ID: 2, Group: "g", Size: 10, State: model.StateQueued, Src: model.Location{Display: `/w\x/f2`}, Dst: model.Location{Display: `m:/d\e/f2`}},
	}
	m.SetSnapshot(Snapshot{Jobs: jobs, Totals: model.Totals{Jobs: 2}})
	v := m.View(theme.New(true, true))
	src, dst := model.DisplayName(`w\x`), model.DisplayName(`m:/d\e`)
	if !strings.Contains(v, src+"/ (2 files) → "+dst) {
		t.Fatalf("want %q and %q escaped once in:\n%s", src, dst, v)
	}
}
