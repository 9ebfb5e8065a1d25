package cli

import (
	"errors"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

func TestBwlimitTimetable(t *testing.T) {
	t.Parallel()
	at, _, err := bwSchedule("08:00,512k 19:00,10M 23:00,off Sat-10:00,1M")
	if err != nil {
		t.Fatal(err)
	}
	day := func(wd time.Weekday, h, m int) time.Time {
		// 2025-06-01 is a Sunday.
		return time.Date(2025, 6, 1+int(wd), h, m, 0, 0, time.Local)
	}
	cases := []struct {
		at   time.Time
		want int64
	}{
		{day(time.Monday, 7, 59), 0}, // after Sunday's 23:00 off
		{day(time.Monday, 8, 0), 512 << 10},
		{day(time.Monday, 18, 59), 512 << 10},
		{day(time.Monday, 19, 0), 10 << 20},
		{day(time.Monday, 23, 30), 0},
		{day(time.Saturday, 10, 30), 1 << 20},
		{day(time.Saturday, 19, 30), 10 << 20},
	}
	for _, tc := range cases {
		if got := at(tc.at); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.at.Format("Mon 15:04"), got, tc.want)
		}
	}
	if f, v, err := bwSchedule("10M"); err != nil || f != nil || v != 10<<20 {
		t.Errorf("plain limit: %v %d %v", f != nil, v, err)
	}
	for _, bad := range []string{"8:00,1M", "25:00,1M", "08:00", "Xyz-08:00,1M", "08:00,fast"} {
		if _, _, err := bwSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTUIOpensOnlyForAFolder(t *testing.T) {
	t.Parallel()
	check := tuiArgs()
	cmd := &cobra.Command{Use: "megatui"}
	if err := check(cmd, nil); err != nil {
		t.Errorf("no argument: %v", err)
	}
	if err := check(cmd, []string{t.TempDir()}); err != nil {
		t.Errorf("an existing folder: %v", err)
	}
	for _, a := range [][]string{{"tree"}, {"/does/not/exist"}, {"a", "b"}} {
		var ue *usageError
		if err := check(cmd, a); !errors.As(err, &ue) {
			t.Errorf("%q: got %v, want a usage error", a, err)
		}
	}
}
