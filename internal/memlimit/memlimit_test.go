package memlimit

import (
	"context"
	"runtime/debug"
	"testing"
)

func TestFor(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		live uint64
		want int64
	}{
		{"nothing live", 0, Floor},
		{"a small account", 100 << 20, Floor},
		{"just under the floor's reach", 614 << 20, Floor},
		{"past it", 800 << 20, 1000 << 20},
		{"five million nodes", 3 << 30, 3840 << 20},
	} {
		if got := For(tc.live); got != tc.want {
			t.Errorf("%s: For(%d) = %d, want %d", tc.name, tc.live, got, tc.want)
		}
	}
}

func TestStartLeavesTheUsersChoice(t *testing.T) {
	before := debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, env := range []string{"GOMEMLIMIT", "GOGC"} {
		Start(ctx, func(k string) string {
			if k == env {
				return "123MiB"
			}
			return ""
		})
		if got := debug.SetMemoryLimit(-1); got != before {
			t.Errorf("with %s set: limit %d, want it left at %d", env, got, before)
		}
	}
	Start(ctx, func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != Floor {
		t.Errorf("limit %d, want %d", got, Floor)
	}
	debug.SetMemoryLimit(before)
}
