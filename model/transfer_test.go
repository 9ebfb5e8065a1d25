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

func TestChunkResumeMerge(t *testing.T) {
	t.Parallel()
	var r ChunkResume
	r.Merge(ChunkResume{Fresh: true, URL: "http://a/ul/1", Key: "k1", Source: "s1"})
	r.Merge(ChunkResume{Chunks: []ChunkDone{{Off: 0, Len: 10, MAC: "m0"}}})
	r.Merge(ChunkResume{Chunks: []ChunkDone{{Off: 10, Len: 5, MAC: "m1"}, {Off: 0, Len: 10, MAC: "m0"}}})
	if r.URL != "http://a/ul/1" || len(r.Chunks) != 3 || r.Bytes() != 15 {
		t.Fatalf("after chunks: got %+v (%d bytes), want URL kept, 3 records, 15 bytes", r, r.Bytes())
	}
	r.Merge(ChunkResume{Fresh: true, URL: "http://a/ul/2"})
	if r.URL != "http://a/ul/2" || r.Key != "" || len(r.Chunks) != 0 || r.Bytes() != 0 {
		t.Fatalf("after a fresh start: got %+v, want only the new URL", r)
	}
}

func TestThrottleString(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		t    Throttle
		want string
	}{
		{"at full speed", Throttle{Transfers: 4, TransfersMax: 4, Chunks: 8, ChunksMax: 8}, ""},
		{"files lowered", Throttle{Transfers: 2, TransfersMax: 4, Reason: "server busy (EAGAIN)"}, "slowed down (server busy (EAGAIN)): 2/4 files"},
		{"chunks lowered, no reason left", Throttle{Transfers: 4, TransfersMax: 4, Chunks: 7, ChunksMax: 8}, "slowed down (recovering): 4/4 files, 7/8 chunks each"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
