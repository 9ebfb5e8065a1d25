package model

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// FindQuery is an account-wide find: a name pattern and optional size and
// age bounds, parsed from text such as `*.jpg >1M <30d`:
//
//	word       a name glob (* ? [..]); without a wildcard, a substring
//	>N, <N     size in bytes, with K, M, G or T (1024-based)
//	<Nd, >Nd   modified within, or more than, N days (h, d, w, m, y)
//
// Names match case-insensitively; all given conditions must hold.
type FindQuery struct {
	Name             string // lower-cased glob or substring; "" any
	glob             bool
	MinSize, MaxSize int64 // -1: no bound
	NewerThan        time.Duration
	OlderThan        time.Duration
	FilesOnly        bool // a size bound given: folders do not match
}

// ParseFind parses a find query; an empty query is an error.
func ParseFind(q string) (FindQuery, error) {
	f := FindQuery{MinSize: -1, MaxSize: -1}
	fields := strings.Fields(q)
	if len(fields) == 0 {
		return f, fmt.Errorf("empty find: give a name pattern, >size, <size or <age: %w", path.ErrBadPattern)
	}
	var names []string
	for _, w := range fields {
		op := w[0]
		if (op == '>' || op == '<') && len(w) > 1 {
			rest := w[1:]
			if d, ok := parseAge(rest); ok {
				if op == '<' {
					f.NewerThan = d
				} else {
					f.OlderThan = d
				}
				continue
			}
			n, err := parseSize(rest)
			if err != nil {
				return f, fmt.Errorf("find %q: %q is neither a size (10M) nor an age (7d): %w", q, w, path.ErrBadPattern)
			}
			if op == '>' {
				f.MinSize = n + 1
			} else {
				f.MaxSize = n - 1
			}
			f.FilesOnly = true
			continue
		}
		names = append(names, w)
	}
	f.Name = strings.ToLower(strings.Join(names, " "))
	f.glob = strings.ContainsAny(f.Name, "*?[")
	if f.glob {
		if _, err := path.Match(f.Name, ""); err != nil {
			return f, fmt.Errorf("find %q: %w", q, path.ErrBadPattern)
		}
	}
	return f, nil
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch u := strings.ToUpper(s[len(s)-1:]); u {
	case "K", "M", "G", "T":
		mult = 1 << (10 * (strings.Index("KMGT", u) + 1))
		s = s[:len(s)-1]
	case "B":
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 1<<53 {
		return 0, fmt.Errorf("size %q", s)
	}
	return int64(n * float64(mult)), nil
}

func parseAge(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	unit := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour,
		'm': 30 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 100_000 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// Match reports whether e matches at time now.
func (f FindQuery) Match(e Entry, now time.Time) bool {
	if f.FilesOnly && e.IsDir() {
		return false
	}
	if f.Name != "" {
		n := strings.ToLower(e.Name)
		if f.glob {
			if ok, _ := path.Match(f.Name, n); !ok {
				return false
			}
		} else if !strings.Contains(n, f.Name) {
			return false
		}
	}
	if f.MinSize >= 0 && e.Size < f.MinSize {
		return false
	}
	if f.MaxSize >= 0 && e.Size > f.MaxSize {
		return false
	}
	age := now.Sub(e.ModTime)
	if f.NewerThan > 0 && (e.ModTime.IsZero() || age > f.NewerThan) {
		return false
	}
	if f.OlderThan > 0 && (e.ModTime.IsZero() || age < f.OlderThan) {
		return false
	}
	return true
}
