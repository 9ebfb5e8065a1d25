// Package filter decides which files a command sees, with rclone's filter
// rules: --include, --exclude, --filter and their -from files (globs
// matched against the path relative to the root, first match wins), plus
// --min-size, --max-size, --min-age and --max-age.
//
// Globs: "*" matches within one path segment, "**" across segments, "?"
// one character, "[...]" a character class, "{a,b}" alternatives, "\" an
// escape. A glob starting with "/" is anchored at the root, otherwise it
// matches the end of the path ("*.jpg" matches "a/b.jpg"). A glob ending
// in "/" is a folder rule: it matches folders, and so everything inside
// them.
package filter

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// Options are the filter flags as given.
type Options struct {
	Include     []string
	IncludeFrom []string
	Exclude     []string
	ExcludeFrom []string
	Filter      []string // "+ glob" or "- glob"
	FilterFrom  []string
	// MinSize and MaxSize bound file sizes in bytes; -1 is off. Both zero
	// (the zero Options) is off too: --max-size 0 alone is MinSize -1.
	MinSize int64
	MaxSize int64
	MinAge  time.Duration
	MaxAge  time.Duration
	// MinAgeTime and MaxAgeTime are absolute limits (an --min-age given
	// as a date); zero = off.
	MinAgeTime, MaxAgeTime time.Time
}

// rule is one compiled rule.
type rule struct {
	include bool
	dirOnly bool
	re      *regexp.Regexp
	glob    string
}

// Filter is a compiled set of rules. The zero value (and nil) lets
// everything through.
type Filter struct {
	rules          []rule
	minSize        int64
	maxSize        int64
	newest, oldest time.Time // files must be older than newest and newer than oldest (zero = off)
}

// New compiles the options. now is the clock for the age limits.
func New(o Options, now func() time.Time) (*Filter, error) {
	if now == nil {
		now = time.Now
	}
	f := &Filter{minSize: -1, maxSize: -1}
	if o.MinSize >= 0 {
		f.minSize = o.MinSize
	}
	if o.MaxSize >= 0 {
		f.maxSize = o.MaxSize
	}
	if o.MinSize == 0 && o.MaxSize == 0 {
		f.minSize, f.maxSize = -1, -1
	}
	t := now()
	if o.MinAge > 0 {
		f.newest = t.Add(-o.MinAge)
	}
	if !o.MinAgeTime.IsZero() {
		f.newest = o.MinAgeTime
	}
	if o.MaxAge > 0 {
		f.oldest = t.Add(-o.MaxAge)
	}
	if !o.MaxAgeTime.IsZero() {
		f.oldest = o.MaxAgeTime
	}
	includes := len(o.Include) > 0 || len(o.IncludeFrom) > 0
	add := func(include bool, glob string) error {
		r, err := compile(include, glob)
		if err != nil {
			return err
		}
		f.rules = append(f.rules, r)
		return nil
	}
	for _, g := range o.Include {
		if err := add(true, g); err != nil {
			return nil, err
		}
	}
	for _, p := range o.IncludeFrom {
		if err := readGlobs(p, func(g string) error { return add(true, g) }); err != nil {
			return nil, err
		}
	}
	for _, g := range o.Exclude {
		if err := add(false, g); err != nil {
			return nil, err
		}
	}
	for _, p := range o.ExcludeFrom {
		if err := readGlobs(p, func(g string) error { return add(false, g) }); err != nil {
			return nil, err
		}
	}
	for _, r := range o.Filter {
		if err := f.addRule(r); err != nil {
			return nil, err
		}
	}
	for _, p := range o.FilterFrom {
		if err := readGlobs(p, f.addRule); err != nil {
			return nil, err
		}
	}
	if includes {
		// As rclone: with --include, everything else is excluded.
		if err := add(false, "/**"); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// addRule adds a "+ glob" / "- glob" rule; "!" clears the rules so far.
func (f *Filter) addRule(line string) error {
	switch {
	case line == "!":
		f.rules = nil
		return nil
	case strings.HasPrefix(line, "+ "):
		r, err := compile(true, line[2:])
		if err != nil {
			return err
		}
		f.rules = append(f.rules, r)
	case strings.HasPrefix(line, "- "):
		r, err := compile(false, line[2:])
		if err != nil {
			return err
		}
		f.rules = append(f.rules, r)
	default:
		return fmt.Errorf("filter rule %q: want \"+ glob\", \"- glob\" or \"!\"", line)
	}
	return nil
}

// maxRuleFile bounds a rules file.
const maxRuleFile = 4 << 20

// readGlobs calls fn for each line of a rules file that is not empty or
// a comment ("#" or ";").
func readGlobs(path string, fn func(string) error) error {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		fh, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("read filter file: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	sc := bufio.NewScanner(io.LimitReader(r, maxRuleFile))
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if err := fn(strings.TrimLeft(line, " \t")); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read filter file %s: %w", path, err)
	}
	return nil
}

// compile turns a glob into a rule.
func compile(include bool, glob string) (rule, error) {
	if glob == "" {
		return rule{}, errors.New("filter: empty glob")
	}
	re, dirOnly, err := globRegexp(glob)
	if err != nil {
		return rule{}, err
	}
	return rule{include: include, dirOnly: dirOnly, re: re, glob: glob}, nil
}

// globRegexp translates an rclone glob into a regular expression over
// slash-separated paths relative to the root.
func globRegexp(glob string) (*regexp.Regexp, bool, error) {
	var b strings.Builder
	anchored := strings.HasPrefix(glob, "/")
	if anchored {
		b.WriteString("^")
		glob = glob[1:]
	} else {
		b.WriteString("(^|/)")
	}
	dirOnly := strings.HasSuffix(glob, "/")
	if dirOnly {
		glob = strings.TrimSuffix(glob, "/")
	}
	braces := 0
	inClass := false
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		if inClass {
			switch c {
			case ']':
				inClass = false
				b.WriteRune(']')
			case '\\':
				if i+1 < len(rs) {
					i++
					b.WriteString(regexp.QuoteMeta(string(rs[i])))
				}
			default:
				b.WriteRune(c)
			}
			continue
		}
		switch c {
		case '\\':
			if i+1 >= len(rs) {
				return nil, false, fmt.Errorf("filter glob %q: trailing backslash", glob)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '*':
			if i+1 < len(rs) && rs[i+1] == '*' {
				i++
				b.WriteString(".*")
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			inClass = true
			b.WriteRune('[')
			if i+1 < len(rs) && rs[i+1] == '!' {
				i++
				b.WriteRune('^')
			}
		case '{':
			braces++
			b.WriteString("(?:")
		case '}':
			if braces == 0 {
				return nil, false, fmt.Errorf("filter glob %q: unbalanced }", glob)
			}
			braces--
			b.WriteRune(')')
		case ',':
			if braces > 0 {
				b.WriteRune('|')
			} else {
				b.WriteRune(',')
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	if inClass || braces > 0 {
		return nil, false, fmt.Errorf("filter glob %q: unclosed [ or {", glob)
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, false, fmt.Errorf("filter glob %q: %w", glob, err)
	}
	return re, dirOnly, nil
}

// Active reports whether the filter can exclude anything.
func (f *Filter) Active() bool {
	return f != nil && (len(f.rules) > 0 || f.minSize >= 0 || f.maxSize >= 0 || !f.newest.IsZero() || !f.oldest.IsZero())
}

// IncludeDir reports whether the folder at rel (slash-separated, relative
// to the root, no leading slash) is walked into. Only folder rules ("dir/")
// and the folder-matching part of "**" rules can exclude a folder.
func (f *Filter) IncludeDir(rel string) bool {
	if f == nil {
		return true
	}
	for _, r := range f.rules {
		if !r.dirOnly {
			continue
		}
		if r.re.MatchString(rel) {
			return r.include
		}
	}
	return true
}

// IncludeFile reports whether the file at rel with this size and
// modification time is included.
func (f *Filter) IncludeFile(rel string, size int64, mtime time.Time) bool {
	if f == nil {
		return true
	}
	if f.minSize >= 0 && size < f.minSize {
		return false
	}
	if f.maxSize >= 0 && size > f.maxSize {
		return false
	}
	if !f.newest.IsZero() && mtime.After(f.newest) {
		return false
	}
	if !f.oldest.IsZero() && mtime.Before(f.oldest) {
		return false
	}
	return f.matchPath(rel)
}

// IncludePath is IncludeFile without the size and age limits (for
// commands that name paths only).
func (f *Filter) IncludePath(rel string) bool {
	if f == nil {
		return true
	}
	return f.matchPath(rel)
}

func (f *Filter) matchPath(rel string) bool {
	// A file inside a folder excluded by a folder rule is excluded.
	for dir := parentOf(rel); dir != ""; dir = parentOf(dir) {
		if !f.IncludeDir(dir) {
			return false
		}
	}
	for _, r := range f.rules {
		if r.dirOnly {
			continue
		}
		if r.re.MatchString(rel) {
			return r.include
		}
	}
	return true
}

func parentOf(rel string) string {
	i := strings.LastIndexByte(rel, '/')
	if i < 0 {
		return ""
	}
	return rel[:i]
}
