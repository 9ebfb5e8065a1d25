package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/pane"
)

// The space view (z): what uses the space of a folder, as ncdu shows it —
// its entries by size, largest first, with bars and shares; enter goes
// into a folder, backspace back up. At the top of a MEGA account the
// Rubbish Bin is listed too: it counts against the quota.

type spaceRow struct {
	name string
	ref  string // the folder's path, for going in ("" for files)
	size int64
	dir  bool
}

// spaceOverlay is the open space view.
type spaceOverlay struct {
	pane    int
	seq     uint64
	stack   []string // folders gone into (display paths), the last shown
	rows    []spaceRow
	total   int64
	cursor  int
	loading bool
	err     string
}

type spaceMsg struct {
	seq  uint64
	rows []spaceRow
	err  error
}

func (a *App) openSpace() tea.Cmd {
	if _, ok := a.fs[a.focus].(FolderSizer); !ok {
		return nil
	}
	o := &spaceOverlay{pane: a.focus, stack: []string{a.cur().Listing.Dir()}}
	a.push(o)
	return a.spaceLoad(o)
}

func (a *App) spaceLoad(o *spaceOverlay) tea.Cmd {
	a.spaceSeq++
	o.seq, o.loading, o.err, o.cursor = a.spaceSeq, true, "", 0
	fs := a.fs[o.pane]
	fz := fs.(FolderSizer)
	dir, seq, ctx := o.stack[len(o.stack)-1], o.seq, a.ctx
	bin := ""
	if rb, ok := fs.(RubbishBin); ok && fs.Parent(dir) == dir {
		bin = rb.RubbishPath() // the top of the account: the bin counts too
	}
	return func() tea.Msg {
		rows, err := spaceRows(ctx, fs, fz, dir)
		if err == nil && bin != "" {
			var binRows []spaceRow
			if binRows, err = spaceRows(ctx, fs, fz, bin); err == nil {
				var n int64
				for _, r := range binRows {
					n += r.size
				}
				rows = append(rows, spaceRow{name: "Rubbish Bin", ref: bin, size: n, dir: true})
			}
		}
		slices.SortStableFunc(rows, func(a, b spaceRow) int {
			switch {
			case a.size > b.size:
				return -1
			case a.size < b.size:
				return 1
			}
			return model.NaturalCompare(a.name, b.name)
		})
		return spaceMsg{seq: seq, rows: rows, err: err}
	}
}

func spaceRows(ctx context.Context, fs FS, fz FolderSizer, dir string) ([]spaceRow, error) {
	es, err := fs.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	var folders []model.Entry
	for _, e := range es {
		if e.IsDir() {
			folders = append(folders, e)
		}
	}
	sizes, err := fz.FolderSizes(ctx, dir, folders)
	if err != nil {
		return nil, err
	}
	rows := make([]spaceRow, 0, len(es))
	for _, e := range es {
		r := spaceRow{name: e.Name, size: max(e.Size, 0), dir: e.IsDir()}
		if e.IsDir() {
			r.size, r.ref = sizes[model.EntryKey(e)], fs.Join(dir, e.Name)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (a *App) onSpace(m spaceMsg) {
	o, ok := findOverlay[*spaceOverlay](a)
	if !ok || o.seq != m.seq {
		return
	}
	o.loading = false
	if m.err != nil {
		o.err = m.err.Error()
		return
	}
	o.rows, o.total = m.rows, 0
	for _, r := range m.rows {
		o.total += r.size
	}
}

func (o *spaceOverlay) update(a *App, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	live := func(b key.Binding) key.Binding { b.SetEnabled(true); return b }
	nav := a.keys.Browse.Nav
	rows := a.spaceRowsShown()
	switch {
	case key.Matches(k, live(nav.Up)):
		o.cursor = max(o.cursor-1, 0)
	case key.Matches(k, live(nav.Down)):
		o.cursor = min(o.cursor+1, max(len(o.rows)-1, 0))
	case key.Matches(k, live(nav.PageUp)):
		o.cursor = max(o.cursor-rows, 0)
	case key.Matches(k, live(nav.PageDown)):
		o.cursor = min(o.cursor+rows, max(len(o.rows)-1, 0))
	case key.Matches(k, live(nav.Home)):
		o.cursor = 0
	case key.Matches(k, live(nav.End)):
		o.cursor = max(len(o.rows)-1, 0)
	case key.Matches(k, live(nav.Open)):
		if o.cursor < len(o.rows) && o.rows[o.cursor].dir && !o.loading {
			o.stack = append(o.stack, o.rows[o.cursor].ref)
			return a.spaceLoad(o)
		}
	case key.Matches(k, live(nav.Parent)):
		if len(o.stack) > 1 {
			o.stack = o.stack[:len(o.stack)-1]
			return a.spaceLoad(o)
		}
		fs := a.fs[o.pane]
		if up := fs.Parent(o.stack[0]); up != o.stack[0] {
			o.stack[0] = up
			return a.spaceLoad(o)
		}
	default:
		a.close(o) // esc, q or any other key closes the view
	}
	return nil
}

func (a *App) spaceRowsShown() int { return max(a.height-9, 3) }

func (a *App) renderSpace(o *spaceOverlay) string {
	w := max(min(a.width-2, 110), 30)
	inner := w - 4
	dir := o.stack[len(o.stack)-1]
	var b strings.Builder
	title := "Space used in " + pane.DisplayName(a.fs[o.pane].Label()+":"+dir)
	if !o.loading && o.err == "" {
		title += " · " + humanize.IBytes(uint64(o.total))
	}
	b.WriteString(a.st.DialogTitle.Render(cells.Truncate(title, inner)) + "\n\n")
	switch {
	case o.loading:
		b.WriteString(a.st.Loading.Render("adding up…") + "\n")
	case o.err != "":
		b.WriteString(a.st.Error.Render(cells.Truncate(pane.DisplayName(o.err), inner)) + "\n")
	case len(o.rows) == 0:
		b.WriteString(a.st.Status.Render("(empty)") + "\n")
	}
	rows := a.spaceRowsShown()
	start := min(max(o.cursor-rows/2, 0), max(len(o.rows)-rows, 0))
	var top int64 = 1
	if len(o.rows) > 0 {
		top = max(o.rows[0].size, 1)
	}
	const barW = 20
	for i := start; i < min(start+rows, len(o.rows)) && !o.loading; i++ {
		r := o.rows[i]
		fill := int(float64(barW) * float64(r.size) / float64(top))
		bar := strings.Repeat("█", fill) + strings.Repeat("░", barW-fill)
		pct := 0.0
		if o.total > 0 {
			pct = 100 * float64(r.size) / float64(o.total)
		}
		name := pane.DisplayName(r.name)
		if r.dir {
			name += "/"
		}
		line := fmt.Sprintf("%10s %5.1f%% %s  %s", humanize.IBytes(uint64(r.size)), pct, bar, name)
		line = cells.Pad(cells.Truncate(line, inner), inner)
		switch {
		case i == o.cursor:
			line = a.st.Cursor.Render(line)
		case r.dir:
			line = a.st.Folder.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + a.st.Status.Render(cells.Truncate("enter: into a folder · backspace: up · esc: close", inner)))
	return a.st.Dialog.Width(w).Render(b.String())
}
