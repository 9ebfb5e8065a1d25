// Package cells fits text into terminal cells: truncation with an
// ellipsis and padding, measured in display width (wide CJK and emoji
// count two cells, combining marks none), never in bytes.
package cells

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Truncate cuts s to at most w cells, ending with "…" when it cut.
func Truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Pad truncates or right-pads s to exactly w cells.
func Pad(s string, w int) string {
	s = Truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// PadLeft truncates or left-pads s (right-aligns it) to exactly w cells.
func PadLeft(s string, w int) string {
	s = Truncate(s, w)
	if n := w - lipgloss.Width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// PadKeepEnd is Pad that keeps the end of a long s ("…/a/b/file"): the
// telling part of a path.
func PadKeepEnd(s string, w int) string {
	if lipgloss.Width(s) > w && w > 1 {
		s = "…" + ansi.TruncateLeft(s, lipgloss.Width(s)-w+1, "")
	}
	return Pad(s, w)
}

// Wrap breaks s into lines of at most w cells, at any character (for
// text that must be shown whole, such as a link, which has no spaces).
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(s, w, true), "\n")
}
