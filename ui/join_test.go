package ui

import (
	"fmt"
	"testing"

	"charm.land/lipgloss/v2"
)

// TestJoinSideBySideMatchesLipgloss: the panes are joined without
// measuring their lines, so every line of a pane must be its width wide;
// the result must be what lipgloss.JoinHorizontal makes of them.
func TestJoinSideBySideMatchesLipgloss(t *testing.T) {
	t.Parallel()
	h := bigHarness(t, 300)
	compared := 0
	for _, size := range [][2]int{{120, 40}, {80, 24}, {61, 12}, {200, 60}, {97, 31}} {
		h.send(windowSize(size[0], size[1]))
		if h.app.lay.Stacked || h.app.lay.Panes[0].H == 0 {
			continue
		}
		compared++
		p0, p1 := h.app.renderPane(0), h.app.renderPane(1)
		got := joinSideBySide(p0, h.app.lay.Panes[0].W, p1)
		if want := lipgloss.JoinHorizontal(lipgloss.Top, p0, p1); got != want {
			t.Errorf("%dx%d: joined panes differ from lipgloss.JoinHorizontal:\n%s\nwant:\n%s", size[0], size[1], got, want)
		}
		for i, line := range []string{p0, p1} {
			if w := lipgloss.Width(line); w != h.app.lay.Panes[i].W {
				t.Errorf("%dx%d: pane %d is %d wide, want %d", size[0], size[1], i, w, h.app.lay.Panes[i].W)
			}
		}
	}
	if compared < 3 {
		t.Fatalf("compared %d layouts side by side, want at least 3", compared)
	}
	if got := joinSideBySide("ab\ncd\nef", 2, "x"); got != "abx\ncd\nef" {
		t.Errorf("short right block: got %q", got)
	}
	if got := joinSideBySide("ab", 2, "x\ny"); got != fmt.Sprintf("abx\n%sy", "  ") {
		t.Errorf("short left block: got %q", got)
	}
}
