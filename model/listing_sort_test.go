package model

import (
	"slices"
	"testing"
)

func TestListingAsyncSort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(l *Listing) // applied after BeginSort(size), before the result arrives
		apply bool
		want  []string
	}{
		{"current result applied", func(*Listing) {}, true, []string{"docs", "Zeta", "A.txt", "c.jpg", "b.txt"}},
		{"superseded by another key", func(l *Listing) { l.BeginSort(SortByTime, false) }, false, nil},
		{"superseded by a direction change", func(l *Listing) { l.BeginSort(SortBySize, true) }, false, nil},
		{"entries replaced by a reload", func(l *Listing) { l.SetEntries("/d", sample()[:3]) }, false, nil},
		{"hidden toggle keeps it current", func(l *Listing) { l.SetShowHidden(true) }, true,
			[]string{"docs", "Zeta", ".hidden", "A.txt", "c.jpg", "b.txt"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewListing()
			l.SetEntries("/d", sample())
			l.SelectName("c.jpg")
			job, pending := l.BeginSort(SortBySize, false)
			if !pending || !l.SortPending() {
				t.Fatal("got no pending sort after BeginSort")
			}
			tc.setup(l)
			before := names(l)
			res := job.Run() // as if on another goroutine
			if got := l.ApplySort(res); got != tc.apply {
				t.Fatalf("got ApplySort %v, want %v", got, tc.apply)
			}
			if !tc.apply {
				if got := names(l); !slices.Equal(got, before) {
					t.Errorf("got rows %v after a dropped result, want %v unchanged", got, before)
				}
				return
			}
			if got := names(l); !slices.Equal(got, tc.want) {
				t.Errorf("got rows %v, want %v", got, tc.want)
			}
			if e, _ := l.Current(); e.Name != "c.jpg" {
				t.Errorf("got cursor on %q, want c.jpg", e.Name)
			}
			if l.SortPending() {
				t.Error("got a sort still pending after its result")
			}
		})
	}
}

func TestListingAsyncSortKeepsFilterAndMarks(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetEntries("/d", sample())
	l.SetFilter("t", substring) // b.txt, A.txt, Zeta
	l.SelectName("b.txt")
	l.ToggleMark() // marks b.txt
	job, _ := l.BeginSort(SortBySize, true)
	if !l.ApplySort(job.Run()) {
		t.Fatal("got the current result dropped")
	}
	if got, want := names(l), []string{"Zeta", "b.txt", "A.txt"}; !slices.Equal(got, want) {
		t.Errorf("got rows %v, want %v (filter kept, reversed size order)", got, want)
	}
	if l.MarkCount() != 1 || !l.IsMarked(l.Row(1)) {
		t.Errorf("got %d marks, want b.txt still marked", l.MarkCount())
	}
	// Erasing the filter letter reuses the remapped cache: all rows, new order.
	l.SetFilter("", substring)
	if got, want := names(l), []string{"Zeta", "docs", "b.txt", "c.jpg", "A.txt"}; !slices.Equal(got, want) {
		t.Errorf("got rows %v after clearing the filter, want %v", got, want)
	}
}

func TestListingSetSortedWithOtherKey(t *testing.T) {
	t.Parallel()
	l := NewListing()
	l.SetSort(SortByTime, false)
	// The entries were sorted by name in a Cmd issued before the key changed.
	job, pending := l.SetSorted("/d", SortEntries(sample(), SortByName, false))
	if !pending {
		t.Fatal("got no re-sort for entries sorted by another key")
	}
	if !l.ApplySort(job.Run()) {
		t.Fatal("got the re-sort dropped")
	}
	if got, want := names(l), []string{"docs", "Zeta", "b.txt", "c.jpg", "A.txt"}; !slices.Equal(got, want) {
		t.Errorf("got rows %v, want %v (by time)", got, want)
	}
	if _, pending := l.SetSorted("/d", SortEntries(sample(), SortByTime, false)); pending {
		t.Error("got a re-sort for entries already in the listing's order")
	}
}

// BenchmarkListingBeginSort: what a sort-key press costs the UI goroutine
// when the sort runs elsewhere, against the full sort, at 100,000 entries.
func BenchmarkListingBeginSort(b *testing.B) {
	l := NewListing()
	l.SetEntries("/d", bigEntries(100_000))
	b.Run("begin", func(b *testing.B) {
		k := SortByName
		for b.Loop() {
			k = (k + 1) % 3
			l.BeginSort(k, false)
		}
	})
	b.Run("full", func(b *testing.B) {
		k := SortByName
		for b.Loop() {
			k = (k + 1) % 3
			l.SetSort(k, false)
		}
	})
}
