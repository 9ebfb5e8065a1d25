// Package transfers draws the transfer panel: every job of the queue with
// a progress bar, bytes, speed, ETA and state (including why a job waits),
// plus totals. It renders snapshots the engine publishes; it never talks to
// the engine itself.
package transfers

import (
	"fmt"
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
// moving in it, and the job and queue controls App carries out.
type Keys struct {
	Toggle, Maximise                 key.Binding
	Up, Down, PageUp, PageDown       key.Binding
	Pause, Cancel, Retry, Front      key.Binding
	Answer                           key.Binding
	PauseAll, CancelAll, RetryFailed key.Binding
	ClearFinished                    key.Binding
}

// Title names the group in the help.
func (Keys) Title() string { return "Transfers" }

// Bindings lists the keys for the help, in order (moving uses the
// browser's keys and is listed there).
func (k Keys) Bindings() []key.Binding {
	return []key.Binding{k.Toggle, k.Maximise, k.Pause, k.Cancel, k.Retry, k.Front, k.Answer,
		k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished}
}

// Footer lists the keys of the footer while the panel has focus.
func (k Keys) Footer() []key.Binding {
	return []key.Binding{k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished,
		k.Pause, k.Cancel, k.Retry, k.Front, k.Answer}
}

// Model is the transfer panel.
type Model struct {
	snap          Snapshot
	cursor        int
	offset        int
	width, height int
	focused       bool
	keys          Keys
}

// New returns an empty panel.
func New(keys Keys) Model { return Model{keys: keys} }

// SetKeys replaces the bindings (App enables the ones that apply).
func (m *Model) SetKeys(k Keys) { m.keys = k }

// SetFocused says whether the panel has the keyboard (its frame shows it).
func (m *Model) SetFocused(f bool) { m.focused = f }

// Update moves the cursor; the job and queue controls are App's.
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
		m.Move(-10)
	case key.Matches(k, m.keys.PageDown):
		m.Move(10)
	}
	return m, nil
}

// SetSnapshot replaces the jobs shown, keeping the cursor on the same job.
func (m *Model) SetSnapshot(s Snapshot) {
	var id model.JobID
	had := false
	if j, ok := m.Current(); ok {
		id, had = j.ID, true
	}
	m.snap = s
	if had {
		for i, j := range s.Jobs {
			if j.ID == id {
				m.cursor = i
				break
			}
		}
	}
	m.clamp()
}

// FollowActive keeps work in progress in view while the panel does not
// have focus: when no unfinished job is among the rows shown (a long
// queue whose first rows are all done), the view scrolls to the first
// running job, else to the first unfinished one, and the cursor goes
// with it. A view that already shows some unfinished job is left alone.
func (m *Model) FollowActive() {
	jobs := m.snap.Jobs
	rows := m.rows()
	if rows == 0 {
		return
	}
	for i := m.offset; i < min(m.offset+rows, len(jobs)); i++ {
		if !jobs[i].State.Terminal() {
			return
		}
	}
	target := -1
	for i, j := range jobs {
		if j.State == model.StateRunning {
			target = i
			break
		}
		if target < 0 && !j.State.Terminal() {
			target = i
		}
	}
	if target < 0 {
		return
	}
	m.cursor, m.offset = target, target
	m.clamp()
}

// Snapshot returns the snapshot shown.
func (m Model) Snapshot() Snapshot { return m.snap }

// SetSize sets the outer size, frame included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

func (m Model) rows() int { return max(m.height-3, 0) }

// Move moves the cursor by delta jobs.
func (m *Model) Move(delta int) {
	m.cursor += delta
	m.clamp()
}

func (m *Model) clamp() {
	m.cursor = min(m.cursor, len(m.snap.Jobs)-1)
	m.cursor = max(m.cursor, 0)
	rows := m.rows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if rows > 0 && m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = max(min(m.offset, len(m.snap.Jobs)-rows), 0)
}

// Current is the job under the cursor.
func (m Model) Current() (model.Job, bool) {
	if m.cursor < 0 || m.cursor >= len(m.snap.Jobs) {
		return model.Job{}, false
	}
	return m.snap.Jobs[m.cursor], true
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
	rows := m.rows()
	// Column heading line doubles as a hint line.
	b.WriteString(side + st.Column.Render(cells.Pad(" state     job", inner)) + side + "\n")
	jobs := m.snap.Jobs
	end := min(m.offset+rows, len(jobs))
	for i := m.offset; i < end; i++ {
		b.WriteString(side + m.row(st, jobs[i], i == m.cursor && focused, inner) + side + "\n")
	}
	for i := end - m.offset; i < rows; i++ {
		line := strings.Repeat(" ", inner)
		if i == 0 && len(jobs) == 0 {
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
	if n := t.ByState[model.StateRunning]; n > 0 {
		s += fmt.Sprintf(", %d running", n)
	}
	if n := t.ByState[model.StateWaiting] + t.ByState[model.StateQueued]; n > 0 {
		s += fmt.Sprintf(", %d waiting", n)
	}
	if n := len(m.snap.Questions); n > 0 {
		s += fmt.Sprintf(" (%d asking)", n)
	}
	if n := t.ByState[model.StateDone]; n > 0 {
		s += fmt.Sprintf(", %d done", n)
	}
	if n := t.ByState[model.StateFailed]; n > 0 {
		s += fmt.Sprintf(", %d failed", n)
	}
	if t.BytesTotal > 0 {
		s += fmt.Sprintf(" · %s / %s", bytes(t.BytesDone), bytes(t.BytesTotal))
	}
	if t.Speed > 0 {
		s += " · " + bytes(int64(t.Speed)) + "/s"
	}
	if t.ETAKnown && t.ETA > 0 {
		s += " · ETA " + eta(t.ETA)
	}
	if th := t.Throttle.String(); th != "" {
		s += " · " + th
	}
	return s
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
func (m Model) row(st theme.Styles, j model.Job, cursor bool, inner int) string {
	state := j.State.String()
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
	// The right-hand columns have fixed widths so that bars line up from
	// row to row whatever the names, amounts and details.
	amount := bytes(j.Done) + "/" + size
	amount = strings.Repeat(" ", max(amountW-lipgloss.Width(amount), 0)) + amount
	pct := fmt.Sprintf("%3.0f%%", j.Fraction()*100)
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
	var b strings.Builder
	b.WriteString(" " + cells.Pad(state, stateW))
	b.WriteString(cells.Pad(jobLabel(j.Src.Display, j.Dst.Display, max(nameW, 0)), max(nameW, 0)))
	if barW > 0 {
		b.WriteString(" " + bar(j.Fraction(), barW))
	}
	b.WriteString(" " + pct + " " + amount)
	if detailW > 0 {
		b.WriteString(" " + cells.Pad(model.DisplayName(detail), detailW))
	}
	line := cells.Pad(b.String(), inner)
	if cursor {
		return st.Cursor.Render(line)
	}
	switch j.State {
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
