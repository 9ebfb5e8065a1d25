package dedupe

import (
	"strings"
	"testing"

	"github.com/megatui/megatui/ui/theme"
)

// TestViewApplyingMoreDoneThanPlanned: a group re-planned while applying
// (a folder merge) can report more actions done than the plan listed; the
// progress bar must stay within its width instead of panicking.
func TestViewApplyingMoreDoneThanPlanned(t *testing.T) {
	for _, tc := range []struct {
		name        string
		done, total int
	}{
		{"half", 3, 6},
		{"all", 9, 9},
		{"more than planned", 12, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New("/Dups", Keys{})
			m.SetSize(80, 20)
			m.step, m.done, m.total = StepApplying, tc.done, tc.total
			view := m.View(theme.New(true, true))
			if !strings.Contains(view, "Applying the plan") {
				t.Errorf("view: got\n%s\nwant the applying screen", view)
			}
		})
	}
}
