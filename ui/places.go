package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/ui/cells"
	"github.com/megatui/megatui/ui/pane"
)

// Places: bookmarked folders (B toggles the current one) and the history
// of folders visited, most recent first; ' lists both, enter goes there
// (switching the pane's filesystem when needed), x drops a bookmark. Both
// are kept by the caller (the config file) through Options.SavePlaces.

// Place is a folder of one of the filesystems, by its label.
type Place struct{ FS, Path string }

// maxHistory bounds the folder history.
const maxHistory = 50

// remember puts a visited folder first in the history.
func (a *App) remember(p Place) {
	a.history = slices.DeleteFunc(a.history, func(q Place) bool { return q == p })
	a.history = append([]Place{p}, a.history...)
	if len(a.history) > maxHistory {
		a.history = a.history[:maxHistory]
	}
}

type placesSavedMsg struct{ err error }

// savePlaces hands bookmarks and history to the caller's store.
func (a *App) savePlaces() tea.Cmd {
	if a.savePlacesFn == nil {
		return nil
	}
	bm, hist, save := slices.Clone(a.bookmarks), slices.Clone(a.history), a.savePlacesFn
	return func() tea.Msg { return placesSavedMsg{err: save(bm, hist)} }
}

// toggleBookmark bookmarks the focused pane's folder, or drops it.
func (a *App) toggleBookmark() tea.Cmd {
	p := Place{FS: a.fs[a.focus].Label(), Path: a.cur().Listing.Dir()}
	if i := slices.Index(a.bookmarks, p); i >= 0 {
		a.bookmarks = slices.Delete(a.bookmarks, i, i+1)
		a.setMessage(msgInfo, "bookmark removed: "+pane.DisplayName(p.FS+":"+p.Path))
	} else {
		a.bookmarks = append(a.bookmarks, p)
		a.setMessage(msgSuccess, "bookmarked "+pane.DisplayName(p.FS+":"+p.Path)+" · ' lists places")
	}
	return a.savePlaces()
}

// placesOverlay lists the bookmarks, then the history.
type placesOverlay struct{ cursor int }

func (a *App) places() []Place {
	out := slices.Clone(a.bookmarks)
	for _, h := range a.history {
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

func (a *App) openPlaces() { a.push(&placesOverlay{}) }

func (o *placesOverlay) update(a *App, msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	live := func(b key.Binding) key.Binding { b.SetEnabled(true); return b }
	nav := a.keys.Browse.Nav
	ps := a.places()
	switch {
	case key.Matches(k, live(nav.Up)):
		o.cursor = max(o.cursor-1, 0)
	case key.Matches(k, live(nav.Down)):
		o.cursor = min(o.cursor+1, max(len(ps)-1, 0))
	case k.String() == "x" || k.String() == "delete":
		if o.cursor < len(a.bookmarks) {
			a.bookmarks = slices.Delete(a.bookmarks, o.cursor, o.cursor+1)
			return a.savePlaces()
		}
	case key.Matches(k, live(nav.Open)):
		a.close(o)
		if o.cursor < len(ps) {
			return a.goPlace(ps[o.cursor])
		}
	default:
		a.close(o)
	}
	return nil
}

// goPlace shows place p in the focused pane.
func (a *App) goPlace(p Place) tea.Cmd {
	var cmds []tea.Cmd
	if a.fs[a.focus].Label() != p.FS {
		i := slices.IndexFunc(a.all, func(fs FS) bool { return fs.Label() == p.FS })
		if i < 0 {
			a.setError(fmt.Errorf("%s is not connected now", pane.DisplayName(p.FS)))
			return nil
		}
		cmds = append(cmds, a.switchFS(a.focus, i))
	}
	return tea.Batch(append(cmds, a.load(a.focus, p.Path, ""))...)
}

func (a *App) renderPlaces(o *placesOverlay) string {
	w := max(min(a.width-2, 90), 30)
	inner := w - 4
	var b strings.Builder
	b.WriteString(a.st.DialogTitle.Render("Places") + "\n\n")
	ps := a.places()
	if len(ps) == 0 {
		b.WriteString(a.st.Status.Render("No bookmarks or history yet: B bookmarks the folder.") + "\n")
	}
	rows := max(a.height-8, 3)
	start := min(max(o.cursor-rows/2, 0), max(len(ps)-rows, 0))
	for i := start; i < min(start+rows, len(ps)); i++ {
		mark := "  "
		if i < len(a.bookmarks) {
			mark = "★ "
		}
		line := cells.Pad(cells.Truncate(mark+pane.DisplayName(ps[i].FS+":"+ps[i].Path), inner), inner)
		if i == o.cursor {
			line = a.st.Cursor.Render(line)
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n" + a.st.Status.Render(cells.Truncate("enter: go · x: drop a bookmark · ★ bookmarks, then recent folders", inner)))
	return a.st.Dialog.Width(w).Render(b.String())
}
