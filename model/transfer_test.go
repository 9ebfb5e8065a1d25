package model

import (
	"encoding/json"
	"testing"
)

// Every direction has a name and survives a JSON round trip (journals store
// directions by name); a copy within MEGA is not reported as a move.
func TestDirectionNames(t *testing.T) {
	t.Parallel()
	want := map[Direction]string{Upload: "upload", Download: "download", RemoteMove: "mega-move", LocalCopy: "local-copy", RemoteCopy: "mega-copy"}
	for d, name := range want {
		if got := d.String(); got != name {
			t.Errorf("%d.String(): got %q, want %q", int(d), got, name)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("marshal %v: %v", d, err)
		}
		var back Direction
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Errorf("round trip of %v: got %v (%v), want %v", d, back, err, d)
		}
	}
	if _, err := json.Marshal(Direction(99)); err == nil {
		t.Error("marshal of an unknown direction: got no error")
	}
	var d Direction
	if err := json.Unmarshal([]byte(`"teleport"`), &d); err == nil {
		t.Error("unmarshal of an unknown name: got no error")
	}
}
