package megaclient

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// observeCS applies a successful command's effect to the tree (`f`
// replies are streamed into it by streamFetch instead).
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

// maxFetchValue bounds how far the decoder of an `f` reply may read past
// the end of the last node (or other top-level value) it decoded: one
// node object, of a few kilobytes at most for a well-formed reply, never
// makes the decoder buffer more than this.
const maxFetchValue = 8 << 20

// fetchReader feeds the decoder of an `f` reply: it reports progress,
// keeps the transport's read error apart from a malformed reply, and
// refuses to read more than maxFetchValue past the last value boundary.
type fetchReader struct {
	r        io.Reader
	read     int64
	total    int64
	progress func(read, total int64)
	boundary int64 // bytes read when the last value ended (see mark)
	err      error // the body's own read error
}

func (f *fetchReader) Read(p []byte) (int, error) {
	if f.read-f.boundary > maxFetchValue {
		return 0, errFetchValueTooLarge
	}
	n, err := f.r.Read(p)
	f.read += int64(n)
	if n > 0 && f.progress != nil {
		f.progress(f.read, f.total)
	}
	if err != nil && err != io.EOF {
		f.err = err
	}
	return n, err
}

var errFetchValueTooLarge = errors.New("a value of more than 8 MiB")

// mark records that the decoder is done with everything read so far
// but what it buffered (InputOffset is where it stands).
func (f *fetchReader) mark(dec *json.Decoder) { f.boundary = dec.InputOffset() }

// streamFetch reads an `f` reply node by node into the tree, never
// holding the whole body, and answers go-mega with the slim reply: the
// roots and the sequence number only. go-mega's own index then holds just
// the nodes megaclient hands it (see ensureNode), so a big account is
// decoded once, lazily, by megaclient — not a second time, with a key
// decryption per node, by go-mega. An error code passes through as it
// came; a body cut short is a transport error (go-mega retries); a
// malformed reply is refused.
func (t *transport) streamFetch(req *http.Request, resp *http.Response, cmd map[string]json.RawMessage) (*http.Response, error) {
	defer resp.Body.Close()
	fr := &fetchReader{r: resp.Body, total: resp.ContentLength, progress: t.hub().progress}
	br := bufio.NewReaderSize(fr, 64<<10)
	if head, _ := br.Peek(16); isErrorHead(head) {
		reply, err := io.ReadAll(io.LimitReader(br, 64))
		if err != nil {
			return nil, err
		}
		t.observeCS("f", cmd, reply)
		return localResponse(req, reply), nil
	}
	dec := json.NewDecoder(br)
	sn, err := t.hub().tree.loadStream(dec, fr)
	if fr.err != nil {
		return nil, fr.err
	}
	if err != nil {
		// go-mega is answered "bad arguments" and fails at once; the
		// login reads why with takeInvalid.
		t.setInvalid(invalidReply("%v", err))
		return localResponse(req, []byte(strconv.Itoa(codeArgs))), nil
	}
	slim := fetchReplyRoots(t.hub().tree, sn)
	resp.Body = io.NopCloser(bytes.NewReader(slim))
	resp.ContentLength = int64(len(slim))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// isErrorHead reports whether a reply starts as an error code does: a
// bare negative number, or one in an array.
func isErrorHead(head []byte) bool {
	s := strings.TrimLeft(string(head), " \t\r\n")
	s = strings.TrimLeft(strings.TrimPrefix(s, "["), " \t\r\n")
	return strings.HasPrefix(s, "-")
}

// loadStream replaces the tree with the `f` reply dec reads: an array of
// one object whose "f" (nodes), "ok" (share keys) and "u" (users) arrays
// are decoded element by element, other members skipped token by token.
// The new tree is built aside and swapped in whole, so listings meanwhile
// see the old one. It returns the reply's sequence number.
func (t *tree) loadStream(dec *json.Decoder, fr *fetchReader) (string, error) {
	st := t.staging()
	if err := expectDelim(dec, '['); err != nil {
		return "", err
	}
	if err := expectDelim(dec, '{'); err != nil {
		return "", err
	}
	sn := ""
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fetchSyntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "f":
			err = eachElement(dec, fr, func() error {
				var r rawNode
				if err := dec.Decode(&r); err != nil {
					return err
				}
				st.addLocked(st.interned(r), nil)
				return nil
			})
		case "ok":
			err = eachElement(dec, fr, func() error {
				var ok struct {
					H string `json:"h"`
					K string `json:"k"`
				}
				if err := dec.Decode(&ok); err != nil {
					return err
				}
				st.setShareKeyLocked(ok.H, ok.K)
				return nil
			})
		case "u":
			err = eachElement(dec, fr, func() error {
				var u struct {
					U string `json:"u"`
					C int    `json:"c"`
				}
				if err := dec.Decode(&u); err != nil {
					return err
				}
				if u.C == 2 { // c=2 marks the account's own user
					st.user = u.U
				}
				return nil
			})
		case "sn":
			err = dec.Decode(&sn)
		default:
			err = skipValue(dec, fr)
		}
		if err != nil {
			return "", fetchSyntax(err)
		}
		fr.mark(dec)
	}
	if err := expectDelim(dec, '}'); err != nil {
		return "", err
	}
	if err := expectDelim(dec, ']'); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fetchSyntax(errors.New("data after the reply"))
	}
	t.adopt(st)
	return sn, nil
}

func fetchSyntax(err error) error { return fmt.Errorf("fetch reply: %w", err) }

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return fetchSyntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fetchSyntax(fmt.Errorf("got %v, want %v", tok, want))
	}
	return nil
}

// eachElement calls decode for every element of the array dec is at
// (null counts as empty).
func eachElement(dec *json.Decoder, fr *fetchReader, decode func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("got %v, want an array", tok)
	}
	for dec.More() {
		if err := decode(); err != nil {
			return err
		}
		fr.mark(dec)
	}
	_, err = dec.Token() // ']'
	return err
}

// maxSkipDepth bounds the nesting of a value skipped in an `f` reply:
// the decoder's stack grows with it, whatever the byte cap says.
const maxSkipDepth = 64

// skipValue reads past one value token by token.
func skipValue(dec *json.Decoder, fr *fetchReader) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '[', '{':
				depth++
				if depth > maxSkipDepth {
					return fmt.Errorf("a value nested more than %d levels deep", maxSkipDepth)
				}
			default:
				depth--
			}
		}
		fr.mark(dec)
		if depth == 0 {
			return nil
		}
	}
}

// staging returns an empty tree to load an `f` reply into, knowing what
// adding nodes needs to know of t.
func (t *tree) staging() *tree {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := newTree()
	st.user, st.privk = t.user, t.privk
	// Quarantined nodes are reported once the tree is swapped in.
	st.onQuarantine = func(h string, why error) { st.quarantined = append(st.quarantined, quarantined{h, why}) }
	return st
}

// quarantined is a node reported while a staging tree loaded.
type quarantined struct {
	h   string
	why error
}

// interned shares the strings a node repeats from its neighbours (the
// parent handle, the owner) instead of keeping a copy per node.
func (t *tree) interned(r rawNode) rawNode {
	if p, ok := t.nodes[r.P]; ok {
		r.P = p.raw.H
	}
	if r.U == t.lastOwner {
		r.U = t.lastOwner
	} else {
		t.lastOwner = r.U
	}
	return r
}

// adopt swaps in the nodes of a loaded staging tree.
func (t *tree) adopt(st *tree) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nodes, t.orphans = st.nodes, st.orphans
	t.root, t.inbox, t.trash = st.root, st.inbox, st.trash
	for h, k := range st.shareKeys {
		t.setShareKeyLocked(h, k)
	}
	if st.user != "" {
		t.user = st.user
	}
	for _, q := range st.quarantined {
		t.reportLocked(q.h, q.why)
	}
	t.breakCyclesLocked()
	if d := t.dup; d != nil {
		t.dup = newDupIndex(d.fold) // rebuilt at the next count
	}
	t.loaded = true
}
