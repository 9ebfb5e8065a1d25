package megaclient

// Quarantine: a node whose data is invalid (validateNode) or whose parent
// link would close a cycle stays in the index, listed as undecryptable
// and reachable by handle, but is never handed to go-mega and no
// operation acts on it (exportNode refuses it with model.ErrQuarantined).
// Trees are graphs until proven trees: a cycle is broken where it is
// found, so every walk down the tree ends.

// maxParentWalk bounds a walk up the parents when a node is attached.
const maxParentWalk = 1 << 16

// maxReported bounds the quarantine reports kept (one per node).
const maxReported = 10000

// closesCycleLocked reports whether making parent the parent of h would
// close a cycle: h is parent or one of parent's ancestors.
func (t *tree) closesCycleLocked(h, parent string) bool {
	cur := parent
	for range maxParentWalk {
		if cur == h {
			return true
		}
		n, ok := t.nodes[cur]
		if !ok || n.cycle || n.raw.P == "" {
			return false
		}
		cur = n.raw.P
	}
	return false
}

// breakCyclesLocked finds the parent cycles of a freshly loaded tree, in
// one pass over the nodes, and detaches one node of each (quarantined).
func (t *tree) breakCyclesLocked() {
	const (
		unseen = iota
		onPath
		done
	)
	// The walk state lives in the nodes (a map of a million handles
	// would cost more than the walk), and is cleared at the end.
	defer func() {
		for _, n := range t.nodes {
			n.walk = unseen
		}
	}()
	var path []*node
	for h := range t.nodes {
		path = path[:0]
		cur := h
		for {
			n, ok := t.nodes[cur]
			if !ok || n.walk == done {
				break
			}
			if n.walk == onPath {
				// path[len-1]'s parent is cur, already on the path.
				last := path[len(path)-1]
				if p, ok := t.nodes[last.raw.P]; ok {
					delete(p.children, last.raw.H)
				}
				last.cycle = true
				t.reportLocked(last.raw.H, last.quarantineLocked())
				break
			}
			n.walk = onPath
			path = append(path, n)
			if n.raw.P == "" {
				break
			}
			cur = n.raw.P
		}
		for _, n := range path {
			n.walk = done
		}
	}
}

// reportLocked records a quarantined node and tells onQuarantine, once per
// node and reason.
func (t *tree) reportLocked(h string, why error) {
	if why == nil {
		return
	}
	if t.reported == nil {
		t.reported = map[string]string{}
	}
	if t.reported[h] == why.Error() || len(t.reported) >= maxReported {
		return
	}
	t.reported[h] = why.Error()
	if t.onQuarantine != nil {
		t.onQuarantine(h, why)
	}
}

// usable reports whether the index holds h and it is not quarantined.
func (t *tree) usable(h string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	return ok && n.quarantineLocked() == nil
}

// quarantine returns why node h is quarantined, or nil.
func (t *tree) quarantine(h string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n, ok := t.nodes[h]; ok {
		return n.quarantineLocked()
	}
	return nil
}

// Quarantined lists the nodes quarantined so far (handle → reason).
func (c *Client) Quarantined() map[string]string {
	c.tree.mu.Lock()
	defer c.tree.mu.Unlock()
	out := make(map[string]string, len(c.tree.reported))
	for h, why := range c.tree.reported {
		if n, ok := c.tree.nodes[h]; ok && n.quarantineLocked() != nil {
			out[h] = why
		}
	}
	return out
}
