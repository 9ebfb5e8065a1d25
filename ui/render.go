package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// View draws the screen: header, panes, message line and F-key bar, then
// the help overlay or the dialog stack on top.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}

func (a *App) render() string {
	if a.width == 0 || a.height == 0 {
		return ""
	}
	if a.lay.TooSmall {
		return a.renderTooSmall()
	}
	var b strings.Builder
	b.WriteString(a.renderHeader())
	b.WriteByte('\n')
	if v := a.viewing(); v != nil && a.height > 3 {
		// The viewer takes the screen below the header; its footer is
		// its keys.
		b.WriteString(v.screen.View(a.st) + "\n")
		var parts []string
		for _, k := range a.keys.Viewer.Bindings() {
			h := k.Help()
			parts = append(parts, a.st.HelpKey.Render(h.Key)+" "+a.st.HelpDesc.Render(h.Desc))
		}
		b.WriteString(cells.Pad(strings.Join(parts, "  "), a.width))
		return b.String()
	}
	dd := a.dedupe()
	if dd != nil {
		// The guided dedupe screen takes the whole body.
		if a.height > 3 {
			b.WriteString(dd.screen.View(a.st))
			b.WriteByte('\n')
		}
	} else if a.lay.Panes[0].H > 0 {
		p0 := a.renderPane(0)
		p1 := a.renderPane(1)
		if a.look != nil && !a.panelFocus {
			// Quick look takes the other pane's place.
			if a.focus == 0 {
				p1 = a.renderLook(1)
			} else {
				p0 = a.renderLook(0)
			}
		}
		if a.lay.Stacked {
			b.WriteString(p0 + "\n" + p1)
		} else {
			b.WriteString(joinSideBySide(p0, a.lay.Panes[0].W, p1))
		}
		b.WriteByte('\n')
	}
	if a.lay.Transfers.H > 0 && dd == nil {
		a.panel.SetFocused(a.panelFocus)
		b.WriteString(a.panel.View(a.st))
		b.WriteByte('\n')
	}
	b.WriteString(a.renderMessage())
	b.WriteByte('\n')
	b.WriteString(a.renderFooter())
	base := b.String()

	// The topmost overlay drawn over the screen (the filter and rename
	// inputs are drawn in their pane, the dedupe screen as the body).
	var over string
	for i := len(a.modes) - 1; i >= 0 && over == ""; i-- {
		switch o := a.modes[i].(type) {
		case *loginSession:
			over = o.form.View(a.st)
		case *dialogOverlay:
			over = o.d.View(a.st)
		case *helpOverlay:
			over = a.renderHelp(o)
		case *logOverlay:
			over = a.renderLog(o)
		case *spaceOverlay:
			over = a.renderSpace(o)
		case *placesOverlay:
			over = a.renderPlaces(o)
		}
	}
	if over == "" {
		return base
	}
	x := max((a.width-lipgloss.Width(over))/2, 0)
	y := max((a.height-lipgloss.Height(over))/2, 0)
	out := lipgloss.NewCompositor(
		lipgloss.NewLayer(base),
		lipgloss.NewLayer(over).X(x).Y(y).Z(1),
	).Render()
	// The compositor trims trailing blanks; restore the full frame.
	lines := strings.Split(out, "\n")
	if len(lines) > a.height {
		lines = lines[:a.height] // an overlay taller than the terminal is clipped
	}
	for len(lines) < a.height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = cells.Pad(l, a.width)
	}
	return strings.Join(lines, "\n")
}

func (a *App) renderTooSmall() string {
	msg := fmt.Sprintf("Terminal too small: %d×%d.\nmegatui needs at least %d×%d.", a.width, a.height, minWidth, minHeight)
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, a.width, "…")
	}
	if len(lines) > a.height {
		lines = lines[:a.height]
	}
	out := lipgloss.Place(a.width, a.height, lipgloss.Center, lipgloss.Center, a.st.Warning.Render(strings.Join(lines, "\n")))
	return out
}

func (a *App) renderPane(i int) string {
	p := a.panes[i]
	status := ""
	if f := a.filter(); i == a.focus && f != nil {
		status = "/" + pane.DisplayName(f.input.Value()) + "▏ enter keep · esc clear"
		if p.Listing.FilterPending() {
			status += " · matching…"
		}
	}
	edit := ""
	if r := a.renaming(); i == a.focus && r != nil {
		edit = r.input.View()
		status = "rename: enter apply · esc cancel"
	}
	return p.Render(a.st, i == a.focus && !a.panelFocus, status, edit)
}

// joinSideBySide puts two blocks next to each other, line by line, as
// lipgloss.JoinHorizontal would. Panes draw every line exactly their width
// wide, so nothing is measured (measuring every line of both panes was a
// third of a frame); a block with fewer lines gets blank lines of leftW.
func joinSideBySide(left string, leftW int, right string) string {
	ls, rs := strings.Split(left, "\n"), strings.Split(right, "\n")
	var b strings.Builder
	b.Grow(len(left) + len(right) + len(ls))
	for i := range max(len(ls), len(rs)) {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(ls) {
			b.WriteString(ls[i])
		} else {
			b.WriteString(strings.Repeat(" ", leftW))
		}
		if i < len(rs) {
			b.WriteString(rs[i])
		}
	}
	return b.String()
}

// renderHeader: app name, then each distinct filesystem with its quota.
func (a *App) renderHeader() string {
	parts := []string{a.st.HeaderLabel.Render("megatui")}
	for i, fs := range a.fs {
		if i == 1 && fs == a.fs[0] {
			break
		}
		s := pane.DisplayName(fs.Label())
		if q := a.quotas[fs]; q != nil && q.total > 0 {
			s += fmt.Sprintf(" %s / %s (%d%%)", humanize.IBytes(uint64(max(q.used, 0))),
				humanize.IBytes(uint64(q.total)), q.used*100/q.total)
		}
		parts = append(parts, a.st.Header.Render(s))
		if note := a.offlineNote(fs); note != "" {
			parts = append(parts, a.st.Error.Render(note))
		}
	}
	if d := a.dupHeader(); d != "" {
		parts = append(parts, a.st.DupCollision.Render(d))
	}
	line := strings.Join(parts, a.st.Status.Render(" │ "))
	return cells.Pad(line, a.width)
}

func (a *App) renderMessage() string {
	style := a.st.Message
	switch a.messageKind {
	case msgError:
		style = a.st.Error
	case msgSuccess:
		style = a.st.Success
	}
	return cells.Pad(style.Render(pane.DisplayName(a.message)), a.width)
}

// renderFooter is Midnight Commander's F-key bar, generated from the key
// map: only enabled F-key bindings appear. With a dialog or the filter
// open it lists the keys that apply there instead.
func (a *App) renderFooter() string {
	km := a.keys
	bar := func(list []key.Binding) string {
		var parts []string
		for _, b := range list {
			if b.Enabled() {
				h := b.Help()
				parts = append(parts, a.st.HelpKey.Render(h.Key)+" "+a.st.HelpDesc.Render(h.Desc))
			}
		}
		return cells.Pad(strings.Join(parts, "  "), a.width)
	}
	nDialogs := len(a.dialogs())
	if nDialogs == 0 {
		if a.loginForm() != nil {
			return bar(km.Login.Bindings())
		}
		if a.dedupe() != nil {
			return bar(append([]key.Binding{km.General.Help}, km.Dedupe.Footer()...))
		}
	}
	if len(a.modes) > 0 {
		var list []key.Binding
		switch {
		case nDialogs > 0:
			list = km.Dialog.Bindings()[:5] // prev is next's shift: not repeated
			if d, ok := a.topDialog(); ok {
				if c, ok := d.(*dialog.Confirm); ok && c.Input != nil {
					// y and n are typed into the line.
					list = []key.Binding{km.Dialog.Accept, km.Dialog.Cancel, km.Dialog.Next}
				}
			}
			if _, asking := a.topAsk(); asking {
				list = append([]key.Binding{km.Dialog.Accept}, km.Ask.Bindings()...)
				list = append(list, km.Dialog.Next)
			}
		case a.filter() != nil || a.renaming() != nil:
			list = km.Input.Bindings()
		}
		if a.help() != nil {
			parts := []string{a.st.HelpDesc.Render("any key closes help")}
			if len(a.helpPages()) > 1 {
				parts = []string{a.st.HelpKey.Render("tab/→") + " " + a.st.HelpDesc.Render("next page"),
					a.st.HelpKey.Render("shift+tab/←") + " " + a.st.HelpDesc.Render("back"),
					a.st.HelpDesc.Render("any other key closes")}
			}
			return cells.Pad(strings.Join(parts, "  "), a.width)
		}
		return bar(list)
	}
	if a.panelFocus {
		// The transfer panel's own keys, job and queue controls.
		return bar(append(km.Panel.Footer(), km.General.Help))
	}
	type fk struct {
		n     int
		label string
	}
	var keys []fk
	for _, group := range km.FullHelp() {
		for _, b := range group {
			if n, ok := fkeyNumber(b); ok && b.Enabled() {
				keys = append(keys, fk{n, b.Help().Desc})
			}
		}
	}
	keys = sortFKeys(keys, func(k fk) int { return k.n })
	width := func() int {
		w := 0
		for _, k := range keys {
			w += len(fmt.Sprint(k.n)) + lipgloss.Width(k.label) + 1
		}
		return w
	}
	// Too narrow: drop keys from the right, keeping Help and Quit (the ends).
	for len(keys) > 2 && width() > a.width {
		keys = append(keys[:len(keys)-2], keys[len(keys)-1])
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(a.st.FKeyNum.Render(fmt.Sprint(k.n)))
		b.WriteString(a.st.FKeyLabel.Render(k.label))
		b.WriteString(" ")
	}
	return cells.Pad(b.String(), a.width)
}

// sortFKeys orders items by F-key number (insertion sort: a dozen items).
func sortFKeys[T any](items []T, num func(T) int) []T {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && num(items[j]) < num(items[j-1]); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
	return items
}

// renderHelp lists every binding that applies in the browser, by group,
// from the same key map that drives App.
func (a *App) renderHelp(o *helpOverlay) string {
	pages := a.helpPages()
	page := min(max(o.page, 0), len(pages)-1)
	sp := make([]string, 0, 2*len(pages[page]))
	for i, c := range pages[page] {
		if i > 0 {
			sp = append(sp, "   ")
		}
		sp = append(sp, c)
	}
	body := lipgloss.JoinHorizontal(lipgloss.Top, sp...)
	if len(pages) > 1 {
		note := fmt.Sprintf("page %d/%d · tab/→ next", page+1, len(pages))
		if page == len(pages)-1 {
			note = fmt.Sprintf("page %d/%d · shift+tab/← back", page+1, len(pages))
		}
		body += "\n\n" + a.st.HelpDesc.Render(ansi.Truncate(note, max(lipgloss.Width(body), 10), "…"))
	}
	out := a.st.Dialog.Render(a.st.DialogTitle.Render("megatui keys") + "\n\n" + body)
	// Clip to the screen so the overlay never spills.
	lines := strings.Split(out, "\n")
	if len(lines) > a.height {
		lines = lines[:a.height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, a.width, "")
	}
	return strings.Join(lines, "\n")
}

// helpPages lays the help overlay's columns out in pages: whole columns
// only (a cut column would hide its descriptions), as many side by side
// as fit the screen. With more than one page, two lines of each column
// make room for the page line.
func (a *App) helpPages() [][]string {
	km := a.keys
	var full []keyGroup
	if a.dedupe() != nil {
		// The guided dedupe screen: its own keys, as they apply now.
		full = []keyGroup{km.Dedupe}
	} else {
		c := a.context()
		c.dialog = false
		km.sync(c)
		full = km.browseGroups()
	}
	keyW := 0
	for _, group := range full {
		for _, b := range group.Bindings() {
			if b.Enabled() || whereNote(b) != "" {
				keyW = max(keyW, lipgloss.Width(b.Help().Key))
			}
		}
	}
	var groups []helpGroup
	for _, group := range full {
		g := helpGroup{title: group.Title()}
		for _, b := range group.Bindings() {
			h := b.Help()
			k := h.Key + strings.Repeat(" ", max(keyW-lipgloss.Width(h.Key), 0))
			if !b.Enabled() {
				// Keys that work elsewhere are listed, dimmed, with where.
				if note := whereNote(b); note != "" && a.dedupe() == nil {
					g.lines = append(g.lines, a.st.Status.Render(k+"  "+h.Desc+" ("+note+")"))
				}
				continue
			}
			g.lines = append(g.lines, a.st.HelpKey.Render(k)+"  "+a.st.HelpDesc.Render(h.Desc))
		}
		if len(g.lines) > 0 { // skip a group with nothing that applies now
			groups = append(groups, g)
		}
	}
	render := func(perCol int) []string {
		var cols []string
		for _, c := range flowHelp(groups, perCol) {
			texts := make([]string, len(c))
			for i, l := range c {
				texts[i] = l.text
				if l.heading {
					texts[i] = a.st.HelpGroup.Render(l.text)
				}
			}
			cols = append(cols, strings.Join(texts, "\n"))
		}
		return cols
	}
	room := a.width - a.st.Dialog.GetHorizontalFrameSize()
	pages := pageColumns(render(max(a.height-6, 4)), room)
	if len(pages) > 1 {
		pages = pageColumns(render(max(a.height-8, 4)), room)
	}
	return pages
}

// pageColumns groups rendered columns, in order, into pages no wider
// than room (columns three cells apart); a page holds at least one
// column, and there is always at least one page.
func pageColumns(cols []string, room int) [][]string {
	var pages [][]string
	var cur []string
	used := 0
	for _, c := range cols {
		w := lipgloss.Width(c)
		if len(cur) > 0 && used+3+w > room {
			pages = append(pages, cur)
			cur, used = nil, 0
		}
		if len(cur) > 0 {
			used += 3
		}
		cur = append(cur, c)
		used += w
	}
	return append(pages, cur)
}

// helpGroup is one titled group of the help overlay.
type helpGroup struct {
	title string
	lines []string
}

// helpLine is one line of a help column.
type helpLine struct {
	text    string
	heading bool
}

// flowHelp lays groups out in columns of at most perCol lines. A group
// starts a new column rather than leave its heading alone at the bottom
// of one, and a group that still runs over repeats its heading, marked
// "(cont.)", at the top of the next column: every key sits under the name
// of its group. Columns never start with a blank line.
func flowHelp(groups []helpGroup, perCol int) [][]helpLine {
	perCol = max(perCol, 2) // room for a heading and one key
	var cols [][]helpLine
	var col []helpLine
	flush := func() {
		if len(col) > 0 {
			cols = append(cols, col)
			col = nil
		}
	}
	for _, g := range groups {
		// Blank line, heading and at least one key (or the whole group
		// when it is shorter) must fit; else start the next column.
		need := 1 + min(len(g.lines), 2)
		if len(col) > 0 {
			need++
		}
		if len(col)+need > perCol {
			flush()
		}
		if len(col) > 0 {
			col = append(col, helpLine{})
		}
		col = append(col, helpLine{text: g.title, heading: true})
		for _, l := range g.lines {
			if len(col) == perCol {
				flush()
				col = append(col, helpLine{text: g.title + " (cont.)", heading: true})
			}
			col = append(col, helpLine{text: l})
		}
	}
	flush()
	return cols
}
