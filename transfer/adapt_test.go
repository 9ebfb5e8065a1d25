package transfer

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

func TestAdaptiveBacksOffAndRecovers(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	busy := fmt.Errorf("upload piece: %w", model.ErrTryAgain)
	a := newAdaptive(16)
	steps := []struct {
		name   string
		err    error
		remote model.Throttle
		at     time.Duration
		want   int
		reason string
	}{
		{"clean attempt at the configured value", nil, model.Throttle{}, 0, 16, ""},
		{"transient failure drops a quarter", busy, model.Throttle{}, time.Second, 12, "server busy or unreachable"},
		{"second failure in the same burst does not", busy, model.Throttle{}, time.Second + 100*time.Millisecond, 12, "server busy or unreachable"},
		{"failure after the settle period drops again", busy, model.Throttle{}, 2 * time.Second, 9, "server busy or unreachable"},
		{"a permanent failure changes nothing", errors.New("no such file"), model.Throttle{}, 3 * time.Second, 9, "server busy or unreachable"},
		{"remote reports a new slow-down", nil, model.Throttle{Slowdowns: 1, Reason: "server errors (HTTP 500)", Chunks: 4, ChunksMax: 8}, 4 * time.Second, 6, "server errors (HTTP 500)"},
		{"the same remote slow-down again is not new", nil, model.Throttle{Slowdowns: 1, Chunks: 8, ChunksMax: 8}, 5 * time.Second, 6, "server errors (HTTP 500)"},
	}
	for _, s := range steps {
		a.observe(s.err, s.remote, t0.Add(s.at))
		if a.cur != s.want || a.reason != s.reason {
			t.Fatalf("%s: got %d (%q), want %d (%q)", s.name, a.cur, a.reason, s.want, s.reason)
		}
	}
	// Recovery: one step up after clean attempts numbering half of those
	// in flight.
	clean := model.Throttle{Slowdowns: 1, Chunks: 8, ChunksMax: 8}
	for n := 0; a.cur < 16; n++ {
		if n > 200 {
			t.Fatalf("no recovery after %d clean attempts: at %d", n, a.cur)
		}
		a.observe(nil, clean, t0.Add(10*time.Second))
	}
	if a.reason != "" {
		t.Errorf("reason after recovery: got %q, want none", a.reason)
	}
	if st := a.state(clean); st.Slowed() || st.Slowdowns != 4 {
		t.Errorf("state after recovery: got %+v, want not slowed, 4 slow-downs (3 here, 1 remote)", st)
	}
}

func TestAdaptiveStateMergesRemote(t *testing.T) {
	t.Parallel()
	a := newAdaptive(4)
	st := a.state(model.Throttle{Chunks: 2, ChunksMax: 8, Reason: "connections dropped", Slowdowns: 1})
	want := model.Throttle{Transfers: 4, TransfersMax: 4, Chunks: 2, ChunksMax: 8, Reason: "connections dropped", Slowdowns: 1}
	if st != want {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	if got, wantS := st.String(), "slowed down (connections dropped): 4/4 files, 2/8 chunks each"; got != wantS {
		t.Errorf("String: got %q, want %q", got, wantS)
	}
}
