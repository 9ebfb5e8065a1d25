package model

import (
	"fmt"
	"time"
)

// FormatWait writes a wait as people say it: "45 s", "12 min",
// "2 h 5 min" (rounded up, at least "1 s").
func FormatWait(d time.Duration) string {
	secs := (d + time.Second - 1) / time.Second
	switch {
	case secs < 60:
		return fmt.Sprintf("%d s", max(1, int(secs)))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int((d+time.Minute-1)/time.Minute))
	}
	h := int(d / time.Hour)
	m := int((d - time.Duration(h)*time.Hour + time.Minute - 1) / time.Minute)
	if m == 60 {
		h, m = h+1, 0
	}
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}
