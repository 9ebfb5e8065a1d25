package ui

import (
	"path"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// onBrowseKey handles a key press in the focused pane.
func (a *App) onBrowseKey(k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	nav, sel, act, dups := &km.Browse.Nav, &km.Browse.Select, &km.Browse.Actions, &km.Browse.Dups
	p := a.cur()
	l := p.Listing
	page := max(p.RowsHeight()-1, 1)
	switch {
	case key.Matches(k, km.General.Help):
		a.openHelp()
	case key.Matches(k, km.General.Quit):
		if a.transfers == nil {
			return tea.Quit
		}
		return quitCheckCmd(a.transfers)
	case key.Matches(k, nav.Up):
		l.Move(-1)
	case key.Matches(k, nav.Down):
		l.Move(1)
	case key.Matches(k, nav.PageUp):
		l.Move(-page)
	case key.Matches(k, nav.PageDown):
		l.Move(page)
	case key.Matches(k, nav.Home):
		l.Home()
	case key.Matches(k, nav.End):
		l.End()
	case key.Matches(k, nav.Open):
		return a.open()
	case key.Matches(k, nav.Parent):
		return a.parent()
	case key.Matches(k, nav.Refresh):
		return tea.Batch(a.load(a.focus, l.Dir(), ""), a.refreshConnection(a.focus))
	case key.Matches(k, nav.SwitchFS):
		a.chooseFS()
	case key.Matches(k, nav.GoTo):
		a.openGoto()
	case key.Matches(k, sel.Toggle):
		l.ToggleMark()
	case key.Matches(k, sel.SelectAll):
		l.MarkAll()
	case key.Matches(k, sel.Invert):
		l.InvertMarks()
	case key.Matches(k, sel.SelectPattern), key.Matches(k, sel.UnselectPattern):
		a.openPattern(key.Matches(k, sel.SelectPattern))
	case key.Matches(k, sel.ClearMarks):
		if l.Filter() != "" {
			l.SetFilter("", nil)
		} else {
			l.ClearMarks()
		}
	case key.Matches(k, sel.Filter):
		return a.startFilter()
	case key.Matches(k, sel.SortCycle):
		sk, rev := l.Sort()
		a.setMessage(msgInfo, "sorted by "+((sk+1)%3).String())
		return a.sort((sk+1)%3, rev)
	case key.Matches(k, sel.SortReverse):
		sk, rev := l.Sort()
		return a.sort(sk, !rev)
	case key.Matches(k, sel.Hidden):
		l.SetShowHidden(!l.ShowHidden())
	case key.Matches(k, act.Copy):
		a.confirmTransfer(model.OpCopy)
	case key.Matches(k, act.Move):
		a.confirmTransfer(model.OpMove)
	case key.Matches(k, act.Rename):
		return a.startRename()
	case key.Matches(k, act.Mkdir):
		a.openMkdir()
	case key.Matches(k, act.Delete):
		a.confirmDelete(false)
	case key.Matches(k, act.DeleteForever):
		a.confirmDelete(true)
	case key.Matches(k, act.Rubbish):
		if rb, ok := a.fs[a.focus].(RubbishBin); ok {
			return a.load(a.focus, rb.RubbishPath(), "")
		}
	case key.Matches(k, act.Restore):
		a.confirmRestore()
	case key.Matches(k, dups.Next):
		a.jumpToDuplicate(1)
	case key.Matches(k, dups.Prev):
		a.jumpToDuplicate(-1)
	case key.Matches(k, dups.Dedupe):
		a.openDedupe()
	case key.Matches(k, dups.Undo):
		a.confirmUndoDedupe()
	case key.Matches(k, act.Export):
		if ex, ok := a.fs[a.focus].(Exporter); ok {
			if e, ok := l.Current(); ok {
				a.setMessage(msgInfo, "exporting a link for "+pane.DisplayName(e.Name)+"…")
				return exportCmd(a.ctx, ex, a.entryPath(a.focus, l.Dir(), e), e.Name)
			}
		}
	}
	return nil
}

func (a *App) open() tea.Cmd {
	l := a.cur().Listing
	e, ok := l.Current()
	if !ok {
		return nil
	}
	if !e.IsDir() {
		a.setMessage(msgInfo, pane.DisplayName(e.Name)+" is not a folder")
		return nil
	}
	dir := a.fs[a.focus].Join(l.Dir(), e.Name)
	a.cameFrom[a.focus][dir] = e.Name
	return a.load(a.focus, dir, "")
}

func (a *App) parent() tea.Cmd {
	fs := a.fs[a.focus]
	dir := a.cur().Listing.Dir()
	up := fs.Parent(dir)
	if up == dir {
		return nil
	}
	name, ok := a.cameFrom[a.focus][dir]
	if !ok {
		name = path.Base(dir)
	}
	return a.load(a.focus, up, name)
}

// entryPath addresses entry e of folder dir in pane i for an operation on
// it: by its own identity where the filesystem can (MEGA folders may hold
// several entries with one name), otherwise by path.
func (a *App) entryPath(i int, dir string, e model.Entry) string {
	if ep, ok := a.fs[i].(EntryPather); ok {
		return ep.EntryPath(dir, e)
	}
	return a.fs[i].Join(dir, e.Name)
}

// targets returns the entries an action applies to and their paths.
func (a *App) targets() ([]model.Entry, []string) {
	l := a.cur().Listing
	es := l.Targets()
	paths := make([]string, len(es))
	for i, e := range es {
		paths[i] = a.entryPath(a.focus, l.Dir(), e)
	}
	return es, paths
}

// chooseFS asks which filesystem the focused pane should show.
func (a *App) chooseFS() {
	labels := make([]string, len(a.all))
	cur := 0
	for i, fs := range a.all {
		labels[i] = pane.DisplayName(fs.Label())
		if fs == a.fs[a.focus] {
			cur = i
		}
	}
	pi := a.focus
	a.pushDialog(&dialog.Confirm{ID: "switch-fs", Title: "Show in this pane", ChoiceLabel: "filesystem (tab to change)",
		Choices: labels, Choice: cur, OnYes: func(c int) tea.Msg { return switchFSMsg{pane: pi, fs: c} }})
}

// switchFS shows filesystem a.all[fi] in pane p, from its root.
func (a *App) switchFS(p, fi int) tea.Cmd {
	if fi < 0 || fi >= len(a.all) || a.all[fi] == a.fs[p] {
		return nil
	}
	a.fs[p] = a.all[fi]
	a.panes[p].Label = a.fs[p].Label()
	a.cameFrom[p] = map[string]string{}
	a.quota[p] = nil
	// A fresh listing (same sort and hidden toggle): marks and remembered
	// cursors of the other filesystem must not carry over.
	old := a.panes[p].Listing
	l := model.NewListing()
	l.SetSort(old.Sort())
	l.SetShowHidden(old.ShowHidden())
	a.panes[p].Listing = l
	a.dups[p] = dupIndex{}
	return tea.Batch(append(a.startFS(p), a.load(p, "/", ""))...)
}

// sort changes the focused pane's sort order: in Update for small folders,
// in a Cmd for big ones (the result is dropped if it is stale by the time
// it arrives). The cursor stays on the same entry either way.
func (a *App) sort(key model.SortKey, reverse bool) tea.Cmd {
	l := a.cur().Listing
	if l.Total() < a.asyncFilterAbove {
		l.SetSort(key, reverse)
		return nil
	}
	if job, pending := l.BeginSort(key, reverse); pending {
		return sortCmd(a.focus, job)
	}
	return nil
}
