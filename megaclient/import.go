package megaclient

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/megatui/megatui/model"
)

// maxImportNodes bounds the nodes one import sends in one `p`.
const maxImportNodes = 10000

// Import copies what a public link points to into folder parent (path or
// handle) of the account, on the server (MEGAcmd's import): a file link
// is one `p` with its public handle ("ph"), a folder link one `p` with
// the folder's nodes by handle, parents first. Keys are re-encrypted
// under the master key; attributes are kept byte for byte (names,
// modification times). Nothing is downloaded. It returns the new top
// entry.
func (c *Client) Import(ctx context.Context, link *Public, parent string) (model.Entry, error) {
	what := "import " + displayLink(link.link)
	ph, err := c.resolve(parent)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	if inf, ok := c.tree.info(ph); !ok || inf.kind == typeFile {
		return model.Entry{}, fmt.Errorf("%s: %s: %w", what, parent, model.ErrNotDir)
	}
	c.tree.mu.Lock()
	master := c.tree.master
	c.tree.mu.Unlock()
	type item struct {
		h    string
		kind int
		key  []byte
		attr string
		p    string
	}
	var items []item
	if !link.link.Folder {
		inf, _ := link.tree.info(link.root)
		items = append(items, item{h: link.link.Handle, kind: typeFile, key: inf.key, attr: inf.raw.A})
	} else {
		handles, _, err := link.tree.subtreeKeys(link.root, maxImportNodes)
		if err != nil {
			return model.Entry{}, fmt.Errorf("%s: %w", what, err)
		}
		for _, h := range handles {
			inf, _ := link.tree.info(h)
			if inf.kind != typeFile && inf.kind != typeDir || link.tree.quarantine(h) != nil {
				continue
			}
			it := item{h: h, kind: inf.kind, key: inf.key, attr: inf.raw.A}
			if h != link.root {
				it.p = inf.raw.P
			}
			items = append(items, it)
		}
	}
	nodes := make([]any, 0, len(items))
	var shareItems []string
	var links []any
	shares, _ := c.tree.shareCR(ph, make([]byte, 16))
	for _, it := range items {
		if len(it.key) != 16 && len(it.key) != 32 {
			continue
		}
		enc, err := ecbEncrypt(master, it.key)
		if err != nil {
			return model.Entry{}, fmt.Errorf("%s: %w", what, err)
		}
		n := map[string]any{"t": it.kind, "a": it.attr, "k": b64encode(enc)}
		switch {
		case !link.link.Folder:
			n["ph"] = it.h
		default:
			n["h"] = it.h
		}
		if it.p != "" {
			n["p"] = it.p
		}
		nodes = append(nodes, n)
		// Inside a shared folder the keys also go under each share key.
		if len(shares) > 0 {
			_, keys := c.tree.shareCR(ph, it.key)
			for i := range keys {
				links = append(links, i, len(shareItems), keys[i])
			}
			shareItems = append(shareItems, it.h)
		}
	}
	if len(nodes) == 0 {
		return model.Entry{}, fmt.Errorf("%s: nothing in the link can be decrypted: %w", what, model.ErrBadLink)
	}
	var reqID [8]byte
	_, _ = rand.Read(reqID[:])
	cmd := map[string]any{"a": "p", "t": ph, "n": nodes, "i": b64encode(reqID[:])}
	if len(shares) > 0 {
		cmd["cr"] = []any{shares, shareItems, links}
	}
	var reply struct {
		F []rawNode `json:"f"`
	}
	if err := c.command(ctx, what, cmd, &reply); err != nil {
		return model.Entry{}, err
	}
	if len(reply.F) == 0 {
		return model.Entry{}, fmt.Errorf("%s: no node in the reply: %w", what, model.ErrTryAgain)
	}
	return c.tree.entry(reply.F[0].H)
}
