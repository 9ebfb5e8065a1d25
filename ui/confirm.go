package ui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// Confirmations: the dialogs that ask before a copy, move, delete or
// restore, and what their "yes" does.

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
	// One request per source folder: find results come from many.
	var reqs []TransferRequest
	byDir := map[string]int{}
	for _, e := range es {
		dir := a.panes[src].Listing.Dir()
		if d := a.foundDir(src, e); d != "" {
			dir = d
		}
		i, ok := byDir[dir]
		if !ok {
			i = len(reqs)
			byDir[dir] = i
			reqs = append(reqs, TransferRequest{Op: op, SrcFS: a.fs[src], SrcDir: dir,
				DstFS: a.fs[dst], DstDir: a.panes[dst].Listing.Dir()})
		}
		reqs[i].Sources = append(reqs[i].Sources, e)
	}
	title := "Copy"
	if op == model.OpMove {
		title = "Move"
	}
	policies := model.ConflictChoices()
	choices := make([]string, len(policies))
	for i, c := range policies {
		choices[i] = conflictLabel(c)
	}
	// The target folder is editable: the other pane's folder to start
	// with, any folder of that filesystem (relative to it) typed instead.
	in := newTextInput(a.st, "  to: "+pane.DisplayName(a.fs[dst].Label())+":")
	dstDir, dstFS := a.panes[dst].Listing.Dir(), a.fs[dst]
	in.SetValue(dstDir)
	in.CursorEnd()
	in.Focus()
	a.pushDialog(&dialog.Confirm{
		ID: "transfer", Title: title + " " + describe(es),
		Lines:       append([]string{"from: " + a.where(src)}, unseenNote(a.panes[src].Listing)...),
		ChoiceLabel: "if the name exists (tab to change)", Choices: choices,
		Choice: max(slices.Index(policies, a.defaultConflict), 0),
		Input:  &in,
		OnSubmit: func(c int, to string) tea.Msg {
			to = strings.TrimSpace(to)
			switch {
			case to == "":
				to = dstDir
			case !strings.HasPrefix(to, "/"):
				to = dstFS.Join(dstDir, to)
			}
			rs := slices.Clone(reqs)
			for i := range rs {
				rs[i].Conflict, rs[i].DstDir = policies[c], to
			}
			return transferConfirmedMsg{reqs: rs, pane: src}
		},
	})
}

func (a *App) confirmDelete(permanent bool) {
	es, paths := a.targets()
	if len(es) == 0 {
		return
	}
	pi := a.focus
	d := &dialog.Confirm{ID: "delete", OnYes: func(int) tea.Msg {
		return deleteConfirmedMsg{pane: pi, paths: paths, permanent: permanent}
	}}
	_, hasBin := a.fs[pi].(RubbishBin)
	switch {
	case permanent:
		d.Title = "PERMANENTLY delete " + describe(es) + "?"
		d.Danger, d.SafeDefault = true, true
		d.Lines = []string{"in " + a.where(pi), "This cannot be undone: nothing goes to the Rubbish Bin."}
	case hasBin:
		d.Title = "Delete " + describe(es) + "?"
		d.Lines = []string{"in " + a.where(pi), "They go to the Rubbish Bin and can be restored."}
	default:
		d.Title = "Delete " + describe(es) + "?"
		d.Lines = []string{"in " + a.where(pi)}
	}
	d.Lines = append(d.Lines, unseenNote(a.panes[pi].Listing)...)
	a.pushDialog(d)
}

func (a *App) confirmRestore() {
	es, paths := a.targets()
	if len(es) == 0 {
		return
	}
	pi := a.focus
	a.pushDialog(&dialog.Confirm{ID: "restore", Title: "Restore " + describe(es) + " from the Rubbish Bin?",
		Lines: unseenNote(a.panes[pi].Listing),
		OnYes: func(int) tea.Msg { return restoreConfirmedMsg{pane: pi, paths: paths} }})
}

func (a *App) onRestoreConfirmed(m restoreConfirmedMsg) tea.Cmd {
	rb, ok := a.fs[m.pane].(RubbishBin)
	if !ok {
		return nil
	}
	return restoreCmd(a.ctx, a.fs[m.pane], rb, a.panes[m.pane].Listing.Dir(), m.paths)
}
