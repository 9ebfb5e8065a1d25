package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// substring is a simple Matcher for tests (the UI uses a fuzzy one).
func substring(pattern string, names []string) []int {
	var out []int
	p := strings.ToLower(pattern)
	for i, n := range names {
		if strings.Contains(strings.ToLower(n), p) {
			out = append(out, i)
		}
	}
	return out
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func sample() []Entry {
	return []Entry{
		{Name: "b.txt", Size: 300, ModTime: t0.Add(3 * time.Hour)},
		{Name: "A.txt", Size: 100, ModTime: t0.Add(5 * time.Hour)},
		{Name: "docs", Kind: KindDir, ModTime: t0.Add(1 * time.Hour)},
		{Name: ".hidden", Size: 5, ModTime: t0},
		{Name: "c.jpg", Size: 200, ModTime: t0.Add(4 * time.Hour)},
		{Name: "Zeta", Kind: KindDir, ModTime: t0.Add(2 * time.Hour)},
	}
}

func names(l *Listing) []string {
	out := make([]string, l.Len())
	for i := range out {
		out[i] = l.Row(i).Name
	}
	return out
}

func TestListingSort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		key     SortKey
		reverse bool
		hidden  bool
		want    []string
	}{
		{"name", SortByName, false, false, []string{"docs", "Zeta", "A.txt", "b.txt", "c.jpg"}},
		{"name reversed keeps folders first", SortByName, true, false, []string{"Zeta", "docs", "c.jpg", "b.txt", "A.txt"}},
		{"size", SortBySize, false, false, []string{"docs", "Zeta", "A.txt", "c.jpg", "b.txt"}},
		{"size reversed", SortBySize, true, false, []string{"Zeta", "docs", "b.txt", "c.jpg", "A.txt"}},
		{"time", SortByTime, false, false, []string{"docs", "Zeta", "b.txt", "c.jpg", "A.txt"}},
		{"time reversed", SortByTime, true, false, []string{"Zeta", "docs", "A.txt", "c.jpg", "b.txt"}},
		{"hidden shown", SortByName, false, true, []string{"docs", "Zeta", ".hidden", "A.txt", "b.txt", "c.jpg"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewListing()
			l.SetEntries("/", sample())
			l.SetShowHidden(tc.hidden)
			l.SetSort(tc.key, tc.reverse)
			if got := names(l); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListingSortKeepsCursorEntry(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	l.SelectName("b.txt")
	l.SetSort(SortBySize, true)
	if e, _ := l.Current(); e.Name != "b.txt" {
		t.Errorf("got cursor on %q, want b.txt", e.Name)
	}
}

func TestListingFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern []string // typed in order
		want    []string
	}{
		{"empty shows all", []string{""}, []string{"docs", "Zeta", "A.txt", "b.txt", "c.jpg"}},
		{"one letter", []string{"t"}, []string{"Zeta", "A.txt", "b.txt"}},
		{"narrowing", []string{"t", "tx", "txt"}, []string{"A.txt", "b.txt"}},
		{"backspace widens", []string{"t", "tx", "t"}, []string{"Zeta", "A.txt", "b.txt"}},
		{"no match", []string{"qq"}, []string{}},
		{"hidden entries never match while hidden", []string{"hid"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewListing()
			l.SetEntries("/", sample())
			for _, p := range tc.pattern {
				l.SetFilter(p, substring)
			}
			if got := names(l); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if _, ok := l.Current(); ok != (len(tc.want) > 0) {
				t.Errorf("got current ok=%v, want %v", ok, len(tc.want) > 0)
			}
		})
	}
}

func TestListingCursor(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"start at top", func() {}, "docs"},
		{"down", func() { l.Move(1) }, "Zeta"},
		{"past end clamps", func() { l.Move(100) }, "c.jpg"},
		{"past start clamps", func() { l.Move(-100) }, "docs"},
		{"end", func() { l.End() }, "c.jpg"},
		{"home", func() { l.Home() }, "docs"},
	}
	for _, s := range steps {
		s.do()
		if e, _ := l.Current(); e.Name != s.want {
			t.Errorf("%s: got %q, want %q", s.name, e.Name, s.want)
		}
	}
}

func TestListingCursorRememberedPerFolder(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	l.SelectName("b.txt")
	l.SetEntries("/docs", []Entry{{Name: "x"}, {Name: "y"}})
	if e, _ := l.Current(); e.Name != "x" {
		t.Fatalf("new folder: got %q, want x", e.Name)
	}
	l.Move(1)
	l.SetEntries("/", sample())
	if e, _ := l.Current(); e.Name != "b.txt" {
		t.Errorf("back in /: got %q, want b.txt", e.Name)
	}
	l.SetEntries("/docs", []Entry{{Name: "x"}, {Name: "y"}})
	if e, _ := l.Current(); e.Name != "y" {
		t.Errorf("back in /docs: got %q, want y", e.Name)
	}
	l.Remember("/", EntryKey(Entry{Name: "docs"}))
	l.SetEntries("/", sample())
	if e, _ := l.Current(); e.Name != "docs" {
		t.Errorf("after Remember: got %q, want docs", e.Name)
	}
}

func TestListingRefreshKeepsCursorAndMarks(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	l.SelectName("c.jpg")
	l.MarkRow(l.Cursor(), true)
	l.SelectName("A.txt")
	l.MarkRow(l.Cursor(), true)
	l.SelectName("b.txt")
	// b.txt and A.txt vanish on refresh; c.jpg stays.
	l.SetEntries("/", []Entry{{Name: "docs", Kind: KindDir}, {Name: "c.jpg", Size: 200}, {Name: "d"}})
	if got := l.MarkCount(); got != 1 {
		t.Errorf("got %d marks, want 1", got)
	}
	if got := l.MarkSize(); got != 200 {
		t.Errorf("got mark size %d, want 200", got)
	}
	if _, ok := l.Current(); !ok {
		t.Errorf("got no current entry, want the cursor kept near its old row")
	}
	l.SetEntries("/other", nil)
	if l.MarkCount() != 0 {
		t.Errorf("got %d marks in another folder, want 0", l.MarkCount())
	}
}

func TestListingMarks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		do        func(l *Listing) error
		wantNames []string
		wantSize  int64
	}{
		{"toggle moves down", func(l *Listing) error {
			l.SelectName("A.txt")
			l.ToggleMark()
			l.ToggleMark()
			return nil
		}, []string{"A.txt", "b.txt"}, 400},
		{"toggle twice unmarks", func(l *Listing) error {
			l.SelectName("A.txt")
			l.ToggleMark()
			l.SelectName("A.txt")
			l.ToggleMark()
			return nil
		}, []string{}, 0},
		{"all", func(l *Listing) error { l.MarkAll(); return nil },
			[]string{"docs", "Zeta", "A.txt", "b.txt", "c.jpg"}, 600},
		{"invert", func(l *Listing) error {
			l.SelectName("c.jpg")
			l.ToggleMark()
			l.InvertMarks()
			return nil
		}, []string{"docs", "Zeta", "A.txt", "b.txt"}, 400},
		{"pattern", func(l *Listing) error {
			_, err := l.MarkPattern("*.txt", true)
			return err
		}, []string{"A.txt", "b.txt"}, 400},
		{"pattern unmark", func(l *Listing) error {
			l.MarkAll()
			_, err := l.MarkPattern("*.txt", false)
			return err
		}, []string{"docs", "Zeta", "c.jpg"}, 200},
		{"marks survive filter", func(l *Listing) error {
			l.MarkAll()
			l.SetFilter("jpg", substring)
			l.InvertMarks() // only c.jpg is visible
			return nil
		}, []string{"docs", "Zeta", "A.txt", "b.txt"}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewListing()
			l.SetEntries("/", sample())
			if err := tc.do(l); err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, e := range l.Marked() {
				got = append(got, e.Name)
			}
			if !slices.Equal(got, tc.wantNames) {
				t.Errorf("got %v, want %v", got, tc.wantNames)
			}
			if l.MarkCount() != len(tc.wantNames) || l.MarkSize() != tc.wantSize {
				t.Errorf("got count %d size %d, want %d %d", l.MarkCount(), l.MarkSize(), len(tc.wantNames), tc.wantSize)
			}
		})
	}
}

func TestListingBadPattern(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	if _, err := l.MarkPattern("[", true); err == nil {
		t.Errorf("got nil error, want a pattern error")
	}
}

func TestListingDuplicateNamesAreDistinct(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", []Entry{{Name: "a", ID: "h1", Size: 1}, {Name: "a", ID: "h2", Size: 2}})
	l.ToggleMark()
	if got := l.Marked(); len(got) != 1 || got[0].ID != "h1" {
		t.Errorf("got %v, want only h1 marked", got)
	}
}

func TestListingTargets(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	l.SelectName("b.txt")
	if got := l.Targets(); len(got) != 1 || got[0].Name != "b.txt" {
		t.Errorf("no marks: got %v, want the cursor entry", got)
	}
	l.SelectName("c.jpg")
	l.ToggleMark()
	l.SelectName("b.txt")
	if got := l.Targets(); len(got) != 1 || got[0].Name != "c.jpg" {
		t.Errorf("with marks: got %v, want the marked entry", got)
	}
	if got := NewListing().Targets(); got != nil {
		t.Errorf("empty: got %v, want nil", got)
	}
}

func TestListingScroll(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", bigEntries(50))
	tests := []struct {
		name      string
		cursor    int
		height    int
		wantStart int
		wantEnd   int
	}{
		{"top", 0, 10, 0, 10},
		{"inside window stays", 5, 10, 0, 10},
		{"below scrolls down", 15, 10, 6, 16},
		{"above scrolls up", 3, 10, 3, 13},
		{"end", 49, 10, 40, 50},
		{"taller than list", 49, 100, 0, 50},
		{"zero height", 0, 0, 0, 0},
	}
	for _, tc := range tests {
		l.SetCursor(tc.cursor)
		s, e := l.Scroll(tc.height)
		if s != tc.wantStart || e != tc.wantEnd {
			t.Errorf("%s: got [%d,%d), want [%d,%d)", tc.name, s, e, tc.wantStart, tc.wantEnd)
		}
	}
}

func bigEntries(n int) []Entry {
	es := make([]Entry, n)
	for i := range es {
		es[i] = Entry{Name: fmt.Sprintf("file-%06d-%x.dat", (i*7919)%n, i), Size: int64(i), ModTime: t0.Add(time.Duration(i) * time.Second)}
		if i%50 == 0 {
			es[i].Kind = KindDir
		}
	}
	return es
}

func BenchmarkListingSort(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		es := bigEntries(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			l := NewListing()
			for b.Loop() {
				l.SetEntries("/", es)
			}
		})
	}
}

func BenchmarkListingFilter(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		es := bigEntries(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			l := NewListing()
			l.SetEntries("/", es)
			for b.Loop() {
				l.SetFilter("", substring)
				l.SetFilter("9", substring)
				l.SetFilter("99", substring)
			}
		})
	}
}

func TestListingAsyncFilter(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	all := names(l)

	job, pending := l.BeginFilter("t", substring)
	if !pending || !l.FilterPending() {
		t.Fatalf("got pending %v, want a job", pending)
	}
	if got := names(l); !slices.Equal(got, all) {
		t.Errorf("while pending: got %v, want the previous rows %v", got, all)
	}
	if !l.ApplyFilter(job.Run()) {
		t.Fatalf("got the current result dropped")
	}
	want := []string{"Zeta", "A.txt", "b.txt"}
	if got := names(l); !slices.Equal(got, want) {
		t.Errorf("applied: got %v, want %v", got, want)
	}

	// A result for a pattern the user already changed is dropped.
	old, _ := l.BeginFilter("tx", substring)
	newer, _ := l.BeginFilter("txt", substring)
	if l.ApplyFilter(old.Run()) {
		t.Errorf("got a stale pattern's result applied")
	}
	if !l.ApplyFilter(newer.Run()) {
		t.Errorf("got the newest result dropped")
	}
	if got := names(l); !slices.Equal(got, []string{"A.txt", "b.txt"}) {
		t.Errorf("got %v", got)
	}

	// Backspace is answered from the cache at once.
	if _, pending := l.BeginFilter("t", substring); pending {
		t.Errorf("got a job for a cached prefix")
	}
	if got := names(l); !slices.Equal(got, want) {
		t.Errorf("cached: got %v, want %v", got, want)
	}

	// A result computed before the entries changed is dropped.
	job, _ = l.BeginFilter("tz", substring)
	l.SetEntries("/", sample()[:2])
	if l.ApplyFilter(job.Run()) {
		t.Errorf("got a result for old entries applied")
	}
}

func TestListingSortTimeWithUnknownAndSubsecond(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", []Entry{
		{Name: "late", ModTime: t0.Add(2 * time.Nanosecond)},
		{Name: "zero"},
		{Name: "early", ModTime: t0.Add(1 * time.Nanosecond)},
		{Name: "far", ModTime: time.Date(2500, 1, 1, 0, 0, 0, 0, time.UTC)},
	})
	l.SetSort(SortByTime, false)
	if got, want := names(l), []string{"zero", "early", "late", "far"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSetFolderSizesSortsBySize(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetSort(SortBySize, true)
	l.SetEntries("/", []Entry{{Name: "small", Kind: KindDir, ID: "s"}, {Name: "big", Kind: KindDir, ID: "b"},
		{Name: "f.txt", Kind: KindFile, Size: 5, ID: "f"}})
	l.SetCursor(1)
	cur, _ := l.Current()
	if !l.SetFolderSizes(map[string]int64{"i:s": 10, "i:b": 1000}) {
		t.Fatal("no change reported")
	}
	var got []string
	for i := range l.Len() {
		got = append(got, fmt.Sprintf("%s=%d", l.Row(i).Name, l.Row(i).Size))
	}
	if want := []string{"big=1000", "small=10", "f.txt=5"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if now, _ := l.Current(); now.ID != cur.ID {
		t.Errorf("cursor moved from %s to %s", cur.ID, now.ID)
	}
	if l.SetFolderSizes(map[string]int64{"i:s": 10}) {
		t.Error("unchanged sizes reported as a change")
	}
}

func TestListingUnmarkLeavesOtherMarks(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/", sample())
	for _, name := range []string{"c.jpg", "A.txt", "b.txt"} {
		l.SelectName(name)
		l.MarkRow(l.Cursor(), true)
	}
	var queued []Entry
	for _, e := range l.Marked() {
		if e.Name != "b.txt" {
			queued = append(queued, e)
		}
	}
	l.Unmark(append(queued, Entry{Name: "not here"}))
	got := l.Marked()
	if len(got) != 1 || got[0].Name != "b.txt" || l.MarkCount() != 1 || l.MarkSize() != got[0].Size {
		t.Errorf("after Unmark: marked %v (count %d, size %d), want only b.txt", got, l.MarkCount(), l.MarkSize())
	}
}
