package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/megatui/megatui/ui/dedupe"
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
	JobAnswer                               key.Binding
	PauseAll, CancelAll, RetryFailed        key.Binding
	ClearFinished                           key.Binding
	// Conflict question (a copy's target name exists).
	AskSkip, AskOverwrite, AskRename, AskAll, AskLater key.Binding
	// Duplicates: jump between them, open the guided dedupe, undo it.
	NextDup, PrevDup, Dedupe, UndoDedupe key.Binding
	// Guided dedupe screen (ui/dedupe).
	DDKeep, DDNewest, DDOldest, DDLargest, DDSmallest, DDRename, DDSkip key.Binding
	DDAll, DDIdentical, DDVerify, DDBack, DDUndo                        key.Binding
	// Login form (ui/login).
	FormNext, FormPrev, FormToggle key.Binding
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
		JobPause:     b("p", "pause/resume", "p"),
		JobCancel:    b("x", "cancel", "x"),
		JobRetry:     b("R", "retry", "R"),
		JobFront:     b("f", "to front", "f"),
		JobAnswer:    b("enter", "answer", "enter"),

		PauseAll:      b("P", "pause/resume all", "P"),
		CancelAll:     b("X", "cancel all", "X"),
		RetryFailed:   b("ctrl+r", "retry failed", "ctrl+r"),
		ClearFinished: b("C", "clear finished", "C"),

		AskSkip:      b("s", "skip", "s"),
		AskOverwrite: b("o", "overwrite", "o"),
		AskRename:    b("k", "keep both", "k"),
		AskAll:       b("a", "apply to all", "a"),
		AskLater:     b("esc", "decide later", "esc"),

		NextDup:    b("n", "next duplicate", "n"),
		PrevDup:    b("N", "previous duplicate", "N"),
		Dedupe:     b("d", "guided dedupe", "d"),
		UndoDedupe: b("U", "undo last dedupe", "U"),

		DDKeep:      b("enter", "keep this one", "enter"),
		DDNewest:    b("n", "newest", "n"),
		DDOldest:    b("o", "oldest", "o"),
		DDLargest:   b("L", "largest", "L"),
		DDSmallest:  b("s", "smallest", "s"),
		DDRename:    b("r", "keep all, rename", "r"),
		DDSkip:      b("x", "skip", "x"),
		DDAll:       b("a", "apply to all", "a"),
		DDIdentical: b("i", "drop identical", "i"),
		DDVerify:    b("v", "verify", "v"),
		DDBack:      b("b", "back", "b", "backspace"),
		DDUndo:      b("u", "undo", "u"),

		FormNext:   b("tab/↓", "next field", "tab", "down"),
		FormPrev:   b("shift+tab/↑", "previous field", "shift+tab", "up"),
		FormToggle: b("space", "tick/untick", "space"),

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
		{k.Copy, k.Move, k.Rename, k.Mkdir, k.Delete, k.DeleteForever, k.Rubbish, k.Restore, k.Export},
		{k.Transfers, k.TransfersMax, k.JobPause, k.JobCancel, k.JobRetry, k.JobFront, k.JobAnswer,
			k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished},
		{k.NextDup, k.PrevDup, k.Dedupe, k.UndoDedupe},
		{k.Help, k.Quit, k.ForceQuit},
	}
}

// DedupeHelp lists the guided dedupe screen's bindings (its footer).
func (k KeyMap) DedupeHelp() []key.Binding {
	return []key.Binding{k.Help, k.DDKeep, k.DDNewest, k.DDOldest, k.DDLargest, k.DDSmallest, k.DDRename,
		k.DDSkip, k.DDAll, k.DDIdentical, k.DDVerify, k.DDBack, k.DDUndo, k.Accept, k.Yes, k.No, k.PageUp, k.PageDown, k.Cancel}
}

// PanelHelp lists the transfer panel's bindings (the footer while it has
// focus).
func (k KeyMap) PanelHelp() []key.Binding {
	return []key.Binding{k.PauseAll, k.CancelAll, k.RetryFailed, k.ClearFinished,
		k.JobPause, k.JobCancel, k.JobRetry, k.JobFront, k.JobAnswer, k.Help}
}

// AskHelp lists the conflict question's bindings (the footer while it is
// open).
func (k KeyMap) AskHelp() []key.Binding {
	return []key.Binding{k.Accept, k.AskSkip, k.AskOverwrite, k.AskRename, k.AskAll, k.AskLater, k.Next}
}

// LoginHelp lists the login form's bindings.
func (k KeyMap) LoginHelp() []key.Binding {
	return []key.Binding{k.Accept, k.FormNext, k.FormPrev, k.FormToggle, k.Cancel}
}

// helpGroupTitles names the FullHelp columns in the help overlay.
func helpGroupTitles() []string {
	return []string{"Navigation", "Selection and view", "Actions", "Transfers", "Duplicates", "General"}
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
	jobAsks    bool // the panel's cursor job waits for a conflict answer
	canPause   bool // some job is queued, running or waiting
	canResume  bool // some job is paused
	canCancel  bool // some job is unfinished
	hasFailed  bool // some job failed
	hasEnded   bool // some job is done, skipped or cancelled
	asking     bool // the top dialog is a conflict question
	panelShown bool
	switchFS   bool // more than one filesystem to choose from
	hasDups    bool // the focused pane's folder has duplicate groups
	deduper    bool // the focused filesystem offers the guided dedupe
	login      bool // the login form is open
	screen     bool // the guided dedupe screen is open
	dd         dedupe.Context
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
	set(!c.dialog && !c.panel, &k.Open)
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
	set(browse && c.panel && c.jobAsks, &k.JobAnswer)
	set(browse && c.panel && (c.canPause || c.canResume), &k.PauseAll)
	set(browse && c.panel && c.canCancel, &k.CancelAll)
	set(browse && c.panel && c.hasFailed, &k.RetryFailed)
	set(browse && c.panel && c.hasEnded, &k.ClearFinished)
	set(true, &k.ForceQuit)
	set(c.dialog || c.filtering, &k.Accept, &k.Cancel)
	set(c.dialog, &k.Yes, &k.No, &k.Next, &k.Prev)
	set(c.filtering && !c.renaming && !c.dialog, &k.InputUp, &k.InputDown)
	set(c.asking, &k.AskSkip, &k.AskOverwrite, &k.AskRename, &k.AskAll, &k.AskLater)
	if c.asking {
		// Letters answer; esc puts the question off (AskLater).
		set(false, &k.Yes, &k.No, &k.Cancel)
	}
	if c.inRubbish {
		// Folders are not made in the Rubbish Bin; restore puts things back.
		set(false, &k.Mkdir)
	}
	set(browse && !c.panel && c.hasDups, &k.NextDup, &k.PrevDup)
	set(browse && !c.panel && c.deduper, &k.Dedupe, &k.UndoDedupe)
	k.syncForms(c)
}

// syncForms enables the bindings of the login form and the dedupe screen
// (App reports them as dialogs, so the browser's bindings are off).
func (k *KeyMap) syncForms(c keyContext) {
	set := func(on bool, bs ...*key.Binding) {
		for _, b := range bs {
			b.SetEnabled(on)
		}
	}
	set(c.login, &k.FormNext, &k.FormPrev, &k.FormToggle)
	if c.login {
		// Letters and arrows are typed into the fields.
		set(false, &k.Yes, &k.No, &k.Next, &k.Prev)
		set(true, &k.Accept, &k.Cancel)
	}
	dd := c.dd
	group := c.screen && dd.Step == dedupe.StepGroup && !dd.Confirm
	act := group && !dd.Collision && !dd.Busy
	set(act, &k.DDKeep, &k.DDNewest, &k.DDOldest, &k.DDLargest, &k.DDSmallest, &k.DDRename)
	set(group, &k.DDSkip, &k.DDAll)
	set(group && dd.Back, &k.DDBack)
	set(act && dd.Identical, &k.DDIdentical)
	set(act && dd.Verify, &k.DDVerify)
	set(c.screen && dd.Undo, &k.DDUndo)
	if !c.screen || c.login {
		return
	}
	scroll := dd.Step == dedupe.StepScope || dd.Step == dedupe.StepReview || (group && !dd.Busy)
	set(scroll, &k.Up, &k.Down)
	set(dd.Step == dedupe.StepReview, &k.PageUp, &k.PageDown)
	set(false, &k.Next, &k.Prev)
	set(dd.Step == dedupe.StepReview || dd.Confirm, &k.Yes, &k.No)
	set(dd.Step == dedupe.StepScope || dd.Step == dedupe.StepReview || dd.Step == dedupe.StepDone || dd.Confirm, &k.Accept)
	set(true, &k.Cancel)
	set(true, &k.Help)
}
