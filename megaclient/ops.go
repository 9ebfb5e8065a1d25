package megaclient

import (
	"context"
	"fmt"
	"strings"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// attrRestore is the attribute in which MEGA's clients record a trashed
// node's original parent handle ("rr").
const attrRestore = "rr"

// List returns the entries of a folder (path or handle), sorted by name.
// It reads the in-memory tree: no request is made.
func (c *Client) List(ctx context.Context, ref string) ([]model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, translate("list", err)
	}
	if ref == "//shares" {
		c.ensurePrivk()
		return c.tree.sharedRoots(), nil
	}
	h, err := c.resolve(ref)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	es, err := c.tree.children(h)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", ref, unwrapOnce(err))
	}
	return es, nil
}

func unwrapOnce(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}

// Stat returns the entry of one node (path or handle).
func (c *Client) Stat(ctx context.Context, ref string) (model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return model.Entry{}, translate("stat", err)
	}
	h, err := c.resolve(ref)
	if err != nil {
		return model.Entry{}, fmt.Errorf("stat: %w", err)
	}
	return c.tree.entry(h)
}

// Lookup returns every child of parent (path or handle) called name.
func (c *Client) Lookup(ctx context.Context, parent, name string) ([]model.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, translate("lookup", err)
	}
	h, err := c.resolve(parent)
	if err != nil {
		return nil, fmt.Errorf("lookup: %w", err)
	}
	return c.tree.lookup(h, name), nil
}

// Path returns the path of a node ("/a/b", "//bin/x"); names are raw.
func (c *Client) Path(ref string) (string, error) {
	h, err := c.resolve(ref)
	if err != nil {
		return "", err
	}
	p, ok := c.tree.path(h)
	if !ok {
		return "", fmt.Errorf("path of %s: %w", h, model.ErrNotFound)
	}
	return p, nil
}

// Parent returns the folder holding a node.
func (c *Client) Parent(ctx context.Context, ref string) (model.Entry, error) {
	h, err := c.resolve(ref)
	if err != nil {
		return model.Entry{}, fmt.Errorf("parent: %w", err)
	}
	inf, _ := c.tree.info(h)
	if inf.raw.P == "" {
		return model.Entry{}, fmt.Errorf("parent of %s: a root has none: %w", ref, model.ErrNotFound)
	}
	return c.tree.entry(inf.raw.P)
}

// Roots returns the handles of Cloud Drive, Inbox and Rubbish Bin.
func (c *Client) Roots() (root, inbox, trash string) { return c.tree.roots() }

// Mkdir creates a folder called name (taken as is, '/' included) in
// parent (path or handle).
func (c *Client) Mkdir(ctx context.Context, parent, name string) (model.Entry, error) {
	what := "mkdir " + model.DisplayName(name)
	if name == "" {
		return model.Entry{}, fmt.Errorf("%s: empty name: %w", what, model.ErrUnsafeName)
	}
	ph, err := c.resolve(parent)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	var h string
	placeholder := placeholderName()
	defer c.hub.rw.setNewNode(ph, placeholder, Attrs{Name: name})()
	err = c.call(ctx, what, true, func(m *mega.Mega) error {
		p, err := c.megaNode(m, ph, what)
		if err != nil {
			return err
		}
		n, err := m.CreateDir(placeholder, p)
		if err != nil {
			return err
		}
		h = n.GetHash()
		return nil
	})
	if rerr := c.hub.rw.refusal(placeholder); rerr != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, rerr)
	}
	if err != nil {
		return model.Entry{}, err
	}
	return c.tree.entry(h)
}

// MkdirAll creates a folder path with its missing parents ("/a/b/c",
// "//bin/x"); existing folders are kept. It returns the last folder.
func (c *Client) MkdirAll(ctx context.Context, path string) (model.Entry, error) {
	prefix := ""
	rest := path
	for _, p := range []string{"//bin", "//in"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			prefix, rest = p, strings.TrimPrefix(path, p)
		}
	}
	cur := prefix
	if cur == "" {
		cur = "/"
	}
	h, err := c.resolve(cur)
	if err != nil {
		return model.Entry{}, fmt.Errorf("mkdir %s: %w", path, err)
	}
	for _, part := range strings.Split(rest, "/") {
		if part == "" || part == "." {
			continue
		}
		var next string
		for _, e := range c.tree.lookup(h, part) {
			if e.IsDir() {
				next = e.ID
				break
			}
		}
		if next == "" {
			if len(c.tree.lookup(h, part)) > 0 {
				return model.Entry{}, fmt.Errorf("mkdir %s: %s is a file: %w", path, model.DisplayName(part), model.ErrExists)
			}
			e, err := c.Mkdir(ctx, h, part)
			if err != nil {
				return model.Entry{}, err
			}
			next = e.ID
		}
		h = next
	}
	return c.tree.entry(h)
}

// setAttrs stores a node's full attribute set through go-mega's Rename,
// whose outgoing command the transport rewrites (see transport.go).
func (c *Client) setAttrs(ctx context.Context, h string, a Attrs, what string) error {
	done := c.hub.rw.setAttrs(h, a)
	defer done()
	err := c.call(ctx, what, true, func(m *mega.Mega) error {
		n, err := c.megaNode(m, h, what)
		if err != nil {
			return err
		}
		return m.Rename(n, a.Name)
	})
	if rerr := c.hub.rw.refusal(h); rerr != nil {
		return fmt.Errorf("%s: %w", what, rerr)
	}
	return err
}

// Rename renames a node, keeping all its other attributes (`c`, `rr`, and
// whatever other clients stored).
func (c *Client) Rename(ctx context.Context, ref, name string) error {
	what := "rename to " + model.DisplayName(name)
	if name == "" {
		return fmt.Errorf("%s: empty name: %w", what, model.ErrUnsafeName)
	}
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inf, ok := c.tree.info(h)
	if !ok || inf.kind != typeFile && inf.kind != typeDir {
		return fmt.Errorf("%s: %s: %w", what, ref, model.ErrAccess)
	}
	if why := c.tree.quarantine(h); why != nil {
		return fmt.Errorf("%s: node %s: %v: %w", what, h, why, model.ErrQuarantined)
	}
	if inf.key == nil {
		return fmt.Errorf("%s: node key unknown: %w", what, model.ErrAccess)
	}
	a := inf.attrs.Clone()
	a.Name = name
	return c.setAttrs(ctx, h, a, what)
}

func (c *Client) inTrash(h string) bool {
	_, _, trash := c.tree.roots()
	return trash != "" && h != trash && c.tree.isAncestor(trash, h)
}

// Move moves a node into folder parent (paths or handles), keeping its
// name. Moving into the Rubbish Bin records the original parent (`rr`);
// moving out of it drops that record.
func (c *Client) Move(ctx context.Context, ref, parent string) error {
	what := "move"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	ph, err := c.resolve(parent)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inf, _ := c.tree.info(h)
	if inf.kind != typeFile && inf.kind != typeDir {
		return fmt.Errorf("%s: %s is a root: %w", what, ref, model.ErrAccess)
	}
	pinf, _ := c.tree.info(ph)
	if pinf.kind == typeFile {
		return fmt.Errorf("%s: %s: %w", what, parent, model.ErrNotDir)
	}
	if c.tree.isAncestor(h, ph) {
		return fmt.Errorf("%s: %w", what, model.ErrCircular)
	}
	_, _, trash := c.tree.roots()
	fromTrash := c.inTrash(h)
	toTrash := ph == trash || c.inTrash(ph)
	oldParent := inf.raw.P
	err = c.call(ctx, what, true, func(m *mega.Mega) error {
		n, err := c.megaNode(m, h, what)
		if err != nil {
			return err
		}
		p, err := c.megaNode(m, ph, what)
		if err != nil {
			return err
		}
		return m.Move(n, p)
	})
	if err != nil {
		return err
	}
	switch {
	case toTrash && !fromTrash && inf.key != nil:
		a := inf.attrs.Clone()
		a.SetString(attrRestore, oldParent)
		return c.setAttrs(ctx, h, a, "record original folder")
	case fromTrash && !toTrash && inf.key != nil:
		if _, ok := inf.attrs.Other[attrRestore]; ok {
			a := inf.attrs.Clone()
			delete(a.Other, attrRestore)
			return c.setAttrs(ctx, h, a, "drop original folder record")
		}
	}
	return nil
}

// Trash moves a node to the Rubbish Bin.
func (c *Client) Trash(ctx context.Context, ref string) error {
	return c.Move(ctx, ref, "//bin")
}

// Delete moves a node to the Rubbish Bin, or removes it with its subtree
// for good when permanent is set.
func (c *Client) Delete(ctx context.Context, ref string, permanent bool) error {
	if !permanent {
		return c.Trash(ctx, ref)
	}
	what := "delete"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if inf, _ := c.tree.info(h); inf.kind != typeFile && inf.kind != typeDir {
		return fmt.Errorf("%s: %s is a root: %w", what, ref, model.ErrAccess)
	}
	return c.call(ctx, what, true, func(m *mega.Mega) error {
		n, err := c.megaNode(m, h, what)
		if err != nil {
			return err
		}
		return m.Delete(n, true)
	})
}

// Restore moves a node out of the Rubbish Bin to the folder recorded in
// its `rr` attribute (also when another client trashed it). When that
// folder no longer exists (or is itself in the Rubbish Bin) the node goes
// to the Cloud Drive root, and note says so.
func (c *Client) Restore(ctx context.Context, ref string) (model.Entry, string, error) {
	what := "restore"
	h, err := c.resolve(ref)
	if err != nil {
		return model.Entry{}, "", fmt.Errorf("%s: %w", what, err)
	}
	if !c.inTrash(h) {
		return model.Entry{}, "", fmt.Errorf("%s: %s is not in the rubbish bin: %w", what, ref, model.ErrNotFound)
	}
	inf, _ := c.tree.info(h)
	root, _, _ := c.tree.roots()
	target, note := root, ""
	rr := inf.attrs.String(attrRestore)
	switch {
	case rr == "":
		note = "no original folder recorded; restored to Cloud Drive"
	default:
		if pinf, ok := c.tree.info(rr); ok && pinf.kind != typeFile && !c.inTrash(rr) && rr != inf.raw.P {
			target = rr
		} else {
			note = "original folder is gone; restored to Cloud Drive"
		}
	}
	if err := c.Move(ctx, h, target); err != nil {
		return model.Entry{}, "", err
	}
	e, err := c.tree.entry(h)
	return e, note, err
}

// EmptyTrash deletes everything in the Rubbish Bin for good.
func (c *Client) EmptyTrash(ctx context.Context) error {
	es, err := c.List(ctx, "//bin")
	if err != nil {
		return fmt.Errorf("empty rubbish bin: %w", err)
	}
	for _, e := range es {
		if err := c.Delete(ctx, e.ID, true); err != nil {
			return fmt.Errorf("empty rubbish bin: %w", err)
		}
	}
	return nil
}

// Quota is the account's storage use.
type Quota struct {
	Used  uint64
	Total uint64
}

// Quota asks the server for storage used and total.
func (c *Client) Quota(ctx context.Context) (Quota, error) {
	var q mega.QuotaResp
	err := c.call(ctx, "quota", false, func(m *mega.Mega) error {
		var err error
		q, err = m.GetQuota()
		return err
	})
	return Quota{Used: q.Cstrg, Total: q.Mstrg}, err
}
