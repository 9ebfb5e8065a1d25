// Package pane draws one browsing pane: a framed, scrolled view of a
// model.Listing with name, size and time columns. It holds no filesystem;
// the root App loads listings and feeds them in.
package pane

import (
	"fmt"
	"github.com/megatui/megatui/ui/cells"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// Column widths.
const (
	sizeW = 9
	timeW = 16 // "2006-01-02 15:04"
	// Narrower panes drop the time column, then the size column.
	needTime = 44
	needSize = 22
)

// Model is one pane.
type Model struct {
	Listing *model.Listing
	// Label names the filesystem ("local", "mega:user@example.com").
	Label string
	// Loading is set while a listing request is in flight.
	Loading bool
	// Problem, when set, says why the pane has nothing to show ("not
	// logged in", "cannot list: <error>"); it is drawn instead of an
	// empty folder's rows, and its part before any ":" instead of the
	// counts. App sets it when a listing fails and
	// clears it when one succeeds.
	Problem string
	// Badge, when set, returns the badge drawn after an entry's name
	// (duplicate groups, issue 6). It is called only for visible rows.
	Badge func(model.Entry) (Badge, bool)
	// Location is the time zone used for the time column.
	Location *time.Location
	// Title, when set, replaces the folder in the frame (a find's
	// results); Where then gives each entry's folder, shown before its
	// name.
	Title string
	Where func(model.Entry) string

	width, height int
}

// Badge marks an entry (a member of a duplicate group): Long ("×3
// identical") when it fits in half the name column, else Short ("×3"),
// drawn in Style. The text alone must carry the meaning (NO_COLOR).
type Badge struct {
	Long, Short string
	Style       lipgloss.Style
}

// New returns an empty pane.
func New(label string, loc *time.Location) Model {
	if loc == nil {
		loc = time.Local
	}
	return Model{Listing: model.NewListing(), Label: label, Location: loc}
}

// SetSize sets the outer size of the pane, frame included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.Scroll()
}

// Width and Height are the outer size.
func (m Model) Width() int { return m.width }

// Height is the outer height.
func (m Model) Height() int { return m.height }

// RowsHeight is how many entries fit.
func (m Model) RowsHeight() int { return max(m.height-3, 0) }

// Scroll keeps the cursor on screen; call it after every cursor change.
func (m *Model) Scroll() { m.Listing.Scroll(m.RowsHeight()) }

// RowAt maps a y offset inside the pane to a visible row.
func (m Model) RowAt(y int) (int, bool) {
	r := y - 2 + m.Listing.Offset() // frame line and column heading
	if y < 2 || y >= 2+m.RowsHeight() || r >= m.Listing.Len() {
		return 0, false
	}
	return r, true
}

// columns returns which columns fit and the name column's width.
func (m Model) columns() (nameW int, showSize, showTime bool) {
	inner := m.width - 2
	showSize, showTime = inner >= needSize, inner >= needTime
	nameW = inner - 1
	if showSize {
		nameW -= sizeW + 1
	}
	if showTime {
		nameW -= timeW + 1
	}
	return max(nameW, 0), showSize, showTime
}

// NameWidth is the width of the name column (for the in-place rename).
func (m Model) NameWidth() int {
	w, _, _ := m.columns()
	return w
}

// Render draws the pane. status, when non-empty, replaces the selection
// summary in the bottom frame (the filter input uses it); edit, when
// non-empty, is drawn in the cursor row's name column (in-place rename).
func (m Model) Render(st theme.Styles, focused bool, status, edit string) string {
	if m.width < 4 || m.height < 3 {
		return ""
	}
	inner := m.width - 2
	border := st.Border
	if focused {
		border = st.BorderOn
	}
	var b strings.Builder
	b.Grow((m.width + 16) * m.height)

	// Top frame with the filesystem and path.
	titleStyle := st.PaneTitle
	if focused {
		titleStyle = st.PaneTitleOn
	}
	title := " " + DisplayName(m.Label) + ":" + DisplayName(m.Listing.Dir()) + " "
	if m.Title != "" {
		title = " " + DisplayName(m.Label) + " · " + DisplayName(m.Title) + " "
	}
	if lipgloss.Width(title) > inner-2 {
		title = " …" + ansi.TruncateLeft(title, lipgloss.Width(title)-(inner-4), "")
	}
	b.WriteString(border.Render("╭─"))
	b.WriteString(titleStyle.Render(title))
	b.WriteString(border.Render(strings.Repeat("─", max(inner-1-lipgloss.Width(title), 0)) + "╮"))
	b.WriteByte('\n')

	nameW, showSize, showTime := m.columns()
	side := border.Render("│")

	// Column heading.
	key, rev := m.Listing.Sort()
	arrow := "↑"
	if rev {
		arrow = "↓"
	}
	head := map[model.SortKey]string{}
	head[key] = arrow
	heading := " " + cells.Pad("Name"+head[model.SortByName], nameW)
	if showSize {
		heading += " " + cells.PadLeft("Size"+head[model.SortBySize], sizeW)
	}
	if showTime {
		heading += " " + cells.Pad("Modified"+head[model.SortByTime], timeW)
	}
	b.WriteString(side + st.Column.Render(heading) + side + "\n")

	// Rows: only the visible window is rendered.
	rows := m.RowsHeight()
	start := m.Listing.Offset()
	end := min(start+rows, m.Listing.Len())
	rs := newRowStyles(st)
	for i := start; i < end; i++ {
		b.WriteString(side)
		if edit != "" && i == m.Listing.Cursor() {
			b.WriteString(m.editRow(st, i, edit, nameW, showSize, showTime))
		} else {
			b.WriteString(m.row(st, rs, i, focused, nameW, showSize, showTime))
		}
		b.WriteString(side + "\n")
	}
	for i := end - start; i < rows; i++ {
		line := strings.Repeat(" ", inner)
		if i == 0 && m.Listing.Len() == 0 {
			line = st.Loading.Render(cells.Pad(" "+m.emptyState(), inner))
		}
		b.WriteString(side + line + side + "\n")
	}

	// Bottom frame with the selection summary.
	if status == "" {
		status = m.summary()
	}
	status = " " + status + " "
	if lipgloss.Width(status) > inner-1 {
		status = ansi.Truncate(status, inner-1, "…")
	}
	b.WriteString(border.Render("╰─"))
	b.WriteString(st.Status.Render(status))
	b.WriteString(border.Render(strings.Repeat("─", max(inner-1-lipgloss.Width(status), 0)) + "╯"))
	return b.String()
}

// emptyState says truthfully why a pane shows no rows.
func (m Model) emptyState() string {
	l := m.Listing
	switch {
	case m.Loading:
		return "loading…"
	case m.Problem != "":
		return DisplayName(m.Problem)
	case l.Dir() == "":
		return "(no folder)"
	case l.Filter() != "":
		if l.FilterPending() {
			return "matching…"
		}
		return "(no match)"
	case l.Total() > 0:
		return "(only hidden entries)"
	}
	return "(empty folder)"
}

// summary is "3/120" plus the selection and the filter; a pane with
// nothing listed yet (loading, not logged in, failed) says so instead of
// "0/0".
func (m Model) summary() string {
	l := m.Listing
	if l.Total() == 0 && (m.Loading || m.Problem != "" || l.Dir() == "") {
		s := m.emptyState()
		if !m.Loading {
			s, _, _ = strings.Cut(s, ":") // the rows hold the details
		}
		return s
	}
	s := fmt.Sprintf("%d/%d", min(l.Cursor()+1, l.Len()), l.Len())
	if l.Len() != l.Total() {
		s += fmt.Sprintf(" of %d", l.Total())
	}
	if n := l.MarkCount(); n > 0 {
		s += fmt.Sprintf(" · %d selected, %s", n, humanize.IBytes(uint64(max(l.MarkSize(), 0))))
	}
	if f := l.Filter(); f != "" {
		s += " · filter: " + DisplayName(f)
		if l.FilterPending() {
			s += " (matching…)"
		}
	}
	if l.SortPending() {
		s += " · sorting…"
	}
	if m.Loading {
		s += " · loading…"
	}
	return s
}

func (m Model) row(st theme.Styles, rs *rowStyles, i int, focused bool, nameW int, showSize, showTime bool) string {
	l := m.Listing
	e := l.Row(i)
	marked := l.IsMarked(e)
	mark := " "
	if marked {
		mark = "*"
	}
	name := DisplayName(e.Name)
	if e.IsDir() {
		name += "/"
	}
	if m.Where != nil {
		if w := m.Where(e); w != "" {
			name = DisplayName(w) + "/" + name
		}
	}
	badge, badgeStyle := "", st.Badge
	if m.Badge != nil {
		if bd, ok := m.Badge(e); ok {
			badgeStyle = bd.Style
			for _, text := range []string{bd.Long, bd.Short} {
				if text != "" && lipgloss.Width(text)+1 <= nameW/2 {
					badge = " " + DisplayName(text)
					break
				}
			}
		}
	}
	bw := lipgloss.Width(badge)
	name = cells.Pad(cells.Truncate(name, nameW-bw), nameW-bw)
	size, when := "", ""
	if showSize {
		if e.IsDir() && e.Size <= 0 {
			size = cells.PadLeft("DIR", sizeW)
		} else {
			size = cells.PadLeft(humanize.IBytes(uint64(max(e.Size, 0))), sizeW)
		}
	}
	if showTime {
		if !e.ModTime.IsZero() {
			when = e.ModTime.In(m.Location).Format("2006-01-02 15:04")
		}
		when = cells.Pad(when, timeW)
	}
	if i == l.Cursor() {
		cs := st.CursorOff
		if focused {
			cs = st.Cursor
		}
		line := mark + name + badge
		if showSize {
			line += " " + size
		}
		if showTime {
			line += " " + when
		}
		if marked {
			cs = cs.Bold(true)
		}
		return cs.Render(line)
	}
	ns := &rs.file
	switch {
	case marked:
		ns = &rs.marked
	case e.IsDir():
		ns = &rs.folder
	case model.IsHidden(e):
		ns = &rs.hidden
	}
	var b strings.Builder
	ns.write(&b, mark+name)
	if badge != "" {
		b.WriteString(badgeStyle.Render(badge))
	}
	if showSize {
		rs.size.write(&b, " "+size)
	}
	if showTime {
		rs.time.write(&b, " "+when)
	}
	return b.String()
}

// span draws one-line text in a style. A style that only colours and
// decorates text wraps any text in the same escape sequences, so they are
// taken once per frame (pre, suf) instead of running the style over every
// cell of every row; other styles render as usual.
type span struct {
	style    lipgloss.Style
	pre, suf string
	ready    bool // pre, suf and inline are known
	inline   bool
}

func newSpan(s lipgloss.Style) span { return span{style: s} }

// spanProbe is drawn once per style and frame: a text of several cells,
// with spaces and wide and accented runes, must come out as the sequences
// around "x" wrapped around it.
const spanProbe = " xy 日é "

func (sp *span) learn() {
	sp.ready = true
	out := sp.style.Render("x")
	i := strings.LastIndex(out, "x")
	if i < 0 {
		return
	}
	sp.pre, sp.suf = out[:i], out[i+1:]
	sp.inline = sp.style.Render(spanProbe) == sp.pre+spanProbe+sp.suf
}

// write appends text (one line, no tabs: names are shown escaped) drawn
// in the span's style.
func (sp *span) write(b *strings.Builder, text string) {
	if !sp.ready {
		sp.learn()
	}
	if !sp.inline || strings.ContainsAny(text, "\t\n") {
		b.WriteString(sp.style.Render(text))
		return
	}
	b.WriteString(sp.pre)
	b.WriteString(text)
	b.WriteString(sp.suf)
}

// rowStyles are the spans of a frame's rows.
type rowStyles struct{ file, marked, folder, hidden, size, time span }

func newRowStyles(st theme.Styles) *rowStyles {
	return &rowStyles{file: newSpan(st.File), marked: newSpan(st.Marked), folder: newSpan(st.Folder),
		hidden: newSpan(st.Hidden), size: newSpan(st.Size), time: newSpan(st.Time)}
}

// editRow draws row i with the rename input in place of the name.
func (m Model) editRow(st theme.Styles, i int, edit string, nameW int, showSize, showTime bool) string {
	e := m.Listing.Row(i)
	var b strings.Builder
	b.WriteString(st.Marked.Render(">"))
	b.WriteString(cells.Pad(edit, nameW))
	if showSize {
		size := humanize.IBytes(uint64(max(e.Size, 0)))
		if e.IsDir() && e.Size <= 0 {
			size = "DIR"
		}
		b.WriteString(st.Size.Render(" " + cells.PadLeft(size, sizeW)))
	}
	if showTime {
		when := ""
		if !e.ModTime.IsZero() {
			when = e.ModTime.In(m.Location).Format("2006-01-02 15:04")
		}
		b.WriteString(st.Time.Render(" " + cells.Pad(when, timeW)))
	}
	return b.String()
}
