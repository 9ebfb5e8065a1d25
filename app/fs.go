package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/megatui/megatui/dedupe"
	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
)

// localFS adapts the local disk to the UI's filesystem interface.
type localFS struct {
	fs    *localfs.FS
	watch *localWatch // nil: no change notifications
}

func (localFS) Label() string { return "local" }

func (p localFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	es, err := p.fs.List(ctx, dir)
	if err == nil {
		p.watch.follow(dir)
	}
	return es, err
}

// Watch reports local folders that changed (see localWatch).
func (p localFS) Watch(ctx context.Context) <-chan string { return p.watch.watch(ctx) }

func (p localFS) Mkdir(ctx context.Context, dir, name string) error {
	_, err := p.fs.Mkdir(ctx, dir, name)
	return err
}

func (p localFS) Rename(ctx context.Context, path, newName string) error {
	return p.fs.Rename(ctx, path, newName)
}

// Remove deletes a local file or folder. The local disk has no rubbish
// bin here, so the UI's confirmation is the only safety net; it says so.
func (p localFS) Remove(ctx context.Context, path string, permanent bool) error {
	return p.fs.Remove(ctx, path)
}

func (localFS) Join(dir, name string) string { return filepath.Join(dir, name) }
func (localFS) Parent(path string) string    { return filepath.Dir(path) }

// megaFS adapts a MEGA account to the UI's filesystem interface. Paths
// are megaclient paths: "/a/b" in Cloud Drive, "//bin/..." in the Rubbish
// Bin. Operations on one entry use its handle ("H:xxxxxxxx"), because a
// folder may hold several entries with the same name.
//
// A megaFS may exist before its account is connected (no stored session):
// its calls then fail with model.ErrNoCredentials, which makes the UI
// open the login form, and Login connects it.
type megaFS struct {
	remote string
	// connect connects without asking anything (stored session); login
	// connects with what the login form collected.
	connect func(ctx context.Context) (*megaclient.Client, error)
	login   func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error)
	// journalDir keeps the dedupe journals ("undo last dedupe");
	// hashes caches verified content hashes by node handle.
	journalDir string
	hashes     *dedupe.HashCache

	connMu sync.Mutex // one connection attempt at a time
	mu     sync.Mutex
	email  string // the account's, once known
	c      *megaclient.Client
	// swapped is closed, and replaced, whenever c changes (a connection,
	// a re-login, Close): Watch then follows the new client.
	swapped chan struct{}
	// loggedIn is closed by the first successful Login (see clientWait).
	loggedIn  chan struct{}
	loginOnce sync.Once
}

func newMegaFS(remote, email string, c *megaclient.Client, journalDir string) *megaFS {
	p := &megaFS{remote: remote, email: email, c: c, journalDir: journalDir, hashes: dedupe.NewHashCache(),
		loggedIn: make(chan struct{}), swapped: make(chan struct{})}
	if c != nil && c.Session().Email != "" {
		p.email = c.Session().Email
	}
	return p
}

// clientCtx returns the connected client, connecting it first (without
// asking anything) when it has a connector. Without a usable session
// it returns an error wrapping model.ErrNoCredentials or
// model.ErrSessionExpired, which makes the UI open the login form.
func (p *megaFS) clientCtx(ctx context.Context) (*megaclient.Client, error) {
	p.connMu.Lock()
	defer p.connMu.Unlock()
	if c := p.current(); c != nil {
		return c, nil
	}
	if p.connect == nil {
		return nil, fmt.Errorf("remote %s: not logged in: %w", p.remote, model.ErrNoCredentials)
	}
	c, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	p.setClient(c)
	return c, nil
}

// setClient makes c the connected client (nil: none) and returns the one
// it replaces. The account's e-mail is the session's from then on.
func (p *megaFS) setClient(c *megaclient.Client) (old *megaclient.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old, p.c = p.c, c
	if c != nil && c.Session().Email != "" {
		p.email = c.Session().Email
	}
	close(p.swapped)
	p.swapped = make(chan struct{})
	return old
}

// watched returns the connected client (or nil) and a channel closed when
// it is replaced.
func (p *megaFS) watched() (*megaclient.Client, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c, p.swapped
}

// current returns the connected client or nil, without connecting.
func (p *megaFS) current() *megaclient.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.c
}

// Email prefills the login form.
func (p *megaFS) Email() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.email
}

// Login connects the account (and stores the session).
func (p *megaFS) Login(ctx context.Context, email, password, code string, remember bool) error {
	if p.login == nil {
		return fmt.Errorf("remote %s: login is not available here: %w", p.remote, model.ErrNoCredentials)
	}
	c, err := p.login(ctx, email, password, code, remember)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.email = email // unless the session knows better (see setClient)
	p.mu.Unlock()
	if old := p.setClient(c); old != nil {
		old.Close()
	}
	p.loginOnce.Do(func() { close(p.loggedIn) })
	return nil
}

// clientWait is clientCtx for work that can wait (the transfer engine's
// jobs, resumed ones included): while the account has no credentials it
// waits for the login form to connect it, or for ctx to end, instead of
// failing at once.
func (p *megaFS) clientWait(ctx context.Context) (*megaclient.Client, error) {
	c, err := p.clientCtx(ctx)
	if err == nil || !errors.Is(err, model.ErrNoCredentials) || p.login == nil {
		return c, err
	}
	select {
	case <-p.loggedIn:
		return p.clientCtx(ctx)
	case <-ctx.Done():
		return nil, errors.Join(err, ctx.Err())
	}
}

// Close disconnects the account, if connected.
func (p *megaFS) Close() {
	if c := p.setClient(nil); c != nil {
		c.Close()
	}
}

// Label names the remote and, once known, the account: "mega: me@x".
func (p *megaFS) Label() string { return p.remote + ": " + p.Email() }

func (p *megaFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return nil, err
	}
	return c.List(ctx, dir)
}

func (p *megaFS) Mkdir(ctx context.Context, dir, name string) error {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return err
	}
	if err := refuseTaken(ctx, c, dir, dir, name, ""); err != nil {
		return err
	}
	_, err = c.Mkdir(ctx, dir, name)
	return err
}

// refuseTaken fails with model.ErrExists when folder ref (shown as dir)
// already holds an entry called name (other than the entry with ID self). MEGA itself
// accepts same-name siblings, but a folder made or renamed by hand should
// never silently become a duplicate the user is later asked to clean up.
func refuseTaken(ctx context.Context, c *megaclient.Client, ref, dir, name, self string) error {
	es, err := c.Lookup(ctx, ref, name)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.ID != self {
			return fmt.Errorf("%w in %s", model.ErrExists, model.DisplayName(dir))
		}
	}
	return nil
}

func (p *megaFS) Rename(ctx context.Context, path, newName string) error {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return err
	}
	self, err := c.Stat(ctx, path)
	if err != nil {
		return err
	}
	parent, err := c.Parent(ctx, path)
	if err != nil {
		return err
	}
	ref := "H:" + parent.ID
	dir, err := c.Path(ref)
	if err != nil {
		dir = parent.Name
	}
	if err := refuseTaken(ctx, c, ref, dir, newName, self.ID); err != nil {
		return err
	}
	return c.Rename(ctx, path, newName)
}

func (p *megaFS) Remove(ctx context.Context, path string, permanent bool) error {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return err
	}
	return c.Delete(ctx, path, permanent)
}

// EntryPath addresses one entry by handle, so the right one of several
// same-name siblings is renamed, deleted or exported.
func (p *megaFS) EntryPath(dir string, e model.Entry) string {
	if e.ID == "" {
		return p.Join(dir, e.Name)
	}
	return "H:" + e.ID
}

func (p *megaFS) Join(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// Parent goes up one folder. The roots beside Cloud Drive (the Rubbish
// Bin, the Inbox and the list of incoming shares) lead back to Cloud
// Drive, so Backspace is never stuck in them.
func (p *megaFS) Parent(path string) string {
	switch path {
	case "/", "":
		return path
	case "//bin", "//in", "//shares":
		return "/"
	}
	i := strings.LastIndex(path, "/")
	switch {
	case i <= 0:
		return "/"
	case path[:i] == "/":
		return "/"
	}
	return path[:i]
}

func (p *megaFS) RubbishPath() string { return "//bin" }

func (p *megaFS) Restore(ctx context.Context, path string) (string, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return "", err
	}
	e, _, err := c.Restore(ctx, path)
	if err != nil {
		return "", err
	}
	if e.ParentID != "" {
		if dir, err := c.Path(e.ParentID); err == nil {
			return dir, nil
		}
	}
	return "/", nil
}

func (p *megaFS) ExportLink(ctx context.Context, path string) (string, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return "", err
	}
	return c.Link(ctx, path)
}

// RemoveLink removes the public link of path (and, for a folder, the
// share behind it).
func (p *megaFS) RemoveLink(ctx context.Context, path string) error {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return err
	}
	return c.RemoveLink(ctx, path)
}

func (p *megaFS) Quota(ctx context.Context) (used, total int64, err error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return 0, 0, err
	}
	q, err := c.Quota(ctx)
	return int64(q.Used), int64(q.Total), err
}

// Probe asks the server for the quota: one cheap request, to tell
// whether the account is reachable.
func (p *megaFS) Probe(ctx context.Context) error {
	_, _, err := p.Quota(ctx)
	return err
}

// Watch turns the account's change notifications (folder handles) into
// folder paths the UI compares with what its panes show. It follows the
// filesystem's client: one that is not connected yet starts watching once it
// is, and after a re-login it watches the new session, first sending ""
// (anything may have changed meanwhile). The channel closes when ctx ends.
func (p *megaFS) Watch(ctx context.Context) <-chan string {
	out := make(chan string, 16)
	go func() {
		defer close(out)
		followed := false // a client was watched before this one
		for {
			c, swapped := p.watched()
			if c == nil {
				select {
				case <-ctx.Done():
					return
				case <-swapped:
					continue
				}
			}
			if followed {
				select {
				case out <- "":
				case <-ctx.Done():
					return
				}
			}
			followed = true
			if !forwardChanges(ctx, c, swapped, out) {
				return
			}
		}
	}()
	return out
}

// forwardChanges sends the folders c reports changed to out until c is
// replaced (swapped closes: it returns true) or ctx ends (false).
func forwardChanges(ctx context.Context, c *megaclient.Client, swapped <-chan struct{}, out chan<- string) bool {
	sub := c.Subscribe()
	defer sub.Close()
	changes := sub.Changes()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-swapped:
			return true
		case handles, ok := <-changes:
			if !ok {
				// The client closed: wait for the one that replaces it.
				changes = nil
				continue
			}
			for _, h := range handles {
				dir, err := c.Path(h)
				if err != nil {
					dir = "" // gone or unknown: anything may have changed
				}
				select {
				case out <- dir:
				case <-ctx.Done():
					return false
				}
			}
		}
	}
}

// OpenFile opens a local file for the viewer.
func (p localFS) OpenFile(ctx context.Context, path string) (ui.RangeReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", model.DisplayName(path), localfs.Translate(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", model.DisplayName(path), localfs.Translate(err))
	}
	if fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", model.DisplayName(path), model.ErrIsDir)
	}
	return localFile{f, fi.Size()}, nil
}

type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

// OpenFile opens a MEGA file for the viewer: ranges are fetched and
// decrypted as they are read, so a huge file shows its first screen after
// one small range.
func (p *megaFS) OpenFile(ctx context.Context, path string) (ui.RangeReader, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.OpenFile(ctx, path)
	if err != nil {
		return nil, err
	}
	return megaFile{r}, nil
}

type megaFile struct{ *megaclient.FileReader }

func (megaFile) Close() error { return nil }

// FolderSizes adds up each folder's files, from the client's tree in
// memory (no request to MEGA); ctx bounds the walk.
func (p *megaFS) FolderSizes(ctx context.Context, dir string, folders []model.Entry) (map[string]int64, error) {
	c, err := p.clientCtx(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(folders))
	for _, f := range folders {
		var total int64
		queue := []string{f.ID}
		for len(queue) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			h := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			es, err := c.List(ctx, "H:"+h)
			if err != nil {
				if errors.Is(err, model.ErrNotFound) {
					continue // removed meanwhile
				}
				return nil, err
			}
			for _, e := range es {
				if e.IsDir() {
					queue = append(queue, e.ID)
				} else {
					total += max(e.Size, 0)
				}
			}
		}
		out[model.EntryKey(f)] = total
	}
	return out, nil
}
