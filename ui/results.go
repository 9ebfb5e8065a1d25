package ui

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// Results of the panes' I/O: listings, operations, quotas, remote changes
// and exported links.

// refreshPane reloads pane i's folder after a change behind it (finished
// transfers, account events): one such listing at a time — while one is
// on its way, one more follows it, so a stream of changes cannot keep
// cancelling a big folder's listing — and without the loading mark, since
// what the pane shows stays valid meanwhile. Find results stay as they
// are.
func (a *App) refreshPane(i int) tea.Cmd {
	if a.found[i] != nil {
		return nil
	}
	if a.refreshSeq[i] != 0 && a.refreshSeq[i] == a.seq[i] {
		a.refreshAgain[i] = true
		return nil
	}
	loading := a.panes[i].Loading
	cmd := a.load(i, a.panes[i].Listing.Dir(), "")
	a.refreshSeq[i] = a.seq[i]
	a.panes[i].Loading = loading
	return cmd
}

func (a *App) onListing(m listingMsg) tea.Cmd {
	if m.seq != a.seq[m.pane] {
		return nil // stale: a newer request was made
	}
	again := false
	if a.refreshSeq[m.pane] == m.seq {
		a.refreshSeq[m.pane] = 0
		again, a.refreshAgain[m.pane] = a.refreshAgain[m.pane], false
	}
	cmd := a.applyListing(m)
	if again {
		cmd = tea.Batch(cmd, a.refreshPane(m.pane))
	}
	return cmd
}

func (a *App) applyListing(m listingMsg) tea.Cmd {
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
	if m.dir != p.Listing.Dir() {
		a.remember(Place{FS: a.fs[m.pane].Label(), Path: m.dir})
	}
	if m.dir != p.Listing.Dir() && m.pane == a.focus {
		a.closeInputs()
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
	return tea.Batch(cmd, a.sizeFolders(m.pane, m.seq, m.dir, m.entries, m.sorted))
}

// folderSizesMsg carries the sizes of a listing's folders.
type folderSizesMsg struct {
	pane  int
	seq   uint64
	dir   string
	sizes map[string]int64
	err   error
}

// sizeFolders asks the pane's filesystem for its folders' sizes, when it
// can tell them.
func (a *App) sizeFolders(p int, seq uint64, dir string, entries []model.Entry, sorted *model.Sorted) tea.Cmd {
	fz, ok := a.fs[p].(FolderSizer)
	if !ok {
		return nil
	}
	if sorted != nil {
		entries = sorted.Entries()
	}
	var folders []model.Entry
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e)
		}
	}
	if len(folders) == 0 {
		return nil
	}
	ctx := a.ctx
	return func() tea.Msg {
		sizes, err := fz.FolderSizes(ctx, dir, folders)
		return folderSizesMsg{pane: p, seq: seq, dir: dir, sizes: sizes, err: err}
	}
}

func (a *App) onFolderSizes(m folderSizesMsg) {
	if m.seq != a.seq[m.pane] || m.err != nil || a.panes[m.pane].Listing.Dir() != m.dir {
		return // stale, or sizes unknown: the column keeps "DIR"
	}
	a.panes[m.pane].Listing.SetFolderSizes(m.sizes)
}

func (a *App) onOpResult(m opResultMsg) tea.Cmd {
	if m.err != nil {
		a.setError(m.err)
	} else {
		a.setMessage(msgSuccess, pane.DisplayName(m.what))
	}
	var cmds []tea.Cmd
	var changed []FS
	for _, r := range m.refresh {
		if !slices.Contains(changed, r.fs) {
			changed = append(changed, r.fs)
		}
	}
	if m.err == nil || len(m.refresh) > 0 {
		cmds = append(cmds, a.refreshQuotas(changed)...)
	}
	for i := range a.panes {
		if f := a.found[i]; f != nil && slices.Contains(changed, a.fs[i]) {
			// Results stay results: the find runs again.
			cmds = append(cmds, a.onFindSubmit(findSubmitMsg{pane: i, root: f.root, query: f.query}))
			continue
		}
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

func (a *App) onQuota(m quotaMsg) tea.Cmd {
	a.quotaBusy[m.fs] = false
	var cmd tea.Cmd
	if a.quotaAgain[m.fs] {
		a.quotaAgain[m.fs] = false
		cmd = tea.Batch(a.refreshQuotas([]FS{m.fs})...)
	}
	if m.err != nil && needsLogin(m.err) {
		return cmd // the listing opens the login form
	}
	if m.err != nil {
		if a.quotas[m.fs] == nil {
			a.setError(fmt.Errorf("quota: %w", m.err))
		}
		return cmd // a failed refresh keeps the last known quota
	}
	a.quotas[m.fs] = &m
	return cmd
}

// refreshQuotas asks fss (nil: the filesystems shown) for their quota
// again: after transfers, deletions and account events. One request per
// filesystem is on its way at a time; asks meanwhile make one more.
func (a *App) refreshQuotas(fss []FS) []tea.Cmd {
	if fss == nil {
		fss = []FS{a.fs[0]}
		if a.fs[1] != a.fs[0] {
			fss = append(fss, a.fs[1])
		}
	}
	var cmds []tea.Cmd
	for _, fs := range fss {
		q, ok := fs.(QuotaReporter)
		if !ok {
			continue
		}
		if a.quotaBusy[fs] {
			a.quotaAgain[fs] = true
			continue
		}
		a.quotaBusy[fs] = true
		cmds = append(cmds, quotaCmd(a.ctx, fs, q))
	}
	return cmds
}

func (a *App) onFSChanged(m fsChangedMsg) tea.Cmd {
	if !m.ok {
		return nil
	}
	var cmds []tea.Cmd
	for i := range a.panes {
		if a.fs[i] == m.fs && (m.dir == "" || m.dir == a.panes[i].Listing.Dir()) {
			cmds = append(cmds, a.refreshPane(i))
		}
	}
	if c, ok := m.fs.(DuplicateCounter); ok {
		cmds = append(cmds, countDupsCmd(a.ctx, m.fs, c))
	}
	// An account event (this client's or another's) may change the quota.
	cmds = append(cmds, a.refreshQuotas([]FS{m.fs})...)
	return tea.Batch(append(cmds, watchCmd(m.fs, m.ch))...)
}

func (a *App) onLink(m linkMsg) {
	if m.err != nil {
		a.setError(m.err)
		return
	}
	// Replace "exporting a link…", which would otherwise stay after the
	// dialog closes and suggest the export is still running.
	a.setMessage(msgSuccess, "public link for "+pane.DisplayName(m.name)+" created")
	d := &dialog.Confirm{
		ID: "link", Title: "Public link for " + pane.DisplayName(m.name),
		Whole:       []string{pane.DisplayName(m.link)},
		Lines:       []string{"Anyone with the link can download it."},
		ChoiceLabel: "Do",
		Choices:     []string{"copy to the clipboard (OSC 52)"},
		OnYes: func(choice int) tea.Msg {
			if choice == 1 {
				return removeLinkMsg{fs: m.fs, path: m.path, name: m.name}
			}
			return copyLinkMsg{link: m.link}
		},
	}
	if _, ok := m.fs.(LinkRemover); ok {
		d.Choices = append(d.Choices, "remove the link")
	}
	a.pushDialog(d)
}

func (a *App) onRemoveLink(m removeLinkMsg) tea.Cmd {
	lr, ok := m.fs.(LinkRemover)
	if !ok {
		return nil
	}
	a.setMessage(msgInfo, "removing the link of "+pane.DisplayName(m.name)+"…")
	return removeLinkCmd(a.ctx, lr, m.path, m.name)
}

func (a *App) onLinkRemoved(m linkRemovedMsg) {
	if m.err != nil {
		a.setError(m.err)
		return
	}
	a.setMessage(msgSuccess, "public link of "+pane.DisplayName(m.name)+" removed")
}
