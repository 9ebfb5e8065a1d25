package megaclient

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// Node types of the MEGA protocol (§4.1).
const (
	typeFile  = 0
	typeDir   = 1
	typeRoot  = 2
	typeInbox = 3
	typeTrash = 4
)

// rawNode is a node object as it travels in `f`, `p` replies and `t`
// action packets.
type rawNode struct {
	H  string `json:"h"`
	P  string `json:"p"`
	U  string `json:"u"`
	T  int    `json:"t"`
	A  string `json:"a"`
	K  string `json:"k"`
	S  int64  `json:"s"`
	TS int64  `json:"ts"`
	SU string `json:"su,omitempty"`
	SK string `json:"sk,omitempty"`
	FA string `json:"fa,omitempty"`
}

// node is megaclient's own view of a MEGA node. Keys and attributes are
// decrypted lazily, the first time the node is looked at, so that loading
// a 100,000-node tree costs one JSON decode and no crypto.
type node struct {
	raw      rawNode
	decoded  bool
	key      []byte // node key: 16 bytes (folder) or 32 (file); nil if unknown
	attrs    Attrs
	badAttr  bool
	children map[string]*node
	invalid  error // quarantined: what is wrong with the node (see validateNode)
	cycle    bool  // quarantined: attaching it would close a parent cycle
	walk     uint8 // breakCyclesLocked's state while it runs
	// The node's keys in the duplicate index, while dupIn (see dupindex.go).
	dupName, dupFold uint64
	dupIn            bool
}

// quarantineLocked returns why a node is quarantined, or nil.
func (n *node) quarantineLocked() error {
	switch {
	case n.invalid != nil:
		return n.invalid
	case n.cycle:
		return errors.New("its parents loop back to it")
	}
	return nil
}

// tree is the account's node index, fed by the transport from every `f`
// and `p` reply and every action packet, so it is complete and current
// whichever go-mega instance made the request. All access holds mu.
type tree struct {
	mu      sync.Mutex
	master  []byte
	user    string
	nodes   map[string]*node
	orphans map[string]map[string]*node // children whose parent is not (yet) known
	// shareKeys maps a share handle to its share key as received:
	// AES-ECB under the master key (16 bytes: `ok` entries, `s2` packets
	// to the owner) or RSA-encrypted to this account (an inbound share's
	// `sk`); plainShares caches the decrypted keys.
	shareKeys   map[string]string
	plainShares map[string][]byte
	privk       string      // RSA private key under the master key (`us`, `ug`)
	rsa         *rsaPrivate // parsed privk
	needRSA     bool        // an RSA-encrypted share key arrived and privk is unknown
	root        string
	inbox       string
	trash       string
	loaded      bool
	// reported holds the quarantined nodes already reported (onQuarantine
	// is called once per node and reason).
	reported     map[string]string
	onQuarantine func(h string, why error)
	dup          *dupIndex     // nil until duplicates are first counted
	lastOwner    string        // the owner handle interned while loading
	masterBlock  cipher.Block  // AES of master, made on first use
	quarantined  []quarantined // reported while loading as a staging tree
}

func newTree() *tree {
	return &tree{nodes: map[string]*node{}, orphans: map[string]map[string]*node{}, shareKeys: map[string]string{}, plainShares: map[string][]byte{}}
}

// setPrivk records the account's encrypted RSA private key and retries
// the nodes that could not be decrypted without it.
func (t *tree) setPrivk(privk string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if privk == "" || privk == t.privk {
		return
	}
	t.privk, t.rsa, t.needRSA = privk, nil, false
	t.retryUndecodedLocked()
}

func (t *tree) retryUndecodedLocked() {
	t.resetDupLocked(true)
	for _, n := range t.nodes {
		if n.decoded && n.key == nil {
			n.decoded = false
		}
	}
}

// needsPrivk reports whether an inbound share's key waits for the RSA
// private key (after a session resume, which has no `us` reply).
func (t *tree) needsPrivk() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.needRSA && t.privk == ""
}

// setShareKey records a share key (from an `s2` packet) and retries the
// nodes that could not be decrypted without it.
func (t *tree) setShareKey(h, key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setShareKeyLocked(h, key)
	t.retryUndecodedLocked()
}

func (t *tree) setShareKeyLocked(h, key string) {
	if t.shareKeys[h] == key {
		return
	}
	t.shareKeys[h] = key
	delete(t.plainShares, h)
	if raw, err := b64decode(key); err == nil && len(raw) > 16 && t.privk == "" {
		t.needRSA = true
	}
}

// shareKeyLocked returns share h's key in clear, or nil if unknown.
func (t *tree) shareKeyLocked(h string) []byte {
	if k, ok := t.plainShares[h]; ok {
		return k
	}
	enc, ok := t.shareKeys[h]
	if !ok || t.master == nil {
		return nil
	}
	raw, err := b64decode(enc)
	if err != nil {
		return nil
	}
	var key []byte
	switch {
	case len(raw) == 16:
		key, err = ecbDecrypt(t.master, raw)
	case len(raw) > 16:
		if t.rsa == nil && t.privk != "" {
			t.rsa, _ = parsePrivk(t.master, t.privk)
		}
		if t.rsa == nil {
			t.needRSA = t.privk == ""
			return nil
		}
		key, err = t.rsa.decryptKey(raw, 16)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	t.plainShares[h] = key
	return key
}

// shareCR returns, for a new node of plain key under parent, its key
// encrypted with every known share key covering parent (the `cr` element
// official clients add, so that everyone the folder is shared with can
// decrypt the node): share handles and encrypted keys, nearest first.
func (t *tree) shareCR(parent string, key []byte) (shares []string, keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for h, depth := parent, 0; h != "" && depth < 10000; depth++ {
		if _, ok := t.shareKeys[h]; ok {
			if sk := t.shareKeyLocked(h); sk != nil {
				if enc, err := ecbEncrypt(sk, key); err == nil {
					shares = append(shares, h)
					keys = append(keys, b64encode(enc))
				}
			}
		}
		n, ok := t.nodes[h]
		if !ok {
			break
		}
		h = n.raw.P
	}
	return shares, keys
}

func (t *tree) setMaster(key []byte, user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.master = append([]byte(nil), key...)
	t.masterBlock = nil
	if user != "" {
		t.user = user
	}
	t.rsa = nil
	clear(t.plainShares)
	t.retryUndecodedLocked() // now that the key is known
}

// add inserts or updates nodes (a `p` reply or a `t` packet) and returns the
// folders whose content changed.
func (t *tree) add(nodes []rawNode) map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := map[string]bool{}
	for i := range nodes {
		t.addLocked(nodes[i], changed)
	}
	return changed
}

func (t *tree) addLocked(r rawNode, changed map[string]bool) {
	verr := validateNode(&r)
	if !isHandle(r.H, 8) {
		t.reportLocked(r.H, verr)
		return // nothing to address it by
	}
	switch r.T {
	case typeRoot:
		t.root = r.H
	case typeInbox:
		t.inbox = r.H
	case typeTrash:
		t.trash = r.H
	case typeFile, typeDir:
	default:
		return
	}
	if r.SK != "" {
		t.setShareKeyLocked(r.H, r.SK)
	}
	n, ok := t.nodes[r.H]
	if ok {
		if n.raw.P != r.P {
			t.detachLocked(n)
			if changed != nil {
				changed[n.raw.P] = true
			}
		}
		t.unindexLocked(n)
		children := n.children
		*n = node{raw: r, children: children, invalid: verr}
	} else {
		n = &node{raw: r, invalid: verr}
		if kids, ok := t.orphans[r.H]; ok {
			n.children = kids
			delete(t.orphans, r.H)
		}
		t.nodes[r.H] = n
	}
	if verr != nil {
		t.reportLocked(r.H, verr)
	}
	if r.P != "" && changed != nil && t.closesCycleLocked(r.H, r.P) {
		// Loaded trees are checked once, whole (breakCyclesLocked).
		n.cycle = true
		t.reportLocked(r.H, n.quarantineLocked())
		return
	}
	if r.P != "" {
		if p, ok := t.nodes[r.P]; ok {
			if p.children == nil {
				p.children = map[string]*node{}
			}
			p.children[r.H] = n
		} else {
			if t.orphans[r.P] == nil {
				t.orphans[r.P] = map[string]*node{}
			}
			t.orphans[r.P][r.H] = n
		}
		if changed != nil {
			changed[r.P] = true
		}
	}
	t.indexLocked(n)
}

func (t *tree) detachLocked(n *node) {
	if p, ok := t.nodes[n.raw.P]; ok {
		delete(p.children, n.raw.H)
	} else if o, ok := t.orphans[n.raw.P]; ok {
		delete(o, n.raw.H)
	}
}

// sharePacket applies an `s`/`s2` action packet: a share created or
// changed (the owner gets the share key under its master key in `ok`, a
// recipient gets it RSA-encrypted in `k`; the nodes follow in a `t`
// packet) or, without `r`, access removed — then a recipient drops the
// share's nodes.
func (t *tree) sharePacket(raw []byte) map[string]bool {
	var p struct {
		N  string `json:"n"`
		O  string `json:"o"`
		U  string `json:"u"`
		OK string `json:"ok"`
		K  string `json:"k"`
		R  *int   `json:"r"`
	}
	if json.Unmarshal(raw, &p) != nil || p.N == "" {
		return nil
	}
	t.mu.Lock()
	user := t.user
	t.mu.Unlock()
	switch {
	case p.OK != "" && p.O == user:
		t.setShareKey(p.N, p.OK)
	case p.K != "" && p.U == user:
		t.setShareKey(p.N, p.K)
	case p.R == nil && p.U == user && p.O != user:
		return t.remove(p.N, false)
	}
	return nil
}

// setAttr records a new encrypted attribute (a `u` packet or our own `a`).
func (t *tree) setAttr(h, attr string) map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil
	}
	t.unindexLocked(n)
	n.raw.A = attr
	n.decoded = false
	n.invalid = validateNode(&n.raw)
	if n.invalid != nil {
		t.reportLocked(h, n.invalid)
	}
	t.indexLocked(n)
	return map[string]bool{n.raw.P: true}
}

// move reparents a node (our own `m`, applied before its packets arrive).
func (t *tree) move(h, parent string) map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil
	}
	r := n.raw
	old := r.P
	r.P = parent
	changed := map[string]bool{old: true}
	t.addLocked(r, changed)
	return changed
}

// remove deletes a node; a move (`d` with m=1) only detaches it, since the
// `t` packet that follows puts it back with its subtree.
func (t *tree) remove(h string, moved bool) map[string]bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil
	}
	changed := map[string]bool{n.raw.P: true}
	if moved {
		return changed
	}
	t.detachLocked(n)
	var drop func(n *node)
	drop = func(n *node) {
		t.unindexLocked(n)
		delete(t.nodes, n.raw.H)
		for _, c := range n.children {
			drop(c)
		}
	}
	drop(n)
	return changed
}

// decodeLocked decrypts the node's key and attributes on first use.
func (t *tree) decodeLocked(n *node) {
	if n.decoded {
		return
	}
	n.decoded = true
	if n.raw.T != typeFile && n.raw.T != typeDir {
		return
	}
	if n.invalid != nil {
		n.key, n.attrs, n.badAttr = nil, Attrs{}, true
		return
	}
	if t.master == nil {
		n.decoded = false
		return
	}
	n.key = t.nodeKeyLocked(&n.raw)
	if n.key == nil {
		n.badAttr = true
		return
	}
	a, err := decryptAttrs(n.key, n.raw.A)
	if err != nil {
		n.badAttr = true
		return
	}
	n.attrs, n.badAttr = a, false
}

// nodeKeyLocked finds the node key among the `k` entries ("h:key/h:key"):
// an entry of the owner or of this account is under the master key, an
// entry of a share handle is under that share's key.
func (t *tree) nodeKeyLocked(r *rawNode) []byte {
	for _, part := range strings.Split(r.K, "/") {
		h, enc, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		encKey, err := b64decode(enc)
		if err != nil || len(encKey) > 32 {
			continue // a node key RSA-encrypted to us: not supported
		}
		var key []byte
		switch {
		case h == r.U || h == t.user:
			key, err = t.masterDecryptLocked(encKey) // one cipher for every node
		default:
			kek := t.shareKeyLocked(h)
			if kek == nil {
				continue
			}
			key, err = ecbDecrypt(kek, encKey)
		}
		if err == nil && (len(key) == 16 || len(key) == 32) {
			return key
		}
	}
	return nil
}

// masterDecryptLocked is ecbDecrypt under the master key, with the
// master's cipher made once rather than per node.
func (t *tree) masterDecryptLocked(enc []byte) ([]byte, error) {
	if len(enc) == 0 || len(enc)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("key of %d bytes: %w", len(enc), errBadAttr)
	}
	if t.masterBlock == nil {
		blk, err := aes.NewCipher(t.master)
		if err != nil {
			return nil, err
		}
		t.masterBlock = blk
	}
	out := make([]byte, len(enc))
	for i := 0; i < len(enc); i += aes.BlockSize {
		t.masterBlock.Decrypt(out[i:i+aes.BlockSize], enc[i:i+aes.BlockSize])
	}
	return out, nil
}

// entryLocked builds the model entry of a node.
func (t *tree) entryLocked(n *node) model.Entry {
	t.decodeLocked(n)
	e := model.Entry{
		Name:       n.attrs.Name,
		Size:       n.raw.S,
		UploadTime: time.Unix(n.raw.TS, 0),
		ID:         n.raw.H,
	}
	if _, ok := t.nodes[n.raw.P]; ok && n.raw.P != "" {
		e.ParentID = n.raw.P // not an incoming share's parent in its owner's tree
	}
	e.ModTime = e.UploadTime
	switch n.raw.T {
	case typeFile:
		e.Kind = model.KindFile
		if c := n.attrs.String("c"); c != "" {
			if fp, err := model.ParseFingerprint(c, n.raw.S); err == nil {
				e.Fingerprint = c
				e.ModTime = fp.ModTime.Local()
				e.ModTimeKnown = true
			}
		}
	default:
		e.Kind = model.KindDir
		e.Size = 0
	}
	switch n.raw.T {
	case typeRoot:
		e.Name = "Cloud Drive"
	case typeInbox:
		e.Name = "Inbox"
	case typeTrash:
		e.Name = "Rubbish Bin"
	}
	if n.badAttr {
		e.Name = "[undecryptable " + n.raw.H + "]"
	}
	return e
}

// children lists a folder's children sorted by name, then handle.
func (t *tree) children(h string) ([]model.Entry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil, fmt.Errorf("list %s: %w", h, model.ErrNotFound)
	}
	if n.raw.T == typeFile {
		return nil, fmt.Errorf("list %s: %w", h, model.ErrNotDir)
	}
	out := make([]model.Entry, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, t.entryLocked(c))
	}
	sortEntries(out)
	return out, nil
}

func sortEntries(es []model.Entry) {
	sort.Slice(es, func(i, j int) bool {
		if es[i].Name != es[j].Name {
			return es[i].Name < es[j].Name
		}
		return es[i].ID < es[j].ID
	})
}

// entry returns one node's entry.
func (t *tree) entry(h string) (model.Entry, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return model.Entry{}, fmt.Errorf("node %s: %w", h, model.ErrNotFound)
	}
	return t.entryLocked(n), nil
}

// info is what operations need about a node beyond its entry.
type info struct {
	raw   rawNode
	key   []byte
	attrs Attrs
	kind  int
}

func (t *tree) info(h string) (info, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return info{}, false
	}
	t.decodeLocked(n)
	return info{raw: n.raw, key: append([]byte(nil), n.key...), attrs: n.attrs.Clone(), kind: n.raw.T}, true
}

func (t *tree) roots() (root, inbox, trash string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.root, t.inbox, t.trash
}

// lookup returns the children of parent called name, in listing order.
func (t *tree) lookup(parent, name string) []model.Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.nodes[parent]
	if !ok {
		return nil
	}
	var out []model.Entry
	for _, c := range p.children {
		t.decodeLocked(c)
		if c.attrs.Name == name && !c.badAttr {
			out = append(out, t.entryLocked(c))
		}
	}
	sortEntries(out)
	return out
}

// sharedRoots lists incoming shares: folders whose parent is not ours.
func (t *tree) sharedRoots() []model.Entry {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []model.Entry
	for _, n := range t.nodes {
		if n.raw.SU == "" {
			continue
		}
		if _, ok := t.nodes[n.raw.P]; ok && n.raw.P != "" {
			continue
		}
		out = append(out, t.entryLocked(n))
	}
	sortEntries(out)
	return out
}

// path builds the display path of a node: "/a/b", "//bin/x", "//in/x".
func (t *tree) path(h string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var parts []string
	for depth := 0; depth < 10000; depth++ {
		n, ok := t.nodes[h]
		if !ok {
			return "", false
		}
		switch n.raw.T {
		case typeRoot:
			return "/" + strings.Join(reverse(parts), "/"), true
		case typeTrash:
			return "//bin/" + strings.Join(reverse(parts), "/"), true
		case typeInbox:
			return "//in/" + strings.Join(reverse(parts), "/"), true
		}
		t.decodeLocked(n)
		parts = append(parts, n.attrs.Name)
		if n.raw.SU != "" {
			if _, ok := t.nodes[n.raw.P]; !ok {
				return "//shares/" + strings.Join(reverse(parts), "/"), true
			}
		}
		h = n.raw.P
	}
	return "", false
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// isAncestor reports whether a is h or one of h's ancestors.
func (t *tree) isAncestor(a, h string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := 0; i < 10000 && h != ""; i++ {
		if h == a {
			return true
		}
		n, ok := t.nodes[h]
		if !ok {
			return false
		}
		h = n.raw.P
	}
	return false
}

// exportNode returns a node object a worker go-mega instance can add to
// its own index: the key re-encrypted under the master key and labelled
// with this account's user handle, whatever share it came through.
func (t *tree) exportNode(h string) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil, fmt.Errorf("node %s: %w", h, model.ErrNotFound)
	}
	if why := n.quarantineLocked(); why != nil {
		return nil, fmt.Errorf("node %s: %v: %w", h, why, model.ErrQuarantined)
	}
	r := n.raw
	if r.T == typeFile || r.T == typeDir {
		t.decodeLocked(n)
		if n.key == nil {
			return nil, fmt.Errorf("node %s: no key: %w", h, model.ErrAccess)
		}
		blk, err := aes.NewCipher(t.master)
		if err != nil {
			return nil, err
		}
		enc := make([]byte, len(n.key))
		for i := 0; i < len(enc); i += aes.BlockSize {
			blk.Encrypt(enc[i:i+aes.BlockSize], n.key[i:i+aes.BlockSize])
		}
		r.U = t.user
		r.K = t.user + ":" + b64encode(enc)
		r.SU, r.SK = "", ""
	}
	return json.Marshal(r)
}

// rootNodes returns the three root node objects (for a worker's `f`).
func (t *tree) rootNodes() []rawNode {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []rawNode
	for _, h := range []string{t.root, t.inbox, t.trash} {
		if n, ok := t.nodes[h]; ok {
			out = append(out, n.raw)
		}
	}
	return out
}

func (t *tree) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.nodes)
}
