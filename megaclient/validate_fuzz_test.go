package megaclient

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The fuzz targets feed arbitrary replies to the checks that stand between
// the server and go-mega, and to the index that takes what passes. Run
// with e.g. `go test -fuzz FuzzFetchReply ./megaclient`; the seeds (below
// and in testdata/fuzz) run in every `go test`.

var fuzzMaster = []byte("0123456789abcdef")

// fuzzTree is a tree as after a login, with the usual roots.
func fuzzTree() *tree {
	tr := newTree()
	tr.setMaster(fuzzMaster, "userHandle1")
	return tr
}

// exercise reads every node of tr the ways operations do.
func exercise(tr *tree) {
	tr.mu.Lock()
	hs := make([]string, 0, len(tr.nodes))
	for h := range tr.nodes {
		hs = append(hs, h)
	}
	tr.mu.Unlock()
	for _, h := range hs {
		_, _ = tr.children(h)
		_, _ = tr.entry(h)
		_, _ = tr.path(h)
		_, _ = tr.exportNode(h)
		tr.isAncestor(h, h)
	}
}

func FuzzFetchReply(f *testing.F) {
	f.Add([]byte(`[{"f":[{"h":"rootRoot","t":2},{"h":"folder01","p":"rootRoot","u":"userHandle1","t":1,"a":"AAAAAAAAAAAAAAAAAAAAAA","k":"userHandle1:AAAAAAAAAAAAAAAAAAAAAA"}],"ok":[],"u":[],"sn":"x"}]`))
	f.Add([]byte(`[{"f":[{"h":"aaaaaaaa","p":"bbbbbbbb","t":1,"a":"` + notWholeBlocks + `","k":"u:AAAAAAAAAAAAAAAAAAAAAA"},{"h":"bbbbbbbb","p":"aaaaaaaa","t":1,"k":"u:AAAAAAAAAAAAAAAAAAAAAA"}]}]`))
	f.Add([]byte(`[{"f":[{"h":"cccccccc","p":"cccccccc","t":0,"s":-5}]}]`))
	f.Add([]byte(`[{"f":[{"h":"","t":9}],"ok":[{"h":"x","k":"@@"}]}]`))
	f.Fuzz(func(t *testing.T, reply []byte) {
		tr := fuzzTree()
		fr := &fetchReader{r: bytes.NewReader(reply)}
		sn, err := tr.loadStream(json.NewDecoder(fr), fr)
		if err != nil {
			return
		}
		exercise(tr)
		_ = fetchReplyRoots(tr, sn)
	})
}

func FuzzEventsReply(f *testing.F) {
	f.Add([]byte(`{"w":"http://127.0.0.1/wsc/x","sn":"1"}`))
	f.Add([]byte(`{"a":[{"a":"t","t":{"f":[{"h":"folder02","p":"rootRoot","t":1,"a":"AAAAAAAAAAAAAAAAAAAAAA","k":"u:AAAAAAAAAAAAAAAAAAAAAA"}]}},{"a":"u","n":"folder02","at":"` + notWholeBlocks + `"},{"a":"d","n":"folder02"}],"sn":"2"}`))
	f.Add([]byte(`{"a":[{"a":"t","t":{"f":[{"h":"rootRoot","p":"folder02","t":1}]}},{"a":"s2","n":"rootRoot","k":"AAAA"}],"sn":"3"}`))
	f.Add([]byte(`{"a":[42,"x",{"a":""}],"sn":""}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, reply []byte) {
		ev, err := validateEventsReply(reply)
		if err != nil {
			return
		}
		tr := fuzzTree()
		tr.add([]rawNode{{H: "rootRoot", T: typeRoot}})
		for _, raw := range ev.A {
			var p packet
			if json.Unmarshal(raw, &p) != nil {
				continue
			}
			if _, err := validatePacket(&p); err != nil {
				continue
			}
			switch p.A {
			case "t":
				tr.add(p.T.F)
			case "u":
				tr.setAttr(p.N, p.At)
			case "d":
				tr.remove(p.N, p.M == 1)
			case "s", "s2":
				tr.sharePacket(raw)
			}
		}
		exercise(tr)
	})
}

func FuzzLoginReply(f *testing.F) {
	f.Add([]byte(`[{"k":"AAAAAAAAAAAAAAAAAAAAAA","csid":"CAAB","privk":"AAAAAAAAAAAAAAAAAAAAAA","u":"userHandle1"}]`))
	f.Add([]byte(`[{"k":"","csid":"","privk":""}]`))
	f.Add([]byte(`[{"k":"AAAAAAAAAAAAAAAAAAAAAA","csid":"EAABAgM","privk":"` + b64encode(make([]byte, 64)) + `"}]`))
	f.Add([]byte(`-9`))
	f.Fuzz(func(t *testing.T, reply []byte) {
		_ = validateLoginReply(reply, nil)
		_ = validateLoginReply(reply, fuzzMaster)
	})
}

func FuzzDownloadReply(f *testing.F) {
	f.Add([]byte(`[{"s":300,"at":"AAAAAAAAAAAAAAAAAAAAAA","g":"http://127.0.0.1/dl/x"}]`), int64(300))
	f.Add([]byte(`[{"s":1125899906842624,"at":"AAAAAAAAAAAAAAAAAAAAAA","g":"http://h/dl"}]`), int64(300))
	f.Add([]byte(`[{"s":"x","g":["a"],"e":0}]`), int64(0))
	f.Add([]byte(`[{"e":-9}]`), int64(-1))
	f.Fuzz(func(t *testing.T, reply []byte, size int64) {
		_ = validateDownloadReply(reply, size)
		_ = validateDownloadReplyUnsized(reply)
		_ = validateUploadReply(reply)
		_, _ = validateNewNodeReply(reply)
	})
}
