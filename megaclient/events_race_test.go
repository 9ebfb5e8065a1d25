package megaclient

import (
	"encoding/json"
	"testing"
)

// TestInvalidPacketNeverForwardedWhateverTheIndexSays covers the race
// where our own rename's reply puts a valid attribute back on a node
// between the transport applying another client's invalid `u` packet and
// deciding what to hand go-mega: the packet's own validity decides, so
// go-mega (which panics on such a blob) never sees it.
func TestInvalidPacketNeverForwardedWhateverTheIndexSays(t *testing.T) {
	t.Parallel()
	tr := fuzzTree()
	loadNodes(t, tr, []rawNode{{H: "rootRoot", T: typeRoot}, folderNode("aaaaaaaa", "rootRoot")})
	tp := newTransport(nil, &hub{tree: tr, rw: newRewrites()}, false)
	defer tp.close()
	for _, raw := range []string{
		`{"a":"u","n":"aaaaaaaa","at":"` + notWholeBlocks + `"}`,
		`{"a":"t","t":{"f":[{"h":"aaaaaaaa","p":"rootRoot","u":"userHandle1","t":1,"a":"` + notWholeBlocks + `","k":"userHandle1:` + sampleBlob + `"}]}}`,
	} {
		var p packet
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		bad, err := validatePacket(&p)
		if err != nil {
			t.Fatal(err)
		}
		if !tr.usable("aaaaaaaa") {
			t.Fatal("the index should hold the node as valid (the state the race leaves)")
		}
		if got := tp.filterPacket(p, json.RawMessage(raw), bad); got != nil {
			t.Fatalf("%s handed to go-mega as %s", raw, got)
		}
	}
	// A valid update of the same node still goes through.
	raw := `{"a":"u","n":"aaaaaaaa","at":"` + sampleBlob + `"}`
	var p packet
	_ = json.Unmarshal([]byte(raw), &p)
	bad, _ := validatePacket(&p)
	if got := tp.filterPacket(p, json.RawMessage(raw), bad); got == nil {
		t.Fatal("a valid update was dropped")
	}
}
