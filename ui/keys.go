package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
)

// KeyMap is the one key map of the application, grouped by context. The
// help overlay and the F-key bar are generated from it, and App disables
// bindings that do not apply at the moment (see App.syncKeys) so both show
// only what works now.
type KeyMap struct {
	// Navigation
	Up, Down, PageUp, PageDown, Home, End   key.Binding
	Open, Parent, GoTo, SwitchPane, Refresh key.Binding
	SwitchFS                                key.Binding
	// Selection
	Toggle, SelectAll, Invert, SelectPattern, UnselectPattern, ClearMarks key.Binding
	// View
	Filter, SortCycle, SortReverse, Hidden key.Binding
	// Actions
	Copy, Move, Rename, Mkdir, Delete, DeleteForever key.Binding
	Rubbish, Restore, Export                         key.Binding
	// Transfer panel
	Transfers, TransfersMax                 key.Binding
	JobPause, JobCancel, JobRetry, JobFront key.Binding
	// Application
	Help, Quit, ForceQuit key.Binding
	// Dialogs and inputs
	Accept, Yes, No, Cancel, Next, Prev key.Binding
	// InputUp and InputDown move the cursor while the filter input has
	// focus (letters are typed, so only the arrows move).
	InputUp, InputDown key.Binding
}

// DefaultKeyMap returns megatui's bindings: Midnight Commander's F-keys,
// plus letters and vim motions.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:         b("↑/k", "up", "up", "k"),
		Down:       b("↓/j", "down", "down", "j"),
		PageUp:     b("pgup/ctrl+b", "page up", "pgup", "ctrl+b"),
		PageDown:   b("pgdn/ctrl+f", "page down", "pgdown", "ctrl+f"),
		Home:       b("home/g", "first entry", "home", "g"),
		End:        b("end/G", "last entry", "end", "G"),
		Open:       b("enter/l", "open folder", "enter", "l", "right"),
		Parent:     b("bksp/h", "parent folder", "backspace", "h", "left"),
		GoTo:       b(":", "go to path", ":"),
		SwitchPane: b("tab", "switch pane", "tab"),
		Refresh:    b("ctrl+r", "refresh", "ctrl+r"),
		SwitchFS:   b("o", "pane: local or remote", "o"),

		Toggle:          b("space/ins", "select", "space", "insert"),
		SelectAll:       b("ctrl+a", "select all", "ctrl+a"),
		Invert:          b("*", "invert selection", "*"),
		SelectPattern:   b("+", "select by pattern", "+"),
		UnselectPattern: b("-", "unselect by pattern", "-"),
		ClearMarks:      b("esc", "clear selection/filter", "esc"),

		Filter:      b("/", "filter", "/"),
		SortCycle:   b("s", "sort: name/size/time", "s"),
		SortReverse: b("S", "reverse sort", "S"),
		Hidden:      b(".", "hidden files", "."),

		Copy:          b("F5/c", "Copy", "f5", "c"),
		Move:          b("F6/m", "Move", "f6", "m"),
		Rename:        b("F2/r", "Rename", "f2", "r"),
		Mkdir:         b("F7", "Mkdir", "f7"),
		Delete:        b("F8/del", "Delete", "f8", "delete"),
		DeleteForever: b("shift+F8/D", "delete PERMANENTLY", "shift+f8", "D"),
		Rubbish:       b("b", "rubbish bin", "b"),
		Restore:       b("u", "restore from bin", "u"),
		Export:        b("e", "export public link", "e"),

		Transfers:    b("t", "transfer panel", "t"),
		TransfersMax: b("T", "maximise transfers", "T"),
		JobPause:     b("p", "pause/resume job", "p"),
		JobCancel:    b("x", "cancel job", "x"),
		JobRetry:     b("R", "retry job", "R"),
		JobFront:     b("f", "job to front", "f"),

		Help:      b("F1/?", "Help", "f1", "?"),
		Quit:      b("F10/q", "Quit", "f10", "q"),
		ForceQuit: b("ctrl+c", "quit now", "ctrl+c"),

		Accept: b("enter", "confirm", "enter"),
		Yes:    b("y", "yes", "y"),
		No:     b("n", "no", "n"),
		Cancel: b("esc", "cancel", "esc"),
		Next:   b("tab/→", "next choice", "tab", "right"),
		Prev:   b("shift+tab/←", "previous choice", "shift+tab", "left"),

		InputUp:   b("↑", "up", "up"),
		InputDown: b("↓", "down", "down"),
	}
}

// ShortHelp implements help.KeyMap: the keys shown in the F-key bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Rename, k.Copy, k.Move, k.Mkdir, k.Delete, k.Quit}
}

// FullHelp implements help.KeyMap: every binding, by group.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Open, k.Parent, k.GoTo, k.SwitchPane, k.SwitchFS, k.Refresh},
		{k.Toggle, k.SelectAll, k.Invert, k.SelectPattern, k.UnselectPattern, k.ClearMarks, k.Filter, k.SortCycle, k.SortReverse, k.Hidden},
		{k.Copy, k.Move, k.Rename, k.Mkdir, k.Delete, k.DeleteForever, k.Rubbish, k.Restore, k.Export, k.Help, k.Quit, k.ForceQuit},
		{k.Transfers, k.TransfersMax, k.JobPause, k.JobCancel, k.JobRetry, k.JobFront},
	}
}

// helpGroupTitles names the FullHelp columns in the help overlay.
func helpGroupTitles() []string {
	return []string{"Navigation", "Selection and view", "Actions", "Transfers"}
}

// fkeyNumber returns N when b is bound to the function key FN.
func fkeyNumber(b key.Binding) (int, bool) {
	for _, k := range b.Keys() {
		if n, ok := strings.CutPrefix(k, "f"); ok {
			if v, err := strconv.Atoi(n); err == nil {
				return v, true
			}
		}
	}
	return 0, false
}

// keyContext is what decides which bindings apply now.
type keyContext struct {
	dialog     bool // a dialog or the help overlay is open
	filtering  bool // the filter or rename input has focus
	renaming   bool // the rename input has focus
	hasEntries bool // the focused pane shows at least one entry
	canParent  bool
	busy       bool // focused pane is loading
	hasMarks   bool
	hasFilter  bool
	rubbish    bool // focused FS has a rubbish bin
	inRubbish  bool // focused pane shows the rubbish bin
	export     bool // focused FS can export links
	transfers  bool // a transfer queue is wired
	panel      bool // the transfer panel has focus
	hasJob     bool // the panel's cursor is on a job
	panelShown bool
	switchFS   bool // more than one filesystem to choose from
}

// sync enables exactly the bindings that apply in c.
func (k *KeyMap) sync(c keyContext) {
	if c.panel {
		// The transfer panel has focus: the pane bindings do not apply.
		c.hasEntries, c.canParent, c.hasMarks, c.hasFilter = false, false, false, false
		c.rubbish, c.inRubbish, c.export = false, false, false
	}
	browse := !c.dialog && !c.filtering
	set := func(on bool, bs ...*key.Binding) {
		for _, b := range bs {
			b.SetEnabled(on)
		}
	}
	set(browse, &k.Up, &k.Down)
	set(!c.dialog, &k.PageUp, &k.PageDown)
	set(browse, &k.Home, &k.End, &k.GoTo, &k.SwitchPane, &k.Refresh, &k.Filter,
		&k.SortCycle, &k.SortReverse, &k.Hidden, &k.Mkdir, &k.Help, &k.Quit)
	set(!c.dialog, &k.Open)
	set(browse && c.canParent, &k.Parent)
	set(browse && c.hasEntries, &k.Toggle, &k.SelectAll, &k.Invert, &k.SelectPattern,
		&k.UnselectPattern, &k.Rename, &k.Delete, &k.DeleteForever)
	set(browse && (c.hasMarks || c.hasFilter), &k.ClearMarks)
	set(browse && c.hasEntries && c.transfers, &k.Copy, &k.Move)
	set(browse && c.rubbish, &k.Rubbish)
	set(browse && c.inRubbish && c.hasEntries, &k.Restore)
	set(browse && c.export && c.hasEntries, &k.Export)
	set(browse && !c.panel, &k.Home, &k.End, &k.GoTo, &k.Refresh, &k.Filter,
		&k.SortCycle, &k.SortReverse, &k.Hidden, &k.Mkdir)
	set(browse && c.transfers, &k.Transfers)
	set(browse && !c.panel && c.switchFS, &k.SwitchFS)
	set(browse && c.transfers && c.panelShown, &k.TransfersMax)
	set(browse && c.panel && c.hasJob, &k.JobPause, &k.JobCancel, &k.JobRetry, &k.JobFront)
	set(true, &k.ForceQuit)
	set(c.dialog || c.filtering, &k.Accept, &k.Cancel)
	set(c.dialog, &k.Yes, &k.No, &k.Next, &k.Prev)
	set(c.filtering && !c.renaming && !c.dialog, &k.InputUp, &k.InputDown)
}
