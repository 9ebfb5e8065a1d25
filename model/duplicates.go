package model

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strconv"
	"time"
)

// GroupKind says why entries form a duplicate group.
type GroupKind int

const (
	// SameName: entries of one kind (files, or folders) with exactly the
	// same name in one folder. MEGA allows this; local disks do not.
	SameName GroupKind = iota
	// Collision: different names in one folder that would become the same
	// file on a case-insensitive or normalising disk (see CollisionKey).
	Collision
	// SameContent: files anywhere in the scope with identical content by
	// fingerprint or verified hash, whatever their names.
	SameContent
)

func (k GroupKind) String() string {
	switch k {
	case SameName:
		return "same name"
	case Collision:
		return "name collision"
	case SameContent:
		return "same content"
	}
	return "group(" + strconv.Itoa(int(k)) + ")"
}

// Similarity classifies the content of a group of files.
type Similarity int

const (
	// NotClassified: folder groups and collision groups.
	NotClassified Similarity = iota
	// Identical: all the same size with equal fingerprints (or, when
	// Verified, equal SHA-256).
	Identical
	// SameSizeUnknown: all the same size, but some lack a fingerprint.
	SameSizeUnknown
	// Different: sizes, fingerprints or verified hashes differ.
	Different
)

func (s Similarity) String() string {
	switch s {
	case NotClassified:
		return "not classified"
	case Identical:
		return "identical"
	case SameSizeUnknown:
		return "same size, content unknown"
	case Different:
		return "different"
	}
	return "similarity(" + strconv.Itoa(int(s)) + ")"
}

// DupGroup is one group of duplicates.
type DupGroup struct {
	Kind     GroupKind
	ParentID string
	// Name is the shared name (SameName), the collision key (Collision) or
	// empty (SameContent).
	Name string
	// Dir is true for a group of folders (SameName only).
	Dir bool
	// Members are ordered by upload time, then ID; "first" means Members[0].
	Members []Entry
	Class   Similarity
	// Verified is true when Class was decided by SHA-256 hashes rather
	// than fingerprints.
	Verified bool
}

// Hashes maps a node ID to the SHA-256 of its content (any consistent
// encoding), as computed by a "verify" run. Absent means unknown.
type Hashes map[string]string

// DetectOptions tunes FindDuplicates.
type DetectOptions struct {
	// Fold is the folding function for collision groups; nil means
	// FoldLower.
	Fold func(string) string
	// NoCollisions skips collision groups.
	NoCollisions bool
	// Hashes overrides fingerprint classification where known.
	Hashes Hashes
}

type nameKey struct {
	parent, name string
	dir          bool
}

type foldKey struct{ parent, key string }

// FindDuplicates returns the same-name groups and collision groups among
// entries, which may span many folders (grouping is per ParentID). Entries
// of kinds other than file and folder are ignored. Groups are ordered by
// parent, kind, name, files before folders. It runs in time linear in
// len(entries).
func FindDuplicates(entries []Entry, opt DetectOptions) []DupGroup {
	fold := opt.Fold
	if fold == nil {
		fold = FoldLower
	}
	names := newGrouper[nameKey](len(entries))
	var folds *grouper[foldKey]
	if !opt.NoCollisions {
		folds = newGrouper[foldKey](len(entries))
	}
	for i := range entries {
		e := &entries[i]
		if e.Kind != KindFile && e.Kind != KindDir {
			continue
		}
		k := nameKey{e.ParentID, e.Name, e.Kind == KindDir}
		names.add(k, int32(i), func(j int32) bool {
			o := &entries[j]
			return o.ParentID == k.parent && o.Name == k.name && (o.Kind == KindDir) == k.dir
		})
		if folds != nil {
			fk := foldKey{e.ParentID, CollisionKey(e.Name, fold)}
			folds.add(fk, int32(i), func(j int32) bool {
				o := &entries[j]
				return o.ParentID == fk.parent && (o.Name == e.Name || CollisionKey(o.Name, fold) == fk.key)
			})
		}
	}
	out := make([]DupGroup, 0, len(names.groups))
	for _, idx := range names.groups {
		g := DupGroup{Kind: SameName, Members: pick(entries, idx)}
		g.ParentID, g.Name, g.Dir = g.Members[0].ParentID, g.Members[0].Name, g.Members[0].IsDir()
		if !g.Dir {
			g.Class, g.Verified = Classify(g.Members, opt.Hashes)
		}
		out = append(out, g)
	}
	if folds != nil {
		for _, idx := range folds.groups {
			if !mixedNames(entries, idx) {
				continue // plain same-name duplicates, reported above
			}
			g := DupGroup{Kind: Collision, Members: pick(entries, idx)}
			g.ParentID = g.Members[0].ParentID
			g.Name = CollisionKey(g.Members[0].Name, fold)
			out = append(out, g)
		}
	}
	sortGroups(out)
	return out
}

// grouper finds the keys that occur more than once. It indexes a 64-bit
// hash of each key, which keeps its table small and its probes cheap over
// a million entries; keys whose hashes collide without being equal go to
// an exact map.
type grouper[K comparable] struct {
	hash func(K) uint64
	// first[h] is the index of the first entry of hash h while it is
	// alone; once a second equal key appears it becomes -(group index + 1).
	first  map[uint64]int32
	exact  map[K]int32 // the same, for keys whose hash was taken
	groups [][]int32
}

func newGrouper[K comparable](n int) *grouper[K] {
	seed := maphash.MakeSeed()
	return &grouper[K]{hash: func(k K) uint64 { return maphash.Comparable(seed, k) }, first: make(map[uint64]int32, n)}
}

// add records entry i of key k; same reports whether entry j has key k.
func (g *grouper[K]) add(k K, i int32, same func(j int32) bool) {
	h := g.hash(k)
	j, seen := g.first[h]
	if seen {
		rep := j
		if j < 0 {
			rep = g.groups[-j-1][0]
		}
		if !same(rep) {
			if g.exact == nil {
				g.exact = map[K]int32{}
			}
			g.groups = addToGroup(g.exact, g.groups, k, i)
			return
		}
	}
	g.groups = addToGroup(g.first, g.groups, h, i)
}

func addToGroup[K comparable](first map[K]int32, groups [][]int32, k K, i int32) [][]int32 {
	j, seen := first[k]
	switch {
	case !seen:
		first[k] = i
	case j >= 0:
		first[k] = -int32(len(groups)) - 1
		groups = append(groups, []int32{j, i})
	default:
		g := -j - 1
		groups[g] = append(groups[g], i)
	}
	return groups
}

// mixedNames reports whether the entries hold more than one distinct
// (name, kind) pair.
func mixedNames(entries []Entry, idx []int32) bool {
	a := &entries[idx[0]]
	for _, i := range idx[1:] {
		if b := &entries[i]; b.Name != a.Name || b.IsDir() != a.IsDir() {
			return true
		}
	}
	return false
}

func pick(entries []Entry, idx []int32) []Entry {
	m := make([]Entry, len(idx))
	for i, j := range idx {
		m[i] = entries[j]
	}
	sortMembers(m)
	return m
}

func sortMembers(m []Entry) {
	slices.SortStableFunc(m, func(a, b Entry) int {
		if c := a.UploadTime.Compare(b.UploadTime); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

func sortGroups(gs []DupGroup) {
	slices.SortFunc(gs, func(a, b DupGroup) int {
		return cmp.Or(
			cmp.Compare(a.ParentID, b.ParentID),
			cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Name, b.Name),
			boolCmp(a.Dir, b.Dir),
			cmp.Compare(a.Members[0].ID, b.Members[0].ID),
		)
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// Classify decides how alike a set of files is. With hashes for every
// member the answer is Verified; two different known hashes, or different
// sizes, prove Different; otherwise fingerprints decide, and a missing or
// unreadable fingerprint gives SameSizeUnknown.
func Classify(files []Entry, hashes Hashes) (Similarity, bool) {
	if len(files) < 2 {
		return Identical, false
	}
	for _, f := range files[1:] {
		if f.Size != files[0].Size {
			return Different, false
		}
	}
	known, seen := 0, ""
	for _, f := range files {
		h, ok := hashes[f.ID]
		if !ok {
			continue
		}
		if known > 0 && h != seen {
			return Different, true
		}
		known, seen = known+1, h
	}
	if known == len(files) {
		return Identical, true
	}
	unknown := false
	var crc [4]uint32
	have := false
	for _, f := range files {
		fp, err := ParseFingerprint(f.Fingerprint, f.Size)
		if err != nil {
			unknown = true
			continue
		}
		if have && fp.CRC != crc {
			return Different, false
		}
		crc, have = fp.CRC, true
	}
	if unknown {
		return SameSizeUnknown, false
	}
	return Identical, false
}

// contentKey is what makes two files identical: a verified hash, or else
// size and fingerprint CRCs. ok is false when neither is known (or when
// onlyVerified and no hash is known).
func contentKey(e *Entry, hashes Hashes, onlyVerified bool) (string, bool) {
	if h, ok := hashes[e.ID]; ok {
		return "h" + strconv.FormatInt(e.Size, 10) + ":" + h, true
	}
	if onlyVerified {
		return "", false
	}
	fp, err := ParseFingerprint(e.Fingerprint, e.Size)
	if err != nil {
		return "", false
	}
	var crc [16]byte
	for i, c := range fp.CRC {
		binary.BigEndian.PutUint32(crc[4*i:], c)
	}
	return "c" + strconv.FormatInt(e.Size, 10) + ":" + string(crc[:]), true
}

// ContentSets splits files into sets of identical content and returns the
// sets of two or more, each in the order of files. A file with a hash is
// compared by hash only; files without one by size and fingerprint (unless
// onlyVerified, when they are left out). A hashed and an unhashed file are
// never put together, so a set is never wider than the evidence.
func ContentSets(files []Entry, hashes Hashes, onlyVerified bool) [][]Entry {
	index := make(map[string]int)
	var sets [][]Entry
	for i := range files {
		k, ok := contentKey(&files[i], hashes, onlyVerified)
		if !ok {
			continue
		}
		if j, seen := index[k]; seen {
			sets[j] = append(sets[j], files[i])
			continue
		}
		index[k] = len(sets)
		sets = append(sets, []Entry{files[i]})
	}
	return slices.DeleteFunc(sets, func(s []Entry) bool { return len(s) < 2 })
}

// FindContentDuplicates groups non-empty files anywhere in entries by
// content (see ContentSets), whatever their names or folders: the
// --by-content view. Groups are ordered by their first member's ID.
func FindContentDuplicates(entries []Entry, hashes Hashes) []DupGroup {
	files := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if e.Kind == KindFile && e.Size > 0 {
			files = append(files, e)
		}
	}
	var out []DupGroup
	for _, set := range ContentSets(files, hashes, false) {
		sortMembers(set)
		_, verified := Classify(set, hashes)
		out = append(out, DupGroup{Kind: SameContent, Members: set, Class: Identical, Verified: verified})
	}
	slices.SortFunc(out, func(a, b DupGroup) int { return cmp.Compare(a.Members[0].ID, b.Members[0].ID) })
	return out
}

// GroupIndex maps each entry ID to the index of the first group in groups
// that holds it, for badges while browsing.
func GroupIndex(groups []DupGroup) map[string]int {
	m := make(map[string]int)
	for i, g := range groups {
		for _, e := range g.Members {
			if _, ok := m[e.ID]; !ok {
				m[e.ID] = i
			}
		}
	}
	return m
}

// EffectiveTime is the time dedupe's newest/oldest modes compare: the
// original modification time when known (from the entry or its
// fingerprint), otherwise the upload time.
func EffectiveTime(e Entry) time.Time {
	if e.ModTimeKnown {
		return e.ModTime
	}
	if fp, err := ParseFingerprint(e.Fingerprint, e.Size); err == nil {
		return fp.ModTime
	}
	return e.UploadTime
}
