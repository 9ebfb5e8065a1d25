package dedupe

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/theme"
)

// SetLocation sets the time zone of the times shown (time.Local if nil).
func (m *Model) SetLocation(loc *time.Location) { m.loc = loc }

func (m Model) location() *time.Location {
	if m.loc == nil {
		return time.Local
	}
	return m.loc
}

// View draws the screen in exactly width × height cells: a frame with the
// step's content. Every name and path goes through model.DisplayName.
func (m Model) View(st theme.Styles) string {
	w, h := m.width, m.height
	if w < 20 || h < 5 {
		return fill(nil, w, h)
	}
	inner := w - 4     // frame and one cell of padding each side
	var extra []string // the last error and note, above any status line
	if m.err != "" {
		extra = append(extra, st.Error.Render(model.DisplayName(m.err)))
	}
	if m.note != "" && m.step != StepDone {
		extra = append(extra, st.Status.Render(model.DisplayName(m.note)))
	}
	var lines []string
	title := "Guided dedupe"
	switch m.step {
	case StepScope:
		lines = m.viewScope(st, inner)
	case StepScanning:
		lines = []string{st.Loading.Render("Scanning " + model.DisplayName(m.scopeText()) + " for duplicates…")}
	case StepGroup:
		title += " · " + model.DisplayName(m.scopeText())
		lines = m.viewGroup(st, inner, h-2, extra)
		extra = nil
	case StepPlanning:
		lines = []string{st.Loading.Render("Building the plan…")}
	case StepReview:
		title = "Review the plan · nothing has changed yet"
		lines = m.viewReview(st, inner, h-2)
	case StepApplying:
		lines = m.viewApplying(st, inner)
	case StepDone:
		lines = m.viewDone(st, inner)
	}
	if len(extra) > 0 {
		lines = append(append(lines, ""), extra...)
	}
	body := make([]string, 0, h-2)
	for _, l := range lines {
		if len(body) == h-2 {
			break
		}
		body = append(body, " "+cells.Pad(l, inner)+" ")
	}
	for len(body) < h-2 {
		body = append(body, strings.Repeat(" ", inner+2))
	}
	side := st.BorderOn.Render("│")
	var b strings.Builder
	t := " " + cells.Truncate(title, inner-2) + " "
	b.WriteString(st.BorderOn.Render("╭─") + st.PaneTitleOn.Render(t) +
		st.BorderOn.Render(strings.Repeat("─", max(w-3-lipgloss.Width(t), 0))+"╮") + "\n")
	for _, l := range body {
		b.WriteString(side + l + side + "\n")
	}
	b.WriteString(st.BorderOn.Render("╰" + strings.Repeat("─", w-2) + "╯"))
	return b.String()
}

func (m Model) viewScope(st theme.Styles, inner int) []string {
	lines := []string{st.DialogTitle.Render("Find duplicates in:"), ""}
	for s := range Scope(scopeCount) {
		label := s.String()
		if s != ScopeAccount {
			label += "  (" + model.DisplayName(m.dir) + ")"
		}
		if s == m.scope {
			lines = append(lines, st.Selected.Render(cells.Pad("> "+label, inner)))
		} else {
			lines = append(lines, "  "+label)
		}
	}
	return append(lines, "",
		st.Status.Render("Nothing changes until you have reviewed the plan and confirmed it."),
		st.Status.Render("Removed copies go to the Rubbish Bin; the run can be undone."))
}

func classText(g model.DupGroup) string {
	switch {
	case g.Kind == model.Collision && model.ClashKind(g) == "case":
		return "names differ only in case: one file on case-insensitive disks"
	case g.Kind == model.Collision:
		return "names differ only in Unicode normalisation (NFC/NFD): one file on macOS disks"
	case g.Dir:
		return "duplicate folders"
	case g.Verified && g.Class == model.Identical:
		return "identical (verified by SHA-256)"
	case g.Verified:
		return g.Class.String() + " (verified by SHA-256)"
	case g.Class == model.Identical:
		return "identical (same size and fingerprint)"
	}
	return g.Class.String()
}

func (m Model) classStyle(st theme.Styles, g model.DupGroup) lipgloss.Style {
	switch {
	case g.Kind == model.Collision:
		return st.DupCollision
	case g.Dir:
		return st.DupFolder
	case g.Class == model.Identical:
		return st.DupIdentical
	case g.Class == model.SameSizeUnknown:
		return st.DupSameSize
	}
	return st.DupDifferent
}

// where is the path of node id (a folder's, or a file's) when the scan
// knows it, else "" (model.PlanOptions.Where).
func (m Model) where(id string) string {
	if d, ok := m.scan.Dirs[id]; ok {
		return d
	}
	if e, ok := m.byID[id]; ok {
		if _, ok := m.scan.Dirs[e.ParentID]; ok {
			return m.path(e.ParentID, e.Name)
		}
	}
	return ""
}

// contentLabels labels each copy of a file group by content: copies with
// the same letter have the same content (by verified SHA-256 where both
// are verified, else by size and fingerprint); "?" is a copy whose content
// cannot be compared (no fingerprint). sets are the groups of two or more
// copies that match, as member numbers from 1.
func (m Model) contentLabels(g model.DupGroup) (labels []string, sets [][]int) {
	index := make(map[string]int, len(g.Members))
	for i, e := range g.Members {
		index[e.ID] = i
	}
	labels = make([]string, len(g.Members))
	for _, set := range model.ContentSets(g.Members, m.scan.Hashes, false) {
		var nums []int
		for _, e := range set {
			nums = append(nums, index[e.ID]+1)
		}
		slices.Sort(nums)
		sets = append(sets, nums)
	}
	slices.SortFunc(sets, func(a, b []int) int { return a[0] - b[0] })
	next := 0
	letter := func() string {
		s := string(rune('A' + next%26))
		if next >= 26 {
			s += strconv.Itoa(next / 26)
		}
		next++
		return s
	}
	inSet := make(map[int]int)
	for si, set := range sets {
		for _, n := range set {
			inSet[n-1] = si
		}
	}
	setLetter := map[int]string{}
	for i, e := range g.Members {
		si, ok := inSet[i]
		switch {
		case ok && setLetter[si] != "":
			labels[i] = setLetter[si]
		case ok:
			setLetter[si] = letter()
			labels[i] = setLetter[si]
		case !m.comparable(e):
			labels[i] = "?"
		default:
			labels[i] = letter()
		}
		if _, ok := m.scan.Hashes[e.ID]; ok {
			labels[i] += " sha"
		}
	}
	return labels, sets
}

// comparable reports whether a copy's content can be compared: it has a
// verified hash or a readable fingerprint.
func (m Model) comparable(e model.Entry) bool {
	if _, ok := m.scan.Hashes[e.ID]; ok {
		return true
	}
	_, err := model.ParseFingerprint(e.Fingerprint, e.Size)
	return err == nil
}

// matchText says which copies of a "different" group match which.
func matchText(sets [][]int) string {
	if len(sets) == 0 {
		return "no two copies have the same content"
	}
	var parts []string
	for _, s := range sets {
		nums := make([]string, len(s))
		for i, n := range s {
			nums[i] = strconv.Itoa(n)
		}
		parts = append(parts, strings.Join(nums, " = "))
	}
	return "same content: copies " + strings.Join(parts, "; ")
}

// path is the full path of an entry, from the scan's folder paths.
func (m Model) path(parent, name string) string {
	dir, ok := m.scan.Dirs[parent]
	if !ok {
		dir = "[" + parent + "]"
	}
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

func (m Model) when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.In(m.location()).Format("2006-01-02 15:04")
}

func (m Model) viewGroup(st theme.Styles, inner, rows int, extra []string) []string {
	g, _ := m.current()
	n, total := m.group+1, len(m.scan.Groups)
	what := "files"
	if g.Dir {
		what = "folders"
	}
	name := g.Name
	if g.Kind == model.Collision {
		name = g.Members[0].Name
	}
	dir := m.scan.Dirs[g.ParentID]
	if dir == "" {
		dir = "[" + g.ParentID + "]"
	}
	var labels []string
	class := m.classStyle(st, g).Render(classText(g))
	if !g.Dir && g.Kind == model.SameName {
		var sets [][]int
		labels, sets = m.contentLabels(g)
		if g.Class != model.Identical {
			class += " · " + matchText(sets)
		}
	}
	lines := []string{
		st.DialogTitle.Render(fmt.Sprintf("Group %d of %d", n, total)) + "  " +
			fmt.Sprintf("%q in %s", model.DisplayName(name), model.DisplayName(dir)),
		fmt.Sprintf("%d %s · ", len(g.Members), what) + class,
		"",
	}
	// Narrow screens put the times on a line of their own.
	narrow := inner < 72
	per := 2
	head := fmt.Sprintf("  %-2s %-9s  %-16s  %-16s  %-7s %s", "#", "Size", "Uploaded", "Modified", "Content", "Handle")
	if narrow {
		per = 3
		head = fmt.Sprintf("  %-2s %-9s %-7s %s", "#", "Size", "Content", "Handle")
	}
	lines = append(lines, st.Label.Render(head))
	var copies []string
	chosen := ""
	if m.decided[m.group] && m.choices[m.group].Mode == model.ModeKeep {
		chosen = m.choices[m.group].Keep
	}
	for i, e := range g.Members {
		size := humanize.IBytes(uint64(max(e.Size, 0)))
		match := ""
		if i < len(labels) {
			match = labels[i]
		}
		if e.IsDir() {
			size = fmt.Sprintf("%d entr.", len(m.children[e.ID]))
		}
		mod := m.when(e.ModTime)
		if !e.ModTimeKnown && !e.IsDir() {
			mod = "unknown"
			if f, err := model.ParseFingerprint(e.Fingerprint, e.Size); err == nil {
				mod = m.when(f.ModTime)
			}
		}
		mark := "  "
		if i == m.cursor {
			mark = "> "
		}
		if e.ID == chosen {
			mark = "✓ "
		}
		rows := []string{fmt.Sprintf("%s%-2d %-9s  %-16s  %-16s  %-7s %s", mark, i+1, size, m.when(e.UploadTime), mod, match,
			model.DisplayName(e.ID))}
		if narrow {
			rows = []string{fmt.Sprintf("%s%-2d %-9s %-7s %s", mark, i+1, size, match, model.DisplayName(e.ID)),
				fmt.Sprintf("    up %s · mod %s", m.when(e.UploadTime), mod)}
		}
		p := "    " + model.DisplayName(m.path(e.ParentID, e.Name))
		for _, r := range rows {
			if i == m.cursor {
				copies = append(copies, st.Selected.Render(cells.Pad(r, inner)))
			} else {
				copies = append(copies, r)
			}
		}
		if i == m.cursor {
			copies = append(copies, st.Selected.Render(cells.PadKeepEnd(p, inner)))
		} else {
			copies = append(copies, st.Status.Render(cells.PadKeepEnd(p, inner)))
		}
	}
	var info, prompt []string
	switch {
	case g.Kind == model.Collision && model.ClashKind(g) == "case":
		info = append(info, st.Warning.Render("Names that differ only in case: different on MEGA, one file on"),
			st.Warning.Render("case-insensitive disks (macOS, Windows)."),
			"Downloading them into one folder would overwrite one with the other.",
			"The plan lists this as a note; rename one of them to fix it.")
	case g.Kind == model.Collision:
		info = append(info, st.Warning.Render("Names that differ only in Unicode normalisation: the same letters"),
			st.Warning.Render("spelt composed (NFC) and decomposed (NFD), one file on macOS disks."),
			"Downloading them into one folder would overwrite one with the other.",
			"The plan lists this as a note; rename one of them to fix it.")
	case !g.Dir && len(labels) > 0:
		info = append(info, st.Status.Render("Same letter, same content (by size and fingerprint; \"sha\": verified by SHA-256)."))
	case g.Dir && m.merge != nil:
		info = append(info, m.viewMerge(st, inner)...)
	}
	if m.confirmID {
		sets := model.ContentSets(g.Members, m.scan.Hashes, true)
		extra := 0
		for _, s := range sets {
			extra += len(s) - 1
		}
		prompt = append(prompt, "", st.Warning.Render(fmt.Sprintf(
			"Remove %d verified-identical copy(ies) to the Rubbish Bin, keeping one of each? (y/n)", extra)))
	}
	decided, skipped := 0, m.skipped()
	for _, d := range m.decided {
		if d {
			decided++
		}
	}
	all := "off"
	if m.applyAll {
		all = st.Warning.Render("ON: the next choice applies to this and every remaining group")
	}
	status := fmt.Sprintf("decided %d · skipped %d · apply to all remaining: %s", decided, skipped, all)
	if len(extra) > 0 {
		prompt = append(append(prompt, ""), extra...)
	}
	// Fit: the copies scroll (two lines each, the cursor kept in view);
	// the merge or collision text goes first when space is short.
	budget := rows - 1 - len(lines) - len(prompt)
	if len(info) > 0 && budget-len(info)-1 < min(len(copies), 4) {
		info = nil
	}
	if len(info) > 0 {
		info = append([]string{""}, info...)
	}
	budget -= len(info)
	if n := len(copies) / per; budget < len(copies) && n > 0 {
		k := min(max(budget/per, 1), n)
		start := min(max(m.cursor-k/2, 0), n-k)
		copies = copies[per*start : per*(start+k)]
	}
	lines = append(append(append(lines, copies...), info...), prompt...)
	// Keep the status line at the bottom when there is room.
	for len(lines) < rows-1 {
		lines = append(lines, "")
	}
	return append(lines, status)
}

func (m Model) viewMerge(st theme.Styles, inner int) []string {
	mp := m.merge
	g, _ := m.current()
	lines := []string{st.Label.Render("Merge preview") + " (enter keeps the highlighted folder):"}
	for _, f := range g.Members {
		kids := m.children[f.ID]
		names := make([]string, len(kids))
		for i, k := range kids {
			names[i] = model.DisplayName(k.Name)
			if k.IsDir() {
				names[i] += "/"
			}
		}
		what := fmt.Sprintf("%d entries", len(kids))
		switch len(kids) {
		case 0:
			what = "empty"
		case 1:
			what = "1 entry"
		}
		if len(kids) > 0 {
			what += ": " + strings.Join(names, ", ")
		}
		role, fate := "keep ", ""
		if f.ID != mp.Survivor.ID {
			role, fate = "empty", " → moved into the kept one, then the folder to the Rubbish Bin"
			if len(kids) == 0 {
				fate = " → to the Rubbish Bin"
			}
		}
		line := fmt.Sprintf("  %s [%s] %s", role, model.DisplayName(f.ID), what)
		line = cells.Truncate(line, max(inner-lipgloss.Width(fate), inner/2)) + fate
		if f.ID == mp.Survivor.ID {
			line = st.Keep.Render(line)
		}
		lines = append(lines, line)
	}
	dir := model.DisplayName(m.path(mp.Survivor.ParentID, mp.Survivor.Name))
	for _, c := range mp.Collisions {
		what := "entries"
		switch {
		case c.Dirs == len(c.IDs):
			what = "folders"
		case c.Dirs == 0:
			what = "files"
		}
		lines = append(lines, st.Warning.Render(fmt.Sprintf("  afterwards %d %s named %q in %s: a new same-name group to dedupe next",
			len(c.IDs), what, model.DisplayName(c.Name), dir)))
	}
	return lines
}

// reviewLines are the plan's lines: every action, then every note.
func (m Model) reviewLines(st theme.Styles) []string {
	var lines []string
	for i, a := range m.plan.Actions {
		p := model.DisplayName(m.path(a.Parent, a.Name)) + " [" + model.DisplayName(a.ID) + "]"
		var s string
		switch a.Kind {
		case model.ActionTrash:
			s = st.Remove.Render("to Rubbish Bin") + " " + p
		case model.ActionRename:
			s = st.Keep.Render("rename") + " " + p + " → " + model.DisplayName(a.NewName)
		case model.ActionMove:
			dst := m.where(a.NewParent)
			if dst == "" {
				dst = "the kept folder"
			}
			s = st.Keep.Render("move") + " " + p + " → " + model.DisplayName(dst) + " [" + model.DisplayName(a.NewParent) + "]"
		}
		s = fmt.Sprintf("%3d. ", i+1) + s + st.Status.Render(" · "+model.DisplayName(a.Reason))
		lines = append(lines, s)
	}
	for _, n := range m.plan.Notes {
		lines = append(lines, st.Status.Render("note: "+model.DisplayName(n)))
	}
	return lines
}

func (m Model) reviewLen() int { return len(m.wrapReview(m.reviewLines(theme.Styles{}))) }

// wrapReview wraps the plan's lines to the screen, so no action or note is
// cut: continuation lines are indented under the text.
func (m Model) wrapReview(lines []string) []string {
	w := max(m.width-4, 10)
	var out []string
	for _, l := range lines {
		if ansi.StringWidth(l) <= w {
			out = append(out, l)
			continue
		}
		parts := strings.Split(ansi.Wrap(l, w, " "), "\n")
		out = append(out, parts[0])
		if len(parts) > 1 {
			rest := strings.Join(parts[1:], " ")
			for _, p := range strings.Split(ansi.Wrap(rest, max(w-5, 5), " "), "\n") {
				out = append(out, "     "+p)
			}
		}
	}
	return out
}

// reviewRows is how many plan lines fit under the summary.
func (m Model) reviewRows() int { return max(m.height-2-4, 1) }

func (m Model) viewReview(st theme.Styles, inner, rows int) []string {
	var trash, rename, move int
	for _, a := range m.plan.Actions {
		switch a.Kind {
		case model.ActionTrash:
			trash++
		case model.ActionRename:
			rename++
		case model.ActionMove:
			move++
		}
	}
	all := m.wrapReview(m.reviewLines(st))
	n := m.reviewRows()
	start := min(m.offset, max(len(all)-n, 0))
	end := min(start+n, len(all))
	head := fmt.Sprintf("%d action(s): %d to the Rubbish Bin, %d rename(s), %d move(s) · %d group(s) skipped",
		len(m.plan.Actions), trash, rename, move, m.skipped())
	lines := []string{st.DialogTitle.Render(head)}
	if len(all) > n {
		lines = append(lines, st.Status.Render(fmt.Sprintf("lines %d–%d of %d (↑/↓, pgup/pgdn to scroll)", start+1, end, len(all))))
	} else {
		lines = append(lines, "")
	}
	lines = append(lines, all[start:end]...)
	for len(lines) < rows-1 {
		lines = append(lines, "")
	}
	q := "Apply this plan? y/enter: apply · esc: back to the groups (nothing changes)"
	if len(m.plan.Actions) == 0 {
		q = "Nothing to do. enter: close · esc: back to the groups"
	}
	return append(lines[:rows-1], st.Warning.Render(q))
}

func (m Model) viewApplying(st theme.Styles, inner int) []string {
	what := "Applying the plan"
	if m.undoing {
		what = "Undoing the last dedupe"
	}
	lines := []string{st.DialogTitle.Render(what + "…"), ""}
	if m.total > 0 {
		bw := max(min(inner-16, 50), 5)
		// A replanned group (a folder merge) can report more actions
		// done than the plan listed: the bar stays within its width.
		fill := min(max(bw*m.done/m.total, 0), bw)
		bar := st.ProgressOn.Render(strings.Repeat("█", fill)) + st.ProgressOff.Render(strings.Repeat("░", bw-fill))
		lines = append(lines, bar+fmt.Sprintf(" %d/%d", m.done, m.total))
	} else {
		lines = append(lines, st.Loading.Render("starting…"))
	}
	return append(lines, "", st.Status.Render("Each group is re-checked just before it is changed. esc: stop after the current action"))
}

func (m Model) viewDone(st theme.Styles, inner int) []string {
	lines := []string{st.DialogTitle.Render(model.DisplayName(m.note)), ""}
	for _, e := range m.result.Errors {
		lines = append(lines, st.Error.Render(model.DisplayName(e)))
	}
	if m.applied {
		lines = append(lines, "", "Removed copies are in the Rubbish Bin; the run is journaled.",
			st.HelpKey.Render("u")+" undo this dedupe (restores names and folders) · "+st.HelpKey.Render("esc")+" close")
	} else {
		lines = append(lines, "", st.HelpKey.Render("esc")+" close")
	}
	return lines
}

// fill pads lines to a w × h block.
func fill(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = cells.Pad(l, w)
	}
	return strings.Join(out, "\n")
}
