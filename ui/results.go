package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// Results of the panes' I/O: listings, operations, quotas, remote changes
// and exported links.

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

func (a *App) onQuota(m quotaMsg) {
	if a.fs[m.pane] != m.fs {
		return // the pane switched filesystems meanwhile
	}
	if m.err != nil && needsLogin(m.err) {
		return // the listing opens the login form
	}
	if m.err != nil {
		a.setError(fmt.Errorf("quota: %w", m.err))
		return
	}
	a.quota[m.pane] = &m
}

func (a *App) onFSChanged(m fsChangedMsg) tea.Cmd {
	if !m.ok {
		return nil
	}
	var cmds []tea.Cmd
	for i := range a.panes {
		if a.fs[i] == m.fs && (m.dir == "" || m.dir == a.panes[i].Listing.Dir()) {
			cmds = append(cmds, a.load(i, a.panes[i].Listing.Dir(), ""))
		}
	}
	if c, ok := m.fs.(DuplicateCounter); ok {
		cmds = append(cmds, countDupsCmd(a.ctx, m.fs, c))
	}
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
				return removeLinkMsg{path: m.path, name: m.name}
			}
			return copyLinkMsg{link: m.link}
		},
	}
	if _, ok := a.fs[a.focus].(LinkRemover); ok {
		d.Choices = append(d.Choices, "remove the link")
	}
	a.pushDialog(d)
}

func (a *App) onRemoveLink(m removeLinkMsg) tea.Cmd {
	lr, ok := a.fs[a.focus].(LinkRemover)
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
