package filter

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestGlobRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts Options
		path string
		want bool
	}{
		{"no rules", Options{}, "a/b.txt", true},
		{"exclude by extension anywhere", Options{Exclude: []string{"*.tmp"}}, "x/y/z.tmp", false},
		{"exclude keeps others", Options{Exclude: []string{"*.tmp"}}, "x/y/z.txt", true},
		{"star stays in a segment", Options{Exclude: []string{"/a*"}}, "ab/c", true},
		{"anchored star", Options{Exclude: []string{"/a*"}}, "abc", false},
		{"double star crosses segments", Options{Exclude: []string{"/a/**"}}, "a/b/c.txt", false},
		{"unanchored matches last segments", Options{Exclude: []string{"b/c.txt"}}, "a/b/c.txt", false},
		{"unanchored matches whole segment only", Options{Exclude: []string{"c.txt"}}, "a/bc.txt", true},
		{"question mark", Options{Exclude: []string{"file?.txt"}}, "file1.txt", false},
		{"class", Options{Exclude: []string{"file[0-4].txt"}}, "file5.txt", true},
		{"negated class", Options{Exclude: []string{"file[!0-4].txt"}}, "file5.txt", false},
		{"alternatives", Options{Exclude: []string{"*.{jpg,png}"}}, "p/x.png", false},
		{"escape", Options{Exclude: []string{`\*.txt`}}, "*.txt", false},
		{"escape is literal", Options{Exclude: []string{`\*.txt`}}, "a.txt", true},
		{"include excludes the rest", Options{Include: []string{"*.jpg"}}, "a/b.txt", false},
		{"include keeps matches", Options{Include: []string{"*.jpg"}}, "a/b.jpg", true},
		{"include before exclude", Options{Include: []string{"keep.tmp"}, Exclude: []string{"*.tmp"}}, "keep.tmp", true},
		{"filter first match wins", Options{Filter: []string{"- secret/**", "+ **"}}, "secret/x", false},
		{"filter plus", Options{Filter: []string{"+ *.md", "- **"}}, "docs/a.md", true},
		{"folder rule excludes contents", Options{Exclude: []string{"node_modules/"}}, "src/node_modules/x/y.js", false},
		{"folder rule leaves same-name file", Options{Exclude: []string{"cache/"}}, "cache", true},
		{"bang clears", Options{Filter: []string{"- *.txt", "!"}}, "a.txt", true},
		{"unicode", Options{Exclude: []string{"Ünï*"}}, "dir/Ünïcode.txt", false},
	}
	for _, tc := range cases {
		f, err := New(tc.opts, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := f.IncludeFile(tc.path, 10, time.Now()); got != tc.want {
			t.Errorf("%s: IncludeFile(%q) = %v, want %v", tc.name, tc.path, got, tc.want)
		}
	}
}

func TestFolderPruning(t *testing.T) {
	t.Parallel()
	f, err := New(Options{Exclude: []string{"/build/", ".git/"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{"build": false, "src/build": true, "a/.git": false, "src": true} {
		if got := f.IncludeDir(dir); got != want {
			t.Errorf("IncludeDir(%q) = %v, want %v", dir, got, want)
		}
	}
}

func TestBadRules(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Exclude: []string{"a{b"}},
		{Exclude: []string{"a[b"}},
		{Exclude: []string{`a\`}},
		{Filter: []string{"* x"}},
		{Exclude: []string{""}},
		{FilterFrom: []string{"/does/not/exist"}},
	} {
		if _, err := New(o, nil); err == nil {
			t.Errorf("%+v: accepted, want an error", o)
		}
	}
}

func TestFilterFrom(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "rules")
	body := "# comment\n; another\n\n- *.bak\n+ /docs/**\n- **\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := New(Options{FilterFrom: []string{p}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{"docs/a.md": true, "docs/a.bak": false, "src/x.go": false} {
		if got := f.IncludePath(path); got != want {
			t.Errorf("IncludePath(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestSizeAndAge(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f, err := New(Options{MinSize: 10, MaxSize: 100, MinAge: time.Hour, MaxAge: 48 * time.Hour}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		size  int64
		mtime time.Time
		want  bool
	}{
		{"inside", 50, now.Add(-2 * time.Hour), true},
		{"too small", 9, now.Add(-2 * time.Hour), false},
		{"too big", 101, now.Add(-2 * time.Hour), false},
		{"too young", 50, now.Add(-time.Minute), false},
		{"too old", 50, now.Add(-72 * time.Hour), false},
		{"bounds inclusive", 100, now.Add(-48 * time.Hour), true},
	}
	for _, tc := range cases {
		if got := f.IncludeFile("f", tc.size, tc.mtime); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{"0": 0, "10": 10 << 10, "10B": 10, "1K": 1024, "1.5M": 3 << 19, "2G": 2 << 30, "1KiB": 1024, "3Mi": 3 << 20, "off": -1}
	for in, want := range cases {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "1Q", "-1", "1 2"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestParseAge(t *testing.T) {
	t.Parallel()
	now := time.Now()
	cases := map[string]time.Duration{"90": 90 * time.Second, "10m": 10 * time.Minute, "1h30m": 90 * time.Minute, "2d": 48 * time.Hour, "1w": 7 * 24 * time.Hour, "1M": 30 * 24 * time.Hour, "1y": 365 * 24 * time.Hour, "500ms": 500 * time.Millisecond}
	for in, want := range cases {
		got, at, err := ParseAge(in, now)
		if err != nil || got != want || !at.IsZero() {
			t.Errorf("ParseAge(%q) = %v, %v, %v; want %v", in, got, at, err, want)
		}
	}
	_, at, err := ParseAge("2024-03-01", now)
	if err != nil || at.Year() != 2024 || at.Month() != 3 {
		t.Errorf("date: got %v, %v", at, err)
	}
	for _, bad := range []string{"", "abc", "5q", "-3"} {
		if _, _, err := ParseAge(bad, now); err == nil {
			t.Errorf("ParseAge(%q) accepted", bad)
		}
	}
}
