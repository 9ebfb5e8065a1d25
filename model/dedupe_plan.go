package model

import (
	"fmt"
	"slices"
	"strings"
)

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
	// Where names a folder for the notes and reasons a person reads: its
	// path. nil, or "" from it, shows the folder's handle in brackets.
	Where func(id string) string
}

// where names folder id for a person: its path when known, else its
// handle in brackets.
func (o PlanOptions) where(id string) string {
	if o.Where != nil {
		if p := o.Where(id); p != "" {
			return DisplayName(p)
		}
	}
	return "[" + DisplayName(id) + "]"
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

func (b *planBuilder) label(g DupGroup) string {
	what := "files"
	if g.Dir {
		what = "folders"
	}
	return fmt.Sprintf("%d %s named %q in %s", len(g.Members), what, DisplayName(g.Name), b.opt.where(g.ParentID))
}

// ClashKind says how the names of a collision group differ: only in case
// ("case"), or in Unicode normalisation (NFC and NFD spellings of the same
// text, perhaps with case too: "Unicode normalisation").
func ClashKind(g DupGroup) string {
	for _, m := range g.Members[1:] {
		if !strings.EqualFold(m.Name, g.Members[0].Name) {
			return "Unicode normalisation"
		}
	}
	return "case"
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
		disk := "a case-insensitive disk (macOS, Windows)"
		if ClashKind(g) != "case" {
			disk = "a disk that normalises names (macOS)"
		}
		b.note("names %s in %s differ only in %s: they would clobber each other on %s", strings.Join(names, ", "),
			b.opt.where(g.ParentID), ClashKind(g), disk)
		return nil
	case g.Kind != SameName && g.Kind != SameContent:
		return fmt.Errorf("plan %s group: %w", g.Kind, ErrBadPlan)
	case g.Kind == SameContent && g.Dir:
		return fmt.Errorf("plan a same-content group of folders: %w", ErrBadPlan)
	case len(g.Members) < 2:
		return nil
	}
	if c.Mode == ModeKeep && !slices.ContainsFunc(g.Members, func(e Entry) bool { return e.ID == c.Keep }) {
		return fmt.Errorf("keep [%s]: not a member of %s: %w", c.Keep, b.label(g), ErrNotFound)
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
			b.note("left %s for a later run: another group's actions already move or remove its members", b.label(g))
			return nil
		}
		g.Members = free
	}
	gi := len(b.plan.Groups)
	b.plan.Groups = append(b.plan.Groups, pg)
	switch {
	case c.Mode == ModeList:
		b.note("%s (%s)", b.label(g), g.Class)
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
		b.note("skipped %s: %d different copies left", b.label(g), len(survivors))
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

// numberedName returns name-n.ext (files) or name-n (folders), the
// extension being what follows the last dot, as rclone's (".bashrc"
// becomes "-1.bashrc").
func numberedName(name string, n int, dir bool) string {
	stem, ext := name, ""
	if dot := strings.LastIndexByte(name, '.'); !dir && dot >= 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%s-%d%s", stem, n, ext)
}

func (b *planBuilder) planFolders(gi int, g DupGroup, c Choice) {
	// Rename mode merges duplicate folders too, as rclone's does: the
	// same-name files the merge brings together are renamed by the next
	// pass.
	switch c.Mode {
	case ModeIdentical:
		b.note("left %s alone: identical mode does not merge folders", b.label(g))
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
				b.note("left %s for a later run: another group already changes %q inside it", b.label(g), DisplayName(k.Name))
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
		b.note("cannot merge %s: %v", b.label(g), err)
		return
	}
	for _, a := range mp.Actions {
		a.Group = gi
		b.act(a)
	}
	into := b.opt.where(g.ParentID)
	if into != "/" {
		into += "/"
	}
	into += DisplayName(g.Name)
	for _, col := range mp.Collisions {
		what := "entries"
		switch {
		case col.Dirs == len(col.IDs):
			what = "folders"
		case col.Dirs == 0:
			what = "files"
		}
		b.note("merging makes a new same-name group in %s: %d %s would be named %q (dedupe that folder again to decide)",
			into, len(col.IDs), what, DisplayName(col.Name))
	}
}
