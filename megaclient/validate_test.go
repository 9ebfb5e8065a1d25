package megaclient

import (
	"strings"
	"testing"
)

const sampleBlob = "AAAAAAAAAAAAAAAAAAAAAA" // 16 bytes

func folderNode(h, parent string) rawNode {
	return rawNode{H: h, P: parent, U: "userHandle1", T: typeDir, A: sampleBlob, K: "userHandle1:" + sampleBlob}
}

func TestValidateNode(t *testing.T) {
	t.Parallel()
	file := func(mod func(r *rawNode)) rawNode {
		r := rawNode{H: "fileFile", P: "rootRoot", U: "userHandle1", T: typeFile, A: sampleBlob,
			K: "userHandle1:" + b64encode(make([]byte, 32)), S: 10}
		mod(&r)
		return r
	}
	for _, tc := range []struct {
		name string
		node rawNode
		want string // "" = valid
	}{
		{"sound file", file(func(*rawNode) {}), ""},
		{"sound folder", folderNode("folder01", "rootRoot"), ""},
		{"root", rawNode{H: "rootRoot", T: typeRoot}, ""},
		{"attribute not whole blocks", file(func(r *rawNode) { r.A = notWholeBlocks }), "attributes of 17 bytes are not whole AES blocks"},
		{"attribute not base64", file(func(r *rawNode) { r.A = "!!!" }), "attributes are not base64"},
		{"no attributes", file(func(r *rawNode) { r.A = "" }), "no attributes"},
		{"own parent", file(func(r *rawNode) { r.P = r.H }), "the node is its own parent"},
		{"short handle", file(func(r *rawNode) { r.H = "abc" }), `node handle "abc"`},
		{"no parent", file(func(r *rawNode) { r.P = "" }), `parent handle ""`},
		{"file key of a folder's length", file(func(r *rawNode) { r.K = "u:" + sampleBlob }), "key of 16 bytes for a file"},
		{"no key", file(func(r *rawNode) { r.K = "" }), "no key"},
		{"key entry without handle", file(func(r *rawNode) { r.K = sampleBlob }), "has no handle"},
		{"negative size", file(func(r *rawNode) { r.S = -1 }), "file size -1"},
		{"size of 2^50", file(func(r *rawNode) { r.S = 1 << 50 }), "file size 1125899906842624"},
		{"unknown type", file(func(r *rawNode) { r.T = 7 }), "node type 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := validateNode(&tc.node)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("got %v, want valid", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTreeBreaksParentCycles(t *testing.T) {
	t.Parallel()
	tr := fuzzTree()
	var reports []string
	tr.onQuarantine = func(h string, why error) { reports = append(reports, h+": "+why.Error()) }
	self := folderNode("selfSelf", "selfSelf")
	loadNodes(t, tr, []rawNode{
		{H: "rootRoot", T: typeRoot},
		folderNode("aaaaaaaa", "bbbbbbbb"), folderNode("bbbbbbbb", "cccccccc"), folderNode("cccccccc", "aaaaaaaa"),
		self, folderNode("sound001", "rootRoot"),
	})
	if len(reports) != 2 {
		t.Fatalf("reports %v, want one for the cycle, one for the self-parent", reports)
	}
	// Every walk down from any node ends.
	for _, h := range []string{"aaaaaaaa", "bbbbbbbb", "cccccccc", "selfSelf"} {
		seen := map[string]bool{}
		var walk func(h string)
		walk = func(h string) {
			if seen[h] {
				t.Fatalf("walk from %s meets %s twice", h, h)
			}
			seen[h] = true
			es, _ := tr.children(h)
			for _, e := range es {
				walk(e.ID)
			}
		}
		walk(h)
	}
	if tr.usable("selfSelf") || !tr.usable("sound001") {
		t.Fatal("self-parent usable, or a sound node not")
	}
	// Online: a packet moving a folder below its own child.
	tr.add([]rawNode{folderNode("parent01", "rootRoot"), folderNode("child001", "parent01")})
	tr.add([]rawNode{folderNode("parent01", "child001")})
	if why := tr.quarantine("parent01"); why == nil || !strings.Contains(why.Error(), "loop back") {
		t.Fatalf("move into own child: %v", why)
	}
	if es, _ := tr.children("child001"); len(es) != 0 {
		t.Fatalf("child001 holds %v", names(es))
	}
	n := len(reports)
	tr.add([]rawNode{folderNode("parent01", "child001")})
	if len(reports) != n {
		t.Fatalf("reported again: %v", reports[n:])
	}
}
