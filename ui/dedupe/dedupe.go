// Package dedupe is the guided dedupe screen: choose a scope, walk the
// duplicate groups one at a time deciding what to keep, review the
// resulting plan, apply it with progress, and undo it afterwards.
//
// The screen performs no I/O and holds no client. Its Update returns a
// Request (scan, verify, plan, apply, undo, close) that the root App turns
// into a tea.Cmd; App feeds the answers back with SetScan, SetHashes,
// SetPlan, SetProgress and SetResult. Nothing on the account changes until
// the user has reviewed the plan and confirmed it.
package dedupe

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
)

// Scope is how much of the account a dedupe looks at.
type Scope int

const (
	ScopeFolder  Scope = iota // the current folder only
	ScopeTree                 // the current folder and everything below it
	ScopeAccount              // the whole account
)

const scopeCount = 3

func (s Scope) String() string {
	switch s {
	case ScopeFolder:
		return "this folder"
	case ScopeTree:
		return "this folder and everything below it"
	case ScopeAccount:
		return "the whole account"
	}
	return fmt.Sprintf("scope(%d)", int(s))
}

// Scan is what a scan of a scope found.
type Scan struct {
	// Entries is every entry of the scope (plans need the names taken in
	// each folder and the contents of duplicate folders).
	Entries []model.Entry
	// Groups are the duplicate groups (same name and collisions).
	Groups []model.DupGroup
	// Dirs maps a folder's ID to its full path, for showing where each copy
	// lives; a missing folder is shown by its ID.
	Dirs map[string]string
	// Hashes are SHA-256 results already known (a verify cache).
	Hashes model.Hashes
}

// Result is the outcome of applying a plan or undoing a run.
type Result struct {
	Applied int      // actions carried out
	Failed  int      // actions that failed
	Dropped int      // actions dropped because their group changed meanwhile
	Errors  []string // one line per failure or dropped group
}

// Step is where the screen is.
type Step int

const (
	StepScope    Step = iota // choosing the scope
	StepScanning             // waiting for the scan
	StepGroup                // deciding one group
	StepPlanning             // waiting for the plan
	StepReview               // reviewing the plan
	StepApplying             // applying (or undoing), with progress
	StepDone                 // finished: summary, undo offered
)

// Keys are the bindings the screen reacts to; App passes them from its
// one KeyMap and enables the ones that apply (see Context).
type Keys struct {
	Up, Down, PageUp, PageDown, Accept, Cancel, Yes, No key.Binding
	// Group step.
	Keep, Newest, Oldest, Largest, Smallest, Rename, Skip, All, Identical, Verify, Back key.Binding
	// Done step.
	Undo key.Binding
}

// Title names the group in the help.
func (Keys) Title() string { return "Guided dedupe" }

// Footer lists the keys of the screen's footer, in order.
func (k Keys) Footer() []key.Binding {
	return []key.Binding{k.Keep, k.Newest, k.Oldest, k.Largest, k.Smallest, k.Rename, k.Skip, k.All,
		k.Identical, k.Verify, k.Back, k.Undo, k.Accept, k.Yes, k.No, k.PageUp, k.PageDown, k.Cancel}
}

// Bindings lists the keys for the help, in order.
func (k Keys) Bindings() []key.Binding { return append(k.Footer(), k.Up, k.Down) }

// Requests the screen makes of App.
type (
	// ScanRequest asks to scan Scope from the folder the screen opened on.
	ScanRequest struct{ Scope Scope }
	// VerifyRequest asks to hash Files (SHA-256 of the plaintext).
	VerifyRequest struct{ Files []model.Entry }
	// PlanRequest asks to build the plan of Decisions over Entries.
	PlanRequest struct {
		Entries   []model.Entry
		Decisions []model.Decision
		Options   model.PlanOptions
	}
	// ApplyRequest asks to apply a reviewed and confirmed plan.
	ApplyRequest struct{ Plan model.Plan }
	// UndoRequest asks to undo the last applied run.
	UndoRequest struct{}
	// CancelRequest asks to stop the running scan, verify or apply.
	CancelRequest struct{}
	// CloseRequest asks to close the screen.
	CloseRequest struct{}
)

// Model is the guided dedupe screen.
type Model struct {
	keys  Keys
	dir   string // the folder the screen was opened on
	step  Step
	scope Scope

	scan      Scan
	group     int            // the group shown
	cursor    int            // the copy under the cursor
	choices   []model.Choice // by group
	decided   []bool         // by group: a choice was made (not skipped)
	seen      []bool         // by group: the user passed it (decided or skipped)
	applyAll  bool           // the next choice applies to every remaining group
	confirmID bool           // waiting for the one confirmation of removing identical copies
	children  map[string][]model.Entry
	byID      map[string]model.Entry // every entry of the scan, for paths
	merge     *model.MergePreview    // preview of the folder group shown
	verifying bool

	plan    model.Plan
	offset  int // first line of the review shown
	undoing bool
	done    int
	total   int
	result  Result
	applied bool // a run was applied (undo makes sense)
	note    string
	err     string

	width, height int
	loc           *time.Location
	req           any // what the last Update asks of App
}

// New opens the screen on dir (a display path) at the scope step.
func New(dir string, keys Keys) Model {
	return Model{dir: dir, keys: keys}
}

// SetKeys replaces the bindings (App enables and disables them).
func (m *Model) SetKeys(k Keys) { m.keys = k }

// SetSize sets the screen's size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// Step is the current step.
func (m Model) Step() Step { return m.step }

// Scope is the scope chosen.
func (m Model) Scope() Scope { return m.scope }

// Dir is the folder the screen was opened on.
func (m Model) Dir() string { return m.dir }

// Plan is the plan under review (or applied).
func (m Model) Plan() model.Plan { return m.plan }

// Group returns the index of the group shown and the number of groups.
func (m Model) Group() (int, int) { return m.group, len(m.scan.Groups) }

// Choices returns the decisions made so far, in group order.
func (m Model) Choices() []model.Decision { return m.decisions() }

// Result is the summary of the last apply or undo.
func (m Model) Result() Result { return m.result }

// Context says which bindings apply now.
type Context struct {
	Step      Step
	Busy      bool // a scan, verify or apply is running
	Folder    bool // the group shown is a group of folders
	Collision bool // the group shown is a collision group
	Identical bool // the group shown has verified-identical copies
	Verify    bool // the group shown has files that can be verified
	Back      bool // there is a previous group
	Confirm   bool // the identical-copies confirmation is open
	Undo      bool // a run was applied and can be undone
}

// Context reports the state the key map needs.
func (m Model) Context() Context {
	c := Context{Step: m.step, Busy: m.verifying || m.step == StepScanning || m.step == StepApplying || m.step == StepPlanning,
		Back: m.group > 0, Confirm: m.confirmID, Undo: m.applied && !m.undoing && m.step == StepDone}
	if g, ok := m.current(); ok {
		c.Folder = g.Dir
		c.Collision = g.Kind == model.Collision
		c.Identical = !g.Dir && g.Kind == model.SameName && len(model.ContentSets(g.Members, m.scan.Hashes, true)) > 0
		c.Verify = !g.Dir && g.Kind == model.SameName && !g.Verified
	}
	return c
}

// Current is the group shown, in the group step.
func (m Model) Current() (model.DupGroup, bool) { return m.current() }

func (m Model) current() (model.DupGroup, bool) {
	if m.step != StepGroup || m.group >= len(m.scan.Groups) {
		return model.DupGroup{}, false
	}
	return m.scan.Groups[m.group], true
}

// SetScan shows what the scan found and starts at the first group.
func (m *Model) SetScan(s Scan, err error) {
	if m.step != StepScanning {
		return
	}
	if err != nil {
		m.step, m.err = StepScope, "scan failed: "+err.Error()
		return
	}
	if s.Hashes == nil {
		s.Hashes = model.Hashes{}
	}
	m.scan = s
	m.byID = make(map[string]model.Entry, len(s.Entries))
	for _, e := range s.Entries {
		m.byID[e.ID] = e
	}
	n := len(s.Groups)
	m.choices, m.decided, m.seen = make([]model.Choice, n), make([]bool, n), make([]bool, n)
	m.children = nil
	m.err = ""
	if n == 0 {
		m.step, m.note = StepDone, fmt.Sprintf("No duplicates in %s: nothing to do.", m.scopeText())
		return
	}
	// Folder contents, for merge previews, indexed once.
	for _, g := range s.Groups {
		if !g.Dir {
			continue
		}
		if m.children == nil {
			m.children = make(map[string][]model.Entry)
		}
		for _, mem := range g.Members {
			m.children[mem.ID] = nil
		}
	}
	if m.children != nil {
		for _, e := range s.Entries {
			if _, ok := m.children[e.ParentID]; ok {
				m.children[e.ParentID] = append(m.children[e.ParentID], e)
			}
		}
	}
	m.step = StepGroup
	m.show(0)
}

// SetHashes records verified hashes and reclassifies the groups they
// complete.
func (m *Model) SetHashes(h model.Hashes, err error) {
	m.verifying = false
	if err != nil {
		m.err = "verify failed: " + err.Error()
		return
	}
	for id, sum := range h {
		m.scan.Hashes[id] = sum
	}
	for i := range m.scan.Groups {
		g := &m.scan.Groups[i]
		if g.Dir || g.Kind != model.SameName {
			continue
		}
		g.Class, g.Verified = model.Classify(g.Members, m.scan.Hashes)
	}
	m.err = ""
	m.note = fmt.Sprintf("verified %d file(s) by SHA-256", len(h))
}

// SetPlan shows the plan for review.
func (m *Model) SetPlan(p model.Plan, err error) {
	if m.step != StepPlanning {
		return
	}
	if err != nil {
		m.step, m.err = StepGroup, "cannot plan: "+err.Error()
		m.show(len(m.scan.Groups) - 1)
		return
	}
	m.plan, m.offset, m.step, m.err = p, 0, StepReview, ""
}

// SetProgress reports done of total actions applied.
func (m *Model) SetProgress(done, total int) {
	if m.step == StepApplying {
		m.done, m.total = done, total
	}
}

// SetResult reports the end of an apply or undo.
func (m *Model) SetResult(r Result, err error) {
	if m.step != StepApplying {
		return
	}
	m.result, m.step = r, StepDone
	m.err = ""
	if err != nil {
		m.err = err.Error()
	}
	if m.undoing {
		m.undoing, m.applied = false, false
		m.note = fmt.Sprintf("Undo: %d action(s) reversed, %d failed.", r.Applied, r.Failed)
		return
	}
	m.applied = r.Applied > 0
	reviewed := len(m.plan.Actions)
	m.note = fmt.Sprintf("Applied %d action(s), %d failed, %d dropped because their group changed (the review listed %d).",
		r.Applied, r.Failed, r.Dropped, reviewed)
	if r.Applied > reviewed {
		m.note += fmt.Sprintf(" %d more than reviewed: a group changed meanwhile and was planned again.", r.Applied-reviewed)
	}
}

// show moves to group i.
func (m *Model) show(i int) {
	m.group, m.cursor, m.confirmID = i, 0, false
	if g, ok := m.current(); ok && m.decided[i] && m.choices[i].Mode == model.ModeKeep {
		m.cursor = max(slices.IndexFunc(g.Members, func(e model.Entry) bool { return e.ID == m.choices[i].Keep }), 0)
	}
	m.previewMerge()
}

// previewMerge plans the merge of the folder group shown, keeping the
// folder under the cursor.
func (m *Model) previewMerge() {
	m.merge = nil
	g, ok := m.current()
	if !ok || !g.Dir {
		return
	}
	keep := g.Members[m.cursor].ID
	kids := make(map[string][]model.Entry, len(g.Members))
	for _, mem := range g.Members {
		kids[mem.ID] = m.children[mem.ID]
	}
	if mp, err := model.PlanMerge(g, kids, keep); err == nil {
		m.merge = &mp
	}
}

// Request is what the last Update asks of App (nil: nothing).
func (m Model) Request() any { return m.req }

// Update handles a key press; Request then tells what App must do. The
// screen starts no Cmd of its own: its work is App's.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	m, req := m.update(msg)
	m.req = req
	return m, nil
}

func (m Model) update(msg tea.Msg) (Model, any) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	km := m.keys
	switch m.step {
	case StepScope:
		switch {
		case key.Matches(k, km.Up):
			m.scope = (m.scope + scopeCount - 1) % scopeCount
		case key.Matches(k, km.Down):
			m.scope = (m.scope + 1) % scopeCount
		case key.Matches(k, km.Accept):
			m.step, m.err = StepScanning, ""
			return m, ScanRequest{Scope: m.scope}
		case key.Matches(k, km.Cancel):
			return m, CloseRequest{}
		}
	case StepScanning, StepPlanning:
		if key.Matches(k, km.Cancel) {
			return m, CloseRequest{}
		}
	case StepGroup:
		return m.updateGroup(k)
	case StepReview:
		switch {
		case key.Matches(k, km.Up):
			m.offset = max(m.offset-1, 0)
		case key.Matches(k, km.Down):
			m.offset = min(m.offset+1, max(m.reviewLen()-m.reviewRows(), 0))
		case key.Matches(k, km.PageUp):
			m.offset = max(m.offset-m.reviewRows(), 0)
		case key.Matches(k, km.PageDown):
			m.offset = min(m.offset+m.reviewRows(), max(m.reviewLen()-m.reviewRows(), 0))
		case key.Matches(k, km.Yes, km.Accept):
			if len(m.plan.Actions) == 0 {
				return m, CloseRequest{}
			}
			m.step, m.done, m.total = StepApplying, 0, len(m.plan.Actions)
			return m, ApplyRequest{Plan: m.plan}
		case key.Matches(k, km.Cancel, km.No):
			// Back to the groups to change a choice; nothing was applied.
			m.step = StepGroup
			m.show(len(m.scan.Groups) - 1)
		}
	case StepApplying:
		if key.Matches(k, km.Cancel) {
			return m, CancelRequest{}
		}
	case StepDone:
		switch {
		case key.Matches(k, km.Undo) && m.applied:
			m.step, m.undoing, m.done, m.total = StepApplying, true, 0, 0
			return m, UndoRequest{}
		case key.Matches(k, km.Cancel, km.Accept):
			return m, CloseRequest{}
		}
	}
	return m, nil
}

func (m Model) updateGroup(k tea.KeyPressMsg) (Model, any) {
	km := m.keys
	g, _ := m.current()
	if m.confirmID {
		switch {
		case key.Matches(k, km.Yes, km.Accept):
			m.confirmID = false
			return m.choose(model.Choice{Mode: model.ModeIdentical})
		case key.Matches(k, km.No, km.Cancel):
			m.confirmID = false
		}
		return m, nil
	}
	switch {
	case key.Matches(k, km.Up):
		m.cursor = max(m.cursor-1, 0)
		m.previewMerge()
	case key.Matches(k, km.Down):
		m.cursor = min(m.cursor+1, len(g.Members)-1)
		m.previewMerge()
	case key.Matches(k, km.Cancel):
		return m, CloseRequest{}
	case key.Matches(k, km.Back):
		if m.group > 0 {
			m.show(m.group - 1)
		}
	case key.Matches(k, km.All):
		m.applyAll = !m.applyAll
	case key.Matches(k, km.Skip):
		return m.skip()
	case g.Kind == model.Collision:
		// Collisions need no choice: they are noted in the plan.
	case key.Matches(k, km.Keep):
		if m.applyAll {
			m.note = "“keep this one” names one copy: it cannot apply to other groups"
			return m, nil
		}
		return m.choose(model.Choice{Mode: model.ModeKeep, Keep: g.Members[m.cursor].ID})
	case key.Matches(k, km.Newest):
		return m.choose(model.Choice{Mode: model.ModeNewest})
	case key.Matches(k, km.Oldest):
		return m.choose(model.Choice{Mode: model.ModeOldest})
	case key.Matches(k, km.Largest):
		return m.choose(model.Choice{Mode: model.ModeLargest})
	case key.Matches(k, km.Smallest):
		return m.choose(model.Choice{Mode: model.ModeSmallest})
	case key.Matches(k, km.Rename):
		return m.choose(model.Choice{Mode: model.ModeRename})
	case key.Matches(k, km.Identical):
		if m.Context().Identical {
			m.confirmID = true
		}
	case key.Matches(k, km.Verify):
		if m.Context().Verify && !m.verifying {
			m.verifying = true
			m.note = "verifying by SHA-256…"
			return m, VerifyRequest{Files: slices.Clone(g.Members)}
		}
	}
	return m, nil
}

// skip passes the group (and, with apply-to-all, every remaining one).
func (m Model) skip() (Model, any) {
	m.own()
	last := m.group
	if m.applyAll {
		last = len(m.scan.Groups) - 1
	}
	for i := m.group; i <= last; i++ {
		m.decided[i], m.seen[i] = false, true
	}
	return m.advance(last)
}

// choose records c for the group shown (and, with apply-to-all, for every
// remaining group it can apply to), then moves on.
func (m Model) choose(c model.Choice) (Model, any) {
	m.own()
	last := m.group
	if m.applyAll {
		last = len(m.scan.Groups) - 1
	}
	for i := m.group; i <= last; i++ {
		g := m.scan.Groups[i]
		m.seen[i] = true
		if g.Kind == model.Collision {
			continue
		}
		if g.Dir && c.Mode == model.ModeIdentical {
			continue // identical mode leaves folders alone
		}
		m.choices[i], m.decided[i] = c, true
	}
	return m.advance(last)
}

// own copies the per-group slices, so a Model returned by Update never
// shares them with the one it came from.
func (m *Model) own() {
	m.choices, m.decided, m.seen = slices.Clone(m.choices), slices.Clone(m.decided), slices.Clone(m.seen)
}

// advance shows the group after last, or builds the plan after the last.
func (m Model) advance(last int) (Model, any) {
	m.note = ""
	if last+1 < len(m.scan.Groups) {
		m.show(last + 1)
		return m, nil
	}
	m.step = StepPlanning
	return m, PlanRequest{Entries: m.scan.Entries, Decisions: m.decisions(),
		Options: model.PlanOptions{Hashes: maps.Clone(m.scan.Hashes), Where: m.where}}
}

// decisions are the choices made, plus every collision group (noted).
func (m Model) decisions() []model.Decision {
	var ds []model.Decision
	for i, g := range m.scan.Groups {
		switch {
		case g.Kind == model.Collision && m.seen[i]:
			ds = append(ds, model.Decision{Group: g, Choice: model.Choice{Mode: model.ModeList}})
		case m.decided[i]:
			ds = append(ds, model.Decision{Group: g, Choice: m.choices[i]})
		}
	}
	return ds
}

func (m Model) skipped() int {
	n := 0
	for i, g := range m.scan.Groups {
		if m.seen[i] && !m.decided[i] && g.Kind != model.Collision {
			n++
		}
	}
	return n
}

func (m Model) scopeText() string {
	switch m.scope {
	case ScopeFolder:
		return m.dir
	case ScopeTree:
		return m.dir + " and below"
	}
	return "the whole account"
}

// SetVerifyProgress reports done of total files hashed.
func (m *Model) SetVerifyProgress(done, total int) {
	if m.verifying {
		m.note = fmt.Sprintf("verifying by SHA-256… %d/%d file(s)", done, total)
	}
}
