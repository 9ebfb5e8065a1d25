package model

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNaturalCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"numbers by value", "file2", "file10", -1},
		{"numbers by value, reversed", "log-dir-10", "log-dir-2", 1},
		{"equal", "a10b", "a10b", 0},
		{"text before number differs", "a10", "b2", -1},
		{"leading zeros: value first", "a007", "a10", -1},
		{"leading zeros: shorter run first on a tie", "a1", "a01", -1},
		{"prefix shorter first", "img", "img1", -1},
		{"digits vs letters bytewise", "1a", "a1", -1},
		{"long numbers", "v12345678901234567890", "v12345678901234567891", -1},
		{"non-ASCII bytewise", "café2", "café10", -1},
		{"empty", "", "a", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NaturalCompare(tt.a, tt.b); got != tt.want {
				t.Errorf("NaturalCompare(%q, %q): got %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := NaturalCompare(tt.b, tt.a); got != -tt.want {
				t.Errorf("NaturalCompare(%q, %q): got %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

// TestNaturalCompareIsAnOrder checks antisymmetry and transitivity on
// random names made of a few letters and numbers, so sorting is sound.
func TestNaturalCompareIsAnOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{"a", "b", "0", "1", "01", "10", "2", "007", "-", "x9"}
	names := make([]string, 300)
	for i := range names {
		n := r.IntN(4) + 1
		for k := 0; k < n; k++ {
			names[i] += parts[r.IntN(len(parts))]
		}
	}
	slices.SortFunc(names, NaturalCompare)
	for i := 1; i < len(names); i++ {
		if NaturalCompare(names[i-1], names[i]) > 0 {
			t.Fatalf("not sorted at %d: %q > %q", i, names[i-1], names[i])
		}
	}
	for _, a := range names[:60] {
		for _, b := range names[:60] {
			if NaturalCompare(a, b) != -NaturalCompare(b, a) {
				t.Fatalf("not antisymmetric: %q %q", a, b)
			}
			if (NaturalCompare(a, b) == 0) != (a == b) {
				t.Fatalf("0 for different strings or non-0 for equal: %q %q", a, b)
			}
			for _, c := range names[:60] {
				if NaturalCompare(a, b) < 0 && NaturalCompare(b, c) < 0 && NaturalCompare(a, c) >= 0 {
					t.Fatalf("not transitive: %q < %q < %q", a, b, c)
				}
			}
		}
	}
}

func TestSortEntriesByNameIsNatural(t *testing.T) {
	es := []Entry{{Name: "log-10.txt"}, {Name: "Log-2.txt"}, {Name: "log-1.txt"}, {Name: "photos", Kind: KindDir}}
	got := SortEntries(es, SortByName, false).entries
	var names []string
	for _, e := range got {
		names = append(names, e.Name)
	}
	want := []string{"photos", "log-1.txt", "Log-2.txt", "log-10.txt"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q, want %q", names, want)
	}
}
