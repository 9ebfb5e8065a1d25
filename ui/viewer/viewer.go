// Package viewer is megatui's file viewer (F3): a text view of any size of
// file, read in ranges so that a 2 GiB log opens at once (MEGA files are
// fetched and decrypted range by range), with search; binary files and
// images get a summary (type, size, dimensions where cheap) and the first
// bytes in hex.
//
// Like the other children of App the viewer does no I/O: it asks for
// ranges and searches through Request, and App answers with SetChunk and
// SetFound.
package viewer

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/theme"
)

// Chunk is the size of one range read; Window bounds what is kept.
const (
	Chunk  = 64 << 10
	Window = 1 << 20
)

// Keys are the viewer's bindings.
type Keys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Search, Next, Close                   key.Binding
	Accept, Cancel                        key.Binding // of the search input
}

// Title names the group in the help.
func (Keys) Title() string { return "Viewer" }

// Bindings lists the keys for the help and the footer.
func (k Keys) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Search, k.Next, k.Close}
}

// ReadRequest asks for N bytes at Off. Replace drops the window (a jump);
// otherwise the bytes extend it (Off is its end) or come before it (Off+N
// is its start).
type ReadRequest struct {
	Off, N  int64
	Replace bool
}

// SearchRequest asks for the first offset of Pattern at or after From
// (ASCII case folded).
type SearchRequest struct {
	Pattern string
	From    int64
}

// CloseRequest asks App to close the viewer.
type CloseRequest struct{}

// Model is the viewer of one file.
type Model struct {
	name string
	size int64
	keys Keys

	start int64  // file offset of data[0]
	data  []byte // the loaded window
	top   int    // offset in data of the first line shown
	// atEnd: after a jump to the end, show the last screen.
	atEnd   bool
	pending bool // a read is on its way
	binary  bool
	summary []string

	input     textinput.Model
	searching bool   // the search input is open
	pattern   string // the last search
	found     int64  // file offset of the match shown; -1 none
	busy      string // what is running ("searching…")
	err       string

	width, height int
	req           any
}

// New opens the viewer on a file (its display name) of size bytes; the
// first Request reads its beginning.
func New(name string, size int64, keys Keys) Model {
	in := textinput.New()
	in.Prompt = "/"
	m := Model{name: name, size: size, keys: keys, input: in, found: -1}
	m.pending = true
	m.req = ReadRequest{Off: 0, N: min(Chunk, size), Replace: true}
	return m
}

// SetKeys replaces the bindings.
func (m *Model) SetKeys(k Keys) { m.keys = k }

// SetStyles styles the search input.
func (m *Model) SetStyles(st theme.Styles) { m.input.SetStyles(st.Input) }

// SetSize sets the viewer's size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Request is what the last Update (or New) asks of App.
func (m Model) Request() any { return m.req }

// Searching reports whether the search input has the keyboard.
func (m Model) Searching() bool { return m.searching }

// Offset is the file offset of the first line shown.
func (m Model) Offset() int64 { return m.start + int64(m.top) }

// Loaded is the file range held, for tests.
func (m Model) Loaded() (start, end int64) { return m.start, m.start + int64(len(m.data)) }

func (m Model) rows() int { return max(m.height-2, 1) }

// SetChunk gives the bytes of a ReadRequest.
func (m *Model) SetChunk(r ReadRequest, data []byte, err error) {
	m.pending, m.req = false, nil
	if err != nil {
		m.err = "read: " + err.Error()
		return
	}
	m.err = ""
	switch {
	case r.Replace:
		m.start, m.data, m.top = r.Off, data, 0
		if r.Off > 0 {
			// Start at a line: the bytes before the first newline are
			// the end of a line that began earlier.
			if i := bytes.IndexByte(data, '\n'); i >= 0 && i < len(data)-1 {
				m.top = i + 1
			}
		}
		if r.Off == 0 && m.summary == nil {
			m.classify()
		}
		if m.found >= 0 {
			m.top = m.lineStart(int(m.found - m.start))
		}
		if m.atEnd {
			m.atEnd = false
			m.top = m.lastScreen()
		}
	case r.Off == m.start+int64(len(m.data)):
		m.data = append(m.data, data...)
		if n := len(m.data) - Window; n > 0 && m.top > n {
			// Keep the window bounded: drop what is far above.
			cut := n
			if i := bytes.IndexByte(m.data[cut:], '\n'); i >= 0 {
				cut += i + 1
			}
			cut = min(cut, m.top)
			m.data = m.data[cut:]
			m.start += int64(cut)
			m.top -= cut
		}
	case r.Off+int64(len(data)) == m.start:
		m.data = append(append([]byte{}, data...), m.data...)
		m.start = r.Off
		m.top += len(data)
		m.top = m.prevLine(m.top)
		if len(m.data) > Window {
			m.data = m.data[:max(Window, m.top+Chunk)]
		}
	}
}

// SetFound gives the answer to a SearchRequest: off is -1 when the
// pattern is not found.
func (m *Model) SetFound(off int64, err error) {
	m.busy, m.req = "", nil
	switch {
	case err != nil:
		m.err = "search: " + err.Error()
	case off < 0:
		m.err = fmt.Sprintf("%q not found below", m.pattern)
	default:
		m.err, m.found = "", off
		if off >= m.start && off < m.start+int64(len(m.data)) {
			m.top = m.lineStart(int(off - m.start))
			return
		}
		m.pending = true
		m.req = ReadRequest{Off: max(off-Chunk/2, 0), N: min(Chunk, m.size), Replace: true}
	}
}

// classify decides from the first bytes whether the file is text.
func (m *Model) classify() {
	head := m.data[:min(len(m.data), 8<<10)]
	bad := 0
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		if r == 0 || (r == utf8.RuneError && n == 1 && i+4 < len(head)) {
			bad++
		}
		i += n
	}
	if len(head) > 0 && (bytes.IndexByte(head, 0) >= 0 || bad*10 > len(head)) {
		m.binary = true
		m.summary = Summary(m.name, m.size, m.data)
	} else {
		m.summary = []string{}
	}
}

// lineStart is the start of the line holding data offset i.
func (m Model) lineStart(i int) int {
	i = min(max(i, 0), len(m.data))
	if j := bytes.LastIndexByte(m.data[:i], '\n'); j >= 0 {
		return j + 1
	}
	return 0
}

// prevLine is the start of the line before the one starting at i.
func (m Model) prevLine(i int) int {
	if i <= 0 {
		return 0
	}
	return m.lineStart(i - 1)
}

// nextLine is the start of the line after the one starting at i, and
// whether the loaded data holds it.
func (m Model) nextLine(i int) (int, bool) {
	j := bytes.IndexByte(m.data[i:], '\n')
	if j < 0 || i+j+1 >= len(m.data) {
		return i, false
	}
	return i + j + 1, true
}

// lastScreen is the top of the last screenful of the window.
func (m Model) lastScreen() int {
	top := len(m.data)
	if top > 0 && m.data[top-1] == '\n' {
		top--
	}
	top = m.lineStart(top)
	for range m.rows() - 1 {
		if top == 0 {
			break
		}
		top = m.prevLine(top)
	}
	return top
}

func (m Model) end() int64 { return m.start + int64(len(m.data)) }

// Update handles a key press; Request then says what to read or search.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m.req = nil
	k, ok := msg.(tea.KeyPressMsg)
	if m.searching {
		if ok {
			switch {
			case key.Matches(k, m.keys.Accept):
				m.searching = false
				m.input.Blur()
				if p := m.input.Value(); p != "" {
					m.pattern = p
					m.busy = "searching…"
					m.req = SearchRequest{Pattern: p, From: m.Offset()}
				}
				return m, nil
			case key.Matches(k, m.keys.Cancel):
				m.searching = false
				m.input.Blur()
				return m, nil
			}
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	if !ok {
		return m, nil
	}
	if m.binary {
		if key.Matches(k, m.keys.Close) {
			m.req = CloseRequest{}
		}
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Close):
		m.req = CloseRequest{}
	case key.Matches(k, m.keys.Down):
		m.scroll(1)
	case key.Matches(k, m.keys.Up):
		m.scroll(-1)
	case key.Matches(k, m.keys.PageDown):
		m.scroll(m.rows() - 1)
	case key.Matches(k, m.keys.PageUp):
		m.scroll(-(m.rows() - 1))
	case key.Matches(k, m.keys.Home):
		m.found = -1
		if m.start == 0 {
			m.top = 0
		} else {
			m.pending = true
			m.req = ReadRequest{Off: 0, N: min(Chunk, m.size), Replace: true}
		}
	case key.Matches(k, m.keys.End):
		m.found = -1
		if m.end() >= m.size {
			m.top = m.lastScreen()
		} else {
			m.pending, m.atEnd = true, true
			off := max(m.size-Chunk, 0)
			m.req = ReadRequest{Off: off, N: m.size - off, Replace: true}
		}
	case key.Matches(k, m.keys.Search):
		m.searching = true
		m.input.SetValue("")
		return m, m.input.Focus()
	case key.Matches(k, m.keys.Next):
		if m.pattern != "" {
			from := m.Offset()
			if m.found >= 0 {
				from = m.found + 1
			}
			m.busy = "searching…"
			m.req = SearchRequest{Pattern: m.pattern, From: from}
		}
	}
	return m, nil
}

// scroll moves the first line shown by n lines (negative: up), asking for
// the next range when the window runs short.
func (m *Model) scroll(n int) {
	for ; n > 0; n-- {
		next, ok := m.nextLine(m.top)
		if !ok {
			break
		}
		m.top = next
	}
	for ; n < 0; n++ {
		if m.top == 0 {
			break
		}
		m.top = m.prevLine(m.top)
	}
	m.prefetch()
}

// prefetch asks for the range after (or before) the window when fewer
// than two screens of it are left on that side.
func (m *Model) prefetch() {
	if m.pending {
		return
	}
	below := bytes.Count(m.data[m.top:], []byte{'\n'})
	if below < 2*m.rows() && m.end() < m.size {
		m.pending = true
		m.req = ReadRequest{Off: m.end(), N: min(Chunk, m.size-m.end())}
		return
	}
	if m.top < 4<<10 && m.start > 0 {
		n := min(int64(Chunk), m.start)
		m.pending = true
		m.req = ReadRequest{Off: m.start - n, N: n}
	}
}

// View draws the viewer in its size: a title line, the text, and a
// status line (the search input while it is open).
func (m Model) View(st theme.Styles) string {
	w, h := m.width, m.height
	if w < 10 || h < 3 {
		return ""
	}
	pos := "0%"
	if m.size > 0 {
		pos = fmt.Sprintf("%d%%", (m.Offset()*100)/m.size)
	}
	what := "text"
	if m.binary {
		what = "binary"
	}
	title := fmt.Sprintf(" %s · %s · %s · %s ", model.DisplayName(m.name), humanize.IBytes(uint64(max(m.size, 0))), what, pos)
	lines := []string{st.PaneTitleOn.Render(cells.Pad(cells.Truncate(title, w), w))}
	body := m.rows()
	switch {
	case m.binary:
		for _, l := range m.summary {
			lines = append(lines, cells.Pad(cells.Truncate(l, w), w))
		}
	case len(m.data) == 0 && m.pending:
		lines = append(lines, st.Loading.Render(cells.Pad("reading…", w)))
	default:
		i := m.top
		for range body {
			if i >= len(m.data) {
				break
			}
			j := bytes.IndexByte(m.data[i:], '\n')
			line := m.data[i:]
			next := len(m.data)
			if j >= 0 {
				line, next = m.data[i:i+j], i+j+1
			}
			text := cells.Pad(cells.Truncate(Sanitize(line), w), w)
			if m.found >= 0 && m.found >= m.start+int64(i) && m.found < m.start+int64(next) {
				text = st.Selected.Render(text)
			}
			lines = append(lines, text)
			i = next
		}
	}
	for len(lines) < h-1 {
		lines = append(lines, strings.Repeat(" ", w))
	}
	lines = lines[:h-1]
	status := "↑/↓ pgup/pgdn g/G move · / search · n next · esc/F3 close"
	if m.binary {
		status = "a summary: this is not text · esc/F3 close"
	}
	switch {
	case m.searching:
		status = m.input.View()
	case m.err != "":
		status = st.Error.Render(model.DisplayName(m.err))
	case m.busy != "":
		status = st.Loading.Render(m.busy + " (esc closes)")
	case m.pending:
		status = st.Loading.Render("reading…")
	}
	lines = append(lines, cells.Pad(cells.Truncate(status, w), w))
	return strings.Join(lines, "\n")
}

// Sanitize makes a line of file content safe and tidy for the terminal:
// tabs become spaces, control characters, escape sequences and invalid
// bytes become visible marks, so file content can never drive the
// terminal.
func Sanitize(line []byte) string {
	var b strings.Builder
	col := 0
	for len(line) > 0 {
		r, n := utf8.DecodeRune(line)
		line = line[n:]
		switch {
		case r == '\t':
			k := 4 - col%4
			b.WriteString(strings.Repeat(" ", k))
			col += k
			continue
		case r == '\r' && len(line) == 0:
			continue // CRLF line ends
		case r == utf8.RuneError && n == 1:
			b.WriteString("�")
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteString("·")
		case r >= utf8.RuneSelf && model.DisplayName(string(r)) != string(r):
			b.WriteString("·") // bidi overrides and the like
		default:
			b.WriteRune(r)
		}
		col += max(lipgloss.Width(string(r)), 1)
	}
	return b.String()
}
