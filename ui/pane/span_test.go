package pane

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/megatui/megatui/ui/theme"
)

// TestSpanDrawsAsTheStyle: a span writes exactly what the style's Render
// would, for every row style of every theme and for styles that pad,
// transform or size their text (those that cannot wrap text in fixed
// sequences fall back to Render).
func TestSpanDrawsAsTheStyle(t *testing.T) {
	t.Parallel()
	var styles []lipgloss.Style
	for _, color := range []bool{true, false} {
		for _, dark := range []bool{true, false} {
			st := theme.New(color, dark)
			styles = append(styles, st.File, st.Marked, st.Folder, st.Hidden, st.Size, st.Time, st.Badge, st.Cursor, st.CursorOff)
		}
	}
	styles = append(styles,
		lipgloss.NewStyle().Bold(true).Underline(true),
		lipgloss.NewStyle().Padding(0, 2),
		lipgloss.NewStyle().Width(12),
		lipgloss.NewStyle().Transform(strings.ToUpper),
		lipgloss.NewStyle().Border(lipgloss.NormalBorder()))
	texts := []string{"", "x", " IMG_0001.jpg", "* café/", " 1.2 MiB", "with\ttab", "日本語の名前.txt", "two  spaces "}
	for i, s := range styles {
		sp := newSpan(s)
		for _, text := range texts {
			var b strings.Builder
			sp.write(&b, text)
			if want := s.Render(text); b.String() != want {
				t.Errorf("style %d (inline %v), %q: got %q, want %q", i, sp.inline, text, b.String(), want)
			}
		}
	}
	sp := newSpan(lipgloss.NewStyle().Width(12))
	if sp.learn(); sp.inline {
		t.Error("a style of fixed width takes the fast path")
	}
}
