package model

import (
	"errors"
	"path"
	"testing"
	"time"
)

func TestFindQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	jpg := Entry{Name: "IMG_0001.JPG", Kind: KindFile, Size: 3 << 20, ModTime: now.Add(-48 * time.Hour)}
	old := Entry{Name: "report.pdf", Kind: KindFile, Size: 500, ModTime: now.Add(-400 * 24 * time.Hour)}
	dir := Entry{Name: "Photos", Kind: KindDir, ModTime: now}
	tests := []struct {
		q    string
		want []bool // jpg, old, dir
	}{
		{"*.jpg", []bool{true, false, false}},
		{"photo", []bool{false, false, true}},
		{">1M", []bool{true, false, false}},
		{"<1K", []bool{false, true, false}},
		{"<7d", []bool{true, false, true}},
		{">1y", []bool{false, true, false}},
		{"*.pdf >100 <1y", []bool{false, false, false}},
		{"img >2.5M <3d", []bool{true, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			t.Parallel()
			f, err := ParseFind(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range []Entry{jpg, old, dir} {
				if got := f.Match(e, now); got != tc.want[i] {
					t.Errorf("%s: got %v, want %v", e.Name, got, tc.want[i])
				}
			}
		})
	}
	for _, bad := range []string{"", "  ", ">lots", "[a"} {
		if _, err := ParseFind(bad); !errors.Is(err, path.ErrBadPattern) {
			t.Errorf("%q: got %v, want ErrBadPattern", bad, err)
		}
	}
}
