package ui

import (
	"path"
	"slices"

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
			return a.quit()
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
		if f := a.found[a.focus]; f != nil {
			return tea.Batch(a.onFindSubmit(findSubmitMsg{pane: a.focus, root: f.root, query: f.query}), a.refreshConnection(a.focus))
		}
		return tea.Batch(a.load(a.focus, l.Dir(), ""), a.refreshConnection(a.focus))
	case key.Matches(k, nav.SwitchFS):
		a.chooseFS()
	case key.Matches(k, nav.GoTo):
		a.openGoto()
	case key.Matches(k, nav.Find):
		a.openFind()
	case key.Matches(k, nav.Mirror):
		return a.mirror()
	case key.Matches(k, nav.Space):
		return a.openSpace()
	case key.Matches(k, nav.Bookmark):
		return a.toggleBookmark()
	case key.Matches(k, nav.Places):
		a.openPlaces()
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
	case key.Matches(k, act.View):
		return a.openViewer()
	case key.Matches(k, act.QuickLook):
		return a.toggleQuickLook()
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
				return exportCmd(a.ctx, a.fs[a.focus], ex, a.entryPath(a.focus, l.Dir(), e), e.Name)
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
	if d := a.foundDir(a.focus, e); d != "" {
		// A find result: go to it (into it, for a folder).
		if e.IsDir() {
			return a.load(a.focus, a.fs[a.focus].Join(d, e.Name), "")
		}
		return a.load(a.focus, d, e.Name)
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
	if f := a.found[a.focus]; f != nil {
		return a.load(a.focus, f.root, "") // back from the results
	}
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
	if d := a.foundDir(i, e); d != "" {
		dir = d // a find result: its own folder
	}
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

// mirror opens the focused pane's folder in the other pane (switching it
// to the same filesystem when needed), as Midnight Commander's alt+o.
func (a *App) mirror() tea.Cmd {
	src, dst := a.focus, a.other()
	dir := a.panes[src].Listing.Dir()
	if f := a.found[src]; f != nil {
		dir = f.root
	}
	var cmds []tea.Cmd
	if a.fs[dst] != a.fs[src] {
		if i := slices.Index(a.all, a.fs[src]); i >= 0 {
			cmds = append(cmds, a.switchFS(dst, i))
		}
	}
	cmds = append(cmds, a.load(dst, dir, ""))
	a.setMessage(msgInfo, "the other pane shows "+a.where(src))
	return tea.Batch(cmds...)
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
	if a.openLink != nil {
		labels = append(labels, "a public link…") // index len(a.all): ask for it
	}
	a.pushDialog(&dialog.Confirm{ID: "switch-fs", Title: "Show in this pane", ChoiceLabel: "filesystem (tab to change)",
		Choices: labels, Choice: cur, OnYes: func(c int) tea.Msg { return switchFSMsg{pane: pi, fs: c} }})
}

// askLink asks for a public link to open in pane p.
func (a *App) askLink(p int) {
	a.pushDialog(dialog.NewInput(a.st, "open-link", "Open a public link (read-only)", "link: ", "",
		func(v string) tea.Msg { return linkSubmitMsg{pane: p, link: v} }, a.keys.Dialog))
}

// switchFS shows filesystem a.all[fi] in pane p, from its root.
func (a *App) switchFS(p, fi int) tea.Cmd {
	if fi < 0 || fi >= len(a.all) || a.all[fi] == a.fs[p] {
		return nil
	}
	a.fs[p] = a.all[fi]
	a.panes[p].Label = a.fs[p].Label()
	a.cameFrom[p] = map[string]string{}
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
