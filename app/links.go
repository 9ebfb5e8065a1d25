package app

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui"
)

// linkFS shows a public link in a pane, read-only: paths are relative to
// the link's top folder ("/" is the folder, or the one file of a file
// link).
type linkFS struct{ p *megaclient.Public }

var _ ui.FS = linkFS{}

func (l linkFS) Label() string { return "link: " + l.p.Label() }

func (l linkFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	if !l.p.IsFolder() {
		if dir != "/" && dir != "" {
			return nil, fmt.Errorf("%s: %w", dir, model.ErrNotFound)
		}
		return []model.Entry{l.p.Root()}, nil // a file link: its file
	}
	e, err := l.p.Stat(ctx, dir)
	if err != nil {
		return nil, err
	}
	if !e.IsDir() {
		return nil, fmt.Errorf("%s: %w", dir, model.ErrNotDir)
	}
	return l.p.List(ctx, e.ID)
}

func readOnly(what string) error {
	return fmt.Errorf("%s: a public link is read-only (copy from it with F5): %w", what, model.ErrAccess)
}

func (l linkFS) Mkdir(context.Context, string, string) error  { return readOnly("new folder") }
func (l linkFS) Rename(context.Context, string, string) error { return readOnly("rename") }
func (l linkFS) Remove(context.Context, string, bool) error   { return readOnly("delete") }
func (l linkFS) Join(dir, name string) string                 { return path.Join(dir, name) }
func (l linkFS) Parent(p string) string                       { return path.Dir(p) }
func (l linkFS) EntryPath(dir string, e model.Entry) string   { return path.Join(dir, e.Name) }
func (l linkFS) download(ctx context.Context, id string, dst io.WriterAt, progress func(int64)) error {
	return l.p.Download(ctx, id, dst, progress)
}

// openLink is the TUI's `:` with a link: it opens the link with no
// account.
func openLink(env account.Env, routes *linkRoutes) func(ctx context.Context, link string) (ui.FS, error) {
	return func(ctx context.Context, link string) (ui.FS, error) {
		p, err := env.OpenLink(ctx, strings.TrimSpace(link))
		if err != nil {
			return nil, err
		}
		routes.add(p)
		return linkFS{p: p}, nil
	}
}

// linkRoutes are the links open in this session: the transfer engine's
// remote reads a file of one of them from the link, not the account.
type linkRoutes struct {
	mu    sync.Mutex
	links []*megaclient.Public
}

func (r *linkRoutes) add(p *megaclient.Public) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.links = append(r.links, p)
	r.mu.Unlock()
}

// find returns the open link holding node id, or nil.
func (r *linkRoutes) find(id string) *megaclient.Public {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.links {
		if p.Contains(id) {
			return p
		}
	}
	return nil
}

func (r *linkRoutes) closeAll() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.links {
		p.Close()
	}
	r.links = nil
}
