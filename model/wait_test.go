package model

import (
	"testing"
	"time"
)

func TestFormatWait(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1 s"}, {400 * time.Millisecond, "1 s"}, {45 * time.Second, "45 s"}, {59*time.Second + time.Millisecond, "1 min"},
		{12 * time.Minute, "12 min"}, {11*time.Minute + time.Second, "12 min"}, {time.Hour, "1 h"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"}, {2*time.Hour + 59*time.Minute + time.Second, "3 h"},
	} {
		if got := FormatWait(tc.d); got != tc.want {
			t.Errorf("FormatWait(%v): got %q, want %q", tc.d, got, tc.want)
		}
	}
}
