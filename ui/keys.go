package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/megatui/megatui/ui/dedupe"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/login"
	"github.com/megatui/megatui/ui/transfers"
	"github.com/megatui/megatui/ui/viewer"
)

// KeyMap is the one key map of the application, nested by context: the
// browser's groups, the transfer panel, dialogs, the filter and rename
// inputs, the conflict question, the guided dedupe screen and the login
// form. Each group is a type with its title, and each child component
// takes its own group (the panel its transfers.Keys, a dialog its
// dialog.Keys), so no key set is copied by hand and the help's titles come
// from the groups. The help overlay and the F-key bar are generated from
// it, and App disables bindings that do not apply at the moment (see
// App.syncKeys) so both show only what works now.
type KeyMap struct {
	Browse  BrowseKeys
	Panel   transfers.Keys
	Dialog  dialog.Keys
	Input   InputKeys
	Ask     AskKeys
	Dedupe  dedupe.Keys
	Viewer  viewer.Keys
	Login   login.Keys
	General GeneralKeys
}

// BrowseKeys are the bindings of the two panes, in the help's groups.
type BrowseKeys struct {
	Nav     NavKeys
	Select  SelectKeys
	Actions ActionKeys
	Dups    DupKeys
}

// NavKeys move the cursor and between folders, panes and filesystems.
type NavKeys struct {
	Up, Down, PageUp, PageDown, Home, End   key.Binding
	Open, Parent, GoTo, SwitchPane, Refresh key.Binding
	SwitchFS, Find, Mirror, Space           key.Binding
	Bookmark, Places                        key.Binding
}

// SelectKeys select entries and change what a pane shows.
type SelectKeys struct {
	Toggle, SelectAll, Invert, SelectPattern, UnselectPattern, ClearMarks key.Binding
	Filter, SortCycle, SortReverse, Hidden                                key.Binding
}

// ActionKeys act on the selection or the cursor entry.
type ActionKeys struct {
	View, QuickLook                                  key.Binding
	Copy, Move, Rename, Mkdir, Delete, DeleteForever key.Binding
	Rubbish, Restore, Export                         key.Binding
}

// DupKeys jump between duplicates and open or undo the guided dedupe.
type DupKeys struct {
	Next, Prev, Dedupe, Undo key.Binding
}

// GeneralKeys apply everywhere.
type GeneralKeys struct {
	Help, Quit, ForceQuit key.Binding
}

// InputKeys are the bindings of the filter and in-place rename inputs
// (letters are typed, so only the arrows move the cursor).
type InputKeys struct {
	Accept, Cancel, Up, Down key.Binding
}

// AskKeys answer the conflict question (a copy's target name exists).
type AskKeys struct {
	Skip, Overwrite, Rename, All, Later key.Binding
}

// Titles name the groups in the help.
func (NavKeys) Title() string     { return "Navigation" }
func (SelectKeys) Title() string  { return "Selection and view" }
func (ActionKeys) Title() string  { return "Actions" }
func (DupKeys) Title() string     { return "Duplicates" }
func (GeneralKeys) Title() string { return "General" }
func (InputKeys) Title() string   { return "Filter and rename" }
func (AskKeys) Title() string     { return "Name conflict" }

// Bindings list each group's keys in the order the help shows them.
func (k NavKeys) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Open, k.Parent, k.GoTo,
		k.Find, k.Space, k.Places, k.Bookmark, k.SwitchPane, k.Mirror, k.SwitchFS, k.Refresh}
}

func (k SelectKeys) Bindings() []key.Binding {
	return []key.Binding{k.Toggle, k.SelectAll, k.Invert, k.SelectPattern, k.UnselectPattern, k.ClearMarks,
		k.Filter, k.SortCycle, k.SortReverse, k.Hidden}
}

func (k ActionKeys) Bindings() []key.Binding {
	return []key.Binding{k.View, k.QuickLook, k.Copy, k.Move, k.Rename, k.Mkdir, k.Delete, k.DeleteForever, k.Rubbish, k.Restore, k.Export}
}

func (k DupKeys) Bindings() []key.Binding { return []key.Binding{k.Next, k.Prev, k.Dedupe, k.Undo} }

func (k GeneralKeys) Bindings() []key.Binding { return []key.Binding{k.Help, k.Quit, k.ForceQuit} }

func (k InputKeys) Bindings() []key.Binding { return []key.Binding{k.Accept, k.Cancel, k.Up, k.Down} }

func (k AskKeys) Bindings() []key.Binding {
	return []key.Binding{k.Skip, k.Overwrite, k.Rename, k.All, k.Later}
}

// dialog is the conflict question's part of the Ask dialog's keys.
func (k AskKeys) dialog() dialog.AskKeys {
	return dialog.AskKeys{Choices: []key.Binding{k.Skip, k.Overwrite, k.Rename}, All: k.All, Later: k.Later}
}

// keyGroup is a titled group of bindings, as the help shows it.
type keyGroup interface {
	Title() string
	Bindings() []key.Binding
}

// DefaultKeyMap returns megatui's bindings: Midnight Commander's F-keys,
// plus letters and vim motions.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	up, down := b("↑/k", "up", "up", "k"), b("↓/j", "down", "down", "j")
	pgup, pgdown := b("pgup/ctrl+b", "page up", "pgup", "ctrl+b"), b("pgdn/ctrl+f", "page down", "pgdown", "ctrl+f")
	accept, cancel := b("enter", "confirm", "enter"), b("esc", "cancel", "esc")
	yes, no := b("y", "yes", "y"), b("n", "no", "n")
	return KeyMap{
		Browse: BrowseKeys{
			Nav: NavKeys{
				Up: up, Down: down, PageUp: pgup, PageDown: pgdown,
				Home:       b("home/g", "first entry", "home", "g"),
				End:        b("end/G", "last entry", "end", "G"),
				Open:       b("enter/l", "open folder", "enter", "l", "right"),
				Parent:     b("bksp/h", "parent folder", "backspace", "h", "left"),
				GoTo:       b(":", "go to path", ":"),
				SwitchPane: b("tab", "switch pane", "tab"),
				Refresh:    b("ctrl+r", "refresh", "ctrl+r"),
				SwitchFS:   b("o", "pane: local or remote", "o"),
				Find:       b("F", "find below (name >size <age)", "F"),
				Mirror:     b("alt+o/=", "same folder in the other pane", "alt+o", "="),
				Space:      b("z", "space used (ncdu)", "z"),
				Bookmark:   b("B", "bookmark this folder (again: drop)", "B"),
				Places:     b("'", "bookmarks and recent folders", "'"),
			},
			Select: SelectKeys{
				Toggle:          b("space/ins", "select", "space", "insert"),
				SelectAll:       b("ctrl+a", "select all", "ctrl+a"),
				Invert:          b("*", "invert selection", "*"),
				SelectPattern:   b("+", "select by pattern", "+"),
				UnselectPattern: b("-", "unselect by pattern", "-"),
				ClearMarks:      b("esc", "clear selection/filter", "esc"),
				Filter:          b("/", "filter", "/"),
				SortCycle:       b("s", "sort: name/size/time", "s"),
				SortReverse:     b("S", "reverse sort", "S"),
				Hidden:          b(".", "hidden files", "."),
			},
			Actions: ActionKeys{
				View:          b("F3/v", "View", "f3", "v"),
				QuickLook:     b("Q", "quick look in the other pane", "Q"),
				Copy:          b("F5/c", "Copy", "f5", "c"),
				Move:          b("F6/m", "Move", "f6", "m"),
				Rename:        b("F2/r", "Rename", "f2", "r"),
				Mkdir:         b("F7", "Mkdir", "f7"),
				Delete:        b("F8/del", "Delete", "f8", "delete"),
				DeleteForever: b("shift+F8/D", "delete PERMANENTLY", "shift+f8", "D"),
				Rubbish:       b("b", "rubbish bin", "b"),
				Restore:       b("u", "restore from bin", "u"),
				Export:        b("e", "export public link", "e"),
			},
			Dups: DupKeys{
				Next:   b("n", "next duplicate", "n"),
				Prev:   b("N", "previous duplicate", "N"),
				Dedupe: b("d", "guided dedupe", "d"),
				Undo:   b("U", "undo last dedupe", "U"),
			},
		},
		Panel: transfers.Keys{
			Toggle:   b("t", "transfer panel: focus/hide", "t"),
			Maximise: b("T", "maximise transfers", "T"),
			Log:      b("L", "transfer log", "L"),
			Up:       up, Down: down, PageUp: pgup, PageDown: pgdown,
			Home:          b("home/g", "first transfer", "home", "g"),
			End:           b("end/G", "last transfer", "end", "G"),
			Expand:        b("→/l/enter", "open group", "right", "l", "enter"),
			Collapse:      b("←/h", "close group", "left", "h"),
			Back:          b("esc/tab", "back to the panes", "esc", "tab"),
			Pause:         b("p", "pause/resume", "p"),
			Cancel:        b("x", "cancel", "x"),
			Retry:         b("R", "retry", "R"),
			Front:         b("f", "to front", "f"),
			Answer:        b("enter", "answer", "enter"),
			PauseAll:      b("P", "pause/resume all", "P"),
			CancelAll:     b("X", "cancel all", "X"),
			RetryFailed:   b("ctrl+r", "retry failed", "ctrl+r"),
			ClearFinished: b("C", "clear finished", "C"),
		},
		Dialog: dialog.Keys{
			Accept: accept, Yes: yes, No: no, Cancel: cancel,
			Next: b("tab/→", "next choice", "tab", "right"),
			Prev: b("shift+tab/←", "previous choice", "shift+tab", "left"),
		},
		Input: InputKeys{Accept: accept, Cancel: cancel, Up: b("↑", "up", "up"), Down: b("↓", "down", "down")},
		Ask: AskKeys{
			Skip:      b("s", "skip", "s"),
			Overwrite: b("o", "overwrite", "o"),
			Rename:    b("k", "keep both", "k"),
			All:       b("a", "apply to all", "a"),
			Later:     b("esc", "decide later", "esc"),
		},
		Dedupe: dedupe.Keys{
			Up: up, Down: down, PageUp: pgup, PageDown: pgdown,
			Accept: accept, Cancel: cancel, Yes: yes, No: no,
			Keep:      b("enter", "keep this one", "enter"),
			Newest:    b("n", "newest", "n"),
			Oldest:    b("o", "oldest", "o"),
			Largest:   b("L", "largest", "L"),
			Smallest:  b("s", "smallest", "s"),
			Rename:    b("r", "keep all, rename", "r"),
			Skip:      b("x", "skip", "x"),
			All:       b("a", "apply to all", "a"),
			Identical: b("i", "drop identical", "i"),
			Verify:    b("v", "verify", "v"),
			Back:      b("b", "back", "b", "backspace"),
			Undo:      b("u", "undo", "u"),
		},
		Viewer: viewer.Keys{
			Up: up, Down: down, PageUp: b("pgup/b", "page up", "pgup", "ctrl+b", "b"),
			PageDown: b("pgdn/space", "page down", "pgdown", "ctrl+f", "space"),
			Home:     b("home/g", "start", "home", "g"),
			End:      b("end/G", "end", "end", "G"),
			Search:   b("/", "search", "/"),
			Next:     b("n", "next match", "n"),
			Close:    b("esc/F3/q", "close", "esc", "f3", "q", "f10"),
			Accept:   accept, Cancel: cancel,
		},
		Login: login.Keys{
			Submit: accept, Cancel: cancel,
			Next:   b("tab/↓", "next field", "tab", "down"),
			Prev:   b("shift+tab/↑", "previous field", "shift+tab", "up"),
			Toggle: b("space", "tick/untick", "space"),
		},
		General: GeneralKeys{
			Help:      b("F1/?", "Help", "f1", "?"),
			Quit:      b("F10/q", "Quit", "f10", "q"),
			ForceQuit: b("ctrl+c", "quit now", "ctrl+c"),
		},
	}
}

// browseGroups are the groups of the browser's help, in order.
func (k KeyMap) browseGroups() []keyGroup {
	// General first: help and quit are on the first page at any size.
	return []keyGroup{k.General, k.Browse.Nav, k.Browse.Select, k.Browse.Actions, k.Panel, k.Browse.Dups}
}

// ShortHelp implements help.KeyMap: the keys shown in the F-key bar.
func (k KeyMap) ShortHelp() []key.Binding {
	a := k.Browse.Actions
	return []key.Binding{k.General.Help, a.Rename, a.Copy, a.Move, a.Mkdir, a.Delete, k.General.Quit}
}

// FullHelp implements help.KeyMap: every binding of the browser, by group.
func (k KeyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, g := range k.browseGroups() {
		out = append(out, g.Bindings())
	}
	return out
}

// whereNote says where a binding that does not apply now works, for the
// help ("" for keys the help leaves out when they are off).
func whereNote(b key.Binding) string {
	switch b.Help().Desc {
	case "pause/resume", "cancel", "retry", "to front", "pause/resume all", "cancel all", "retry failed",
		"clear finished", "first transfer", "last transfer", "back to the panes":
		return "panel"
	case "open group", "close group":
		return "panel group"
	case "answer":
		return "panel, asking"
	case "maximise transfers":
		return "panel shown"
	case "View":
		return "on a file"
	case "restore from bin":
		return "in the bin"
	case "rubbish bin", "export public link", "guided dedupe", "undo last dedupe", "space used (ncdu)":
		return "MEGA"
	case "next duplicate", "previous duplicate":
		return "⧉ shown"
	case "clear selection/filter":
		return "marks/filter"
	case "parent folder":
		return "not at top"
	case "pane: local or remote":
		return "a remote set"
	case "Copy", "Move", "Rename", "Delete", "delete PERMANENTLY", "select", "select all", "invert selection",
		"select by pattern", "unselect by pattern":
		return "on entries"
	case "first entry", "last entry", "go to path", "refresh", "filter", "sort: name/size/time", "reverse sort",
		"hidden files", "Mkdir", "open folder":
		return "in a pane"
	}
	return ""
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
	dialog     bool // a dialog, the help, the login form or the dedupe screen is open
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
	jobAsks    bool // the panel's cursor job waits for a conflict answer
	canPause   bool // some job is queued, running or waiting
	canResume  bool // some job is paused
	canCancel  bool // some job is unfinished
	hasFailed  bool // some job failed
	hasEnded   bool // some job is done, skipped or cancelled
	// What the jobs under the panel's cursor allow.
	selPause, selCancel, selRetry, selFront bool
	onGroup, groupOpen, inOpenGroup         bool // the cursor is on a group's row (open), or in an open group
	hasLog                                  bool // the transfer log has entries
	viewable                                bool // the cursor entry can be viewed (F3)
	finding                                 bool // the focused pane shows find results
	sizer                                   bool // the focused filesystem tells folder sizes
	asking                                  bool // the top dialog is a conflict question
	panelShown                              bool
	switchFS                                bool // more than one filesystem to choose from
	hasDups                                 bool // the focused pane's folder has duplicate groups
	deduper                                 bool // the focused filesystem offers the guided dedupe
	login                                   bool // the login form is open
	screen                                  bool // the guided dedupe screen is open (no dialog over it)
	dd                                      dedupe.Context
}

func set(on bool, bs ...*key.Binding) {
	for _, b := range bs {
		b.SetEnabled(on)
	}
}

// sync enables exactly the bindings that apply in c, group by group.
func (k *KeyMap) sync(c keyContext) {
	if c.panel {
		// The transfer panel has focus: the pane bindings do not apply.
		c.hasEntries, c.canParent, c.hasMarks, c.hasFilter = false, false, false, false
		c.rubbish, c.inRubbish, c.export = false, false, false
	}
	browse := !c.dialog && !c.filtering
	k.syncBrowse(c, browse)
	k.syncPanel(c, browse)
	set(browse, &k.General.Help, &k.General.Quit)
	set(true, &k.General.ForceQuit)

	d := &k.Dialog
	set(c.dialog, &d.Accept, &d.Cancel, &d.Yes, &d.No, &d.Next, &d.Prev)
	a := &k.Ask
	set(c.asking, &a.Skip, &a.Overwrite, &a.Rename, &a.All, &a.Later)
	if c.asking {
		// Letters answer; esc puts the question off (Ask.Later).
		set(false, &d.Yes, &d.No, &d.Cancel)
	}
	in := &k.Input
	set(c.filtering, &in.Accept, &in.Cancel)
	set(c.filtering && !c.renaming && !c.dialog, &in.Up, &in.Down)

	l := &k.Login
	set(c.login, &l.Next, &l.Prev, &l.Toggle, &l.Submit, &l.Cancel)
	if c.login {
		// Letters and arrows are typed into the fields.
		set(false, &d.Yes, &d.No, &d.Next, &d.Prev)
	}
	k.syncDedupe(c)
}

func (k *KeyMap) syncBrowse(c keyContext, browse bool) {
	n, s, a, dp := &k.Browse.Nav, &k.Browse.Select, &k.Browse.Actions, &k.Browse.Dups
	set(browse, &n.Up, &n.Down, &n.SwitchPane)
	set(!c.dialog, &n.PageUp, &n.PageDown)
	set(browse && !c.panel, &n.Home, &n.End, &n.GoTo, &n.Find, &n.Mirror, &n.Refresh, &s.Filter, &s.SortCycle, &s.SortReverse,
		&s.Hidden, &a.Mkdir)
	set(!c.dialog && !c.panel, &n.Open)
	set(browse && (c.canParent || c.finding), &n.Parent)
	set(browse && !c.panel && c.switchFS, &n.SwitchFS)
	set(browse && !c.panel && c.sizer, &n.Space)
	set(browse && !c.panel, &n.Bookmark, &n.Places)
	set(browse && c.hasEntries, &s.Toggle, &s.SelectAll, &s.Invert, &s.SelectPattern,
		&s.UnselectPattern, &a.Rename, &a.Delete, &a.DeleteForever)
	set(browse && (c.hasMarks || c.hasFilter), &s.ClearMarks)
	set(browse && c.hasEntries && c.transfers, &a.Copy, &a.Move)
	set(browse && c.rubbish, &a.Rubbish)
	set(browse && c.inRubbish && c.hasEntries, &a.Restore)
	set(browse && c.export && c.hasEntries, &a.Export)
	set(browse && c.viewable, &a.View)
	set(browse && !c.panel, &a.QuickLook)
	if c.inRubbish {
		// Folders are not made in the Rubbish Bin; restore puts things back.
		set(false, &a.Mkdir)
	}
	set(browse && !c.panel && c.hasDups, &dp.Next, &dp.Prev)
	set(browse && !c.panel && c.deduper, &dp.Dedupe, &dp.Undo)
}

func (k *KeyMap) syncPanel(c keyContext, browse bool) {
	p := &k.Panel
	set(browse && c.transfers, &p.Toggle)
	set(browse && c.transfers && c.panelShown, &p.Maximise)
	set(browse && c.transfers, &p.Log)
	set(browse && c.panel, &p.Up, &p.Down, &p.Home, &p.End, &p.Back)
	set(!c.dialog && c.panel, &p.PageUp, &p.PageDown)
	set(browse && c.panel && c.onGroup && !c.groupOpen, &p.Expand)
	set(browse && c.panel && (c.onGroup && c.groupOpen || c.inOpenGroup), &p.Collapse)
	set(browse && c.panel && c.selPause, &p.Pause)
	set(browse && c.panel && c.selCancel, &p.Cancel)
	set(browse && c.panel && c.selRetry, &p.Retry)
	set(browse && c.panel && c.selFront, &p.Front)
	set(browse && c.panel && c.jobAsks, &p.Answer)
	set(browse && c.panel && (c.canPause || c.canResume), &p.PauseAll)
	set(browse && c.panel && c.canCancel, &p.CancelAll)
	set(browse && c.panel && c.hasFailed, &p.RetryFailed)
	set(browse && c.panel && c.hasEnded, &p.ClearFinished)
}

// syncDedupe enables the guided dedupe screen's bindings for its step.
func (k *KeyMap) syncDedupe(c keyContext) {
	dk := &k.Dedupe
	dd := c.dd
	on := c.screen && !c.login
	group := on && dd.Step == dedupe.StepGroup && !dd.Confirm
	act := group && !dd.Collision && !dd.Busy
	set(act, &dk.Keep, &dk.Newest, &dk.Oldest, &dk.Largest, &dk.Smallest, &dk.Rename)
	set(group, &dk.Skip, &dk.All)
	set(group && dd.Back, &dk.Back)
	set(act && dd.Identical, &dk.Identical)
	set(act && dd.Verify, &dk.Verify)
	set(on && dd.Undo, &dk.Undo)
	scroll := dd.Step == dedupe.StepScope || dd.Step == dedupe.StepReview || (group && !dd.Busy)
	set(on && scroll, &dk.Up, &dk.Down)
	set(on && dd.Step == dedupe.StepReview, &dk.PageUp, &dk.PageDown)
	set(on && (dd.Step == dedupe.StepReview || dd.Confirm), &dk.Yes, &dk.No)
	set(on && (dd.Step == dedupe.StepScope || dd.Step == dedupe.StepReview || dd.Step == dedupe.StepDone || dd.Confirm), &dk.Accept)
	set(on, &dk.Cancel)
	if on {
		// Help is open to the screen's own keys, and tab does not page it.
		set(true, &k.General.Help)
		set(false, &k.Dialog.Next, &k.Dialog.Prev)
	}
}
