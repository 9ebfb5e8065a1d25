// Package transfers draws the transfer panel: every job of the queue with
// a progress bar, bytes, speed, ETA and state (including why a job waits),
// plus totals. It renders snapshots the engine publishes; it never talks to
// the engine itself.
package transfers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/theme"
)

// Snapshot is the queue as the engine last published it.
type Snapshot struct {
	Jobs   []model.Job
	Totals model.Totals
	// Speed (bytes/s) and ETA of running jobs, by id.
	Speed map[model.JobID]float64
	ETA   map[model.JobID]time.Duration
	// Now is when the snapshot was taken ("retry in 4 s" is relative to it).
	Now time.Time
	// Questions are the open conflict questions (a job whose target name
	// exists waits for an answer), oldest first.
	Questions []Question
}

// Question is a conflict a waiting job asks the user to decide: its
// target name exists and the existing item is not identical.
type Question struct {
	JobID    model.JobID
	Name     string
	Existing model.Entry
	Incoming model.Entry
	// Group names the user action (one copy or move) the job belongs to;
	// an answer "for all" covers every question of the same group.
	Group string
}

// Question returns the open question of job id, if any.
func (s Snapshot) Question(id model.JobID) (Question, bool) {
	for _, q := range s.Questions {
		if q.JobID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Job returns job id, if the snapshot holds it.
func (s Snapshot) Job(id model.JobID) (model.Job, bool) {
	for _, j := range s.Jobs {
		if j.ID == id {
			return j, true
		}
	}
	return model.Job{}, false
}

// Keys are the transfer panel's bindings: showing it (from the browser),
// moving in it, opening groups, and the job and queue controls App
// carries out.
type Keys struct {
	Toggle, Maximise, Log                 key.Binding
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Expand, Collapse                      key.Binding
	Pause, Cancel, Retry, Front           key.Binding
	Answer                                key.Binding
	PauseAll, CancelAll, RetryFailed      key.Binding
	ClearFinished, Back                   key.Binding
}

// Title names the group in the help.
func (Keys) Title() string { return "Transfers" }

// Bindings lists the keys for the help, in order.
func (k Keys) Bindings() []key.Binding {
	return []key.Binding{k.Toggle, k.Maximise, k.Log, k.Home, k.End, k.Expand, k.Collapse, k.Pause, k.Cancel,
		k.Retry, k.Front, k.Answer, k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished, k.Back}
}

// Footer lists the keys of the footer while the panel has focus.
func (k Keys) Footer() []key.Binding {
	return []key.Binding{k.Expand, k.Collapse, k.Pause, k.Cancel, k.Retry, k.Front, k.Answer,
		k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished, k.Log, k.Back}
}

// Group is the jobs of one user action (a folder copy), in path order.
type Group struct {
	Key  string
	Jobs []model.Job
}

// row is one line of the panel: a group's summary or one job.
type row struct {
	group int // index into groups
	job   int // index into the group's jobs; -1 for the group's summary
}

// Model is the transfer panel: each user action (a folder copy) is one
// row with the progress of the whole, expanded on demand into its files.
type Model struct {
	snap          Snapshot
	groups        []Group
	rows          []row
	expanded      map[string]bool
	cursor        int
	offset        int
	width, height int
	focused       bool
	keys          Keys
}

// New returns an empty panel.
func New(keys Keys) Model { return Model{keys: keys, expanded: map[string]bool{}} }

// SetKeys replaces the bindings (App enables the ones that apply).
func (m *Model) SetKeys(k Keys) { m.keys = k }

// SetFocused says whether the panel has the keyboard (its frame shows it).
func (m *Model) SetFocused(f bool) { m.focused = f }

// Update moves the cursor and opens or closes groups; the job and queue
// controls are App's.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Up):
		m.Move(-1)
	case key.Matches(k, m.keys.Down):
		m.Move(1)
	case key.Matches(k, m.keys.PageUp):
		m.Move(-max(m.visibleRows()-1, 1))
	case key.Matches(k, m.keys.PageDown):
		m.Move(max(m.visibleRows()-1, 1))
	case key.Matches(k, m.keys.Home):
		m.cursor = 0
		m.clamp()
	case key.Matches(k, m.keys.End):
		m.cursor = len(m.rows) - 1
		m.clamp()
	case key.Matches(k, m.keys.Expand):
		m.setExpanded(true)
	case key.Matches(k, m.keys.Collapse):
		m.setExpanded(false)
	}
	return m, nil
}

// setExpanded opens or closes the group under the cursor (a job row's
// group when closing), keeping the cursor on it.
func (m *Model) setExpanded(open bool) {
	if m.cursor >= len(m.rows) {
		return
	}
	r := m.rows[m.cursor]
	g := m.groups[r.group]
	if len(g.Jobs) < 2 || (r.job >= 0 && open) {
		return
	}
	m.expanded = cloneSet(m.expanded)
	m.expanded[g.Key] = open
	m.layoutRows()
	for i, rr := range m.rows {
		if rr.group == r.group && rr.job < 0 {
			m.cursor = i
			break
		}
	}
	m.clamp()
}

func cloneSet(s map[string]bool) map[string]bool {
	out := make(map[string]bool, len(s))
	for k, v := range s {
		out[k] = v
	}
	return out
}

// SetSnapshot replaces the jobs shown, keeping the cursor on the same row
// (job or group).
func (m *Model) SetSnapshot(s Snapshot) {
	var curKey string
	var curJob model.JobID
	if m.cursor < len(m.rows) {
		r := m.rows[m.cursor]
		curKey = m.groups[r.group].Key
		if r.job >= 0 {
			curJob = m.groups[r.group].Jobs[r.job].ID
		}
	}
	m.snap = s
	m.groups = groupJobs(s.Jobs)
	m.layoutRows()
	for i, r := range m.rows {
		g := m.groups[r.group]
		if g.Key != curKey {
			continue
		}
		if (r.job < 0 && curJob == 0) || (r.job >= 0 && g.Jobs[r.job].ID == curJob) {
			m.cursor = i
			break
		}
		if r.job < 0 && len(g.Jobs) > 1 && !m.expanded[g.Key] {
			m.cursor = i // the job's group, closed meanwhile
		}
	}
	m.clamp()
}

// groupJobs gathers jobs by user action, in the order actions were made;
// within a group jobs are in natural path order.
func groupJobs(jobs []model.Job) []Group {
	var groups []Group
	index := map[string]int{}
	for _, j := range jobs {
		k := j.Group
		if k == "" {
			k = "job:" + strconv.FormatUint(uint64(j.ID), 10)
		}
		gi, ok := index[k]
		if !ok {
			gi = len(groups)
			index[k] = gi
			groups = append(groups, Group{Key: k})
		}
		groups[gi].Jobs = append(groups[gi].Jobs, j)
	}
	for i := range groups {
		slices.SortStableFunc(groups[i].Jobs, func(a, b model.Job) int {
			return model.NaturalCompare(a.Src.Display, b.Src.Display)
		})
	}
	return groups
}

func (m *Model) layoutRows() {
	m.rows = m.rows[:0]
	for gi, g := range m.groups {
		if len(g.Jobs) == 1 {
			m.rows = append(m.rows, row{group: gi, job: 0})
			continue
		}
		m.rows = append(m.rows, row{group: gi, job: -1})
		if m.expanded[g.Key] {
			for ji := range g.Jobs {
				m.rows = append(m.rows, row{group: gi, job: ji})
			}
		}
	}
}

// FollowActive keeps work in progress in view while the panel does not
// have focus: when no unfinished work is among the rows shown, the view
// scrolls to the first running row, else to the first unfinished one, and
// the cursor goes with it. A view that already shows some unfinished work
// is left alone.
func (m *Model) FollowActive() {
	rows := m.visibleRows()
	if rows == 0 {
		return
	}
	for i := m.offset; i < min(m.offset+rows, len(m.rows)); i++ {
		if m.rowActive(i, false) {
			return
		}
	}
	target := -1
	for i := range m.rows {
		if m.rowActive(i, true) {
			target = i
			break
		}
		if target < 0 && m.rowActive(i, false) {
			target = i
		}
	}
	if target < 0 {
		return
	}
	m.cursor, m.offset = target, target
	m.clamp()
}

// rowActive: row i has unfinished work (running work, with running).
func (m Model) rowActive(i int, running bool) bool {
	for _, j := range m.rowJobs(i) {
		if (running && j.State == model.StateRunning) || (!running && !j.State.Terminal()) {
			return true
		}
	}
	return false
}

// rowJobs are the jobs row i stands for.
func (m Model) rowJobs(i int) []model.Job {
	if i < 0 || i >= len(m.rows) {
		return nil
	}
	r := m.rows[i]
	g := m.groups[r.group]
	if r.job >= 0 {
		return g.Jobs[r.job : r.job+1]
	}
	return g.Jobs
}

// Snapshot returns the snapshot shown.
func (m Model) Snapshot() Snapshot { return m.snap }

// SetSize sets the outer size, frame included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

func (m Model) visibleRows() int { return max(m.height-3, 0) }

// Move moves the cursor by delta rows.
func (m *Model) Move(delta int) {
	m.cursor += delta
	m.clamp()
}

func (m *Model) clamp() {
	m.cursor = min(m.cursor, len(m.rows)-1)
	m.cursor = max(m.cursor, 0)
	rows := m.visibleRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if rows > 0 && m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(min(m.offset, len(m.rows)-rows), 0)
}

// Cursor is the cursor's row and the number of rows.
func (m Model) Cursor() (int, int) { return m.cursor, len(m.rows) }

// Current is the job under the cursor (false on a group's summary row).
func (m Model) Current() (model.Job, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) || m.rows[m.cursor].job < 0 {
		return model.Job{}, false
	}
	return m.rowJobs(m.cursor)[0], true
}

// Selected are the jobs under the cursor: one job, or every job of the
// group whose summary row it is on; label names them for messages.
func (m Model) Selected() (jobs []model.Job, label string) {
	jobs = m.rowJobs(m.cursor)
	switch len(jobs) {
	case 0:
		return nil, ""
	case 1:
		return jobs, fileName(jobs[0].Src.Display)
	}
	name, _ := groupLabel(jobs)
	return jobs, fmt.Sprintf("%d files of %s", len(jobs), fileName(name))
}

// InOpenGroup reports whether the cursor is on a job of an open group.
func (m Model) InOpenGroup() bool {
	if m.cursor < 0 || m.cursor >= len(m.rows) || m.rows[m.cursor].job < 0 {
		return false
	}
	return len(m.groups[m.rows[m.cursor].group].Jobs) > 1
}

// OnGroup reports whether the cursor is on a group's summary row, and
// whether that group is open.
func (m Model) OnGroup() (on, open bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) || m.rows[m.cursor].job >= 0 {
		return false, false
	}
	g := m.groups[m.rows[m.cursor].group]
	return true, m.expanded[g.Key]
}

// Count counts the jobs whose state satisfies f.
func (m Model) Count(f func(model.State) bool) int {
	n := 0
	for _, j := range m.snap.Jobs {
		if f(j.State) {
			n++
		}
	}
	return n
}

// Active counts jobs that are not finished.
func (m Model) Active() int {
	n := 0
	for _, j := range m.snap.Jobs {
		if !j.State.Terminal() {
			n++
		}
	}
	return n
}

// View draws the panel at the size last set.
func (m Model) View(st theme.Styles) string {
	focused := m.focused
	if m.width < 10 || m.height < 3 {
		return ""
	}
	inner := m.width - 2
	border := st.Border
	if focused {
		border = st.BorderOn
	}
	side := border.Render("│")
	title := " Transfers · " + m.totals() + " "
	title = cells.Truncate(title, inner-2)
	titleStyle := st.PaneTitle
	if focused {
		titleStyle = st.PaneTitleOn
	}
	var b strings.Builder
	b.WriteString(border.Render("╭─") + titleStyle.Render(title) +
		border.Render(strings.Repeat("─", max(inner-1-lipgloss.Width(title), 0))+"╮") + "\n")
	rows := m.visibleRows()
	// Column heading line doubles as a hint line.
	head := " state     job"
	if len(m.rows) > rows && rows > 0 {
		head += fmt.Sprintf("  (row %d of %d)", m.cursor+1, len(m.rows))
	}
	b.WriteString(side + st.Column.Render(cells.Pad(head, inner)) + side + "\n")
	end := min(m.offset+rows, len(m.rows))
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		g := m.groups[r.group]
		var line string
		if r.job < 0 {
			line = m.groupRow(st, g, m.expanded[g.Key], i == m.cursor && focused, inner)
		} else {
			indent := len(g.Jobs) > 1
			line = m.row(st, g.Jobs[r.job], indent, i == m.cursor && focused, inner)
		}
		b.WriteString(side + line + side + "\n")
	}
	for i := end - m.offset; i < rows; i++ {
		line := strings.Repeat(" ", inner)
		if i == 0 && len(m.rows) == 0 {
			line = st.Loading.Render(cells.Pad(" (no transfers)", inner))
		}
		b.WriteString(side + line + side + "\n")
	}
	b.WriteString(border.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

func (m Model) totals() string {
	t := m.snap.Totals
	s := fmt.Sprintf("%d job(s)", t.Jobs)
	add := func(st model.State, word string) {
		if n := t.ByState[st]; n > 0 {
			s += fmt.Sprintf(", %d %s", n, word)
		}
	}
	add(model.StateRunning, "running")
	if n := t.ByState[model.StateWaiting] + t.ByState[model.StateQueued]; n > 0 {
		s += fmt.Sprintf(", %d waiting", n)
	}
	if n := len(m.snap.Questions); n > 0 {
		s += fmt.Sprintf(" (%d asking)", n)
	}
	add(model.StatePaused, "paused")
	add(model.StateSkipped, "skipped")
	add(model.StateFailed, "failed")
	add(model.StateCancelled, "cancelled")
	add(model.StateDone, "done")
	if t.BytesTotal > 0 {
		s += fmt.Sprintf(" · %s / %s", bytes(t.BytesDone), bytes(t.BytesTotal))
	}
	if t.Speed > 0 {
		s += " · " + bytes(int64(t.Speed)) + "/s"
	}
	paused := t.ByState[model.StatePaused]
	switch {
	case t.ETAKnown && t.ETA > 0 && paused > 0:
		// The queue's ETA covers the jobs that run; paused ones wait.
		s += " · ETA " + eta(t.ETA) + " (paused jobs not counted)"
	case t.ETAKnown && t.ETA > 0:
		s += " · ETA " + eta(t.ETA)
	case paused > 0 && t.ByState[model.StateRunning]+t.ByState[model.StateQueued]+t.ByState[model.StateWaiting] == 0:
		s += " · no ETA: the rest is paused"
	}
	if th := t.Throttle.String(); th != "" {
		s += " · " + th
	}
	return s
}

// fileName is the last element of a display path.
func fileName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndex(p, "/"); i >= 0 && i < len(p)-1 {
		return model.DisplayName(p[i+1:])
	}
	return model.DisplayName(p)
}

// commonDir is the longest folder prefix the display paths share.
func commonDir(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	dir := func(p string) string {
		if i := strings.LastIndex(p, "/"); i >= 0 {
			return p[:i]
		}
		return ""
	}
	c := dir(paths[0])
	for _, p := range paths[1:] {
		for c != "" && p != c && !strings.HasPrefix(p, c+"/") {
			c = dir(c)
		}
	}
	return c
}

// groupLabel names a group for people: the folder its sources share (the
// folder copied) and where they go.
func groupLabel(jobs []model.Job) (src, dst string) {
	srcs := make([]string, len(jobs))
	dsts := make([]string, len(jobs))
	for i, j := range jobs {
		srcs[i], dsts[i] = j.Src.Display, j.Dst.Display
	}
	return commonDir(srcs), commonDir(dsts) // raw: escaped once where shown
}

// groupState is the state a group shows: running while any job runs, then
// asking/waiting, queued, paused; when all are finished, failed if any
// failed, else done (with skips and cancels counted in the details).
func groupState(jobs []model.Job) model.State {
	n := map[model.State]int{}
	for _, j := range jobs {
		n[j.State]++
	}
	for _, s := range []model.State{model.StateRunning, model.StateWaiting, model.StateQueued, model.StatePaused, model.StateFailed} {
		if n[s] > 0 {
			return s
		}
	}
	if n[model.StateDone] == 0 && n[model.StateSkipped] > 0 {
		return model.StateSkipped
	}
	if n[model.StateDone] == 0 && n[model.StateCancelled] > 0 {
		return model.StateCancelled
	}
	return model.StateDone
}

// groupRow: a group's summary: its folder, files done, the whole group's
// bar, bytes, speed and ETA.
func (m Model) groupRow(st theme.Styles, g Group, open bool, cursor bool, inner int) string {
	var size, done int64
	unknown := false
	counts := map[model.State]int{}
	var speed float64
	var left time.Duration
	for _, j := range g.Jobs {
		counts[j.State]++
		if j.State == model.StateCancelled || j.State == model.StateSkipped {
			continue
		}
		if j.Size < 0 {
			unknown = true
		} else {
			size += j.Size
		}
		done += min(j.Done, max(j.Size, j.Done))
		speed += m.snap.Speed[j.ID]
	}
	if t := m.snap.Totals.Speed; t > 0 && speed > t {
		// Per-job speeds of many small files run ahead of the smoothed
		// overall speed; a part of the queue never goes faster than all.
		speed = t
	}
	if speed > 0 && !unknown {
		left = time.Duration(float64(size-done) / speed * float64(time.Second))
	}
	finished := counts[model.StateDone] + counts[model.StateSkipped]
	var details []string
	details = append(details, fmt.Sprintf("%d/%d files", finished, len(g.Jobs)))
	if n := counts[model.StateFailed]; n > 0 {
		details = append(details, fmt.Sprintf("%d failed", n))
	}
	if n := counts[model.StateSkipped]; n > 0 {
		details = append(details, fmt.Sprintf("%d skipped", n))
	}
	if n := counts[model.StatePaused]; n > 0 {
		details = append(details, fmt.Sprintf("%d paused", n))
	}
	if speed > 0 {
		d := bytes(int64(speed)) + "/s"
		if left > 0 {
			d += " ETA " + eta(left)
		}
		details = append(details, d)
	}
	frac := 0.0
	if size > 0 {
		frac = min(1, float64(done)/float64(size))
	} else if groupState(g.Jobs) == model.StateDone {
		frac = 1
	}
	mark := "▸ "
	if open {
		mark = "▾ "
	}
	src, dst := groupLabel(g.Jobs)
	label := mark + fileName(src) + fmt.Sprintf("/ (%d files) → ", len(g.Jobs)) + model.DisplayName(dst)
	sizeText := bytes(size)
	if unknown {
		sizeText = "?"
	}
	return m.line(st, groupState(g.Jobs), label, frac, bytes(done)+"/"+sizeText, strings.Join(details, " · "), cursor, inner)
}

// eta formats a remaining time for people: "<1s", "42s", "3m07s", "2h05m".
func eta(d time.Duration) string {
	switch {
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

func bytes(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }

// Widths of the amount ("512 MiB/1.0 GiB") and detail (speed and ETA, or
// a reason) columns of a job row.
const (
	amountW    = 19
	detailColW = 28
	// On a narrow panel the details give up cells, down to minDetailW, so
	// that the job column keeps minNameW ("/…/IMG_0001.jpg" and more).
	minNameW   = 24
	minDetailW = 16
)

// row: state, name, bar, percent, bytes, speed, ETA or reason.
func (m Model) row(st theme.Styles, j model.Job, indent bool, cursor bool, inner int) string {
	detail := ""
	switch j.State {
	case model.StateRunning:
		if sp := m.snap.Speed[j.ID]; sp > 0 {
			detail = bytes(int64(sp)) + "/s"
		}
		if left, ok := m.snap.ETA[j.ID]; ok && left > 0 {
			detail += " ETA " + eta(left)
		}
	case model.StateWaiting:
		if _, ok := m.snap.Question(j.ID); ok {
			// Parked until the user answers: no retry countdown.
			detail = "asking: name exists"
			break
		}
		detail = j.Reason
		if !j.RetryAt.IsZero() && !m.snap.Now.IsZero() {
			if d := j.RetryAt.Sub(m.snap.Now).Round(time.Second); d > 0 {
				detail += ", retry in " + model.FormatWait(d)
			}
		}
	case model.StateFailed:
		detail = j.Err
	case model.StateSkipped:
		detail = j.Reason
	}
	size := "?"
	if j.Size >= 0 {
		size = bytes(j.Size)
	}
	label := j.Src.Display + "\x00" + j.Dst.Display
	if indent {
		label = "  " + label
	}
	return m.line(st, j.State, label, j.Fraction(), bytes(j.Done)+"/"+size, detail, cursor, inner)
}

// line lays out one row: state, label, bar, percent, amount, detail. A
// label holding a NUL is "src\x00dst", fitted by jobLabel.
func (m Model) line(st theme.Styles, state model.State, label string, frac float64, amount, detail string, cursor bool, inner int) string {
	// The right-hand columns have fixed widths so that bars line up from
	// row to row whatever the names, amounts and details.
	amount = strings.Repeat(" ", max(amountW-lipgloss.Width(amount), 0)) + amount
	pct := fmt.Sprintf("%3.0f%%", frac*100)
	barW := 12
	stateW := 10
	detailW := detailColW
	right := 1 + barW + 1 + len(pct) + 1 + lipgloss.Width(amount) + 1 + detailW
	nameW := inner - 1 - stateW - right
	if nameW < 12 { // narrow: drop the bar, then the details
		right -= barW + 1
		barW = 0
		nameW = inner - 1 - stateW - right
	}
	if nameW < minNameW { // then narrow the details to make room for the name
		shrink := min(minNameW-nameW, detailW-minDetailW)
		detailW -= shrink
		right -= shrink
		nameW += shrink
	}
	if nameW < 8 {
		right -= 1 + detailW
		detailW = 0
		nameW = inner - 1 - stateW - right
	}
	nameW = max(nameW, 0)
	if src, dst, ok := strings.Cut(label, "\x00"); ok {
		indent := ""
		if rest, ok := strings.CutPrefix(src, "  "); ok {
			indent, src = "  ", rest
		}
		label = indent + jobLabel(src, dst, max(nameW-len(indent), 0))
	} else {
		label = cells.Truncate(label, nameW)
	}
	var b strings.Builder
	b.WriteString(" " + cells.Pad(state.String(), stateW))
	b.WriteString(cells.Pad(label, nameW))
	if barW > 0 {
		b.WriteString(" " + bar(frac, barW))
	}
	b.WriteString(" " + pct + " " + amount)
	if detailW > 0 {
		b.WriteString(" " + cells.Pad(model.DisplayName(detail), detailW))
	}
	line := cells.Pad(b.String(), inner)
	if cursor {
		return st.Cursor.Render(line)
	}
	switch state {
	case model.StateFailed:
		return st.Error.Render(line)
	case model.StateWaiting, model.StatePaused:
		return st.Warning.Render(line)
	case model.StateDone:
		return st.Success.Render(line)
	}
	return st.File.Render(line)
}

func bar(f float64, w int) string {
	n := int(f*float64(w) + 0.5)
	n = max(min(n, w), 0)
	return strings.Repeat("█", n) + strings.Repeat("░", w-n)
}

// jobLabel is "src → dst" in at most w cells. When that does not fit, the
// source is cut down to its file's own name and the destination keeps its
// telling end ("/…/IMG_1.jpg → …/Photos/2024"), so a narrow panel still says which file
// each row is about instead of showing the same account prefix on every
// row.
func jobLabel(src, dst string, w int) string {
	full := model.DisplayName(src) + " → " + model.DisplayName(dst)
	if lipgloss.Width(full) <= w {
		return full
	}
	name := strings.TrimRight(src, "/")
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		name = src
	}
	// A destination that repeats the file name says nothing more than its
	// folder does.
	if d, ok := strings.CutSuffix(dst, "/"+name); ok && d != "" {
		dst = d
	}
	// The source's folders are elided, visibly: "/…/a.txt" for a local
	// path, "…/a.txt" for a remote one.
	shown := model.DisplayName(name)
	if name != src {
		shown = "…/" + shown
		if strings.HasPrefix(src, "/") {
			shown = "/" + shown
		}
	}
	head := shown + " → "
	room := w - lipgloss.Width(head)
	if room < 6 {
		return cells.Truncate(shown, w)
	}
	return head + cells.PadKeepEnd(model.DisplayName(dst), room)
}
