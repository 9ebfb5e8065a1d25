package model

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDisplayName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain", "report.pdf", "report.pdf"},
		{"empty", "", ""},
		{"cjk", "写真 2024.jpg", "写真 2024.jpg"},
		{"emoji zwj", "👩‍👩‍👧 family.png", "👩‍👩‍👧 family.png"},
		{"combining", "cafe\u0301", "cafe\u0301"},
		{"escape sequence", "\x1b[2Jboom", `\x1b[2Jboom`},
		{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"nul", "a\x00b", `a\x00b`},
		{"newline tab", "a\nb\tc", `a\x0ab\x09c`},
		{"del", "a\x7f", `a\x7f`},
		{"c1 csi", "a\u009b31m", `a\u009b31m`},
		{"invalid utf8", "a\xff\xfeb", `a\xff\xfeb`},
		{"truncated utf8", "\xe5\x86", `\xe5\x86`},
		{"backslash", `a\b`, `a\\b`},
		{"literal escape text", `\x1b`, `\\x1b`},
		{"bidi override", "evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"slash and dots kept", "../../x/y", "../../x/y"},
		{"replacement char kept", "a\ufffdb", "a\ufffdb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := DisplayName(tc.in)
			if got != tc.want {
				t.Fatalf("DisplayName(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("DisplayName(%q) = %q is not valid UTF-8", tc.in, got)
			}
		})
	}
}

// nmUndisplay inverts DisplayName; it exists to prove the mapping is
// unambiguous.
func nmUndisplay(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'x':
			if i+4 > len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteByte(byte(v))
			i += 3
		case 'u':
			if i+6 > len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
			i += 5
		default:
			return "", false
		}
	}
	return b.String(), true
}

func nmRandom(r *rand.Rand) string {
	alphabet := []string{"a", "Z", ".", "/", `\`, "\x00", "\x1b", "\x7f", "\xff", "\xc3", "é", "\u009b",
		"\u202e", "写", "😀", "\u0301", "x", "1b", " ", "\n"}
	n := r.IntN(12)
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestDisplayNameIsInjectiveAndSafe(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		in := nmRandom(r)
		out := DisplayName(in)
		back, ok := nmUndisplay(out)
		if !ok || back != in {
			t.Fatalf("nmUndisplay(DisplayName(%q)) = %q, %v; want the input back", in, back, ok)
		}
		for _, c := range []byte(out) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("DisplayName(%q) = %q contains control byte %#x", in, out, c)
			}
		}
		for _, rr := range out {
			if needsUnicodeEscape(rr) {
				t.Fatalf("DisplayName(%q) = %q contains %U", in, out, rr)
			}
		}
	}
}

func TestLocalName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 300)
	longCJK := strings.Repeat("写", 100) // 300 bytes
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"plain", "report.pdf", "report.pdf", nil},
		{"empty", "", "", ErrUnsafeName},
		{"dot", ".", "．", nil},
		{"dotdot", "..", "．．", nil},
		{"dotfile kept", ".bashrc", ".bashrc", nil},
		{"three dots kept", "...", "...", nil},
		{"slash", "a/b", "a／b", nil},
		{"traversal", "../../etc/passwd", "..／..／etc／passwd", nil},
		{"nul", "a\x00b", "a␀b", nil},
		{"escape", "\x1b[31mred", "␛[31mred", nil},
		{"newline", "a\nb", "a␊b", nil},
		{"del", "a\x7f", "a␡", nil},
		{"c1", "a\u009bb", "a_b", nil},
		{"invalid utf8", "a\xffb", "a\ufffdb", nil},
		{"backslash kept", `a\b`, `a\b`, nil},
		{"unicode kept", "写真 👩‍👩‍👧 cafe\u0301.jpg", "写真 👩‍👩‍👧 cafe\u0301.jpg", nil},
		{"long ascii keeps ext", long + ".txt", strings.Repeat("a", 251) + ".txt", nil},
		{"long no ext", long, strings.Repeat("a", 255), nil},
		{"long cjk rune boundary", longCJK + ".jpeg", strings.Repeat("写", 83) + ".jpeg", nil},
		{"long ext not kept", "a." + long, ("a." + long)[:255], nil},
		{"grows past limit after substitution", strings.Repeat("/", 100), strings.Repeat("／", 85), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := LocalName(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("LocalName(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("LocalName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLocalNameProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		in := nmRandom(r)
		if r.IntN(10) == 0 {
			in = strings.Repeat(in+"é", 40)
		}
		got, err := LocalName(in)
		if in == "" {
			if err == nil {
				t.Fatal("LocalName(\"\") returned no error")
			}
			continue
		}
		if err != nil {
			t.Fatalf("LocalName(%q): %v", in, err)
		}
		if got == "" || got == "." || got == ".." || len(got) > MaxLocalNameBytes ||
			!utf8.ValidString(got) || strings.ContainsAny(got, "/\x00") {
			t.Fatalf("LocalName(%q) = %q is unsafe", in, got)
		}
		for _, c := range []byte(got) {
			if c < 0x20 || c == 0x7f {
				t.Fatalf("LocalName(%q) = %q contains control byte %#x", in, got, c)
			}
		}
		if again, _ := LocalName(got); again != got {
			t.Fatalf("LocalName is not idempotent: %q -> %q -> %q", in, got, again)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("/tmp", "dl")
	tests := []struct {
		name    string
		dir     string
		in      string
		want    string
		wantErr error
	}{
		{"plain", dir, "a.txt", filepath.Join(dir, "a.txt"), nil},
		{"dotdot", dir, "..", filepath.Join(dir, "．．"), nil},
		{"dot", dir, ".", filepath.Join(dir, "．"), nil},
		{"traversal", dir, "../../x", filepath.Join(dir, "..／..／x"), nil},
		{"absolute", dir, "/etc/passwd", filepath.Join(dir, "／etc／passwd"), nil},
		{"unclean dir", "/tmp/./dl/", "a", filepath.Join(dir, "a"), nil},
		{"relative dir", "dl", "a", filepath.Join("dl", "a"), nil},
		{"empty name", dir, "", "", ErrUnsafeName},
		{"empty dir", "", "a", "", ErrUnsafeName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := SafeJoin(tc.dir, tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("SafeJoin(%q, %q) error = %v, want %v", tc.dir, tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("SafeJoin(%q, %q) = %q, want %q", tc.dir, tc.in, got, tc.want)
			}
		})
	}
}

func TestSafeJoinNeverEscapes(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	dir := "/srv/downloads"
	for range 20000 {
		in := nmRandom(r)
		got, err := SafeJoin(dir, in)
		if err != nil {
			continue
		}
		if filepath.Dir(got) != dir {
			t.Fatalf("SafeJoin(%q, %q) = %q escapes", dir, in, got)
		}
	}
}

func TestCollisionKey(t *testing.T) {
	t.Parallel()
	// A stand-in for NFC + case folding from golang.org/x/text.
	nfcFold := func(s string) string {
		return strings.ToLower(strings.ReplaceAll(s, "e\u0301", "\u00e9"))
	}
	tests := []struct {
		name    string
		a, b    string
		fold    func(string) string
		collide bool
	}{
		{"case", "Photo.jpg", "photo.jpg", nil, true},
		{"different", "a.jpg", "b.jpg", nil, false},
		{"nfd vs nfc default fold", "caf\u00e9", "cafe\u0301", nil, false},
		{"nfd vs nfc normalising fold", "caf\u00e9", "cafe\u0301", nfcFold, true},
		{"sanitised slash", "a/b", "a／b", nil, true},
		{"sanitised nul", "a\x00", "a␀", nil, true},
		{"greek case", "ΣΟΦΙΑ", "σοφια", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ka, kb := CollisionKey(tc.a, tc.fold), CollisionKey(tc.b, tc.fold)
			if got := ka == kb; got != tc.collide {
				t.Fatalf("CollisionKey(%q)=%q, CollisionKey(%q)=%q: collide = %v, want %v", tc.a, ka, tc.b, kb, got, tc.collide)
			}
		})
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "\x1b[2J", "\xff", "写真.jpg", `\x00`, strings.Repeat("é", 200) + ".txt"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d := DisplayName(name)
		if back, ok := nmUndisplay(d); !ok || back != name {
			t.Fatalf("DisplayName(%q) = %q does not map back", name, d)
		}
		local, err := LocalName(name)
		if err != nil {
			if name != "" {
				t.Fatalf("LocalName(%q): %v", name, err)
			}
			return
		}
		if local == "." || local == ".." || len(local) > MaxLocalNameBytes || strings.ContainsAny(local, "/\x00") || !utf8.ValidString(local) {
			t.Fatalf("LocalName(%q) = %q is unsafe", name, local)
		}
		if p, err := SafeJoin("/base", name); err != nil || filepath.Dir(p) != "/base" {
			t.Fatalf("SafeJoin(/base, %q) = %q, %v", name, p, err)
		}
	})
}
