package megaclient

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/megatui/megatui/model"
)

// Link is a parsed public link: a file link carries the file's 32-byte
// key, a folder link the folder's 16-byte share key. Sub, when set,
// names a node inside a folder link to open at (…/folder/H#K/folder/S).
type Link struct {
	Folder bool
	Handle string // public handle, 8 characters
	Key    []byte
	Sub    string
}

// String returns the link in the form MEGA's clients write today.
func (l Link) String() string {
	kind := "file"
	if l.Folder {
		kind = "folder"
	}
	s := "https://mega.nz/" + kind + "/" + l.Handle + "#" + b64encode(l.Key)
	if l.Sub != "" {
		s += "/folder/" + l.Sub
	}
	return s
}

// IsLink reports whether s looks like a MEGA link (which ParseLink may
// still refuse), so a command line can tell a link from REMOTE:PATH.
func IsLink(s string) bool {
	s = strings.TrimSpace(s)
	for _, p := range []string{"https://", "http://"} {
		s = strings.TrimPrefix(s, p)
	}
	for _, host := range []string{"mega.nz/", "mega.co.nz/", "mega.io/", "www.mega.nz/", "www.mega.co.nz/"} {
		if strings.HasPrefix(s, host) {
			return true
		}
	}
	return false
}

// ParseLink reads https://mega.nz/file/H#K and https://mega.nz/folder/H#K
// (with an optional /folder/S or /file/S to open at), and the older
// https://mega.co.nz/#!H!K and #F!H!K forms. A link without its key, or
// with a key of the wrong length, is refused.
func ParseLink(s string) (Link, error) {
	bad := func(why string) (Link, error) {
		return Link{}, fmt.Errorf("%s: %s: %w", model.DisplayName(truncateLink(s)), why, model.ErrBadLink)
	}
	s = strings.TrimSpace(s)
	if !IsLink(s) {
		return bad("not a mega.nz link")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad("malformed URL")
	}
	var l Link
	var key string
	path := strings.Trim(u.Path, "/")
	frag := u.Fragment
	switch {
	case strings.HasPrefix(path, "file/") || strings.HasPrefix(path, "folder/"):
		kind, h, _ := strings.Cut(path, "/")
		l.Folder, l.Handle = kind == "folder", h
		key, l.Sub = frag, ""
		if k, rest, ok := strings.Cut(frag, "/"); ok {
			key = k
			if !l.Folder {
				return bad("a file link names no sub-folder")
			}
			sub := strings.TrimPrefix(strings.TrimPrefix(rest, "folder/"), "file/")
			if sub == rest || sub == "" {
				return bad("unknown link suffix")
			}
			l.Sub = sub
		}
	case path == "" && (strings.HasPrefix(frag, "!") || strings.HasPrefix(frag, "F!")):
		l.Folder = strings.HasPrefix(frag, "F!")
		parts := strings.Split(strings.TrimPrefix(strings.TrimPrefix(frag, "F"), "!"), "!")
		if len(parts) < 2 {
			return bad("the link has no key")
		}
		l.Handle, key = parts[0], parts[1]
		if len(parts) > 2 {
			if !l.Folder || len(parts) != 3 {
				return bad("unknown link suffix")
			}
			l.Sub = parts[2]
		}
	default:
		return bad("not a file or folder link")
	}
	if !validHandle(l.Handle, 8) {
		return bad("bad link handle")
	}
	if l.Sub != "" && !validHandle(l.Sub, 8) {
		return bad("bad sub-folder handle")
	}
	if key == "" {
		return bad("the link has no key (ask for the link with its key)")
	}
	raw, err := b64decode(key)
	want := 32
	if l.Folder {
		want = 16
	}
	if err != nil || len(raw) != want {
		return bad("the link's key is damaged")
	}
	l.Key = raw
	return l, nil
}

func validHandle(h string, n int) bool { return len(h) == n && isBase64URL(h) }

// truncateLink keeps error messages short and never echoes a whole key.
func truncateLink(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i] + "#…"
	}
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Link exports a file or folder (path or handle) and returns its public
// link with the key. A folder is exported as MEGA's clients do it: first
// shared to the pseudo-user EXP with a share key (the folder's existing
// one if it is already shared, else a fresh one) and every key in its
// subtree under it, then given a public handle; the link carries the
// share key. Exporting again returns the same link.
func (c *Client) Link(ctx context.Context, ref string) (string, error) {
	what := "link"
	h, err := c.resolve(ref)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	inf, ok := c.tree.info(h)
	switch {
	case !ok:
		return "", fmt.Errorf("%s: %s: %w", what, ref, model.ErrNotFound)
	case inf.kind != typeFile && inf.kind != typeDir:
		return "", fmt.Errorf("%s: %s is a root: %w", what, ref, model.ErrAccess)
	case c.tree.quarantine(h) != nil:
		return "", fmt.Errorf("%s: node %s: %v: %w", what, h, c.tree.quarantine(h), model.ErrQuarantined)
	case inf.key == nil:
		return "", fmt.Errorf("%s: %s: node key unknown: %w", what, ref, model.ErrAccess)
	case !c.inCloudDrive(h):
		return "", fmt.Errorf("%s: %s: only what is in your Cloud Drive can be exported: %w", what, ref, model.ErrAccess)
	}
	l := Link{Folder: inf.kind == typeDir, Key: inf.key}
	if l.Folder {
		key, err := c.exportShare(ctx, h, what)
		if err != nil {
			return "", err
		}
		l.Key = key
	}
	if err := c.command(ctx, what, map[string]any{"a": "l", "n": h}, &l.Handle); err != nil {
		return "", err
	}
	if !validHandle(l.Handle, 8) {
		return "", fmt.Errorf("%s: bad public handle from the server: %w", what, model.ErrTryAgain)
	}
	return l.String(), nil
}

// RemoveLink removes a node's public link; for a folder also the share
// to EXP behind it (as MEGA's clients do: link first, then the share).
func (c *Client) RemoveLink(ctx context.Context, ref string) error {
	what := "remove link"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inf, _ := c.tree.info(h)
	if inf.kind != typeFile && inf.kind != typeDir {
		return fmt.Errorf("%s: %s is a root: %w", what, ref, model.ErrAccess)
	}
	if err := c.command(ctx, what, map[string]any{"a": "l", "n": h, "d": 1}, nil); err != nil {
		return err
	}
	if inf.kind == typeDir {
		err := c.command(ctx, what, map[string]any{"a": "s2", "n": h, "s": []any{map[string]any{"u": exportUser}}}, nil)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
	}
	return nil
}

// exportUser is the pseudo-user a folder is shared to for a folder link.
const exportUser = "EXP"

// maxExportNodes bounds the subtree whose keys one export sends.
const maxExportNodes = 200000

// exportShare shares folder h to EXP (read-only) and returns the share
// key.
func (c *Client) exportShare(ctx context.Context, h, what string) ([]byte, error) {
	c.tree.mu.Lock()
	master := c.tree.master
	var shareKey []byte
	if _, ok := c.tree.shareKeys[h]; ok {
		shareKey = c.tree.shareKeyLocked(h)
	}
	c.tree.mu.Unlock()
	if master == nil {
		return nil, fmt.Errorf("%s: no master key: %w", what, model.ErrSessionExpired)
	}
	for attempt := 0; attempt < 2; attempt++ {
		if shareKey == nil {
			shareKey = make([]byte, 16)
			_, _ = rand.Read(shareKey)
		}
		handles, keys, err := c.tree.subtreeKeys(h, maxExportNodes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		links := make([]any, 0, 3*len(handles))
		for i, k := range keys {
			enc, err := ecbEncrypt(shareKey, k)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", what, err)
			}
			links = append(links, 0, i, b64encode(enc))
		}
		ok, err := ecbEncrypt(master, shareKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		ha, err := ecbEncrypt(master, []byte(h+h))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		var reqID [8]byte
		_, _ = rand.Read(reqID[:])
		cmd := map[string]any{
			"a": "s2", "n": h, "ok": b64encode(ok), "ha": b64encode(ha),
			"s":  []any{map[string]any{"u": exportUser, "r": 0}},
			"cr": []any{[]string{h}, handles, links},
			"i":  b64encode(reqID[:]),
		}
		var reply struct {
			OK string `json:"ok"`
		}
		if err := c.command(ctx, what, cmd, &reply); err != nil {
			return nil, err
		}
		if reply.OK == "" {
			c.tree.setShareKey(h, b64encode(ok))
			return shareKey, nil
		}
		// Already shared with another key: use that one.
		raw, err := b64decode(reply.OK)
		if err != nil || len(raw) != 16 {
			return nil, fmt.Errorf("%s: bad share key from the server: %w", what, model.ErrTryAgain)
		}
		if shareKey, err = ecbDecrypt(master, raw); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil, fmt.Errorf("%s: share key keeps changing: %w", what, model.ErrTryAgain)
}

// subtreeKeys returns the handles and node keys of h and everything
// under it (parents first); a node whose key is unknown is left out.
func (t *tree) subtreeKeys(h string, limit int) ([]string, [][]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n, ok := t.nodes[h]
	if !ok {
		return nil, nil, fmt.Errorf("node %s: %w", h, model.ErrNotFound)
	}
	var handles []string
	var keys [][]byte
	queue := []*node{n}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		t.decodeLocked(cur)
		if cur.key != nil {
			handles = append(handles, cur.raw.H)
			keys = append(keys, append([]byte(nil), cur.key...))
		}
		if len(handles) > limit {
			return nil, nil, fmt.Errorf("folder holds over %d items: too many to export at once: %w", limit, model.ErrAccess)
		}
		for _, ch := range cur.children {
			queue = append(queue, ch)
		}
	}
	return handles, keys, nil
}

// inCloudDrive reports whether h is under the account's own Cloud Drive
// (not in an inbound share, the Inbox or the Rubbish Bin).
func (c *Client) inCloudDrive(h string) bool {
	root, _, _ := c.tree.roots()
	return root != "" && h != root && c.tree.isAncestor(root, h)
}
