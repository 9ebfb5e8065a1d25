package megaclient

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// observeCS applies a successful command's effect to the tree. For an
// `f` reply it returns the slim reply go-mega gets instead: the roots and
// the sequence number only. go-mega's own index then holds just the nodes
// megaclient hands it (see ensureNode), so a 100,000-node account is
// decoded once, lazily, by megaclient — not a second time, with a key
// decryption per node, by go-mega.
func (t *transport) observeCS(name string, cmd map[string]json.RawMessage, reply []byte) []byte {
	if code, ok := apiError(reply); ok {
		if code == codeSessionExpired && t.hub().onExpired != nil {
			t.hub().onExpired()
		}
		return nil
	}
	tr := t.hub().tree
	var changed map[string]bool
	switch name {
	case "us", "ug":
		var r []struct {
			U     string `json:"u"`
			Privk string `json:"privk"`
		}
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 && r[0].U != "" {
			tr.mu.Lock()
			tr.user = r[0].U
			tr.mu.Unlock()
			tr.setPrivk(r[0].Privk) // decrypts inbound share keys (RSA)
		}
	case "f":
		var r []fetchReply
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 {
			tr.load(&r[0])
			return fetchReplyRoots(tr, r[0].SN)
		}
	case "p":
		var r []struct {
			F []rawNode `json:"f"`
		}
		if json.Unmarshal(reply, &r) == nil && len(r) == 1 {
			changed = tr.add(r[0].F)
		}
	case "m", "a", "d":
		if strings.TrimSpace(string(reply)) != "[0]" {
			return nil
		}
		h, _ := unquoteRaw(cmd["n"])
		switch name {
		case "m":
			to, _ := unquoteRaw(cmd["t"])
			changed = tr.move(h, to)
		case "a":
			attr, ok := unquoteRaw(cmd["attr"])
			if !ok {
				attr, _ = unquoteRaw(cmd["at"])
			}
			changed = tr.setAttr(h, attr)
		case "d":
			changed = tr.remove(h, false)
		}
	}
	if len(changed) > 0 && t.hub().notify != nil {
		t.hub().notify(changed)
	}
	return nil
}

func readWithProgress(r io.Reader, total int64, progress func(read, total int64)) ([]byte, error) {
	var buf bytes.Buffer
	if total > 0 {
		buf.Grow(int(total))
	}
	chunk := make([]byte, 256<<10)
	var read int64
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			buf.Write(chunk[:n])
			read += int64(n)
			progress(read, total)
		}
		if err == io.EOF {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// fetchReplyRoots is an `f` reply holding only the three roots.
func fetchReplyRoots(tr *tree, sn string) []byte {
	out, _ := json.Marshal([]any{map[string]any{
		"f": tr.rootNodes(), "ok": []any{}, "s": []any{}, "u": []any{}, "sn": sn,
	}})
	return out
}
