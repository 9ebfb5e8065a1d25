package model

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// DisplayName makes any MEGA name safe to print in a terminal. It is an
// injective mapping, so two different names never look the same:
//
//   - a backslash becomes `\\`;
//   - bytes that are not valid UTF-8 become `\xNN`;
//   - C0 controls (including NUL, ESC, tab and newline) and DEL become
//     `\xNN` (for example `\x1b`, `\x00`);
//   - C1 controls, the line/paragraph separators and the bidirectional
//     override/isolate controls (which can reorder what the user sees)
//     become `\uNNNN`.
//
// Everything else, including CJK, emoji, ZWJ sequences and combining marks,
// is kept as is. Names needing no escapes are returned without allocating.
func DisplayName(name string) string {
	i := 0
	for i < len(name) {
		c := name[i]
		if c >= 0x20 && c < 0x7f && c != '\\' {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if c >= utf8.RuneSelf && !(r == utf8.RuneError && size == 1) && !needsUnicodeEscape(r) {
			i += size
			continue
		}
		break
	}
	if i == len(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 8)
	b.WriteString(name[:i])
	for i < len(name) {
		c := name[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
			i++
			continue
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
			i++
			continue
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, c)
		case needsUnicodeEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsUnicodeEscape reports non-ASCII runes that must not reach a
// terminal raw: C1 controls (U+0080–U+009F, which include CSI), line and
// paragraph separators, and bidi embedding/override/isolate controls.
func needsUnicodeEscape(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// MaxLocalNameBytes is the longest file name LocalName produces (the limit
// of ext4, APFS, XFS and btrfs).
const MaxLocalNameBytes = 255

// maxKeptExt is the longest extension (including the dot) LocalName keeps
// when it has to shorten a name.
const maxKeptExt = 32

// Substitutes used by LocalName. They are visible lookalikes, so a user can
// still recognise the MEGA name.
const (
	slashSubstitute   = '\uff0f' // ／ FULLWIDTH SOLIDUS for '/'
	dotSubstitute     = '\uff0e' // ． FULLWIDTH FULL STOP for the names "." and ".."
	invalidSubstitute = '\ufffd' // � for bytes that are not valid UTF-8
	controlPictures   = 0x2400   // ␀ … ␟ for C0 controls
	delPicture        = '\u2421' // ␡ for DEL
	c1Substitute      = '_'      // for C1 controls, which have no pictures
)

// LocalName turns a MEGA name into a name that is safe as one path element
// on a local disk:
//
//   - '/' becomes '／' (U+FF0F);
//   - C0 controls (NUL, ESC, newline, …) become their Unicode control
//     pictures ('␀', '␛', '␊', …), DEL becomes '␡', C1 controls become '_';
//   - invalid UTF-8 bytes become U+FFFD;
//   - the names "." and ".." become "．" and "．．";
//   - the result is cut to 255 bytes on a rune boundary, keeping an
//     extension of up to 32 bytes.
//
// '\' and ':' are legal on Linux and macOS and are kept; SafeJoin refuses a
// name that the host OS would split. An empty name is an error wrapping
// ErrUnsafeName. A name that is already safe is returned unchanged.
func LocalName(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty name: %w", ErrUnsafeName)
	}
	if name == "." || name == ".." {
		return strings.Repeat(string(dotSubstitute), len(name)), nil
	}
	safe := len(name) <= MaxLocalNameBytes
	for i := 0; safe && i < len(name); i++ {
		c := name[i]
		safe = c >= 0x20 && c != 0x7f && c != '/' && c < utf8.RuneSelf
	}
	if safe {
		return name, nil
	}
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '/':
				b.WriteRune(slashSubstitute)
			case c < 0x20:
				b.WriteRune(controlPictures + rune(c))
			case c == 0x7f:
				b.WriteRune(delPicture)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(invalidSubstitute)
		case r >= 0x80 && r <= 0x9f:
			b.WriteByte(c1Substitute)
		default:
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return truncateName(b.String(), MaxLocalNameBytes), nil
}

// truncateName cuts s to at most max bytes on a rune boundary, keeping a
// short extension.
func truncateName(s string, max int) string {
	if len(s) <= max {
		return s
	}
	ext := ""
	if dot := strings.LastIndexByte(s, '.'); dot > 0 && len(s)-dot <= maxKeptExt {
		ext = s[dot:]
	}
	stem := s[:len(s)-len(ext)]
	keep := max - len(ext)
	for keep > 0 && !utf8.RuneStart(stem[keep]) {
		keep--
	}
	return stem[:keep] + ext
}

// SafeJoin joins dir and the local form of name (see LocalName). The result
// is always a direct child of dir: it can never name dir itself, its parent
// or anything outside it. dir must not be empty. SafeJoin does no I/O;
// callers still create files with O_EXCL or NOFOLLOW so a symlink planted
// in dir cannot redirect them.
func SafeJoin(dir, name string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("join %q: empty folder: %w", DisplayName(name), ErrUnsafeName)
	}
	local, err := LocalName(name)
	if err != nil {
		return "", err
	}
	clean := filepath.Clean(dir)
	joined := filepath.Join(clean, local)
	if filepath.Dir(joined) != clean || filepath.Base(joined) != local || strings.ContainsRune(local, filepath.Separator) {
		return "", fmt.Errorf("join %q: escapes %q: %w", DisplayName(name), clean, ErrUnsafeName)
	}
	return joined, nil
}

// FoldLower is the stdlib-only folding function for CollisionKey: plain
// Unicode lower-casing. Callers that can import golang.org/x/text pass a
// function that also normalises (NFC) and case-folds fully.
func FoldLower(s string) string { return strings.ToLower(s) }

// CollisionKey returns the key under which name would be stored on a local
// disk that folds names with fold (case-insensitive, normalising). Two
// names with the same key would clobber each other when downloaded into one
// folder. The key is computed from the LocalName form, so names that only
// become equal after sanitising ("a/b" and "a／b") collide too. A nil fold
// means FoldLower.
func CollisionKey(name string, fold func(string) string) string {
	if fold == nil {
		fold = FoldLower
	}
	local, err := LocalName(name)
	if err != nil {
		local = name
	}
	return fold(local)
}
