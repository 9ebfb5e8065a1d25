package model

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// ddFile makes a file entry whose fingerprint is computed from content;
// content "" with size > 0 means "no fingerprint".
func ddFile(id, parent, name, content string, upload int) Entry {
	e := Entry{ID: id, ParentID: parent, Name: name, Kind: KindFile, Size: int64(len(content)),
		UploadTime: time.Unix(int64(1_600_000_000+upload), 0)}
	fp, err := ComputeFingerprint(strings.NewReader(content), e.Size, time.Unix(int64(1_500_000_000+upload), 0))
	if err != nil {
		panic(err)
	}
	e.Fingerprint = fp.Encode()
	return e
}

func ddNoFP(e Entry) Entry { e.Fingerprint = ""; return e }

func ddDir(id, parent, name string, upload int) Entry {
	return Entry{ID: id, ParentID: parent, Name: name, Kind: KindDir, UploadTime: time.Unix(int64(1_600_000_000+upload), 0)}
}

func ddIDs(es []Entry) string {
	var ids []string
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, ",")
}

func ddDescribe(gs []DupGroup) []string {
	var out []string
	for _, g := range gs {
		s := fmt.Sprintf("%s %s/%q dir=%v [%s]", g.Kind, g.ParentID, g.Name, g.Dir, ddIDs(g.Members))
		if g.Kind == SameName && !g.Dir {
			s += " " + g.Class.String()
			if g.Verified {
				s += " verified"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []Entry
		opt     DetectOptions
		want    []string
	}{
		{"none", []Entry{ddFile("a", "r", "x", "1", 0), ddFile("b", "r", "y", "1", 0)}, DetectOptions{}, nil},
		{"identical pair", []Entry{ddFile("a", "r", "x", "hello", 2), ddFile("b", "r", "x", "hello", 1)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [b,a] identical`}},
		{"same size different content", []Entry{ddFile("a", "r", "x", "hello", 0), ddFile("b", "r", "x", "world", 1)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] different`}},
		{"different sizes", []Entry{ddFile("a", "r", "x", "hello", 0), ddFile("b", "r", "x", "hi", 1)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] different`}},
		{"fingerprint missing", []Entry{ddFile("a", "r", "x", "hello", 0), ddNoFP(ddFile("b", "r", "x", "hello", 1))}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] same size, content unknown`}},
		{"garbage fingerprint", []Entry{ddFile("a", "r", "x", "hello", 0), func() Entry { e := ddFile("b", "r", "x", "hello", 1); e.Fingerprint = "!!"; return e }()}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] same size, content unknown`}},
		{"verified identical overrides unknown", []Entry{ddFile("a", "r", "x", "hello", 0), ddNoFP(ddFile("b", "r", "x", "hello", 1))},
			DetectOptions{Hashes: Hashes{"a": "h1", "b": "h1"}},
			[]string{`same name r/"x" dir=false [a,b] identical verified`}},
		{"verified different overrides fingerprint", []Entry{ddFile("a", "r", "x", "hello", 0), ddFile("b", "r", "x", "hello", 1)},
			DetectOptions{Hashes: Hashes{"a": "h1", "b": "h2"}},
			[]string{`same name r/"x" dir=false [a,b] different verified`}},
		{"partial hashes fall back to fingerprints", []Entry{ddFile("a", "r", "x", "hello", 0), ddFile("b", "r", "x", "hello", 1)},
			DetectOptions{Hashes: Hashes{"a": "h1"}},
			[]string{`same name r/"x" dir=false [a,b] identical`}},
		{"per folder", []Entry{ddFile("a", "r1", "x", "1", 0), ddFile("b", "r2", "x", "1", 1)}, DetectOptions{}, nil},
		{"files and folders separately", []Entry{
			ddFile("a", "r", "x", "1", 0), ddFile("b", "r", "x", "1", 1),
			ddDir("c", "r", "x", 2), ddDir("d", "r", "x", 3)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] identical`, `same name r/"x" dir=true [c,d]`,
				`name collision r/"x" dir=false [a,b,c,d]`}},
		{"file and folder of one name collide", []Entry{ddFile("a", "r", "x", "1", 0), ddDir("c", "r", "x", 2)}, DetectOptions{},
			[]string{`name collision r/"x" dir=false [a,c]`}},
		{"case collision", []Entry{ddFile("a", "r", "Photo.jpg", "1", 0), ddFile("b", "r", "photo.jpg", "2", 1)}, DetectOptions{},
			[]string{`name collision r/"photo.jpg" dir=false [a,b]`}},
		{"case collision plus duplicate", []Entry{ddFile("a", "r", "Photo.jpg", "1", 0), ddFile("b", "r", "photo.jpg", "2", 1), ddFile("c", "r", "photo.jpg", "2", 2)}, DetectOptions{},
			[]string{`same name r/"photo.jpg" dir=false [b,c] identical`, `name collision r/"photo.jpg" dir=false [a,b,c]`}},
		{"collisions off", []Entry{ddFile("a", "r", "Photo.jpg", "1", 0), ddFile("b", "r", "photo.jpg", "2", 1)}, DetectOptions{NoCollisions: true}, nil},
		{"nfd nfc with normalising fold", []Entry{ddFile("a", "r", "caf\u00e9", "1", 0), ddFile("b", "r", "cafe\u0301", "2", 1)},
			DetectOptions{Fold: func(s string) string { return strings.ReplaceAll(s, "e\u0301", "\u00e9") }},
			[]string{`name collision r/"café" dir=false [a,b]`}},
		{"nfd nfc without normalising", []Entry{ddFile("a", "r", "caf\u00e9", "1", 0), ddFile("b", "r", "cafe\u0301", "2", 1)}, DetectOptions{}, nil},
		{"symlinks ignored", []Entry{ddFile("a", "r", "x", "1", 0), {ID: "s", ParentID: "r", Name: "x", Kind: KindSymlink}}, DetectOptions{}, nil},
		{"three with one odd", []Entry{ddFile("a", "r", "x", "aaaa", 0), ddFile("b", "r", "x", "aaaa", 1), ddFile("c", "r", "x", "bbbb", 2)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b,c] different`}},
		{"empty files identical", []Entry{ddFile("a", "r", "x", "", 0), ddFile("b", "r", "x", "", 1)}, DetectOptions{},
			[]string{`same name r/"x" dir=false [a,b] identical`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ddDescribe(FindDuplicates(tc.entries, tc.opt))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestContentSets(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 20000)
	files := []Entry{
		ddFile("a", "r", "x", "hello", 0),
		ddFile("b", "r", "x", "hello", 1),
		ddFile("c", "r", "x", "world", 2),
		ddNoFP(ddFile("d", "r", "x", "hello", 3)),
		ddFile("e", "r", "x", big, 4),
		ddFile("f", "r", "x", big, 5),
		ddFile("g", "r", "x", "hello", 6),
	}
	tests := []struct {
		name         string
		hashes       Hashes
		onlyVerified bool
		want         string
	}{
		{"fingerprints", nil, false, "a,b,g|e,f"},
		{"only verified none", nil, true, ""},
		{"only verified", Hashes{"a": "1", "d": "1", "c": "2"}, true, "a,d"},
		{"hash splits a fingerprint match", Hashes{"a": "1", "b": "2"}, false, "e,f"},
		{"hashed and unhashed never mixed", Hashes{"a": "1", "b": "1"}, false, "a,b|e,f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var parts []string
			for _, s := range ContentSets(files, tc.hashes, tc.onlyVerified) {
				parts = append(parts, ddIDs(s))
			}
			if got := strings.Join(parts, "|"); got != tc.want {
				t.Fatalf("ContentSets = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFindContentDuplicates(t *testing.T) {
	t.Parallel()
	entries := []Entry{
		ddFile("a", "r1", "one.jpg", "photo", 0),
		ddFile("b", "r2", "two.jpg", "photo", 1),
		ddFile("c", "r2", "three.jpg", "other", 2),
		ddFile("d", "r3", "empty1", "", 3),
		ddFile("e", "r3", "empty2", "", 4),
		ddDir("f", "r3", "photo", 5),
	}
	got := ddDescribe(FindContentDuplicates(entries, nil))
	want := []string{`same content /"" dir=false [a,b]`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("groups = %q, want %q", got, want)
	}
}

func TestGroupIndexAndEffectiveTime(t *testing.T) {
	t.Parallel()
	gs := FindDuplicates([]Entry{ddFile("a", "r", "x", "1", 0), ddFile("b", "r", "x", "1", 1), ddFile("c", "r", "y", "1", 1)}, DetectOptions{})
	idx := GroupIndex(gs)
	if len(idx) != 2 || idx["a"] != 0 || idx["b"] != 0 {
		t.Fatalf("GroupIndex = %v, want a and b in group 0", idx)
	}
	up := time.Unix(1_700_000_000, 0)
	known := time.Unix(1_000, 0)
	tests := []struct {
		name string
		e    Entry
		want time.Time
	}{
		{"known mtime", Entry{ModTime: known, ModTimeKnown: true, UploadTime: up}, known},
		{"from fingerprint", ddFile("a", "r", "x", "q", 0), time.Unix(1_500_000_000, 0)},
		{"upload time fallback", Entry{UploadTime: up, Fingerprint: "garbage"}, up},
	}
	for _, tc := range tests {
		if got := EffectiveTime(tc.e); !got.Equal(tc.want) {
			t.Errorf("%s: EffectiveTime = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// ddTree builds a deterministic tree of n nodes: folders of 100 entries,
// with about one name in 50 duplicated and one in 200 differing only by
// case.
func ddTree(n int) []Entry {
	var fp bytes.Buffer
	fp.WriteString("seed")
	c, _ := ComputeFingerprint(bytes.NewReader(fp.Bytes()), int64(fp.Len()), time.Unix(1, 0))
	attr := c.Encode()
	es := make([]Entry, 0, n)
	for i := 0; len(es) < n; i++ {
		parent := fmt.Sprintf("p%05d", i/100)
		name := fmt.Sprintf("IMG_%06d.jpg", i)
		switch {
		case i%50 == 1:
			name = fmt.Sprintf("IMG_%06d.jpg", i-1) // same-name duplicate
		case i%200 == 7:
			name = fmt.Sprintf("img_%06d.JPG", i-1) // case collision
		}
		kind := KindFile
		if i%100 == 99 {
			kind = KindDir
		}
		es = append(es, Entry{ID: fmt.Sprintf("h%07d", i), ParentID: parent, Name: name, Kind: kind, Size: 4,
			Fingerprint: attr, UploadTime: time.Unix(int64(i), 0)})
	}
	return es
}

func TestDetectTreeCounts(t *testing.T) {
	t.Parallel()
	gs := FindDuplicates(ddTree(100_000), DetectOptions{})
	count := map[GroupKind]int{}
	for _, g := range gs {
		count[g.Kind]++
	}
	if count[SameName] != 2000 || count[Collision] != 500 {
		t.Fatalf("groups = %v, want 2000 same-name and 500 collisions", count)
	}
}

// BenchmarkDetect100k measures FindDuplicates over a 100,000-node tree.
// The baseline sub-benchmark is the least any detector must do: one map
// counting (parent, name) pairs over the same entries.
func BenchmarkDetect100k(b *testing.B) { benchDetect(b, 100_000) }

// BenchmarkDetect1M is the same over 1,000,000 entries (20,000 same-name
// groups, 5,000 collisions), with the same baseline.
//
//	go test ./model -run '^$' -bench 'Detect1M' -benchtime 5x
func BenchmarkDetect1M(b *testing.B) { benchDetect(b, 1_000_000) }

func benchDetect(b *testing.B, n int) {
	es := ddTree(n)
	same, collisions := n/50, n/200
	b.Run("baseline-map-count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := make(map[nameKey]int, len(es))
			for i := range es {
				m[nameKey{es[i].ParentID, es[i].Name, es[i].Kind == KindDir}]++
			}
			dups := 0
			for _, n := range m {
				if n > 1 {
					dups++
				}
			}
			if dups != same {
				b.Fatal(dups)
			}
		}
	})
	b.Run("same-name-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if gs := FindDuplicates(es, DetectOptions{NoCollisions: true}); len(gs) != same {
				b.Fatal(len(gs))
			}
		}
	})
	b.Run("with-collisions", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if gs := FindDuplicates(es, DetectOptions{}); len(gs) != same+collisions {
				b.Fatal(len(gs))
			}
		}
	})
}

func TestGrouperHashCollisions(t *testing.T) {
	t.Parallel()
	keys := []string{"a", "b", "a", "c", "b", "a", "d", "c"}
	want := [][]int32{{0, 2, 5}, {1, 4}, {3, 7}}
	for _, tc := range []struct {
		name string
		hash func(string) uint64
	}{
		{"distinct hashes", nil},
		{"every hash the same", func(string) uint64 { return 42 }},
		{"two keys per hash", func(k string) uint64 { return uint64(k[0]) / 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGrouper[string](len(keys))
			if tc.hash != nil {
				g.hash = tc.hash
			}
			for i, k := range keys {
				g.add(k, int32(i), func(j int32) bool { return keys[j] == k })
			}
			got := slices.Clone(g.groups)
			slices.SortFunc(got, func(a, b []int32) int { return cmp.Compare(a[0], b[0]) })
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("groups: got %v, want %v", got, want)
			}
		})
	}
}
