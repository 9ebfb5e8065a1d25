// Package theme holds megatui's one set of semantic styles, built from a
// small palette that adapts to dark and light terminals. No other package
// uses colour literals. With NO_COLOR set, styles keep only attributes
// (bold, reverse, underline) so the screen stays readable without colour.
package theme

import (
	"image/color"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Palette holds the colour tokens styles are built from.
type Palette struct {
	Fg, Muted, Subtle, Accent, AccentFg, Folder, Marked, Error, Success, Warning, Border, CursorBg, DupBadge color.Color
}

// Styles are the semantic styles used by the UI.
type Styles struct {
	NoColor bool
	Dark    bool

	Header       lipgloss.Style // the top line
	HeaderLabel  lipgloss.Style // "mega:" / account
	PaneTitle    lipgloss.Style // path of the unfocused pane
	PaneTitleOn  lipgloss.Style // path of the focused pane
	Border       lipgloss.Style // pane frame (unfocused)
	BorderOn     lipgloss.Style // pane frame (focused)
	Column       lipgloss.Style // column headings
	File         lipgloss.Style
	Folder       lipgloss.Style
	Hidden       lipgloss.Style
	Marked       lipgloss.Style
	Cursor       lipgloss.Style // row under the cursor, focused pane
	CursorOff    lipgloss.Style // row under the cursor, unfocused pane
	Size         lipgloss.Style
	Time         lipgloss.Style
	Status       lipgloss.Style // selection summary under a pane
	Message      lipgloss.Style
	Error        lipgloss.Style
	Success      lipgloss.Style
	Warning      lipgloss.Style // "permanent" delete, waiting transfers
	FKeyNum      lipgloss.Style // "5" in the F-key bar
	FKeyLabel    lipgloss.Style // "Copy" in the F-key bar
	Dialog       lipgloss.Style // dialog frame
	DialogTitle  lipgloss.Style
	DialogDanger lipgloss.Style // frame of a destructive dialog
	Button       lipgloss.Style
	ButtonOn     lipgloss.Style
	HelpKey      lipgloss.Style
	HelpDesc     lipgloss.Style
	HelpGroup    lipgloss.Style
	Badge        lipgloss.Style // duplicate badge (issue 6)
	// Duplicate classes: each group's badge is drawn in its class's style.
	DupIdentical lipgloss.Style // same size and fingerprint (or SHA-256)
	DupSameSize  lipgloss.Style // same size, content unknown
	DupDifferent lipgloss.Style // sizes or fingerprints differ
	DupFolder    lipgloss.Style // same-name folders (merge candidates)
	DupCollision lipgloss.Style // names that collide on case-insensitive disks
	// Forms and full screens (login, guided dedupe).
	Label       lipgloss.Style // field labels, table headings
	Selected    lipgloss.Style // the highlighted row of a screen's list
	Keep        lipgloss.Style // a copy a plan keeps
	Remove      lipgloss.Style // a copy a plan sends to the Rubbish Bin
	ProgressOn  lipgloss.Style // filled part of a progress bar
	ProgressOff lipgloss.Style // empty part of a progress bar
	Loading     lipgloss.Style
	// Input styles text inputs (dialogs, filter). The cursor does not
	// blink: no timers, and a steady cursor suits a file manager.
	Input textinput.Styles
}

func inputStyles(p Palette, noColor bool) textinput.Styles {
	s := lipgloss.NewStyle
	st := textinput.Styles{Cursor: textinput.CursorStyle{Shape: tea.CursorBlock}}
	if noColor {
		st.Focused = textinput.StyleState{Text: s(), Placeholder: s().Faint(true), Suggestion: s().Faint(true), Prompt: s().Bold(true)}
		st.Blurred = st.Focused
		return st
	}
	st.Cursor.Color = p.Accent
	st.Focused = textinput.StyleState{Text: s().Foreground(p.Fg), Placeholder: s().Foreground(p.Muted),
		Suggestion: s().Foreground(p.Muted), Prompt: s().Foreground(p.Accent)}
	st.Blurred = textinput.StyleState{Text: s().Foreground(p.Muted), Placeholder: s().Foreground(p.Muted),
		Suggestion: s().Foreground(p.Muted), Prompt: s().Foreground(p.Muted)}
	return st
}

// DefaultPalette returns the palette for a dark or light background.
func DefaultPalette(dark bool) Palette {
	ld := lipgloss.LightDark(dark)
	c := lipgloss.Color
	return Palette{
		Fg:       ld(c("#1f2328"), c("#e6e6e6")),
		Muted:    ld(c("#6e7781"), c("#8b949e")),
		Subtle:   ld(c("#d0d7de"), c("#30363d")),
		Accent:   ld(c("#0969da"), c("#58a6ff")),
		AccentFg: ld(c("#ffffff"), c("#0d1117")),
		Folder:   ld(c("#0550ae"), c("#79c0ff")),
		Marked:   ld(c("#9a6700"), c("#e3b341")),
		Error:    ld(c("#cf222e"), c("#ff7b72")),
		Success:  ld(c("#1a7f37"), c("#3fb950")),
		Warning:  ld(c("#bc4c00"), c("#ffa657")),
		Border:   ld(c("#8c959f"), c("#484f58")),
		CursorBg: ld(c("#0969da"), c("#1f6feb")),
		DupBadge: ld(c("#8250df"), c("#d2a8ff")),
	}
}

// New builds the styles for a dark or light background; noColor drops
// every colour (NO_COLOR).
func New(dark, noColor bool) Styles {
	p := DefaultPalette(dark)
	s := lipgloss.NewStyle
	st := Styles{NoColor: noColor, Dark: dark, Input: inputStyles(p, noColor)}
	if noColor {
		st.Header = s().Bold(true)
		st.HeaderLabel = s().Bold(true)
		st.PaneTitle = s()
		st.PaneTitleOn = s().Bold(true).Reverse(true)
		st.Border = s()
		st.BorderOn = s().Bold(true)
		st.Column = s().Underline(true)
		st.File = s()
		st.Folder = s().Bold(true)
		st.Hidden = s().Faint(true)
		st.Marked = s().Bold(true).Underline(true)
		st.Cursor = s().Reverse(true)
		st.CursorOff = s().Underline(true)
		st.Size = s()
		st.Time = s()
		st.Status = s()
		st.Message = s()
		st.Error = s().Bold(true)
		st.Success = s()
		st.Warning = s().Bold(true)
		st.FKeyNum = s().Bold(true)
		st.FKeyLabel = s().Reverse(true)
		st.Dialog = s().Border(lipgloss.NormalBorder()).Padding(0, 1)
		st.DialogTitle = s().Bold(true)
		st.DialogDanger = s().Border(lipgloss.DoubleBorder()).Padding(0, 1)
		st.Button = s().Padding(0, 1)
		st.ButtonOn = s().Padding(0, 1).Reverse(true)
		st.HelpKey = s().Bold(true)
		st.HelpDesc = s()
		st.HelpGroup = s().Underline(true)
		st.Badge = s().Bold(true)
		st.Loading = s().Faint(true)
		st.DupIdentical = s().Bold(true)
		st.DupSameSize = s().Underline(true)
		st.DupDifferent = s().Bold(true).Underline(true)
		st.DupFolder = s().Bold(true)
		st.DupCollision = s().Italic(true)
		st.Label = s().Bold(true)
		st.Selected = s().Reverse(true)
		st.Keep = s().Bold(true)
		st.Remove = s().Strikethrough(true)
		st.ProgressOn = s().Reverse(true)
		st.ProgressOff = s()
		return st
	}
	st.Header = s().Foreground(p.Fg)
	st.HeaderLabel = s().Foreground(p.Accent).Bold(true)
	st.PaneTitle = s().Foreground(p.Muted)
	st.PaneTitleOn = s().Foreground(p.AccentFg).Background(p.Accent).Bold(true)
	st.Border = s().Foreground(p.Border)
	st.BorderOn = s().Foreground(p.Accent)
	st.Column = s().Foreground(p.Muted).Bold(true)
	st.File = s().Foreground(p.Fg)
	st.Folder = s().Foreground(p.Folder).Bold(true)
	st.Hidden = s().Foreground(p.Muted)
	st.Marked = s().Foreground(p.Marked).Bold(true)
	st.Cursor = s().Foreground(p.AccentFg).Background(p.CursorBg)
	st.CursorOff = s().Background(p.Subtle)
	st.Size = s().Foreground(p.Muted)
	st.Time = s().Foreground(p.Muted)
	st.Status = s().Foreground(p.Muted)
	st.Message = s().Foreground(p.Fg)
	st.Error = s().Foreground(p.Error).Bold(true)
	st.Success = s().Foreground(p.Success)
	st.Warning = s().Foreground(p.Warning).Bold(true)
	st.FKeyNum = s().Foreground(p.Fg).Bold(true)
	st.FKeyLabel = s().Foreground(p.AccentFg).Background(p.Accent)
	st.Dialog = s().Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent).Padding(0, 1)
	st.DialogTitle = s().Foreground(p.Accent).Bold(true)
	st.DialogDanger = s().Border(lipgloss.DoubleBorder()).BorderForeground(p.Error).Padding(0, 1)
	st.Button = s().Foreground(p.Muted).Padding(0, 1)
	st.ButtonOn = s().Foreground(p.AccentFg).Background(p.Accent).Padding(0, 1).Bold(true)
	st.HelpKey = s().Foreground(p.Accent).Bold(true)
	st.HelpDesc = s().Foreground(p.Fg)
	st.HelpGroup = s().Foreground(p.Muted).Bold(true).Underline(true)
	st.Badge = s().Foreground(p.DupBadge).Bold(true)
	st.Loading = s().Foreground(p.Muted).Italic(true)
	st.DupIdentical = s().Foreground(p.Success).Bold(true)
	st.DupSameSize = s().Foreground(p.Warning).Bold(true)
	st.DupDifferent = s().Foreground(p.Error).Bold(true)
	st.DupFolder = s().Foreground(p.Folder).Bold(true)
	st.DupCollision = s().Foreground(p.DupBadge).Bold(true)
	st.Label = s().Foreground(p.Muted).Bold(true)
	st.Selected = s().Foreground(p.AccentFg).Background(p.CursorBg)
	st.Keep = s().Foreground(p.Success).Bold(true)
	st.Remove = s().Foreground(p.Error)
	st.ProgressOn = s().Foreground(p.Accent)
	st.ProgressOff = s().Foreground(p.Subtle)
	return st
}
