package megaclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// dataLink sits in front of a worker instance's transport and connects
// go-mega's commands to megaclient's own data path (chunks.go):
//
//   - it keeps the URL of the instance's last `u` reply (where an
//     upload's pieces go) and of its last `g` reply (where a download's
//     ranges come from, with the size the server reports): go-mega keeps
//     both private;
//   - in the `p` that completes an upload it puts megaclient's node key
//     and completion handle in place of go-mega's (which knows neither,
//     since it did not send the content), re-encrypting the placeholder
//     attribute under that key so the transport's attribute rewrite
//     behind it works as for any new node.
//
// A worker runs one transfer at a time, so "the last reply" is always
// that transfer's.
type dataLink struct {
	next http.RoundTripper
	tree *tree
	th   *throttle // told about EAGAIN, HTTP 5xx and dropped connections

	mu       sync.Mutex
	upURL    string
	downURL  string
	downSize int64
	done     *completion
}

// completion is what the `p` of an upload must carry.
type completion struct {
	placeholder string
	key         []byte // 32-byte node key
	handle      string // completion handle from the storage server
}

func newDataLink(next http.RoundTripper, tr *tree, th *throttle) *dataLink {
	return &dataLink{next: next, tree: tr, th: th}
}

// takeDataURL returns and forgets the last upload URL.
func (d *dataLink) takeDataURL() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.upURL
	d.upURL = ""
	return u
}

// takeDownload returns and forgets the last download URL and size.
func (d *dataLink) takeDownload() (string, int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, s := d.downURL, d.downSize
	d.downURL, d.downSize = "", 0
	return u, s
}

// expectCompletion registers the key and handle for the `p` of the
// upload go-mega names placeholder; the returned func unregisters them.
func (d *dataLink) expectCompletion(placeholder string, key []byte, handle string) func() {
	d.mu.Lock()
	d.done = &completion{placeholder: placeholder, key: key, handle: handle}
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		d.done = nil
		d.mu.Unlock()
	}
}

func (d *dataLink) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/cs") || req.Body == nil {
		return d.next.RoundTrip(req)
	}
	body, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	var cmds []map[string]json.RawMessage
	name := ""
	if json.Unmarshal(body, &cmds) == nil && len(cmds) == 1 {
		name, _ = unquoteRaw(cmds[0]["a"])
	}
	if name == "p" {
		if nb, ok, err := d.completeUpload(cmds[0]); err != nil {
			return nil, err
		} else if ok {
			body = nb
		}
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := d.next.RoundTrip(out)
	switch {
	case err != nil:
		if req.Context().Err() == nil {
			d.th.failure("connections dropped")
		}
		return resp, err
	case resp.StatusCode >= 500:
		d.th.failure(fmt.Sprintf("server errors (HTTP %d)", resp.StatusCode))
		return resp, err
	case resp.StatusCode == http.StatusOK && resp.ContentLength > 0 && resp.ContentLength <= 8:
		// go-mega retries a bare -3 on its own; the throttle hears of it.
		short, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		resp.Body = io.NopCloser(bytes.NewReader(short))
		if code, ok := apiError(short); ok && code == -3 {
			d.th.failure("server busy (EAGAIN)")
		}
		return resp, nil
	}
	if resp.StatusCode != http.StatusOK || (name != "u" && name != "g") {
		return resp, err
	}
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(reply))
	resp.ContentLength = int64(len(reply))
	var r []struct {
		P string `json:"p"`
		G string `json:"g"`
		S int64  `json:"s"`
	}
	if json.Unmarshal(reply, &r) == nil && len(r) == 1 {
		d.mu.Lock()
		if name == "u" {
			d.upURL = r[0].P
		} else {
			d.downURL, d.downSize = r[0].G, r[0].S
		}
		d.mu.Unlock()
	}
	return resp, nil
}

// completeUpload rewrites the `p` of the registered upload.
func (d *dataLink) completeUpload(cmd map[string]json.RawMessage) ([]byte, bool, error) {
	d.mu.Lock()
	done := d.done
	d.mu.Unlock()
	if done == nil {
		return nil, false, nil
	}
	var nodes []map[string]json.RawMessage
	if json.Unmarshal(cmd["n"], &nodes) != nil || len(nodes) != 1 {
		return nil, false, nil
	}
	k, _ := unquoteRaw(nodes[0]["k"])
	a, _ := unquoteRaw(nodes[0]["a"])
	d.tree.mu.Lock()
	master := d.tree.master
	d.tree.mu.Unlock()
	encKey, err := b64decode(k)
	if err != nil || master == nil {
		return nil, false, nil
	}
	goKey, err := ecbDecrypt(master, encKey)
	if err != nil {
		return nil, false, nil
	}
	attrs, err := decryptAttrs(goKey, a)
	if err != nil || attrs.Name != done.placeholder {
		return nil, false, nil // not this upload's node
	}
	if done.handle == "" {
		return nil, false, errors.New("megaclient: upload completion without a handle")
	}
	ourKey, err := ecbEncrypt(master, done.key)
	if err != nil {
		return nil, false, err
	}
	enc, err := encryptAttrs(done.key, Attrs{Name: done.placeholder})
	if err != nil {
		return nil, false, fmt.Errorf("megaclient: encrypt attributes: %w", err)
	}
	nodes[0]["k"] = json.RawMessage(strconv.Quote(b64encode(ourKey)))
	nodes[0]["a"] = json.RawMessage(strconv.Quote(enc))
	nodes[0]["h"] = json.RawMessage(strconv.Quote(done.handle))
	nb, err := json.Marshal(nodes)
	if err != nil {
		return nil, false, err
	}
	cmd["n"] = nb
	out, err := json.Marshal([]map[string]json.RawMessage{cmd})
	return out, err == nil, err
}
