package megaclient

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestQuotaWaitIsBounded(t *testing.T) {
	t.Parallel()
	for _, s := range []float64{1e30, math.Inf(1), 1e12} {
		if got := quotaWait(s); got != maxQuotaWait {
			t.Errorf("quotaWait(%g) = %v, want the cap %v", s, got, maxQuotaWait)
		}
	}
	for _, s := range []float64{math.NaN(), math.Inf(-1), -5, 0} {
		if got := quotaWait(s); got != 0 {
			t.Errorf("quotaWait(%g) = %v, want 0", s, got)
		}
	}
	if got := quotaWait(90); got.Seconds() != 90 {
		t.Errorf("quotaWait(90) = %v", got)
	}
}

// TestFetchSkipsNoDeepValue: an unknown member nested deeper than any
// real reply is refused, not walked with a stack that grows per level.
func TestFetchSkipsNoDeepValue(t *testing.T) {
	t.Parallel()
	deep := `[{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `,"f":[],"sn":"s"}]`
	fr := &fetchReader{r: bytes.NewReader([]byte(deep))}
	if _, err := fuzzTree().loadStream(json.NewDecoder(fr), fr); err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("got %v, want a refusal of the nesting", err)
	}
}
