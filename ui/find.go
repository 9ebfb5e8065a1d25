package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// Find: a search of the focused pane's folder and everything below it by
// name, size and age (model.FindQuery), over the filesystem's listings
// (MEGA's are in memory). The results replace the pane's rows, each shown
// with its folder; they are entries like any others (view, copy, move,
// delete, rename act on them), enter goes to a result's folder, and
// backspace, ctrl+r or any folder change leaves the results.

// maxFound bounds the results kept.
const maxFound = 10_000

// findState is a pane showing find results.
type findState struct {
	root  string
	query string
	where map[string]string // EntryKey → the entry's folder (a path)
}

type (
	findSubmitMsg struct {
		pane  int
		root  string
		query string
	}
	findResultMsg struct {
		pane      int
		seq       uint64
		root      string
		query     string
		entries   []model.Entry
		where     map[string]string
		truncated bool
		err       error
	}
)

func (a *App) openFind() {
	pi, root := a.focus, a.cur().Listing.Dir()
	if f := a.found[pi]; f != nil {
		root = f.root
	}
	d := dialog.NewInput(a.st, "find", "Find below "+a.where(pi), "find: ", "",
		func(v string) tea.Msg { return findSubmitMsg{pane: pi, root: root, query: v} }, a.keys.Dialog)
	d.Lines = []string{"name glob or text, >size <size (10M), <age >age (7d, 3m, 1y)", "e.g.  *.jpg >2M <30d"}
	a.pushDialog(d)
}

func (a *App) onFindSubmit(m findSubmitMsg) tea.Cmd {
	q, err := model.ParseFind(m.query)
	if err != nil {
		a.setError(err)
		return nil
	}
	a.seq[m.pane]++
	// A newer find or listing of the pane ends this walk, as load does.
	if a.cancel[m.pane] != nil {
		a.cancel[m.pane]()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.cancel[m.pane] = cancel
	seq, fs := a.seq[m.pane], a.fs[m.pane]
	ep, _ := fs.(EntryPather)
	a.panes[m.pane].Loading = true
	a.setMessage(msgInfo, "finding "+pane.DisplayName(m.query)+" below "+pane.DisplayName(m.root)+"…")
	return func() tea.Msg {
		es, where, truncated, err := find(ctx, fs, ep, m.root, q, time.Now())
		return findResultMsg{pane: m.pane, seq: seq, root: m.root, query: m.query, entries: es, where: where,
			truncated: truncated, err: err}
	}
}

// find walks root and below, breadth first, collecting what q matches.
func find(ctx context.Context, fs FS, ep EntryPather, root string, q model.FindQuery, now time.Time) ([]model.Entry, map[string]string, bool, error) {
	type dir struct{ ref, path string }
	queue := []dir{{root, root}}
	var out []model.Entry
	where := map[string]string{}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, nil, false, err
		}
		d := queue[0]
		queue = queue[1:]
		es, err := fs.List(ctx, d.ref)
		if err != nil {
			if d.ref == root {
				return nil, nil, false, err
			}
			continue // a folder that cannot be listed is left out
		}
		for _, e := range es {
			if q.Match(e, now) {
				if len(out) == maxFound {
					return out, where, true, nil
				}
				out = append(out, e)
				where[model.EntryKey(e)] = d.path
			}
			if e.IsDir() {
				ref := fs.Join(d.ref, e.Name)
				if ep != nil {
					ref = ep.EntryPath(d.ref, e)
				}
				queue = append(queue, dir{ref, fs.Join(d.path, e.Name)})
			}
		}
	}
	return out, where, false, nil
}

func (a *App) onFindResult(m findResultMsg) {
	if m.seq != a.seq[m.pane] {
		return
	}
	p := &a.panes[m.pane]
	p.Loading = false
	if m.err != nil {
		a.setError(fmt.Errorf("find %s: %w", pane.DisplayName(m.query), m.err))
		return
	}
	f := &findState{root: m.root, query: m.query, where: m.where}
	a.found[m.pane] = f
	p.Listing.SetEntries(m.root, m.entries)
	p.Listing.Home()
	n := fmt.Sprintf("%d result(s)", len(m.entries))
	if m.truncated {
		n = fmt.Sprintf("the first %d results", len(m.entries))
	}
	p.Title = "find " + m.query + " below " + m.root + " · " + n
	root := strings.TrimSuffix(m.root, "/")
	p.Where = func(e model.Entry) string {
		w := f.where[model.EntryKey(e)]
		if rel, ok := strings.CutPrefix(w, root); ok {
			return strings.TrimPrefix(rel, "/")
		}
		return w
	}
	a.dups[m.pane] = dupIndex{}
	a.setMessage(msgSuccess, n+" for "+pane.DisplayName(m.query)+" · enter: go to one · backspace: back to the folder")
}

// leaveFind forgets pane p's results (a listing replaces them).
func (a *App) leaveFind(p int) {
	a.found[p] = nil
	a.panes[p].Title, a.panes[p].Where = "", nil
}

// foundDir is the folder of a result in pane p ("" when p shows no
// results or e is not one).
func (a *App) foundDir(p int, e model.Entry) string {
	if f := a.found[p]; f != nil {
		return f.where[model.EntryKey(e)]
	}
	return ""
}
