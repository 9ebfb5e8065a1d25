package ui

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/theme"
)

// Update routes a message: results of Cmds first, then key presses to the
// open dialog, the help overlay, the filter input, and finally the global
// and pane bindings.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	a.maybeAsk()
	a.syncKeys()
	for i := range a.panes {
		a.panes[i].Scroll()
	}
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.resize(msg.Width, msg.Height)
		return nil
	case tea.BackgroundColorMsg:
		if !a.fixedTheme {
			a.st = theme.New(msg.IsDark(), a.noColor)
			a.filterInput.SetStyles(a.st.Input)
			a.renameInput.SetStyles(a.st.Input)
			if a.login != nil {
				a.login.form.SetStyles(a.st)
			}
		}
		return nil
	case ddProgressMsg, ddScanMsg, ddHashesMsg, ddPlanMsg, ddResultMsg:
		return a.onDedupeMsg(msg)
	case loginResultMsg:
		return a.onLoginResult(msg)
	case undoConfirmedMsg:
		a.setMessage(msgInfo, "undoing the last dedupe…")
		return undoDedupeCmd(a.ctx, msg)
	case undoDoneMsg:
		if msg.err != nil {
			a.setError(fmt.Errorf("undo dedupe: %w", msg.err))
		} else {
			a.setMessage(msgSuccess, fmt.Sprintf("undo dedupe: %d action(s) reversed, %d failed", msg.res.Applied, msg.res.Failed))
		}
		return a.reloadFS(msg.fs)
	case listingMsg:
		return a.onListing(msg)
	case opResultMsg:
		return a.onOpResult(msg)
	case filterResultMsg:
		a.panes[msg.pane].Listing.ApplyFilter(msg.res)
		return nil
	case sortResultMsg:
		a.panes[msg.pane].Listing.ApplySort(msg.res)
		return nil
	case enqueuedMsg:
		if msg.err != nil {
			a.setError(msg.err)
		} else {
			a.setMessage(msgSuccess, fmt.Sprintf("queued %s of %d item(s)", msg.op, msg.n))
			a.panes[a.focus].Listing.ClearMarks()
			if !a.flags.transfers {
				a.flags.transfers = true
				a.resize(a.width, a.height)
			}
		}
		return nil
	case snapshotMsg:
		if !msg.ok {
			return nil
		}
		a.panel.SetSnapshot(msg.snap)
		if !a.panelFocus {
			a.panel.FollowActive()
		}
		a.onQuestions()
		var cmds []tea.Cmd
		if done := msg.snap.Totals.ByState[model.StateDone]; done != a.lastDone {
			if done > a.lastDone {
				// Finished jobs changed what the panes show.
				for i := range a.panes {
					cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
				}
			}
			a.lastDone = done
		}
		return tea.Batch(append(cmds, snapshotCmd(msg.ch))...)
	case askAnsweredMsg:
		a.onAskAnswered(msg)
		return nil
	case queueCtlMsg:
		a.onQueueCtl(msg)
		return nil
	case cancelAllConfirmedMsg:
		if a.transfers == nil {
			return nil
		}
		return queueCtlCmd("cancelled", a.transfers.CancelAll)
	case quotaMsg:
		if msg.err != nil && needsLogin(msg.err) {
			return nil // the listing opens the login form
		}
		if msg.err != nil {
			a.setError(fmt.Errorf("quota: %w", msg.err))
			return nil
		}
		a.quota[msg.pane] = &msg
		return nil
	case fsChangedMsg:
		if !msg.ok {
			return nil
		}
		var cmds []tea.Cmd
		for i := range a.panes {
			if a.fs[i] == msg.fs && (msg.dir == "" || msg.dir == a.panes[i].Listing.Dir()) {
				cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
			}
		}
		if c, ok := msg.fs.(DuplicateCounter); ok {
			cmds = append(cmds, countDupsCmd(a.ctx, msg.fs, c))
		}
		return tea.Batch(append(cmds, watchCmd(msg.fs, msg.ch))...)
	case linkMsg:
		if msg.err != nil {
			a.setError(msg.err)
			return nil
		}
		// Replace "exporting a link…", which would otherwise stay after the
		// dialog closes and suggest the export is still running.
		a.setMessage(msgSuccess, "public link for "+pane.DisplayName(msg.name)+" created")
		a.push(dialog.Confirm{
			ID: "link", Title: "Public link for " + pane.DisplayName(msg.name),
			Lines: []string{pane.DisplayName(msg.link), "", "Copy it to the clipboard (OSC 52, works over SSH)?"},
			OnYes: func(int) tea.Msg { return copyLinkMsg{link: msg.link} },
		})
		return nil
	case accountDupsMsg:
		if msg.err != nil {
			delete(a.accountDups, msg.fs)
		} else {
			a.accountDups[msg.fs] = msg.n
		}
		return nil
	case switchFSMsg:
		return a.switchFS(msg.pane, msg.fs)
	case copyLinkMsg:
		a.setMessage(msgSuccess, "link copied to the clipboard")
		return tea.SetClipboard(msg.link)
	case quitCheckMsg:
		if msg.active == 0 {
			return tea.Quit
		}
		a.push(dialog.Confirm{
			ID: "quit", Title: "Quit megatui?",
			Lines: []string{fmt.Sprintf("%d transfer(s) are still running.", msg.active),
				"They stop now and resume the next time megatui starts."},
			OnYes: func(int) tea.Msg { return quitConfirmedMsg{} },
		})
		return nil
	case quitConfirmedMsg:
		return tea.Quit
	case transferConfirmedMsg:
		if a.transfers == nil {
			return nil
		}
		return enqueueCmd(a.ctx, a.transfers, msg.req)
	case deleteConfirmedMsg:
		return removeCmd(a.ctx, a.fs[msg.pane], a.panes[msg.pane].Listing.Dir(), msg.paths, msg.permanent)
	case restoreConfirmedMsg:
		rb, ok := a.fs[msg.pane].(RubbishBin)
		if !ok {
			return nil
		}
		return restoreCmd(a.ctx, a.fs[msg.pane], rb, a.panes[msg.pane].Listing.Dir(), msg.paths)
	case renameSubmitMsg:
		if err := checkName(msg.newName); err != nil {
			a.setError(err)
			return nil
		}
		if msg.newName == msg.oldName {
			return nil
		}
		return renameCmd(a.ctx, a.fs[msg.pane], a.panes[msg.pane].Listing.Dir(), msg.path, msg.oldName, msg.newName)
	case mkdirSubmitMsg:
		if err := checkName(msg.name); err != nil {
			a.setError(err)
			return nil
		}
		return mkdirCmd(a.ctx, a.fs[msg.pane], a.panes[msg.pane].Listing.Dir(), msg.name)
	case gotoSubmitMsg:
		p := strings.TrimSpace(msg.path)
		if p == "" {
			return nil
		}
		if !strings.HasPrefix(p, "/") {
			p = a.fs[a.focus].Join(a.cur().Listing.Dir(), p)
		}
		return a.load(a.focus, p, "")
	case patternSubmitMsg:
		n, err := a.cur().Listing.MarkPattern(msg.pattern, msg.on)
		if err != nil {
			a.setError(err)
			return nil
		}
		verb := "selected"
		if !msg.on {
			verb = "unselected"
		}
		a.setMessage(msgInfo, fmt.Sprintf("%s %d item(s) matching %s", verb, n, pane.DisplayName(msg.pattern)))
		return nil
	case dialog.ClosedMsg:
		return nil
	case tea.KeyPressMsg:
		return a.onKey(msg)
	case tea.MouseClickMsg:
		if len(a.dialogs) == 0 && !a.help && !a.renaming && a.login == nil && a.dd == nil {
			a.onClick(msg.Mouse())
		}
		return nil
	case tea.MouseWheelMsg:
		if len(a.dialogs) == 0 && !a.help && !a.renaming && a.login == nil && a.dd == nil {
			a.onWheel(msg.Mouse())
		}
		return nil
	}
	// Anything else (cursor blink, paste) goes to the top dialog.
	if a.login != nil {
		return a.onLoginKey(msg)
	}
	if n := len(a.dialogs); n > 0 {
		return a.updateDialog(msg)
	}
	if a.filtering {
		return a.updateFilter(msg)
	}
	if a.renaming {
		return a.updateRename(msg)
	}
	return nil
}

// checkName rejects names no filesystem accepts.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("empty name: %w", model.ErrUnsafeName)
	case name == "." || name == ".." || strings.Contains(name, "/"):
		return fmt.Errorf("name %q: %w", name, model.ErrUnsafeName)
	}
	return nil
}

func (a *App) resize(w, h int) {
	a.width, a.height = w, h
	a.lay = layout(w, h, a.flags)
	for i := range a.panes {
		r := a.lay.Panes[i]
		a.panes[i].SetSize(r.W, r.H)
	}
	a.panel.SetSize(a.lay.Transfers.W, a.lay.Transfers.H)
	a.sizeDedupe()
	a.refitAsks()
}

func (a *App) onListing(m listingMsg) tea.Cmd {
	if m.seq != a.seq[m.pane] {
		return nil // stale: a newer request was made
	}
	p := &a.panes[m.pane]
	p.Loading = false
	if m.err != nil {
		if au, ok := a.authFor(a.fs[m.pane]); ok && needsLogin(m.err) {
			p.Problem = "not logged in"
			a.openLogin(m.pane, m.dir, au)
			a.setMessage(msgInfo, "log in to "+pane.DisplayName(a.fs[m.pane].Label()))
			return nil
		}
		a.setError(fmt.Errorf("list %s: %w", pane.DisplayName(m.dir), m.err))
		p.Problem = "cannot list: " + m.err.Error()
		return nil
	}
	p.Problem = ""
	if m.dir != p.Listing.Dir() && m.pane == a.focus {
		a.filtering, a.renaming = false, false
	}
	if m.dir != p.Listing.Dir() && p.Listing.Filter() != "" {
		p.Listing.SetFilter("", nil)
	}
	var cmd tea.Cmd
	if m.sorted != nil {
		if job, pending := p.Listing.SetSorted(m.dir, *m.sorted); pending {
			cmd = sortCmd(m.pane, job) // the sort key changed while loading
		}
	} else {
		p.Listing.SetEntries(m.dir, m.entries)
	}
	a.dups[m.pane] = m.dups
	if m.focus != "" {
		p.Listing.SelectName(m.focus)
	}
	return cmd
}

func (a *App) onOpResult(m opResultMsg) tea.Cmd {
	if m.err != nil {
		a.setError(m.err)
	} else {
		a.setMessage(msgSuccess, pane.DisplayName(m.what))
	}
	var cmds []tea.Cmd
	for i := range a.panes {
		for _, r := range m.refresh {
			if a.fs[i] == r.fs && a.panes[i].Listing.Dir() == r.dir {
				focus := ""
				if i == a.focus {
					focus = m.focus
				}
				cmds = append(cmds, a.load(i, r.dir, focus))
				break
			}
		}
	}
	return tea.Batch(cmds...)
}

func (a *App) push(d dialog.Dialog) {
	a.dialogs = append(a.dialogs, d)
	a.syncKeys()
}

func (a *App) updateDialog(msg tea.Msg) tea.Cmd {
	n := len(a.dialogs)
	d, cmd, done := a.dialogs[n-1].Update(msg)
	if done {
		a.dialogs = a.dialogs[:n-1]
		if ad, ok := d.(dialog.Ask); ok {
			cmd = tea.Batch(cmd, a.onAskClosed(ad))
		}
	} else {
		a.dialogs[n-1] = d
	}
	return cmd
}

func (a *App) onKey(k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	if key.Matches(k, km.ForceQuit) {
		return tea.Quit
	}
	if a.login != nil {
		return a.onLoginKey(k)
	}
	if len(a.dialogs) > 0 {
		return a.updateDialog(k)
	}
	if a.dd != nil && !a.help {
		if key.Matches(k, km.Help) {
			// The guided dedupe's keys, in full: its footer is cut on a
			// narrow terminal.
			a.help = true
			return nil
		}
		return a.onDedupeKey(k)
	}
	if a.help {
		// tab/→ and shift+tab/← page through a help that does not fit
		// on one screen; any other key closes the overlay.
		if n := len(a.helpPages()); n > 1 {
			switch {
			case key.Matches(k, km.Next):
				a.helpPage = min(a.helpPage+1, n-1)
				return nil
			case key.Matches(k, km.Prev):
				a.helpPage = max(a.helpPage-1, 0)
				return nil
			}
		}
		a.help, a.helpPage = false, 0
		return nil
	}
	if a.filtering {
		return a.updateFilter(k)
	}
	if a.renaming {
		return a.updateRename(k)
	}
	switch {
	case key.Matches(k, km.Transfers):
		a.flags.transfers = !a.flags.transfers
		a.flags.transfersMax = false
		a.panelFocus = a.flags.transfers && a.panelFocus
		a.resize(a.width, a.height)
		return nil
	case key.Matches(k, km.TransfersMax):
		a.flags.transfersMax = !a.flags.transfersMax
		a.panelFocus = a.flags.transfersMax || a.panelFocus
		a.resize(a.width, a.height)
		return nil
	case key.Matches(k, km.SwitchPane):
		a.switchFocus()
		return nil
	}
	if a.panelFocus {
		return a.onPanelKey(k)
	}
	p := a.cur()
	l := p.Listing
	page := max(p.RowsHeight()-1, 1)
	switch {
	case key.Matches(k, km.Help):
		a.help = true
	case key.Matches(k, km.Quit):
		if a.transfers == nil {
			return tea.Quit
		}
		return quitCheckCmd(a.transfers)
	case key.Matches(k, km.Up):
		l.Move(-1)
	case key.Matches(k, km.Down):
		l.Move(1)
	case key.Matches(k, km.PageUp):
		l.Move(-page)
	case key.Matches(k, km.PageDown):
		l.Move(page)
	case key.Matches(k, km.Home):
		l.Home()
	case key.Matches(k, km.End):
		l.End()
	case key.Matches(k, km.Open):
		return a.open()
	case key.Matches(k, km.Parent):
		return a.parent()
	case key.Matches(k, km.Refresh):
		return a.load(a.focus, l.Dir(), "")
	case key.Matches(k, km.SwitchFS):
		a.chooseFS()
	case key.Matches(k, km.GoTo):
		a.push(dialog.NewInput(a.st, "goto", "Go to folder", "path: ", l.Dir(),
			func(v string) tea.Msg { return gotoSubmitMsg{path: v} }, a.dialogKeys()))
	case key.Matches(k, km.Toggle):
		l.ToggleMark()
	case key.Matches(k, km.SelectAll):
		l.MarkAll()
	case key.Matches(k, km.Invert):
		l.InvertMarks()
	case key.Matches(k, km.SelectPattern), key.Matches(k, km.UnselectPattern):
		on := key.Matches(k, km.SelectPattern)
		title := "Select by pattern"
		if !on {
			title = "Unselect by pattern"
		}
		a.push(dialog.NewInput(a.st, "pattern", title, "pattern: ", "*",
			func(v string) tea.Msg { return patternSubmitMsg{pattern: v, on: on} }, a.dialogKeys()))
	case key.Matches(k, km.ClearMarks):
		if l.Filter() != "" {
			l.SetFilter("", nil)
		} else {
			l.ClearMarks()
		}
	case key.Matches(k, km.Filter):
		a.filtering = true
		a.filterInput.SetValue(l.Filter())
		a.filterInput.CursorEnd()
		return a.filterInput.Focus()
	case key.Matches(k, km.SortCycle):
		sk, rev := l.Sort()
		a.setMessage(msgInfo, "sorted by "+((sk+1)%3).String())
		return a.sort((sk+1)%3, rev)
	case key.Matches(k, km.SortReverse):
		sk, rev := l.Sort()
		return a.sort(sk, !rev)
	case key.Matches(k, km.Hidden):
		l.SetShowHidden(!l.ShowHidden())
	case key.Matches(k, km.Copy):
		a.confirmTransfer(model.OpCopy)
	case key.Matches(k, km.Move):
		a.confirmTransfer(model.OpMove)
	case key.Matches(k, km.Rename):
		return a.startRename()
	case key.Matches(k, km.Mkdir):
		pi := a.focus
		a.push(dialog.NewInput(a.st, "mkdir", "Create folder in "+pane.DisplayName(l.Dir()), "name: ", "",
			func(v string) tea.Msg { return mkdirSubmitMsg{pane: pi, name: v} }, a.dialogKeys()))
	case key.Matches(k, km.Delete):
		a.confirmDelete(false)
	case key.Matches(k, km.DeleteForever):
		a.confirmDelete(true)
	case key.Matches(k, km.Rubbish):
		if rb, ok := a.fs[a.focus].(RubbishBin); ok {
			return a.load(a.focus, rb.RubbishPath(), "")
		}
	case key.Matches(k, km.Restore):
		a.confirmRestore()
	case key.Matches(k, km.NextDup):
		a.jumpToDuplicate(1)
	case key.Matches(k, km.PrevDup):
		a.jumpToDuplicate(-1)
	case key.Matches(k, km.Dedupe):
		a.openDedupe()
	case key.Matches(k, km.UndoDedupe):
		a.confirmUndoDedupe()
	case key.Matches(k, km.Export):
		if ex, ok := a.fs[a.focus].(Exporter); ok {
			if e, ok := l.Current(); ok {
				a.setMessage(msgInfo, "exporting a link for "+pane.DisplayName(e.Name)+"…")
				return exportCmd(a.ctx, ex, a.entryPath(a.focus, l.Dir(), e), e.Name)
			}
		}
	}
	return nil
}

func (a *App) updateFilter(msg tea.Msg) tea.Cmd {
	l := a.cur().Listing
	if k, ok := msg.(tea.KeyPressMsg); ok {
		km := &a.keys
		switch {
		case key.Matches(k, km.Accept):
			a.filtering = false
			a.filterInput.Blur()
			return nil
		case key.Matches(k, km.Cancel):
			a.filtering = false
			a.filterInput.Blur()
			l.SetFilter("", nil)
			return nil
		case key.Matches(k, km.InputUp):
			l.Move(-1)
			return nil
		case key.Matches(k, km.InputDown):
			l.Move(1)
			return nil
		}
	}
	var cmd tea.Cmd
	a.filterInput, cmd = a.filterInput.Update(msg)
	if v := a.filterInput.Value(); v != l.Filter() {
		if l.Total() < a.asyncFilterAbove {
			l.SetFilter(v, fuzzyMatch)
		} else if job, pending := l.BeginFilter(v, fuzzyMatch); pending {
			return tea.Batch(cmd, filterCmd(a.focus, job))
		}
	}
	return cmd
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

// describe summarises entries for a dialog: `"a.txt"` or `3 items (1.2 MiB)`.
func describe(es []model.Entry) string {
	if len(es) == 1 {
		return `"` + pane.DisplayName(es[0].Name) + `"`
	}
	var size int64
	dirs := 0
	for _, e := range es {
		if e.IsDir() {
			dirs++
			continue
		}
		size += max(e.Size, 0)
	}
	// A folder's listed size is not its contents: "(0 B)" for a selection
	// of full folders would be wrong, so folders are counted instead.
	switch {
	case dirs == 0:
		return fmt.Sprintf("%d items (%s)", len(es), humanize.IBytes(uint64(size)))
	case dirs == len(es):
		return fmt.Sprintf("%d items (%d folders)", len(es), dirs)
	default:
		return fmt.Sprintf("%d items (%d folder(s) and %s in files)", len(es), dirs, humanize.IBytes(uint64(size)))
	}
}

// unseenNote warns, for a dialog, when the selection the action applies
// to includes entries the pane does not show (the filter or the hidden
// files toggle hides them), so that nothing is acted on unseen.
func unseenNote(l *model.Listing) []string {
	if l.MarkCount() == 0 {
		return nil
	}
	shown := 0
	for i := range l.Len() {
		if l.IsMarked(l.Row(i)) {
			shown++
		}
	}
	if n := l.MarkCount() - shown; n > 0 {
		return []string{fmt.Sprintf("%d of them not shown now (filtered out or hidden)", n)}
	}
	return nil
}

func (a *App) where(p int) string {
	return pane.DisplayName(a.fs[p].Label() + ":" + a.panes[p].Listing.Dir())
}

func (a *App) confirmTransfer(op model.Op) {
	if a.transfers == nil {
		return
	}
	src, dst := a.focus, a.other()
	if a.fs[src] == a.fs[dst] && a.panes[src].Listing.Dir() == a.panes[dst].Listing.Dir() {
		a.setError(fmt.Errorf("%s: source and destination are the same folder", op))
		return
	}
	es, _ := a.targets()
	if len(es) == 0 {
		return
	}
	req := TransferRequest{Op: op, SrcFS: a.fs[src], SrcDir: a.panes[src].Listing.Dir(), Sources: es,
		DstFS: a.fs[dst], DstDir: a.panes[dst].Listing.Dir()}
	title := "Copy"
	if op == model.OpMove {
		title = "Move"
	}
	policies := model.ConflictChoices()
	choices := make([]string, len(policies))
	for i, c := range policies {
		choices[i] = conflictLabel(c)
	}
	a.push(dialog.Confirm{
		ID: "transfer", Title: title + " " + describe(es),
		Lines:       append([]string{"from: " + a.where(src), "  to: " + a.where(dst)}, unseenNote(a.panes[src].Listing)...),
		ChoiceLabel: "if the name exists (tab to change)", Choices: choices,
		Choice: max(slices.Index(policies, a.defaultConflict), 0),
		OnYes: func(c int) tea.Msg {
			r := req
			r.Conflict = policies[c]
			return transferConfirmedMsg{req: r}
		},
	})
}

func (a *App) confirmDelete(permanent bool) {
	es, paths := a.targets()
	if len(es) == 0 {
		return
	}
	pi := a.focus
	d := dialog.Confirm{ID: "delete", OnYes: func(int) tea.Msg {
		return deleteConfirmedMsg{pane: pi, paths: paths, permanent: permanent}
	}}
	_, hasBin := a.fs[pi].(RubbishBin)
	switch {
	case permanent:
		d.Title = "PERMANENTLY delete " + describe(es) + "?"
		d.Danger = true
		d.Lines = []string{"in " + a.where(pi), "This cannot be undone: nothing goes to the Rubbish Bin."}
	case hasBin:
		d.Title = "Delete " + describe(es) + "?"
		d.Lines = []string{"in " + a.where(pi), "They go to the Rubbish Bin and can be restored."}
	default:
		d.Title = "Delete " + describe(es) + "?"
		d.Lines = []string{"in " + a.where(pi)}
	}
	d.Lines = append(d.Lines, unseenNote(a.panes[pi].Listing)...)
	a.push(d)
}

func (a *App) confirmRestore() {
	es, paths := a.targets()
	if len(es) == 0 {
		return
	}
	pi := a.focus
	a.push(dialog.Confirm{ID: "restore", Title: "Restore " + describe(es) + " from the Rubbish Bin?",
		Lines: unseenNote(a.panes[pi].Listing),
		OnYes: func(int) tea.Msg { return restoreConfirmedMsg{pane: pi, paths: paths} }})
}

// startRename edits the cursor entry's name in place, in its row. A name
// that needs escaping for display starts from its escaped form.
func (a *App) startRename() tea.Cmd {
	l := a.cur().Listing
	e, ok := l.Current()
	if !ok {
		return nil
	}
	a.renaming = true
	a.rename = renameSubmitMsg{pane: a.focus, path: a.entryPath(a.focus, l.Dir(), e), oldName: e.Name}
	a.renameStart = pane.DisplayName(e.Name)
	a.renameInput.SetValue(a.renameStart)
	a.renameInput.SetWidth(max(a.cur().NameWidth()-1, 1))
	a.renameInput.CursorEnd()
	a.setMessage(msgInfo, "rename: enter to apply, esc to cancel")
	return a.renameInput.Focus()
}

func (a *App) updateRename(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, a.keys.Accept):
			a.renaming = false
			a.renameInput.Blur()
			a.setMessage(msgInfo, "")
			v := a.renameInput.Value()
			if v == a.renameStart {
				return nil // unchanged (also keeps escaped names as they are)
			}
			m := a.rename
			m.newName = v
			return func() tea.Msg { return m }
		case key.Matches(k, a.keys.Cancel):
			a.renaming = false
			a.renameInput.Blur()
			a.setMessage(msgInfo, "rename cancelled")
			return nil
		}
	}
	var cmd tea.Cmd
	a.renameInput, cmd = a.renameInput.Update(msg)
	return cmd
}

func (a *App) paneAt(x, y int) (int, bool) {
	for i, r := range a.lay.Panes {
		if r.contains(x, y) {
			return i, true
		}
	}
	return 0, false
}

func (a *App) onClick(m tea.Mouse) {
	i, ok := a.paneAt(m.X, m.Y)
	if !ok {
		return
	}
	a.focus = i
	p := &a.panes[i]
	row, ok := p.RowAt(m.Y - a.lay.Panes[i].Y)
	if !ok {
		return
	}
	p.Listing.SetCursor(row)
	if m.Button == tea.MouseRight || m.Mod.Contains(tea.ModCtrl) {
		p.Listing.MarkRow(row, !p.Listing.IsMarked(p.Listing.Row(row)))
	}
}

func (a *App) onWheel(m tea.Mouse) {
	i, ok := a.paneAt(m.X, m.Y)
	if !ok {
		return
	}
	switch m.Button {
	case tea.MouseWheelUp:
		a.panes[i].Listing.Move(-3)
	case tea.MouseWheelDown:
		a.panes[i].Listing.Move(3)
	}
}

// switchFocus cycles left pane → right pane → transfer panel (when shown).
func (a *App) switchFocus() {
	switch {
	case a.flags.transfersMax:
		a.panelFocus = true
	case a.panelFocus:
		a.panelFocus = false
		a.focus = 0
	case a.focus == 1 && a.flags.transfers:
		a.panelFocus = true
	default:
		a.focus = a.other()
	}
}

func (a *App) onPanelKey(k tea.KeyPressMsg) tea.Cmd {
	km := &a.keys
	switch {
	case key.Matches(k, km.Help):
		a.help = true
	case key.Matches(k, km.Quit):
		return quitCheckCmd(a.transfers)
	case key.Matches(k, km.Up):
		a.panel.Move(-1)
	case key.Matches(k, km.Down):
		a.panel.Move(1)
	case key.Matches(k, km.PageUp):
		a.panel.Move(-10)
	case key.Matches(k, km.PageDown):
		a.panel.Move(10)
	}
	if a.transfers == nil {
		return nil
	}
	t := a.transfers
	switch {
	case key.Matches(k, km.PauseAll):
		return a.pauseOrResumeAll()
	case key.Matches(k, km.CancelAll):
		a.confirmCancelAll()
		return nil
	case key.Matches(k, km.RetryFailed):
		return queueCtlCmd("retrying", t.RetryFailed)
	case key.Matches(k, km.ClearFinished):
		return queueCtlCmd("cleared", t.ClearFinished)
	}
	j, ok := a.panel.Current()
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, km.JobAnswer):
		a.askAgain(j.ID)
		return nil
	case key.Matches(k, km.JobPause):
		if j.State == model.StatePaused {
			return jobCtlCmd("resume", j.ID, t.Resume)
		}
		return jobCtlCmd("pause", j.ID, t.Pause)
	case key.Matches(k, km.JobCancel):
		return jobCtlCmd("cancel", j.ID, t.Cancel)
	case key.Matches(k, km.JobRetry):
		return jobCtlCmd("retry", j.ID, t.Retry)
	case key.Matches(k, km.JobFront):
		return jobCtlCmd("move to front", j.ID, t.MoveToFront)
	}
	return nil
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
	a.push(dialog.Confirm{ID: "switch-fs", Title: "Show in this pane", ChoiceLabel: "filesystem (tab to change)",
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
