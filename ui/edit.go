package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
)

// Editing: the filter and in-place rename inputs, and the dialogs that ask
// for a name or a path (mkdir, go to, select by pattern).

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

// startFilter opens the focused pane's filter input on its current filter.
func (a *App) startFilter() tea.Cmd {
	o := &filterOverlay{input: newTextInput(a.st, "/")}
	o.input.SetValue(a.cur().Listing.Filter())
	o.input.CursorEnd()
	a.push(o)
	return o.input.Focus()
}

func (a *App) updateFilter(o *filterOverlay, msg tea.Msg) tea.Cmd {
	l := a.cur().Listing
	if k, ok := msg.(tea.KeyPressMsg); ok {
		km := &a.keys.Input
		switch {
		case key.Matches(k, km.Accept):
			a.close(o)
			o.input.Blur()
			return nil
		case key.Matches(k, km.Cancel):
			a.close(o)
			o.input.Blur()
			l.SetFilter("", nil)
			return nil
		case key.Matches(k, km.Up):
			l.Move(-1)
			return nil
		case key.Matches(k, km.Down):
			l.Move(1)
			return nil
		}
	}
	var cmd tea.Cmd
	o.input, cmd = o.input.Update(msg)
	if v := o.input.Value(); v != l.Filter() {
		if l.Total() < a.asyncFilterAbove {
			l.SetFilter(v, fuzzyMatch)
		} else if job, pending := l.BeginFilter(v, fuzzyMatch); pending {
			return tea.Batch(cmd, filterCmd(a.focus, job))
		}
	}
	return cmd
}

// startRename edits the cursor entry's name in place, in its row. A name
// that needs escaping for display starts from its escaped form.
func (a *App) startRename() tea.Cmd {
	l := a.cur().Listing
	e, ok := l.Current()
	if !ok {
		return nil
	}
	o := &renameOverlay{input: newTextInput(a.st, ""),
		target: renameSubmitMsg{pane: a.focus, path: a.entryPath(a.focus, l.Dir(), e), oldName: e.Name},
		start:  pane.DisplayName(e.Name)}
	o.input.SetValue(o.start)
	o.input.SetWidth(max(a.cur().NameWidth()-1, 1))
	o.input.CursorEnd()
	a.push(o)
	a.setMessage(msgInfo, "rename: enter to apply, esc to cancel")
	return o.input.Focus()
}

func (a *App) updateRename(o *renameOverlay, msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, a.keys.Input.Accept):
			a.close(o)
			o.input.Blur()
			a.setMessage(msgInfo, "")
			v := o.input.Value()
			if v == o.start {
				return nil // unchanged (also keeps escaped names as they are)
			}
			m := o.target
			m.newName = v
			return func() tea.Msg { return m }
		case key.Matches(k, a.keys.Input.Cancel):
			a.close(o)
			o.input.Blur()
			a.setMessage(msgInfo, "rename cancelled")
			return nil
		}
	}
	var cmd tea.Cmd
	o.input, cmd = o.input.Update(msg)
	return cmd
}

func (a *App) onRenameSubmit(m renameSubmitMsg) tea.Cmd {
	if err := checkName(m.newName); err != nil {
		a.setError(err)
		return nil
	}
	if m.newName == m.oldName {
		return nil
	}
	return renameCmd(a.ctx, a.fs[m.pane], a.panes[m.pane].Listing.Dir(), m.path, m.oldName, m.newName)
}

func (a *App) openMkdir() {
	pi := a.focus
	a.pushDialog(dialog.NewInput(a.st, "mkdir", "Create folder in "+pane.DisplayName(a.cur().Listing.Dir()), "name: ", "",
		func(v string) tea.Msg { return mkdirSubmitMsg{pane: pi, name: v} }, a.keys.Dialog))
}

func (a *App) onMkdirSubmit(m mkdirSubmitMsg) tea.Cmd {
	if err := checkName(m.name); err != nil {
		a.setError(err)
		return nil
	}
	return mkdirCmd(a.ctx, a.fs[m.pane], a.panes[m.pane].Listing.Dir(), m.name)
}

func (a *App) openGoto() {
	d := dialog.NewInput(a.st, "goto", "Go to folder", "path: ", a.cur().Listing.Dir(),
		func(v string) tea.Msg { return gotoSubmitMsg{path: v} }, a.keys.Dialog)
	fs, cwd, ctx := a.fs[a.focus], a.cur().Listing.Dir(), a.ctx
	d.Complete = func(v string) tea.Cmd {
		return func() tea.Msg { return completePath(ctx, fs, cwd, v) }
	}
	a.pushDialog(d)
}

// completePath completes the last element of v (a folder path, absolute
// or relative to cwd) with the folders of fs that start with it, as a
// shell does: one match completes it (with a slash), several complete
// their common start and are listed in the note.
func completePath(ctx context.Context, fs FS, cwd, v string) dialog.CompletedMsg {
	out := dialog.CompletedMsg{ID: "goto", Value: v, From: v}
	dirPart, prefix := "", v
	if i := strings.LastIndex(v, "/"); i >= 0 {
		dirPart, prefix = v[:i+1], v[i+1:]
	}
	dir := dirPart
	switch {
	case dir == "":
		dir = cwd
	case !strings.HasPrefix(dir, "/"):
		dir = fs.Join(cwd, dir)
	}
	for len(dir) > 1 && strings.HasSuffix(dir, "/") && dir != "//" {
		dir = dir[:len(dir)-1]
	}
	es, err := fs.List(ctx, dir)
	if err != nil {
		out.Note = "cannot list " + pane.DisplayName(dir)
		return out
	}
	var names []string
	for _, e := range es {
		if e.IsDir() && strings.HasPrefix(strings.ToLower(e.Name), strings.ToLower(prefix)) {
			names = append(names, e.Name)
		}
	}
	slices.SortFunc(names, model.NaturalCompare)
	switch len(names) {
	case 0:
		out.Note = "no folder starts with " + pane.DisplayName(prefix)
	case 1:
		out.Value = dirPart + names[0] + "/"
	default:
		common := names[0]
		for _, n := range names[1:] {
			for !strings.HasPrefix(strings.ToLower(n), strings.ToLower(common)) {
				common = common[:len(common)-1]
			}
		}
		if len(common) > len(prefix) {
			out.Value = dirPart + common
		}
		shown := names[:min(len(names), 8)]
		for i := range shown {
			shown[i] = pane.DisplayName(shown[i])
		}
		out.Note = strings.Join(shown, "  ")
		if len(names) > 8 {
			out.Note += fmt.Sprintf("  … (%d)", len(names))
		}
	}
	return out
}

func (a *App) onGotoSubmit(m gotoSubmitMsg) tea.Cmd {
	p := strings.TrimSpace(m.path)
	if p == "" {
		return nil
	}
	if a.openLink != nil && isLink(p) {
		a.setMessage(msgInfo, "opening the link…")
		return openLinkCmd(a.ctx, a.openLink, a.focus, p)
	}
	if !strings.HasPrefix(p, "/") {
		p = a.fs[a.focus].Join(a.cur().Listing.Dir(), p)
	}
	for len(p) > 1 && strings.HasSuffix(p, "/") && p != "//" {
		p = p[:len(p)-1] // a completed folder ends with a slash
	}
	return a.load(a.focus, p, "")
}

// onLinkSubmit opens the link typed in the "public link" dialog.
func (a *App) onLinkSubmit(m linkSubmitMsg) tea.Cmd {
	l := strings.TrimSpace(m.link)
	if l == "" || a.openLink == nil {
		return nil
	}
	if !isLink(l) {
		a.setMessage(msgError, "not a MEGA link: paste https://mega.nz/folder/…#KEY or https://mega.nz/file/…#KEY")
		return nil
	}
	a.setMessage(msgInfo, "opening the link…")
	return openLinkCmd(a.ctx, a.openLink, m.pane, l)
}

// isLink reports whether a typed location is a MEGA link.
func isLink(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	return strings.HasPrefix(s, "mega.nz/") || strings.HasPrefix(s, "mega.co.nz/") || strings.HasPrefix(s, "www.mega.nz/")
}

// linkOpenedMsg is a public link opened for pane.
type linkOpenedMsg struct {
	pane int
	fs   FS
	err  error
}

func openLinkCmd(ctx context.Context, open func(context.Context, string) (FS, error), pane int, link string) tea.Cmd {
	return func() tea.Msg {
		fs, err := open(ctx, link)
		return linkOpenedMsg{pane: pane, fs: fs, err: err}
	}
}

// onLinkOpened shows an opened link in its pane (read-only; F5 copies
// from it).
func (a *App) onLinkOpened(m linkOpenedMsg) tea.Cmd {
	if m.err != nil {
		a.setError(m.err)
		return nil
	}
	a.all = append(a.all, m.fs)
	a.setMessage(msgSuccess, "opened "+pane.DisplayName(m.fs.Label())+" (read-only: F5 copies from it)")
	return a.switchFS(m.pane, len(a.all)-1)
}

func (a *App) openPattern(on bool) {
	title := "Select by pattern"
	if !on {
		title = "Unselect by pattern"
	}
	a.pushDialog(dialog.NewInput(a.st, "pattern", title, "pattern: ", "*",
		func(v string) tea.Msg { return patternSubmitMsg{pattern: v, on: on} }, a.keys.Dialog))
}

func (a *App) onPatternSubmit(m patternSubmitMsg) {
	n, err := a.cur().Listing.MarkPattern(m.pattern, m.on)
	if err != nil {
		a.setError(err)
		return
	}
	verb := "selected"
	if !m.on {
		verb = "unselected"
	}
	a.setMessage(msgInfo, fmt.Sprintf("%s %d item(s) matching %s", verb, n, pane.DisplayName(m.pattern)))
}
