package megaclient

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"reflect"
	"runtime"
	"sync"

	"github.com/megatui/megatui/model"
)

// dupIndex keeps the account's same-name and collision candidates up to
// date as nodes come and go, so that counting the duplicate groups of the
// whole account costs a walk over the folders that hold candidates rather
// than a scan (and a model entry) of every node.
//
// Each indexed node contributes two 64-bit keys: hash(parent, kind, name)
// and hash(parent, collision key of name). A name key with two or more
// nodes is a same-name candidate; a collision key reached by two or more
// distinct name keys is a collision candidate. Equal names always hash
// alike, so the candidates hold every real group; a hash collision can
// only add a candidate, and the count checks each candidate folder exactly
// (model.FindDuplicates over its children) before it is counted. The
// exact count of a folder is kept until one of its children changes.
//
// A node's name is decrypted once, to index it, without keeping its
// decoded attributes (a listing decodes them when it needs them).
type dupIndex struct {
	seed   maphash.Seed
	fold   func(string) string
	foldID uintptr
	// built is true once every node of the tree has been offered to the
	// index (a node whose name cannot be decrypted yet stays out until
	// a key arrives and the index is completed again).
	built   bool
	names   map[uint64]int32 // name key → indexed nodes
	folds   map[uint64]int32 // collision key → distinct name keys
	parents map[string]int32 // folder → candidate groups among its children
	exact   map[string]int   // folder → verified group count, while unchanged
}

func newDupIndex(fold func(string) string) *dupIndex {
	return &dupIndex{seed: maphash.MakeSeed(), fold: fold, foldID: funcID(fold),
		names: map[uint64]int32{}, folds: map[uint64]int32{}, parents: map[string]int32{},
		exact: map[string]int{}}
}

// funcID identifies a folding function (its code pointer; folding
// functions are pure, so two closures of one literal fold alike).
func funcID(f func(string) string) uintptr { return reflect.ValueOf(f).Pointer() }

func (d *dupIndex) nameKey(parent string, dir bool, name string) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	h.WriteString(parent)
	if dir {
		h.WriteByte(1)
	} else {
		h.WriteByte(0)
	}
	h.WriteString(name)
	return h.Sum64()
}

func (d *dupIndex) foldKey(parent, name string) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	h.WriteString(parent)
	h.WriteByte(2)
	h.WriteString(model.CollisionKey(name, d.fold))
	return h.Sum64()
}

func (d *dupIndex) touch(parent string) { delete(d.exact, parent) }

func (d *dupIndex) addCandidates(parent string, delta int32) {
	if n := d.parents[parent] + delta; n > 0 {
		d.parents[parent] = n
	} else {
		delete(d.parents, parent)
	}
}

// nameLocked returns a node's decrypted name, without caching the decoded
// attributes of a node nobody has looked at yet.
func (t *tree) nameLocked(n *node) (string, bool) {
	if n.quarantineLocked() != nil {
		return "", false
	}
	if n.decoded {
		return n.attrs.Name, !n.badAttr && n.key != nil
	}
	if t.master == nil {
		return "", false
	}
	key := t.nodeKeyLocked(&n.raw)
	if key == nil {
		return "", false
	}
	name, err := decryptName(key, n.raw.A)
	return name, err == nil
}

// decryptName is decryptAttrs for the name alone: it reads the same
// attributes the same way, without building the map of the others.
func decryptName(nodeKey []byte, enc string) (string, error) {
	buf, err := b64decode(enc)
	if err != nil || len(buf) == 0 || len(buf)%aes.BlockSize != 0 {
		return "", errBadAttr
	}
	blk, err := aes.NewCipher(attrKey(nodeKey))
	if err != nil {
		return "", err
	}
	cipher.NewCBCDecrypter(blk, make([]byte, aes.BlockSize)).CryptBlocks(buf, buf)
	if !bytes.HasPrefix(buf, []byte("MEGA{")) {
		return "", errBadAttr
	}
	js := bytes.TrimRight(buf[4:], "\x00")
	if bytes.Contains(js, []byte(`"N"`)) || bytes.IndexByte(js, '\\') >= 0 {
		// encoding/json matches struct fields case-insensitively, and
		// escaped keys could spell "N": the full parse decides.
		a, err := parseAttrJSON(js)
		return a.Name, err
	}
	var a struct {
		N json.RawMessage `json:"n"`
	}
	if err := json.Unmarshal(js, &a); err != nil {
		return "", errBadAttr
	}
	if a.N == nil {
		return "", nil
	}
	name, ok := unquoteRaw(a.N)
	if !ok {
		return "", errBadAttr
	}
	return name, nil
}

// indexLocked adds a file or folder to the duplicate index, if there is one.
func (t *tree) indexLocked(n *node) {
	d := t.dup
	if d == nil || n.dupIn || n.raw.P == "" || (n.raw.T != typeFile && n.raw.T != typeDir) {
		return
	}
	name, ok := t.nameLocked(n)
	if !ok {
		return // undecryptable: a name of its own, never a duplicate
	}
	t.indexNameLocked(n, name)
}

// indexNameLocked adds a file or folder of known name to the index.
func (t *tree) indexNameLocked(n *node, name string) {
	d := t.dup
	p := n.raw.P
	n.dupName, n.dupFold, n.dupIn = d.nameKey(p, n.raw.T == typeDir, name), d.foldKey(p, name), true
	d.touch(p)
	c := d.names[n.dupName] + 1
	d.names[n.dupName] = c
	switch c {
	case 1: // a new distinct name under its collision key
		f := d.folds[n.dupFold] + 1
		d.folds[n.dupFold] = f
		if f == 2 {
			d.addCandidates(p, 1)
		}
	case 2:
		d.addCandidates(p, 1)
	}
}

// unindexLocked takes a node out of the duplicate index; it must run
// before the node's parent or name change.
func (t *tree) unindexLocked(n *node) {
	d := t.dup
	if d == nil || !n.dupIn {
		return
	}
	n.dupIn = false
	p := n.raw.P
	d.touch(p)
	c := d.names[n.dupName] - 1
	if c > 0 {
		d.names[n.dupName] = c
	} else {
		delete(d.names, n.dupName)
	}
	switch c {
	case 0:
		f := d.folds[n.dupFold] - 1
		if f > 0 {
			d.folds[n.dupFold] = f
		} else {
			delete(d.folds, n.dupFold)
		}
		if f == 1 {
			d.addCandidates(p, -1)
		}
	case 1:
		d.addCandidates(p, -1)
	}
}

// resetDupLocked drops the index's content (the tree is replaced, or keys
// arrived that may decrypt names that could not be read before); the next
// count rebuilds or completes it.
func (t *tree) resetDupLocked(keep bool) {
	if t.dup == nil {
		return
	}
	if keep {
		t.dup.built = false // completed with the nodes not indexed yet
		return
	}
	t.dup = nil
	for _, n := range t.nodes {
		n.dupIn = false
	}
}

// dupChunk is how many nodes the index takes in per hold of the tree's
// lock while it is built, so listings are never held up for long.
const dupChunk = 4096

// duplicateGroups counts the same-name and collision groups (as
// model.FindDuplicates finds them, with fold) among the nodes below root,
// in every folder of its subtree, root included.
func (t *tree) duplicateGroups(ctx context.Context, root string, fold func(string) string) (int, error) {
	if fold == nil {
		fold = model.FoldLower
	}
	t.mu.Lock()
	if t.dup != nil && t.dup.foldID != funcID(fold) {
		t.resetDupLocked(false)
	}
	if t.dup == nil {
		t.dup = newDupIndex(fold)
	}
	for !t.dup.built {
		d := t.dup
		var pending []*node
		for _, n := range t.nodes {
			if !n.dupIn && n.raw.P != "" && (n.raw.T == typeFile || n.raw.T == typeDir) {
				pending = append(pending, n)
			}
		}
		t.mu.Unlock()
		var jobs []nameJob
		for i := 0; i < len(pending); i += dupChunk {
			if err := ctx.Err(); err != nil {
				return 0, fmt.Errorf("count duplicates: %w", err)
			}
			t.mu.Lock()
			if t.dup != d {
				t.mu.Unlock()
				break // replaced meanwhile: start over with the new index
			}
			jobs = jobs[:0]
			for _, n := range pending[i:min(i+dupChunk, len(pending))] {
				if n.dupIn {
					continue
				}
				if n.decoded || n.quarantineLocked() != nil {
					if t.nodes[n.raw.H] == n {
						t.indexLocked(n) // nothing to decrypt
					}
					continue
				}
				if key := t.nodeKeyLocked(&n.raw); key != nil {
					jobs = append(jobs, nameJob{n: n, key: key, attr: n.raw.A})
				}
			}
			t.mu.Unlock()
			decryptNames(jobs)
			t.mu.Lock()
			for _, j := range jobs {
				// Skipped if the node changed meanwhile: its change
				// indexed it (or it is pending for the next pass).
				if j.ok && t.dup == d && t.nodes[j.n.raw.H] == j.n && !j.n.dupIn && j.n.raw.A == j.attr {
					t.indexNameLocked(j.n, j.name)
				}
			}
			t.mu.Unlock()
		}
		t.mu.Lock()
		if t.dup == d {
			d.built = true
		} else if t.dup == nil {
			t.dup = newDupIndex(fold)
		}
	}
	defer t.mu.Unlock()
	if _, ok := t.nodes[root]; !ok {
		return 0, fmt.Errorf("count duplicates in %s: %w", root, model.ErrNotFound)
	}
	d := t.dup
	under := map[string]bool{root: true}
	total := 0
	for p := range d.parents {
		if !t.underLocked(p, root, under) {
			continue
		}
		n, ok := d.exact[p]
		if !ok {
			n = t.exactGroupsLocked(p, fold)
			d.exact[p] = n
		}
		total += n
	}
	return total, nil
}

// nameJob is a name to decrypt outside the tree's lock.
type nameJob struct {
	n    *node
	key  []byte
	attr string
	name string
	ok   bool
}

// decryptNames decrypts the jobs' names on up to four cores.
func decryptNames(jobs []nameJob) {
	workers := min(runtime.GOMAXPROCS(0), 4, max(len(jobs)/256, 1))
	var wg sync.WaitGroup
	per := (len(jobs) + workers - 1) / workers
	for w := range workers {
		part := jobs[min(w*per, len(jobs)):min((w+1)*per, len(jobs))]
		wg.Go(func() {
			for i := range part {
				name, err := decryptName(part[i].key, part[i].attr)
				part[i].name, part[i].ok = name, err == nil
			}
		})
	}
	wg.Wait()
}

// underLocked reports whether h is root or below it; memo caches answers.
func (t *tree) underLocked(h, root string, memo map[string]bool) bool {
	var path []string
	ans := false
	for depth := 0; depth < 10000; depth++ {
		if v, ok := memo[h]; ok {
			ans = v
			break
		}
		n, ok := t.nodes[h]
		if !ok || n.raw.P == "" {
			break
		}
		path = append(path, h)
		h = n.raw.P
	}
	for _, p := range path {
		memo[p] = ans
	}
	return ans
}

// exactGroupsLocked counts the duplicate groups among folder h's children.
func (t *tree) exactGroupsLocked(h string, fold func(string) string) int {
	p, ok := t.nodes[h]
	if !ok {
		return 0
	}
	es := make([]model.Entry, 0, len(p.children))
	for _, c := range p.children {
		if c.raw.T != typeFile && c.raw.T != typeDir {
			continue
		}
		e := t.entryLocked(c)
		e.ParentID = h
		es = append(es, e)
	}
	return len(model.FindDuplicates(es, model.DetectOptions{Fold: fold}))
}

// CountDuplicateGroups counts the same-name and collision groups in folder
// ref and every folder below it, as model.FindDuplicates (with fold; nil
// means model.FoldLower) finds them over a full scan of that subtree. The
// first call indexes every name once; later calls cost a walk over the
// folders that hold candidates, since the index follows every change the
// client sees (its own operations and other clients' action packets).
// fold must be a pure function: the index keeps the keys it made.
func (c *Client) CountDuplicateGroups(ctx context.Context, ref string, fold func(string) string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, translate("count duplicates", err)
	}
	h, err := c.resolve(ref)
	if err != nil {
		return 0, fmt.Errorf("count duplicates: %w", err)
	}
	return c.tree.duplicateGroups(ctx, h, fold)
}
