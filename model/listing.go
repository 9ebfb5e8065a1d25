package model

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// SortKey says which column a listing is ordered by.
type SortKey int

const (
	SortByName SortKey = iota
	SortBySize
	SortByTime
)

func (k SortKey) String() string {
	switch k {
	case SortBySize:
		return "size"
	case SortByTime:
		return "time"
	default:
		return "name"
	}
}

// Matcher returns, in ascending order, the indexes of the names that match
// pattern. The UI supplies a fuzzy matcher; model stays stdlib-only.
type Matcher func(pattern string, names []string) []int

// Listing is the pure browsing state of one folder: its entries sorted with
// folders first, the hidden-files toggle, a filter, the cursor, the scroll
// offset and the marks (the selection). It performs no I/O; the caller
// feeds it entries with SetEntries.
//
// Entries are addressed two ways: "visible rows" (after the hidden toggle
// and the filter; the cursor is a visible row) and the sorted entries.
type Listing struct {
	dir     string
	entries []Entry  // sorted, folders first
	names   []string // names aligned with entries (fed to the Matcher)
	base    []int    // entries left after the hidden toggle
	rows    []int    // visible rows: indexes into base's entries after the filter

	sortKey    SortKey
	reverse    bool
	showHidden bool

	filter string
	match  Matcher
	// steps caches the rows matched by each prefix of the pattern typed so
	// far: typing a letter narrows the last step's rows, backspace pops.
	steps   []filterStep
	pending bool // a FilterJob's result is awaited
	// sortPending: a SortJob's result is awaited (the entries are still
	// in the previous order while sortKey/reverse already name the new).
	sortPending bool
	gen         uint64 // bumped whenever row indexes change meaning

	cursor int // index into rows
	offset int // first visible row on screen

	marks     map[string]struct{}
	markCount int
	markSize  int64

	remembered map[string]string // folder -> key of the entry under the cursor
}

type filterStep struct {
	pattern string
	rows    []int
}

// NewListing returns an empty listing sorted by name, hidden files off.
func NewListing() *Listing {
	return &Listing{marks: map[string]struct{}{}, remembered: map[string]string{}}
}

// EntryKey identifies an entry within one folder: its ID when known (MEGA
// allows several entries with the same name), else its name.
func EntryKey(e Entry) string {
	if e.ID != "" {
		return "i:" + e.ID
	}
	return "n:" + e.Name
}

// IsHidden reports whether an entry is a dot-file.
func IsHidden(e Entry) bool { return strings.HasPrefix(e.Name, ".") }

// Dir is the folder currently listed.
func (l *Listing) Dir() string { return l.dir }

// SetEntries replaces the contents. When dir is the folder already shown
// (a refresh) the cursor stays on the same entry and marks on entries that
// still exist are kept; for another folder the marks are cleared and the
// cursor returns to the entry it was on when that folder was last shown.
// It sorts on the caller's goroutine; big folders use SortEntries off the
// UI goroutine and SetSorted.
func (l *Listing) SetEntries(dir string, entries []Entry) {
	l.SetSorted(dir, SortEntries(entries, l.sortKey, l.reverse))
}

// SetSorted is SetEntries for entries already ordered by SortEntries (on
// another goroutine). When they were sorted by another key than the
// listing's (the user changed the sort meanwhile) they are installed as
// they are and the returned job, pending true, re-sorts them: run it and
// pass its result to ApplySort.
func (l *Listing) SetSorted(dir string, s Sorted) (job SortJob, pending bool) {
	var keepKey string
	oldCursor := l.cursor
	if cur, ok := l.Current(); ok {
		keepKey = EntryKey(cur)
		l.remembered[l.dir] = keepKey
	}
	same := dir == l.dir
	if !same {
		keepKey = l.remembered[dir]
		l.offset = 0
	}
	l.dir = dir
	l.entries, l.names = s.entries, s.names
	l.sortPending = false
	oldMarks := l.marks
	l.marks = make(map[string]struct{}, len(oldMarks))
	l.markCount, l.markSize = 0, 0
	if same {
		for _, e := range l.entries {
			if _, ok := oldMarks[EntryKey(e)]; ok {
				l.setMark(e, true)
			}
		}
	}
	l.rebuildRows()
	l.cursor = 0
	if keepKey == "" || !l.SelectKey(keepKey) {
		if same {
			l.SetCursor(oldCursor) // the entry went away: stay near it
		}
	}
	if s.key != l.sortKey || s.reverse != l.reverse {
		l.sortPending = true
		return l.sortJob(), true
	}
	return SortJob{}, false
}

// Remember records key as the entry to put the cursor on when dir is shown
// next (used when going up: the cursor lands on the folder we came from).
func (l *Listing) Remember(dir, key string) { l.remembered[dir] = key }

// Sorted is a slice of entries in display order, as SortEntries made it.
type Sorted struct {
	key     SortKey
	reverse bool
	entries []Entry
	names   []string
	from    []int // entries[i] was the input's from[i]
}

// Len is the number of entries.
func (s Sorted) Len() int { return len(s.entries) }

// Entries are the sorted entries (read only: they are shared).
func (s Sorted) Entries() []Entry { return s.entries }

// SortEntries orders a copy of entries by key, folders first, reversed
// when reverse is set. It is pure and may run on any goroutine.
func SortEntries(entries []Entry, key SortKey, reverse bool) Sorted {
	// Sort compact keys (computed once: the lower-cased name, the numeric
	// column) rather than entries, so comparisons touch little memory.
	type sortItem struct {
		dir   bool
		num   int64 // size or mtime seconds, per the sort key
		nsec  int   // mtime nanoseconds
		lower string
		name  string
		id    string
		idx   int
	}
	es := entries
	items := make([]sortItem, len(es))
	for i := range es {
		e := &es[i]
		it := sortItem{dir: e.IsDir(), lower: strings.ToLower(e.Name), name: e.Name, id: e.ID, idx: i}
		switch key {
		case SortBySize:
			it.num = e.Size
		case SortByTime:
			it.num, it.nsec = e.ModTime.Unix(), e.ModTime.Nanosecond() // defined for any time
		}
		items[i] = it
	}
	rev := reverse
	slices.SortFunc(items, func(a, b sortItem) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		c := cmp.Compare(a.num, b.num)
		if c == 0 {
			c = cmp.Compare(a.nsec, b.nsec)
		}
		if c == 0 {
			c = NaturalCompare(a.lower, b.lower)
		}
		if c == 0 {
			c = strings.Compare(a.name, b.name)
		}
		if c == 0 {
			c = strings.Compare(a.id, b.id) // same-name duplicates: stable by handle
		}
		if c == 0 {
			c = cmp.Compare(a.idx, b.idx)
		}
		if rev {
			c = -c
		}
		return c
	})
	sorted := make([]Entry, len(es))
	names := make([]string, len(es))
	from := make([]int, len(es))
	for i, it := range items {
		sorted[i] = es[it.idx]
		names[i] = it.name
		from[i] = it.idx
	}
	return Sorted{key: key, reverse: reverse, entries: sorted, names: names, from: from}
}

// rebuildRows recomputes the visible rows from the hidden toggle and the
// filter, dropping the filter cache. It does not move the cursor; callers
// re-place it.
func (l *Listing) rebuildRows() {
	l.gen++
	l.pending = false
	l.base = make([]int, 0, len(l.entries))
	for i, e := range l.entries {
		if !l.showHidden && IsHidden(e) {
			continue
		}
		l.base = append(l.base, i)
	}
	l.steps = l.steps[:0]
	l.rows = l.base
	if l.filter != "" && l.match != nil {
		l.rows = FilterJob{pattern: l.filter, match: l.match, among: l.base, names: l.names}.Run().rows
		l.steps = append(l.steps, filterStep{l.filter, l.rows})
	}
}

// SetSort orders the entries by key (folders always first), reversed when
// reverse is set. The cursor stays on the same entry.
func (l *Listing) SetSort(key SortKey, reverse bool) {
	if job, pending := l.BeginSort(key, reverse); pending {
		l.ApplySort(job.Run())
	}
}

// SortJob is the sorting work of one sort change. Run may be called on
// another goroutine: it reads only an immutable snapshot of the entries.
type SortJob struct {
	entries []Entry
	key     SortKey
	reverse bool
}

// SortResult is what SortJob.Run produced; hand it to ApplySort.
type SortResult struct {
	src    []Entry // the snapshot that was sorted
	sorted Sorted
}

// Run sorts the job's snapshot.
func (j SortJob) Run() SortResult {
	return SortResult{src: j.entries, sorted: SortEntries(j.entries, j.key, j.reverse)}
}

func (l *Listing) sortJob() SortJob {
	return SortJob{entries: l.entries, key: l.sortKey, reverse: l.reverse}
}

// BeginSort records the new sort key and direction (Sort reports them at
// once) and leaves the sorting to the caller: with pending true the rows
// keep their old order until the job's result is passed to ApplySort (the
// UI runs big folders' jobs off its goroutine).
func (l *Listing) BeginSort(key SortKey, reverse bool) (job SortJob, pending bool) {
	l.sortKey, l.reverse = key, reverse
	l.sortPending = true
	return l.sortJob(), true
}

// ApplySort installs a sort result and reports whether it was current: a
// result for another key or direction than the latest requested, or made
// from entries since replaced (a reload, another listing), is dropped.
// The cursor stays on the same entry; marks, the hidden toggle and the
// filter are kept (the filter's rows are remapped, not matched again).
func (l *Listing) ApplySort(r SortResult) bool {
	s := r.sorted
	if !l.sortPending || s.key != l.sortKey || s.reverse != l.reverse || !sameSlice(r.src, l.entries) {
		return false
	}
	cur, ok := l.Current()
	pos := make([]int, len(s.from)) // old index -> new index
	for i, f := range s.from {
		pos[f] = i
	}
	remap := func(rows []int) []int {
		out := make([]int, len(rows))
		for i, r := range rows {
			out[i] = pos[r]
		}
		slices.Sort(out)
		return out
	}
	l.entries, l.names = s.entries, s.names
	l.sortPending = false
	l.gen++ // pending filter results index the old order
	l.pending = false
	l.base = remap(l.base)
	for i := range l.steps {
		l.steps[i].rows = remap(l.steps[i].rows)
	}
	switch {
	case len(l.steps) > 0 && l.steps[len(l.steps)-1].pattern == l.filter:
		l.rows = l.steps[len(l.steps)-1].rows
	case l.filter != "" && l.match != nil:
		l.rebuildRows()
	default:
		l.rows = l.base
	}
	if ok {
		l.SelectKey(EntryKey(cur))
	}
	return true
}

// SortPending reports that a sort result is awaited.
func (l *Listing) SortPending() bool { return l.sortPending }

// sameSlice reports whether a and b are the same slice (same backing
// array and length), not merely equal.
func sameSlice(a, b []Entry) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

// Sort returns the current sort key and direction.
func (l *Listing) Sort() (SortKey, bool) { return l.sortKey, l.reverse }

// SetShowHidden toggles dot-files. The cursor stays on the same entry when
// it is still visible.
func (l *Listing) SetShowHidden(show bool) {
	cur, ok := l.Current()
	l.showHidden = show
	l.rebuildRows()
	l.cursor = 0
	if ok {
		l.SelectKey(EntryKey(cur))
	}
	l.clamp()
}

// ShowHidden reports whether dot-files are shown.
func (l *Listing) ShowHidden() bool { return l.showHidden }

// SetFilter shows only entries whose names match pattern according to m;
// an empty pattern shows everything. The matcher must be monotonic (a name
// matching a pattern also matches every prefix of it, as subsequence and
// fuzzy matchers are): typing a letter then searches only the previous
// matches, and erasing one reuses the cached result for the shorter
// pattern, so typing stays fast in huge folders. The cursor moves to the
// first match.
func (l *Listing) SetFilter(pattern string, m Matcher) {
	if job, pending := l.BeginFilter(pattern, m); pending {
		l.ApplyFilter(job.Run())
	}
}

// FilterJob is the matching work of one filter change. Run may be called
// on another goroutine: it reads only immutable snapshots.
type FilterJob struct {
	pattern string
	match   Matcher
	among   []int
	names   []string
	gen     uint64
}

// FilterResult is what FilterJob.Run found; hand it to ApplyFilter.
type FilterResult struct {
	pattern string
	rows    []int
	gen     uint64
}

// Run matches the job's names.
func (j FilterJob) Run() FilterResult {
	names := j.names
	if len(j.among) != len(j.names) {
		names = make([]string, len(j.among))
		for i, k := range j.among {
			names[i] = j.names[k]
		}
	}
	hits := j.match(j.pattern, names)
	rows := make([]int, len(hits))
	for i, h := range hits {
		rows[i] = j.among[h]
	}
	return FilterResult{pattern: j.pattern, rows: rows, gen: j.gen}
}

// BeginFilter sets the filter pattern like SetFilter but leaves the
// matching to the caller when it cannot be answered from the cache: with
// pending true, the rows keep showing the previous result until the job's
// result is passed to ApplyFilter (the UI runs big folders' jobs off its
// goroutine).
func (l *Listing) BeginFilter(pattern string, m Matcher) (job FilterJob, pending bool) {
	l.filter, l.match = pattern, m
	l.cursor, l.offset = 0, 0
	if pattern == "" || m == nil {
		l.steps = l.steps[:0]
		l.rows = l.base
		l.pending = false
		return FilterJob{}, false
	}
	for n := len(l.steps); n > 0 && !strings.HasPrefix(pattern, l.steps[n-1].pattern); n-- {
		l.steps = l.steps[:n-1]
	}
	among := l.base
	if n := len(l.steps); n > 0 {
		if l.steps[n-1].pattern == pattern {
			l.rows = l.steps[n-1].rows
			l.pending = false
			return FilterJob{}, false
		}
		among = l.steps[n-1].rows
	}
	l.pending = true
	return FilterJob{pattern: pattern, match: m, among: among, names: l.names, gen: l.gen}, true
}

// ApplyFilter installs a result and reports whether it was current: a
// result for another pattern, or computed before the entries, the sort or
// the hidden toggle changed, is dropped.
func (l *Listing) ApplyFilter(r FilterResult) bool {
	if r.gen != l.gen || r.pattern != l.filter || !l.pending {
		return false
	}
	for n := len(l.steps); n > 0 && !strings.HasPrefix(r.pattern, l.steps[n-1].pattern); n-- {
		l.steps = l.steps[:n-1]
	}
	l.steps = append(l.steps, filterStep{r.pattern, r.rows})
	l.rows = r.rows
	l.pending = false
	l.cursor, l.offset = 0, 0
	return true
}

// FilterPending reports that a filter result is awaited.
func (l *Listing) FilterPending() bool { return l.pending }

// Filter returns the active filter pattern.
func (l *Listing) Filter() string { return l.filter }

// Len is the number of visible rows.
func (l *Listing) Len() int { return len(l.rows) }

// Total is the number of entries in the folder, visible or not.
func (l *Listing) Total() int { return len(l.entries) }

// Row returns the entry shown on visible row i.
func (l *Listing) Row(i int) Entry { return l.entries[l.rows[i]] }

// Cursor is the visible row under the cursor.
func (l *Listing) Cursor() int { return l.cursor }

// Current returns the entry under the cursor.
func (l *Listing) Current() (Entry, bool) {
	if l.cursor < 0 || l.cursor >= len(l.rows) {
		return Entry{}, false
	}
	return l.Row(l.cursor), true
}

// SetCursor moves the cursor to visible row i, clamped.
func (l *Listing) SetCursor(i int) {
	l.cursor = i
	l.clamp()
}

// Move moves the cursor by delta rows, clamped.
func (l *Listing) Move(delta int) { l.SetCursor(l.cursor + delta) }

// Home and End move to the first and last row.
func (l *Listing) Home() { l.SetCursor(0) }

// End moves to the last row.
func (l *Listing) End() { l.SetCursor(len(l.rows) - 1) }

func (l *Listing) clamp() {
	if l.cursor >= len(l.rows) {
		l.cursor = len(l.rows) - 1
	}
	if l.cursor < 0 {
		l.cursor = 0
	}
}

// SelectKey puts the cursor on the visible entry with the given key and
// reports whether it was found.
func (l *Listing) SelectKey(key string) bool {
	for i, j := range l.rows {
		if EntryKey(l.entries[j]) == key {
			l.cursor = i
			return true
		}
	}
	return false
}

// SelectName puts the cursor on the first visible entry named name.
func (l *Listing) SelectName(name string) bool { return l.SelectKey(l.keyOfName(name)) }

func (l *Listing) keyOfName(name string) string {
	for _, e := range l.entries {
		if e.Name == name {
			return EntryKey(e)
		}
	}
	return ""
}

// Scroll adjusts the scroll offset so the cursor is inside a window of
// height rows and returns the [start, end) rows to draw. Only those rows
// need rendering.
func (l *Listing) Scroll(height int) (start, end int) {
	if height < 1 {
		return 0, 0
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+height {
		l.offset = l.cursor - height + 1
	}
	if max := len(l.rows) - height; l.offset > max {
		l.offset = max
	}
	if l.offset < 0 {
		l.offset = 0
	}
	end = min(l.offset+height, len(l.rows))
	return l.offset, end
}

// Offset is the first row drawn at the last Scroll.
func (l *Listing) Offset() int { return l.offset }

func (l *Listing) setMark(e Entry, on bool) {
	k := EntryKey(e)
	_, had := l.marks[k]
	switch {
	case on && !had:
		l.marks[k] = struct{}{}
		l.markCount++
		l.markSize += e.Size
	case !on && had:
		delete(l.marks, k)
		l.markCount--
		l.markSize -= e.Size
	}
}

// IsMarked reports whether e is selected.
func (l *Listing) IsMarked(e Entry) bool {
	_, ok := l.marks[EntryKey(e)]
	return ok
}

// ToggleMark flips the mark on the entry under the cursor and moves the
// cursor down one row (Midnight Commander's Insert).
func (l *Listing) ToggleMark() {
	e, ok := l.Current()
	if !ok {
		return
	}
	l.setMark(e, !l.IsMarked(e))
	l.Move(1)
}

// MarkRow sets the mark of visible row i.
func (l *Listing) MarkRow(i int, on bool) {
	if i >= 0 && i < len(l.rows) {
		l.setMark(l.Row(i), on)
	}
}

// MarkAll marks every visible row.
func (l *Listing) MarkAll() {
	for _, j := range l.rows {
		l.setMark(l.entries[j], true)
	}
}

// Unmark removes the marks of es (matched by EntryKey), leaving the
// others.
func (l *Listing) Unmark(es []Entry) {
	if len(l.marks) == 0 || len(es) == 0 {
		return
	}
	keys := make(map[string]bool, len(es))
	for _, e := range es {
		keys[EntryKey(e)] = true
	}
	for _, e := range l.entries {
		if keys[EntryKey(e)] {
			l.setMark(e, false)
		}
	}
}

// ClearMarks removes every mark.
func (l *Listing) ClearMarks() {
	clear(l.marks)
	l.markCount, l.markSize = 0, 0
}

// InvertMarks flips the mark of every visible row.
func (l *Listing) InvertMarks() {
	for _, j := range l.rows {
		e := l.entries[j]
		l.setMark(e, !l.IsMarked(e))
	}
}

// MarkPattern sets (on) or clears the marks of the visible entries whose
// names match the shell pattern (path.Match syntax, e.g. "*.jpg") and
// returns how many matched.
func (l *Listing) MarkPattern(pattern string, on bool) (int, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return 0, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	n := 0
	for _, j := range l.rows {
		e := l.entries[j]
		if ok, _ := path.Match(pattern, e.Name); ok {
			l.setMark(e, on)
			n++
		}
	}
	return n, nil
}

// MarkCount and MarkSize give the number and total size of the marked
// entries (folders count with their listed size, usually 0).
func (l *Listing) MarkCount() int { return l.markCount }

// MarkSize is the total size of the marked entries.
func (l *Listing) MarkSize() int64 { return l.markSize }

// Marked returns the marked entries in display order (including marked
// entries hidden by the filter).
func (l *Listing) Marked() []Entry {
	if l.markCount == 0 {
		return nil
	}
	out := make([]Entry, 0, l.markCount)
	for _, e := range l.entries {
		if l.IsMarked(e) {
			out = append(out, e)
		}
	}
	return out
}

// Targets is what an action applies to: the marked entries, or else the
// entry under the cursor.
func (l *Listing) Targets() []Entry {
	if m := l.Marked(); len(m) > 0 {
		return m
	}
	if e, ok := l.Current(); ok {
		return []Entry{e}
	}
	return nil
}

// SetFolderSizes records the size of the folders' contents (keyed by
// EntryKey), as their Size, so the size column and the sort by size use
// them. The cursor and marks stay; it reports whether any size changed.
func (l *Listing) SetFolderSizes(sizes map[string]int64) bool {
	changed := false
	es := slices.Clone(l.entries) // sort jobs may hold the old slice
	for i := range es {
		if !es[i].IsDir() {
			continue
		}
		if n, ok := sizes[EntryKey(es[i])]; ok && es[i].Size != n {
			es[i].Size, changed = n, true
		}
	}
	if changed {
		l.SetEntries(l.dir, es)
	}
	return changed
}
