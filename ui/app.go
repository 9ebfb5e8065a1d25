package ui

import (
	"context"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
	"github.com/megatui/megatui/ui/pane"
	"github.com/megatui/megatui/ui/theme"
	"github.com/megatui/megatui/ui/transfers"
)

// Options configure App. Left and Right are required.
type Options struct {
	Context     context.Context // cancels every Cmd's I/O; Background if nil
	Left, Right FS
	// LeftDir and RightDir are the initial folders ("/" if empty).
	LeftDir, RightDir string
	// Filesystems are all the filesystems a pane can switch to (local and
	// every configured remote); Left and Right are added when missing.
	Filesystems []FS
	// Transfers is the queue; nil disables copy and move.
	Transfers Transfers
	// Keys overrides DefaultKeyMap.
	Keys *KeyMap
	// Styles fixes the theme; when nil the theme follows Theme.
	Styles *theme.Styles
	// Theme picks the dark or light theme; ThemeAuto (the default) starts
	// dark and follows the terminal's background colour
	// (tea.BackgroundColorMsg).
	Theme ThemeMode
	// ShowHidden shows hidden files from the start.
	ShowHidden bool
	// DefaultConflict is the conflict policy the copy and move dialog
	// starts with (ConflictSkip when unset).
	DefaultConflict model.Conflict
	// NoColor drops colours (set it from the NO_COLOR variable).
	NoColor bool
	// Location is the time zone of the time column (time.Local if nil).
	Location *time.Location
	// AsyncFilterAbove is the folder size from which the filter matches,
	// and a sort change sorts, in a Cmd instead of inside Update (default
	// 20,000 entries).
	AsyncFilterAbove int
	// Fold folds names for the case/normalisation collision badges; it
	// must be safe for concurrent use. nil means DiskFold (NFC + case
	// folding), made fresh for each listing.
	Fold func(string) string
	// MessageTTL is how long an informational message stays on the
	// message line (errors stay three times as long); 0 keeps messages
	// until the next one.
	MessageTTL time.Duration
	// Bookmarks and History are the folders kept from earlier sessions;
	// SavePlaces, when set, keeps them again (it runs in a tea.Cmd).
	Bookmarks, History []Place
	SavePlaces         func(bookmarks, history []Place) error
	// Welcome is the first screen's message when nothing else is said:
	// where a newcomer starts (DefaultWelcome when empty).
	Welcome string
	// Authenticators log in to filesystems that have no usable session,
	// by filesystem. A filesystem that implements Authenticator itself
	// needs no entry here.
	Authenticators map[FS]Authenticator
	// OpenLink opens a public MEGA link (typed at `:`) as a read-only
	// filesystem; nil: links are not offered.
	OpenLink func(ctx context.Context, link string) (FS, error)
}

// ThemeMode picks the colour theme.
type ThemeMode int

const (
	// ThemeAuto follows the terminal's background colour.
	ThemeAuto ThemeMode = iota
	ThemeDark
	ThemeLight
)

// message kinds for the one-line message area.
const (
	msgInfo = iota
	msgSuccess
	msgError
)

// App is megatui's root tea.Model.
type App struct {
	ctx      context.Context
	fs       [2]FS
	all      []FS        // filesystems a pane can switch to
	watched  map[FS]bool // filesystems whose Watch was started
	panes    [2]pane.Model
	seq      [2]uint64
	cancel   [2]context.CancelFunc
	cameFrom [2]map[string]string // child folder -> its name, to focus it on the way up
	found    [2]*findState        // a pane's find results, nil when it shows a folder
	// refreshSeq is the sequence of a pane's background refresh on its
	// way (0: none); refreshAgain asks for one more after it.
	refreshSeq   [2]uint64
	refreshAgain [2]bool
	focus        int
	transfers    Transfers

	keys       KeyMap
	st         theme.Styles
	fixedTheme bool
	noColor    bool

	width, height int
	lay           screenLayout
	flags         layoutFlags

	// modes is the overlay stack (see overlay.go): dialogs, help,
	// filter and rename inputs, the login form, the guided dedupe screen.
	modes []overlay

	message     string
	messageKind int
	msgSeq      uint64 // counts messages set, so a timer clears only its own
	msgTTL      time.Duration

	// quotas are the last quota of each filesystem; a refresh asked while
	// one is on its way is made once that one is back.
	quotas     map[FS]*quotaMsg
	quotaBusy  map[FS]bool
	quotaAgain map[FS]bool

	asyncFilterAbove int

	panel      transfers.Model
	panelFocus bool
	lastDone   int // jobs done at the last snapshot; more means reload panes
	// log is the transfer log: every job that finished, was skipped,
	// failed or was cancelled, oldest first (bounded); logged marks the
	// jobs already in it.
	log       []logEntry
	logged    map[model.JobID]model.State
	snapshots int // snapshots received

	// Conflict questions (see ask.go).
	defaultConflict model.Conflict
	ask             askState
	loc             *time.Location // time zone of dates in dialogs

	// Duplicates: groups of each pane's folder (computed with the
	// listing) and account-wide counts by filesystem.
	fold        func(string) string
	dups        [2]dupIndex
	accountDups map[FS]int

	ddSeq    uint64     // sequence of guided dedupe sessions
	viewSeq  uint64     // sequence of viewer sessions
	spaceSeq uint64     // sequence of space view loads
	look     *quickLook // the quick look, nil when off
	lookSeq  uint64
	// bookmarks and history (most recent first), see places.go.
	bookmarks, history []Place
	savePlacesFn       func(bookmarks, history []Place) error
	loginSeq           uint64 // sequence of login forms
	auth               map[FS]Authenticator
	conn               map[FS]*connState // network filesystems' state (connection.go)
	openLink           func(ctx context.Context, link string) (FS, error)
	probe              tea.Cmd // a probe to start after this update
}

// New builds the App.
func New(o Options) *App {
	a := &App{ctx: o.Context, fs: [2]FS{o.Left, o.Right}, transfers: o.Transfers, noColor: o.NoColor,
		watched: map[FS]bool{}, fold: o.Fold, accountDups: map[FS]int{}, auth: map[FS]Authenticator{}, openLink: o.OpenLink}
	for fs, au := range o.Authenticators {
		a.auth[fs] = au
	}
	a.all = append(a.all, o.Filesystems...)
	for _, fs := range a.fs {
		if !slices.Contains(a.all, fs) {
			a.all = append(a.all, fs)
		}
	}
	if a.ctx == nil {
		a.ctx = context.Background()
	}
	a.msgTTL = o.MessageTTL
	a.bookmarks, a.history, a.savePlacesFn = slices.Clone(o.Bookmarks), slices.Clone(o.History), o.SavePlaces
	a.message = o.Welcome
	if a.message == "" {
		a.message = DefaultWelcome
	}
	a.asyncFilterAbove = o.AsyncFilterAbove
	if a.asyncFilterAbove <= 0 {
		a.asyncFilterAbove = 20_000
	}
	a.keys = DefaultKeyMap()
	if o.Keys != nil {
		a.keys = *o.Keys
	}
	switch {
	case o.Styles != nil:
		a.st, a.fixedTheme = *o.Styles, true
	case o.Theme == ThemeDark || o.Theme == ThemeLight:
		a.st, a.fixedTheme = theme.New(o.Theme == ThemeDark, o.NoColor), true
	default:
		a.st = theme.New(true, o.NoColor)
	}
	a.defaultConflict = o.DefaultConflict
	if !slices.Contains(model.ConflictChoices(), a.defaultConflict) {
		a.defaultConflict = model.ConflictSkip
	}
	a.ask = newAskState()
	a.loc = o.Location
	if a.loc == nil {
		a.loc = time.Local
	}
	dirs := [2]string{o.LeftDir, o.RightDir}
	for i := range a.panes {
		a.panes[i] = pane.New(a.fs[i].Label(), o.Location)
		a.cameFrom[i] = map[string]string{}
		if dirs[i] == "" {
			dirs[i] = "/"
		}
		a.panes[i].Listing.SetEntries(dirs[i], nil)
		a.remember(Place{FS: a.fs[i].Label(), Path: dirs[i]})
		a.panes[i].Listing.SetShowHidden(o.ShowHidden)
		a.panes[i].Badge = func(e model.Entry) (pane.Badge, bool) { return a.dupBadge(i, e) }
	}
	a.panel = transfers.New(a.keys.Panel)
	a.logged = map[model.JobID]model.State{}
	a.quotas, a.quotaBusy, a.quotaAgain = map[FS]*quotaMsg{}, map[FS]bool{}, map[FS]bool{}
	a.syncKeys()
	return a
}

// Init loads both panes, asks for quotas, starts watching filesystems that
// change remotely and asks the terminal for its background colour.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.load(0, a.panes[0].Listing.Dir(), ""), a.load(1, a.panes[1].Listing.Dir(), "")}
	if !a.fixedTheme {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if a.transfers != nil {
		if ch := a.transfers.Updates(); ch != nil {
			cmds = append(cmds, snapshotCmd(ch))
		}
	}
	for i := range a.fs {
		if i == 0 || a.fs[1] != a.fs[0] {
			cmds = append(cmds, a.startFS(i)...)
		}
	}
	return tea.Batch(cmds...)
}

// startFS asks pane i's filesystem for its quota and starts watching it
// for remote changes (once per filesystem).
func (a *App) startFS(i int) []tea.Cmd {
	var cmds []tea.Cmd
	fs := a.fs[i]
	cmds = append(cmds, a.refreshQuotas([]FS{fs})...)
	if c, ok := fs.(DuplicateCounter); ok {
		cmds = append(cmds, countDupsCmd(a.ctx, fs, c))
	}
	if w, ok := fs.(Watcher); ok && !a.watched[fs] {
		a.watched[fs] = true
		cmds = append(cmds, startWatchCmd(a.ctx, fs, w))
	}
	return cmds
}

// load starts listing dir in pane p. A newer request makes older answers
// stale (they are dropped by sequence number) and cancels their context.
func (a *App) load(p int, dir, focus string) tea.Cmd {
	a.seq[p]++
	if a.cancel[p] != nil {
		a.cancel[p]()
	}
	ctx, cancel := context.WithCancel(a.ctx)
	a.cancel[p] = cancel
	a.panes[p].Loading = true
	a.leaveFind(p)
	key, rev := a.panes[p].Listing.Sort()
	return listCmd(ctx, a.fs[p], p, a.seq[p], dir, focus, a.fold, key, rev)
}

// fuzzyMatch is the filter's model.Matcher.
func fuzzyMatch(pattern string, names []string) []int {
	ms := fuzzy.FindNoSort(pattern, names)
	out := make([]int, len(ms))
	for i, m := range ms {
		out[i] = m.Index
	}
	return out
}

// cur is the focused pane.
func (a *App) cur() *pane.Model { return &a.panes[a.focus] }

// other is the index of the pane without focus.
func (a *App) other() int { return 1 - a.focus }

// context describes what applies now, for the key map.
func (a *App) context() keyContext {
	p := a.cur()
	l := p.Listing
	fs := a.fs[a.focus]
	rb, isRB := fs.(RubbishBin)
	_, isEx := fs.(Exporter)
	job, hasJob := a.panel.Current()
	_, jobAsks := a.panel.Snapshot().Question(job.ID)
	_, asking := a.topAsk()
	_, isDD := fs.(Deduper)
	dd, login := a.dedupe(), a.loginForm()
	nDialogs := len(a.dialogs())
	c := keyContext{
		dialog:     nDialogs > 0 || a.help() != nil || login != nil || dd != nil || a.logOpen() || a.viewing() != nil || a.spaceOpen() || a.placesOpen(),
		filtering:  a.filter() != nil || a.renaming() != nil,
		renaming:   a.renaming() != nil,
		hasEntries: l.Len() > 0,
		canParent:  fs.Parent(l.Dir()) != l.Dir(),
		busy:       p.Loading,
		hasMarks:   l.MarkCount() > 0,
		hasFilter:  l.Filter() != "",
		rubbish:    isRB,
		inRubbish:  isRB && l.Dir() == rb.RubbishPath(),
		export:     isEx,
		transfers:  a.transfers != nil,
		panel:      a.panelFocus,
		hasJob:     hasJob,
		jobAsks:    hasJob && jobAsks,
		asking:     asking,
		panelShown: a.flags.transfers,
		switchFS:   len(a.all) > 1,
		hasDups:    a.dups[a.focus].groups > 0,
		deduper:    isDD,
		login:      login != nil,
		screen:     dd != nil && nDialogs == 0,
	}
	if dd != nil {
		c.dd = dd.screen.Context()
	}
	if a.panelFocus {
		c.canPause, c.canResume, c.canCancel, c.hasFailed, c.hasEnded = queueFlags(a.panel.Snapshot().Jobs)
		sel, _ := a.panel.Selected()
		c.selPause, c.selCancel, c.selRetry, c.selFront = jobFlags(sel)
		c.onGroup, c.groupOpen = a.panel.OnGroup()
		c.inOpenGroup = a.panel.InOpenGroup()
	}
	c.hasLog = len(a.log) > 0
	c.viewable = !a.panelFocus && a.viewable()
	c.finding = a.found[a.focus] != nil
	_, c.sizer = a.fs[a.focus].(FolderSizer)
	return c
}

// syncKeys enables the bindings that apply now and hands each child its
// group of the key map.
func (a *App) syncKeys() {
	a.keys.sync(a.context())
	for _, d := range a.dialogs() {
		d.SetKeys(a.keys.Dialog)
		if ad, ok := d.(*dialog.Ask); ok {
			ad.AskKeys = a.keys.Ask.dialog()
		}
	}
	if dd := a.dedupe(); dd != nil {
		dd.screen.SetKeys(a.keys.Dedupe)
	}
	if l := a.loginForm(); l != nil {
		l.form.SetKeys(a.keys.Login)
	}
	a.panel.SetKeys(a.keys.Panel)
}

func (a *App) setMessage(kind int, s string) {
	a.message, a.messageKind = s, kind
	a.msgSeq++
}

// DefaultWelcome is the first screen's message.
const DefaultWelcome = "F1/? every key · tab other pane · enter open · F5 copy · t transfers · o pane: local or remote"

// messageExpiredMsg clears the message line if no newer message was set.
type messageExpiredMsg struct{ seq uint64 }

// expireMessage is the timer of the message just set (nil when messages
// stay, or the line is empty).
func (a *App) expireMessage() tea.Cmd {
	if a.msgTTL <= 0 || a.message == "" {
		return nil
	}
	ttl := a.msgTTL
	if a.messageKind == msgError {
		ttl *= 3
	}
	seq := a.msgSeq
	return tea.Tick(ttl, func(time.Time) tea.Msg { return messageExpiredMsg{seq: seq} })
}

// Notify shows an informational message in the message area (main uses
// it for start-up notes such as resumed transfers).
func (a *App) Notify(s string) { a.setMessage(msgInfo, s) }

func (a *App) setError(err error) {
	a.setMessage(msgError, err.Error())
	if c := a.noteUnreachable(err); c != nil {
		a.probe = tea.Batch(a.probe, c)
	}
}

// Keys returns the key map as it applies now (for tests and help).
func (a *App) Keys() KeyMap { return a.keys }

// Message returns the text of the message line.
func (a *App) Message() string { return a.message }

// Pane returns pane i's listing (0 left, 1 right), for tests.
func (a *App) Pane(i int) *model.Listing { return a.panes[i].Listing }

// Focus is the focused pane (0 left, 1 right).
func (a *App) Focus() int { return a.focus }
