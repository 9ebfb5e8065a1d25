package filter

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var sizeRe = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)$`)

// ParseSize parses a size as rclone does: a number with an optional unit
// B, K, M, G, T or P (powers of 1024; "Ki", "KiB" and "KB" are accepted
// too); a bare number is KiB. "off" is -1.
func ParseSize(s string) (int64, error) {
	in := strings.TrimSpace(s)
	if strings.EqualFold(in, "off") {
		return -1, nil
	}
	m := sizeRe.FindStringSubmatch(in)
	if m == nil {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (B, K, M, G, T, P)", s)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: bad number", s)
	}
	unit := strings.ToUpper(m[2])
	mult := float64(1 << 10)
	switch {
	case unit == "B":
		mult = 1
	case unit == "":
	default:
		u := strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "I")
		exp := strings.Index("KMGTP", u)
		if len(u) != 1 || exp < 0 {
			return 0, fmt.Errorf("size %q: unknown unit %q (want B, K, M, G, T or P)", s, m[2])
		}
		mult = math.Pow(1024, float64(exp+1))
	}
	r := v * mult
	if r > math.MaxInt64/2 {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return int64(r), nil
}

// ParseAge parses an age as rclone does: a duration with units ms, s, m,
// h, d, w, M (30 days) or y (365 days), combinable ("1h30m"), a bare
// number being seconds; or an absolute time ("2006-01-02",
// "2006-01-02 15:04:05", RFC 3339), returned as at.
func ParseAge(s string, now time.Time) (age time.Duration, at time.Time, err error) {
	in := strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, in, time.Local); err == nil {
			return 0, t, nil
		}
	}
	if in == "" {
		return 0, time.Time{}, fmt.Errorf("age %q: empty", s)
	}
	if v, err := strconv.ParseFloat(in, 64); err == nil {
		if v < 0 {
			return 0, time.Time{}, fmt.Errorf("age %q: negative", s)
		}
		return time.Duration(v * float64(time.Second)), time.Time{}, nil
	}
	units := []struct {
		suffix string
		d      time.Duration
	}{
		{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
		{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"M", 30 * 24 * time.Hour}, {"y", 365 * 24 * time.Hour},
	}
	rest := in
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, time.Time{}, fmt.Errorf("age %q: want a duration such as 90m, 36h, 7d, 2w, 1M, 1y or a date", s)
		}
		v, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("age %q: bad number", s)
		}
		rest = rest[i:]
		matched := false
		for _, u := range units {
			if strings.HasPrefix(rest, u.suffix) && (u.suffix != "m" || !strings.HasPrefix(rest, "ms")) {
				total += time.Duration(v * float64(u.d))
				rest = rest[len(u.suffix):]
				matched = true
				break
			}
		}
		if !matched {
			return 0, time.Time{}, fmt.Errorf("age %q: unknown unit (want ms, s, m, h, d, w, M or y)", s)
		}
	}
	return total, time.Time{}, nil
}
