package model

import (
	"fmt"
	"slices"
	"strings"
)

// Mode is a dedupe strategy. The rclone modes keep rclone's meanings:
// every mode except list and identical first removes copies that are
// identical (equal size and fingerprint, or equal verified hash), keeping
// one, and then:
//
//	skip      leaves the remaining different copies alone
//	first     keeps the first copy (oldest upload; see DupGroup.Members)
//	newest    keeps the newest by original mtime, else upload time
//	oldest    keeps the oldest, likewise
//	largest   keeps the largest
//	smallest  keeps the smallest
//	rename    renames every remaining copy to name-1.ext, name-2.ext, …
//	list      changes nothing
//
// identical removes only copies whose content is verified identical
// (SHA-256; fingerprints too with PlanOptions.TrustFingerprints), keeping
// one, and nothing else. keep keeps the copy Choice.Keep names and removes
// the others.
//
// Duplicate folders are merged (children moved into the folder with most
// entries, or the kept one) in every mode except list, rename (which
// renames them) and identical (which leaves folders alone).
type Mode int

const (
	ModeSkip Mode = iota
	ModeFirst
	ModeNewest
	ModeOldest
	ModeLargest
	ModeSmallest
	ModeRename
	ModeList
	ModeIdentical
	ModeKeep
)

const numModes = ModeKeep + 1

func (m Mode) name() string {
	switch m {
	case ModeSkip:
		return "skip"
	case ModeFirst:
		return "first"
	case ModeNewest:
		return "newest"
	case ModeOldest:
		return "oldest"
	case ModeLargest:
		return "largest"
	case ModeSmallest:
		return "smallest"
	case ModeRename:
		return "rename"
	case ModeList:
		return "list"
	case ModeIdentical:
		return "identical"
	case ModeKeep:
		return "keep"
	}
	return ""
}

func (m Mode) String() string {
	if n := m.name(); n != "" {
		return n
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode parses a mode name as used on the command line.
func ParseMode(s string) (Mode, error) {
	var all []string
	for m := range numModes {
		if m.name() == s {
			return m, nil
		}
		all = append(all, m.name())
	}
	return 0, fmt.Errorf("unknown dedupe mode %q (want one of %s)", s, strings.Join(all, ", "))
}

// MarshalText encodes the mode by name.
func (m Mode) MarshalText() ([]byte, error) {
	if m.name() == "" {
		return nil, fmt.Errorf("unknown dedupe mode %d", int(m))
	}
	return []byte(m.name()), nil
}

// UnmarshalText decodes a mode name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err == nil {
		*m = v
	}
	return err
}

// Choice is what to do with one group: a mode, and for ModeKeep the ID of
// the member to keep.
type Choice struct {
	Mode Mode   `json:"mode"`
	Keep string `json:"keep,omitempty"`
}

// Decision pairs a group with the choice made for it.
type Decision struct {
	Group  DupGroup
	Choice Choice
}

// ActionKind is what an action does to a node.
type ActionKind int

const (
	ActionTrash  ActionKind = iota // move to the Rubbish Bin
	ActionRename                   // rename in place to NewName
	ActionMove                     // move into NewParent, keeping the name
)

func (k ActionKind) name() string {
	switch k {
	case ActionTrash:
		return "trash"
	case ActionRename:
		return "rename"
	case ActionMove:
		return "move"
	}
	return ""
}

func (k ActionKind) String() string {
	if n := k.name(); n != "" {
		return n
	}
	return fmt.Sprintf("action(%d)", int(k))
}

// MarshalText encodes the action kind by name.
func (k ActionKind) MarshalText() ([]byte, error) {
	if k.name() == "" {
		return nil, fmt.Errorf("unknown action %d", int(k))
	}
	return []byte(k.name()), nil
}

// UnmarshalText decodes an action kind name.
func (k *ActionKind) UnmarshalText(b []byte) error {
	for v := ActionTrash; v <= ActionMove; v++ {
		if v.name() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}

// Action is one step of a plan. ID, Name and Parent describe the node as
// it was when planned.
type Action struct {
	Kind      ActionKind `json:"kind"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Parent    string     `json:"parent"`
	NewName   string     `json:"new_name,omitempty"`
	NewParent string     `json:"new_parent,omitempty"`
	// Group indexes Plan.Groups; -1 for actions outside any group (undo).
	Group  int    `json:"group"`
	Reason string `json:"reason"`
}

// String describes the action for a human, with names escaped.
func (a Action) String() string {
	var s string
	switch a.Kind {
	case ActionTrash:
		s = fmt.Sprintf("trash %q [%s]", DisplayName(a.Name), DisplayName(a.ID))
	case ActionRename:
		s = fmt.Sprintf("rename %q [%s] to %q", DisplayName(a.Name), DisplayName(a.ID), DisplayName(a.NewName))
	case ActionMove:
		s = fmt.Sprintf("move %q [%s] from [%s] to [%s]", DisplayName(a.Name), DisplayName(a.ID),
			DisplayName(a.Parent), DisplayName(a.NewParent))
	default:
		s = a.Kind.String()
	}
	if a.Reason != "" {
		s += ": " + a.Reason
	}
	return s
}

// MemberState is the part of a node a plan depends on; Revalidate compares
// it with the current state.
type MemberState struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Parent      string `json:"parent"`
	Dir         bool   `json:"dir,omitempty"`
	Size        int64  `json:"size"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

func memberState(e Entry) MemberState {
	return MemberState{ID: e.ID, Name: e.Name, Parent: e.ParentID, Dir: e.IsDir(), Size: e.Size, Fingerprint: e.Fingerprint}
}

// PlannedGroup is a group as it was when planned.
type PlannedGroup struct {
	Kind     GroupKind     `json:"kind"`
	ParentID string        `json:"parent"`
	Name     string        `json:"name"`
	Dir      bool          `json:"dir,omitempty"`
	Choice   Choice        `json:"choice"`
	Members  []MemberState `json:"members"`
	// Children holds the contents of each member folder of a merge.
	Children map[string][]MemberState `json:"children,omitempty"`
}

// Plan is a reviewable list of actions; nothing is changed until the
// caller applies it, in order.
type Plan struct {
	Groups  []PlannedGroup `json:"groups"`
	Actions []Action       `json:"actions"`
	// Notes are findings that need no action (skipped groups, listed
	// groups, names that a merge would make collide).
	Notes []string `json:"notes,omitempty"`
}

// String renders the plan for review.
func (p Plan) String() string {
	var b strings.Builder
	for _, a := range p.Actions {
		b.WriteString(a.String())
		b.WriteByte('\n')
	}
	for _, n := range p.Notes {
		b.WriteString("note: ")
		b.WriteString(n)
		b.WriteByte('\n')
	}
	if len(p.Actions) == 0 {
		b.WriteString("nothing to do\n")
	}
	return b.String()
}

// PlanOptions tunes planning.
type PlanOptions struct {
	// Hashes are verified SHA-256 results by node ID.
	Hashes Hashes
	// TrustFingerprints lets ModeIdentical treat equal fingerprints as
	// identical without a verified hash.
	TrustFingerprints bool
}

// BuildPlan plans the decisions. entries is the current state of the
// scope: it supplies the names already taken in each folder (for rename)
// and the contents of duplicate folders (for merges). The plan is checked
// with Check before it is returned.
func BuildPlan(entries []Entry, decisions []Decision, opt PlanOptions) (Plan, error) {
	b := newPlanBuilder(entries, opt)
	// Folder groups first: a merge moves children that file groups inside
	// the merged folders would otherwise act on; those file groups then see
	// their moved members as taken and leave them for a later run.
	for _, dirs := range []bool{true, false} {
		for _, d := range decisions {
			if d.Group.Dir != dirs {
				continue
			}
			if err := b.add(d.Group, d.Choice); err != nil {
				return Plan{}, err
			}
		}
	}
	if err := b.plan.Check(); err != nil {
		return Plan{}, err
	}
	return b.plan, nil
}

type planBuilder struct {
	entries  []Entry
	opt      PlanOptions
	plan     Plan
	taken    map[string]map[string]bool // parent → names, built lazily
	children map[string][]Entry         // parent → children, built lazily
	acted    map[string]ActionKind      // nodes already in the plan
}

func newPlanBuilder(entries []Entry, opt PlanOptions) *planBuilder {
	return &planBuilder{entries: entries, opt: opt, acted: make(map[string]ActionKind)}
}

func (b *planBuilder) takenIn(parent string) map[string]bool {
	if b.taken == nil {
		b.taken = make(map[string]map[string]bool)
		for _, e := range b.entries {
			m := b.taken[e.ParentID]
			if m == nil {
				m = make(map[string]bool)
				b.taken[e.ParentID] = m
			}
			m[e.Name] = true
		}
	}
	m := b.taken[parent]
	if m == nil {
		m = make(map[string]bool)
		b.taken[parent] = m
	}
	return m
}

func (b *planBuilder) childrenOf(id string) []Entry {
	if b.children == nil {
		b.children = make(map[string][]Entry)
		for _, e := range b.entries {
			b.children[e.ParentID] = append(b.children[e.ParentID], e)
		}
	}
	return b.children[id]
}

func groupLabel(g DupGroup) string {
	what := "files"
	if g.Dir {
		what = "folders"
	}
	return fmt.Sprintf("%d %s named %q in [%s]", len(g.Members), what, DisplayName(g.Name), g.ParentID)
}

func (b *planBuilder) note(format string, args ...any) {
	b.plan.Notes = append(b.plan.Notes, fmt.Sprintf(format, args...))
}

func (b *planBuilder) add(g DupGroup, c Choice) error {
	switch {
	case g.Kind == Collision:
		names := make([]string, len(g.Members))
		for i, m := range g.Members {
			names[i] = fmt.Sprintf("%q", DisplayName(m.Name))
		}
		b.note("names %s in [%s] would clobber each other on a case-insensitive disk", strings.Join(names, ", "), g.ParentID)
		return nil
	case g.Kind != SameName && g.Kind != SameContent:
		return fmt.Errorf("plan %s group: %w", g.Kind, ErrBadPlan)
	case g.Kind == SameContent && g.Dir:
		return fmt.Errorf("plan a same-content group of folders: %w", ErrBadPlan)
	case len(g.Members) < 2:
		return nil
	}
	if c.Mode == ModeKeep && !slices.ContainsFunc(g.Members, func(e Entry) bool { return e.ID == c.Keep }) {
		return fmt.Errorf("keep [%s]: not a member of %s: %w", c.Keep, groupLabel(g), ErrNotFound)
	}
	// The snapshot holds every member, so Revalidate sees the whole group.
	pg := PlannedGroup{Kind: g.Kind, ParentID: g.ParentID, Name: g.Name, Dir: g.Dir, Choice: c}
	for _, m := range g.Members {
		pg.Members = append(pg.Members, memberState(m))
	}
	// Members another group already moves or removes are left alone.
	free := slices.DeleteFunc(slices.Clone(g.Members), func(e Entry) bool { _, ok := b.acted[e.ID]; return ok })
	if len(free) < len(g.Members) {
		if len(free) < 2 || (c.Mode == ModeKeep && !slices.ContainsFunc(free, func(e Entry) bool { return e.ID == c.Keep })) {
			b.note("left %s for a later run: another group's actions already move or remove its members", groupLabel(g))
			return nil
		}
		g.Members = free
	}
	gi := len(b.plan.Groups)
	b.plan.Groups = append(b.plan.Groups, pg)
	switch {
	case c.Mode == ModeList:
		b.note("%s (%s)", groupLabel(g), g.Class)
	case g.Dir:
		b.planFolders(gi, g, c)
	default:
		b.planFiles(gi, g, c)
	}
	return nil
}

func (b *planBuilder) act(a Action) {
	b.acted[a.ID] = a.Kind
	b.plan.Actions = append(b.plan.Actions, a)
}

func (b *planBuilder) trash(gi int, e Entry, reason string) {
	b.act(Action{Kind: ActionTrash, ID: e.ID, Name: e.Name, Parent: e.ParentID, Group: gi, Reason: reason})
}

func (b *planBuilder) planFiles(gi int, g DupGroup, c Choice) {
	switch c.Mode {
	case ModeKeep:
		for _, m := range g.Members {
			if m.ID != c.Keep {
				b.trash(gi, m, fmt.Sprintf("keeping [%s], chosen by the user", c.Keep))
			}
		}
		return
	case ModeIdentical:
		onlyVerified := !b.opt.TrustFingerprints
		for _, set := range ContentSets(g.Members, b.opt.Hashes, onlyVerified) {
			for _, m := range set[1:] {
				b.trash(gi, m, fmt.Sprintf("identical to [%s] (%s)", set[0].ID, evidence(set[0], m, b.opt.Hashes)))
			}
		}
		return
	}
	survivors := slices.Clone(g.Members)
	for _, set := range ContentSets(g.Members, b.opt.Hashes, false) {
		keep := choose(set, c.Mode)
		for _, m := range set {
			if m.ID == keep.ID {
				continue
			}
			b.trash(gi, m, fmt.Sprintf("identical to [%s] (%s)", keep.ID, evidence(keep, m, b.opt.Hashes)))
			survivors = slices.DeleteFunc(survivors, func(e Entry) bool { return e.ID == m.ID })
		}
	}
	if len(survivors) < 2 {
		return
	}
	switch c.Mode {
	case ModeSkip:
		b.note("skipped %s: %d different copies left", groupLabel(g), len(survivors))
	case ModeRename:
		b.renameAll(gi, survivors)
	default:
		keep := choose(survivors, c.Mode)
		for _, m := range survivors {
			if m.ID != keep.ID {
				b.trash(gi, m, fmt.Sprintf("keeping the %s copy [%s]", keepWord(c.Mode), keep.ID))
			}
		}
	}
}

func evidence(a, b Entry, hashes Hashes) string {
	if ha, ok := hashes[a.ID]; ok && hashes[b.ID] == ha {
		return "same SHA-256"
	}
	return "same size and fingerprint"
}

func keepWord(m Mode) string {
	switch m {
	case ModeFirst:
		return "first"
	case ModeNewest:
		return "newest"
	case ModeOldest:
		return "oldest"
	case ModeLargest:
		return "largest"
	case ModeSmallest:
		return "smallest"
	}
	return m.String()
}

// choose picks the member a mode keeps; ties go to the earlier member.
func choose(set []Entry, m Mode) Entry {
	best := set[0]
	for _, e := range set[1:] {
		better := false
		switch m {
		case ModeNewest:
			better = EffectiveTime(e).After(EffectiveTime(best))
		case ModeOldest:
			better = EffectiveTime(e).Before(EffectiveTime(best))
		case ModeLargest:
			better = e.Size > best.Size
		case ModeSmallest:
			better = e.Size < best.Size
		}
		if better {
			best = e
		}
	}
	return best
}

// renameAll gives every member a new free name, as rclone's rename mode.
func (b *planBuilder) renameAll(gi int, members []Entry) {
	taken := b.takenIn(members[0].ParentID)
	n := 1
	for _, m := range members {
		var name string
		for {
			name = numberedName(m.Name, n, m.IsDir())
			n++
			if !taken[name] {
				break
			}
		}
		taken[name] = true
		b.act(Action{Kind: ActionRename, ID: m.ID, Name: m.Name, Parent: m.ParentID, NewName: name, Group: gi,
			Reason: "keeping all copies under distinct names"})
	}
}

// numberedName returns name-n.ext (files) or name-n (folders).
func numberedName(name string, n int, dir bool) string {
	stem, ext := name, ""
	if dot := strings.LastIndexByte(name, '.'); !dir && dot > 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%s-%d%s", stem, n, ext)
}

func (b *planBuilder) planFolders(gi int, g DupGroup, c Choice) {
	switch c.Mode {
	case ModeRename:
		b.renameAll(gi, g.Members)
		return
	case ModeIdentical:
		b.note("left %s alone: identical mode does not merge folders", groupLabel(g))
		return
	}
	children := make(map[string][]Entry, len(g.Members))
	pg := &b.plan.Groups[gi]
	pg.Children = make(map[string][]MemberState, len(g.Members))
	for _, m := range g.Members {
		kids := b.childrenOf(m.ID)
		for _, k := range kids {
			if kind, ok := b.acted[k.ID]; ok && kind != ActionTrash {
				pg.Children = nil
				b.note("left %s for a later run: another group already changes [%s] inside it", groupLabel(g), k.ID)
				return
			}
		}
		// Children another group already trashes need no move.
		kids = slices.DeleteFunc(slices.Clone(kids), func(k Entry) bool { _, ok := b.acted[k.ID]; return ok })
		children[m.ID] = kids
		states := make([]MemberState, len(kids))
		for i, k := range kids {
			states[i] = memberState(k)
		}
		pg.Children[m.ID] = states
	}
	keep := ""
	if c.Mode == ModeKeep {
		keep = c.Keep
	}
	mp, err := PlanMerge(g, children, keep)
	if err != nil { // unreachable: keep was checked in add
		b.note("cannot merge %s: %v", groupLabel(g), err)
		return
	}
	for _, a := range mp.Actions {
		a.Group = gi
		b.act(a)
	}
	for _, col := range mp.Collisions {
		b.note("after merging into [%s], %d entries would be named %q: %s", mp.Survivor.ID, len(col.IDs),
			DisplayName(col.Name), strings.Join(col.IDs, ", "))
	}
}

// MergePreview is the plan for merging duplicate folders.
type MergePreview struct {
	Survivor Entry
	// Actions move every child of the other folders into Survivor, then
	// trash each emptied folder. Their Group is -1 until placed in a Plan.
	Actions []Action
	// Collisions are the names held by more than one entry in Survivor
	// after the merge (same-name duplicates to dedupe next).
	Collisions []MergeCollision
}

// MergeCollision is a name that would be held by several entries.
type MergeCollision struct {
	Name string
	IDs  []string
}

// PlanMerge plans merging a group of duplicate folders: the survivor is
// keep when given, otherwise the folder with most entries (ties: the first
// member). children maps each member folder's ID to its contents. The merge
// is one level deep: sub-folders with the same name become a new duplicate
// folder group, reported in Collisions.
func PlanMerge(g DupGroup, children map[string][]Entry, keep string) (MergePreview, error) {
	if len(g.Members) == 0 {
		return MergePreview{}, fmt.Errorf("merge: empty group: %w", ErrNotFound)
	}
	si := 0
	if keep != "" {
		si = slices.IndexFunc(g.Members, func(e Entry) bool { return e.ID == keep })
		if si < 0 {
			return MergePreview{}, fmt.Errorf("merge: keep [%s]: not a member: %w", keep, ErrNotFound)
		}
	} else {
		for i, m := range g.Members {
			if len(children[m.ID]) > len(children[g.Members[si].ID]) {
				si = i
			}
		}
	}
	mp := MergePreview{Survivor: g.Members[si]}
	names := make(map[string][]string)
	var order []string
	addName := func(e Entry) {
		if _, ok := names[e.Name]; !ok {
			order = append(order, e.Name)
		}
		names[e.Name] = append(names[e.Name], e.ID)
	}
	for _, c := range children[mp.Survivor.ID] {
		addName(c)
	}
	for i, m := range g.Members {
		if i == si {
			continue
		}
		for _, c := range children[m.ID] {
			addName(c)
			mp.Actions = append(mp.Actions, Action{Kind: ActionMove, ID: c.ID, Name: c.Name, Parent: m.ID,
				NewParent: mp.Survivor.ID, Group: -1,
				Reason: fmt.Sprintf("merging duplicate folder [%s] into [%s]", m.ID, mp.Survivor.ID)})
		}
		mp.Actions = append(mp.Actions, Action{Kind: ActionTrash, ID: m.ID, Name: m.Name, Parent: m.ParentID, Group: -1,
			Reason: fmt.Sprintf("emptied by merging into [%s]", mp.Survivor.ID)})
	}
	for _, n := range order {
		if ids := names[n]; len(ids) > 1 {
			mp.Collisions = append(mp.Collisions, MergeCollision{Name: n, IDs: ids})
		}
	}
	return mp, nil
}

// Check enforces a plan's invariants: every trashed or renamed node is a
// member of its group, every moved node is a child of a merged folder and
// goes into a member that is not trashed; no node is acted on twice; a
// group never loses all its members; a folder is trashed only once all the
// children it had when planned are moved out. Violations wrap ErrLastCopy
// (losing data) or ErrBadPlan (malformed).
func (p Plan) Check() error {
	acted := make(map[string]bool, len(p.Actions))
	trashed := make(map[string]bool)
	moved := make(map[string]bool)
	for i, a := range p.Actions {
		if acted[a.ID] {
			return fmt.Errorf("action %d: [%s] acted on twice: %w", i, a.ID, ErrBadPlan)
		}
		acted[a.ID] = true
		if a.Group < 0 || a.Group >= len(p.Groups) {
			if a.Group == -1 && a.Kind != ActionTrash {
				continue // undo steps restore, they never remove
			}
			return fmt.Errorf("action %d (%s): not in a group: %w", i, a.Kind, ErrBadPlan)
		}
		g := &p.Groups[a.Group]
		switch a.Kind {
		case ActionTrash:
			trashed[a.ID] = true
			fallthrough
		case ActionRename:
			if !slices.ContainsFunc(g.Members, func(m MemberState) bool { return m.ID == a.ID }) {
				return fmt.Errorf("action %d: [%s] is not in its group: %w", i, a.ID, ErrBadPlan)
			}
		case ActionMove:
			kids, ok := g.Children[a.Parent]
			if !ok || !slices.ContainsFunc(kids, func(m MemberState) bool { return m.ID == a.ID }) {
				return fmt.Errorf("action %d: [%s] is not a child of a merged folder: %w", i, a.ID, ErrBadPlan)
			}
			if a.NewParent == a.Parent || !slices.ContainsFunc(g.Members, func(m MemberState) bool { return m.ID == a.NewParent }) {
				return fmt.Errorf("action %d: [%s] moves outside its group: %w", i, a.ID, ErrBadPlan)
			}
			moved[a.ID] = true
		default:
			return fmt.Errorf("action %d: unknown kind: %w", i, ErrBadPlan)
		}
	}
	for gi := range p.Groups {
		g := &p.Groups[gi]
		left := 0
		for _, m := range g.Members {
			if !trashed[m.ID] {
				left++
				continue
			}
			for _, k := range g.Children[m.ID] {
				if !moved[k.ID] && !trashed[k.ID] {
					return fmt.Errorf("trash folder [%s] while [%s] is still in it: %w", m.ID, k.ID, ErrLastCopy)
				}
			}
		}
		if left == 0 && len(g.Members) > 0 {
			return fmt.Errorf("group %q in [%s]: all %d copies trashed: %w", DisplayName(g.Name), g.ParentID, len(g.Members), ErrLastCopy)
		}
	}
	for _, a := range p.Actions {
		if a.Kind == ActionMove && trashed[a.NewParent] {
			return fmt.Errorf("[%s] moves into trashed folder [%s]: %w", a.ID, a.NewParent, ErrLastCopy)
		}
	}
	return nil
}

// Change reports what Revalidate did to a group whose state changed.
type Change struct {
	Group  string // human description
	Reason string
	// Replanned is true when the group was planned again from its current
	// state; false when its actions were dropped.
	Replanned bool
}

// RevalidateOptions tunes Revalidate.
type RevalidateOptions struct {
	// Replan plans changed groups again from their current state with the
	// same choice, instead of dropping them. The caller should show the
	// changes for review before applying.
	Replan bool
	Plan   PlanOptions
}

// Revalidate checks a plan against current, the state of the scope just
// before applying (for a same-name group: every current entry with that
// parent and name; for merges also the folders' contents). Groups whose
// members were added, removed, renamed, moved or replaced, whose merged
// folders' contents changed, or whose rename targets are now taken, are
// dropped or, with opt.Replan, planned again. So a concurrent change
// elsewhere can never make the plan trash the wrong node or the last copy.
func Revalidate(plan Plan, current []Entry, opt RevalidateOptions) (Plan, []Change, error) {
	need := make(map[nameKey]bool, len(plan.Groups))
	folders := make(map[string]bool)
	parents := make(map[string]bool)
	wantIDs := make(map[string]bool)
	for _, g := range plan.Groups {
		if g.Kind == SameContent {
			for _, m := range g.Members {
				wantIDs[m.ID] = true
			}
			continue
		}
		need[nameKey{g.ParentID, g.Name, g.Dir}] = true
		parents[g.ParentID] = true
		for id := range g.Children {
			folders[id] = true
		}
	}
	byKey := make(map[nameKey][]Entry, len(need))
	kids := make(map[string][]Entry, len(folders))
	names := make(map[string]map[string]bool, len(parents))
	byID := make(map[string]Entry, len(wantIDs))
	for _, e := range current {
		if wantIDs[e.ID] {
			byID[e.ID] = e
		}
		k := nameKey{e.ParentID, e.Name, e.IsDir()}
		if need[k] {
			byKey[k] = append(byKey[k], e)
		}
		if folders[e.ParentID] {
			kids[e.ParentID] = append(kids[e.ParentID], e)
		}
		if parents[e.ParentID] {
			if names[e.ParentID] == nil {
				names[e.ParentID] = make(map[string]bool)
			}
			names[e.ParentID][e.Name] = true
		}
	}
	byGroup := make([][]Action, len(plan.Groups))
	var out Plan
	out.Notes = slices.Clone(plan.Notes)
	for _, a := range plan.Actions {
		if a.Group >= 0 && a.Group < len(plan.Groups) {
			byGroup[a.Group] = append(byGroup[a.Group], a)
		} else {
			out.Actions = append(out.Actions, a)
		}
	}
	var changes []Change
	replan := newPlanBuilder(current, opt.Plan)
	type changed struct {
		gi     int
		reason string
	}
	var redo []changed
	members := func(g PlannedGroup) []Entry {
		if g.Kind != SameContent {
			return byKey[nameKey{g.ParentID, g.Name, g.Dir}]
		}
		// A content group is what is left of its planned members; new
		// copies elsewhere never make removing one wrong.
		var cur []Entry
		for _, m := range g.Members {
			if e, ok := byID[m.ID]; ok {
				cur = append(cur, e)
			}
		}
		return cur
	}
	for gi, g := range plan.Groups {
		cur := members(g)
		if reason := groupChanged(g, cur, kids, names[g.ParentID], byGroup[gi]); reason != "" {
			redo = append(redo, changed{gi, reason})
			continue
		}
		ni := len(out.Groups)
		out.Groups = append(out.Groups, g)
		for _, a := range byGroup[gi] {
			a.Group = ni
			out.Actions = append(out.Actions, a)
			replan.acted[a.ID] = a.Kind
		}
	}
	// Folder groups first, as in BuildPlan.
	slices.SortStableFunc(redo, func(a, b changed) int {
		return boolCmp(!plan.Groups[a.gi].Dir, !plan.Groups[b.gi].Dir)
	})
	for _, r := range redo {
		g := plan.Groups[r.gi]
		cur := members(g)
		ch := Change{Group: fmt.Sprintf("%q in [%s]", DisplayName(g.Name), g.ParentID), Reason: r.reason}
		// Content groups are dropped, never replanned: a changed member
		// may no longer share the content.
		if opt.Replan && g.Kind != SameContent && len(cur) >= 2 && (g.Choice.Mode != ModeKeep ||
			slices.ContainsFunc(cur, func(e Entry) bool { return e.ID == g.Choice.Keep })) {
			dg := DupGroup{Kind: g.Kind, ParentID: g.ParentID, Name: g.Name, Dir: g.Dir, Members: slices.Clone(cur)}
			sortMembers(dg.Members)
			if !dg.Dir {
				dg.Class, dg.Verified = Classify(dg.Members, opt.Plan.Hashes)
			}
			replan.plan = Plan{}
			if err := replan.add(dg, g.Choice); err == nil {
				base := len(out.Groups)
				out.Groups = append(out.Groups, replan.plan.Groups...)
				for _, a := range replan.plan.Actions {
					a.Group += base
					out.Actions = append(out.Actions, a)
				}
				out.Notes = append(out.Notes, replan.plan.Notes...)
				ch.Replanned = true
			}
		}
		changes = append(changes, ch)
	}
	if err := out.Check(); err != nil {
		return Plan{}, changes, err
	}
	return out, changes, nil
}

// groupChanged returns why a planned group no longer matches the current
// state, or "" when it still does.
func groupChanged(g PlannedGroup, cur []Entry, kids map[string][]Entry, taken map[string]bool, acts []Action) string {
	if !sameStates(g.Members, cur) {
		return "its members changed since the plan was made"
	}
	for id, planned := range g.Children {
		if !sameStates(planned, kids[id]) {
			return fmt.Sprintf("the contents of folder [%s] changed since the plan was made", id)
		}
	}
	for _, a := range acts {
		if a.Kind == ActionRename && taken[a.NewName] {
			return fmt.Sprintf("the name %q is now taken", DisplayName(a.NewName))
		}
	}
	return ""
}

func sameStates(planned []MemberState, cur []Entry) bool {
	if len(planned) != len(cur) {
		return false
	}
	byID := make(map[string]MemberState, len(planned))
	for _, m := range planned {
		byID[m.ID] = m
	}
	for _, e := range cur {
		if m, ok := byID[e.ID]; !ok || m != memberState(e) {
			return false
		}
	}
	return true
}

// JournalEntry records one applied action with the node's original
// parent and name.
type JournalEntry struct {
	Kind      ActionKind `json:"kind"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Parent    string     `json:"parent"`
	NewName   string     `json:"new_name,omitempty"`
	NewParent string     `json:"new_parent,omitempty"`
}

// Journal is the undo record of one dedupe run, in the order applied.
type Journal struct {
	Entries []JournalEntry `json:"entries"`
}

// Record appends an applied action.
func (j *Journal) Record(a Action) {
	j.Entries = append(j.Entries, JournalEntry{Kind: a.Kind, ID: a.ID, Name: a.Name, Parent: a.Parent,
		NewName: a.NewName, NewParent: a.NewParent})
}

// NewJournal records the actions that were applied.
func NewJournal(applied []Action) Journal {
	var j Journal
	for _, a := range applied {
		j.Record(a)
	}
	return j
}

// Undo returns the plan that reverses the journal, newest first: trashed
// nodes move back to their original folder (restoring a merged folder
// before its children move back into it), renamed nodes get their name
// back, moved nodes return to their original folder. It never trashes.
func (j Journal) Undo() Plan {
	var p Plan
	for i := len(j.Entries) - 1; i >= 0; i-- {
		e := j.Entries[i]
		a := Action{ID: e.ID, Name: e.Name, Group: -1}
		switch e.Kind {
		case ActionTrash:
			a.Kind, a.NewParent = ActionMove, e.Parent
			a.Reason = "restore from the Rubbish Bin to its original folder"
		case ActionRename:
			a.Kind, a.Name, a.Parent, a.NewName = ActionRename, e.NewName, e.Parent, e.Name
			a.Reason = "restore the original name"
		case ActionMove:
			a.Kind, a.Parent, a.NewParent = ActionMove, e.NewParent, e.Parent
			a.Reason = "move back to its original folder"
		default:
			continue
		}
		p.Actions = append(p.Actions, a)
	}
	return p
}
