// Package operations is what megatui's rclone-style commands do, apart
// from their flags and output: walking a tree through the filters,
// checking two trees by size and MEGA fingerprint, and planning and
// running one-way syncs and copies. A tree is a folder on the local disk
// or on MEGA behind the Fs interface; transfers go through the transfer
// engine.
package operations

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/model"
)

// Fs is one tree: a folder on the local disk or on MEGA. Paths given to
// and returned by its methods are entry IDs (a MEGA handle, a full local
// path); Walk turns them into paths relative to the root.
type Fs interface {
	// String names the tree as rclone's messages do ("Local file system
	// at /x", "mega root 'a/b'").
	String() string
	// Remote reports whether the tree is on MEGA.
	Remote() bool
	// Root returns the root folder (model.ErrNotFound if it is missing).
	Root(ctx context.Context) (model.Entry, error)
	// List returns a folder's children.
	List(ctx context.Context, dirID string) ([]model.Entry, error)
	// Fingerprint returns a file's fingerprint: the stored one when there
	// is one (MEGA's `c`), else computed from the content (a local read,
	// or on MEGA a fetch of the sampled bytes, counted in fetched).
	Fingerprint(ctx context.Context, e model.Entry) (fp model.Fingerprint, stored bool, fetched int64, err error)
	// Open returns a file's decrypted content for random reads.
	Open(ctx context.Context, e model.Entry) (ReadAtCloser, error)
	// Stream writes a file's whole content to w, verified (MEGA: the MAC)
	// before it returns nil.
	Stream(ctx context.Context, e model.Entry, w io.WriterAt) error
	// Mkdir creates a folder in parent.
	Mkdir(ctx context.Context, parentID, name string) (model.Entry, error)
	// Remove deletes a file or a folder with its content: to the Rubbish
	// Bin (local: the trash) unless permanent.
	Remove(ctx context.Context, e model.Entry, permanent bool) error
	// Rmdir removes an empty folder.
	Rmdir(ctx context.Context, e model.Entry) error
	// Move moves an entry into folder dirID under name.
	Move(ctx context.Context, e model.Entry, dirID, name string) error
	// SetModTime records a file's modification time; fp is its content's
	// fingerprint with that time (MEGA stores it as `c`).
	SetModTime(ctx context.Context, e model.Entry, fp model.Fingerprint) error
}

// ReadAtCloser is content open for random reads.
type ReadAtCloser interface {
	io.ReaderAt
	io.Closer
}

// Object is an entry of a walked tree with its path relative to the root
// ("a/b.txt", slash-separated, raw names).
type Object struct {
	Path  string
	Entry model.Entry
}

// Listing is a walked tree.
type Listing struct {
	// Files and Dirs by relative path. Of several same-name entries
	// (MEGA allows them) the first (a folder, else the oldest) is kept
	// and the rest are in Duplicates.
	Files map[string]Object
	Dirs  map[string]Object
	// Duplicates are the same-name entries that were not kept.
	Duplicates []Object
	// Excluded marks the folders (relative paths, "" the root) holding
	// at least one file the filter left out, at any depth.
	Excluded map[string]bool
}

// FilePaths returns the file paths in order.
func (l *Listing) FilePaths() []string { return sortedKeys(l.Files) }

// DirPaths returns the folder paths in order (parents before children).
func (l *Listing) DirPaths() []string { return sortedKeys(l.Dirs) }

func sortedKeys(m map[string]Object) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// maxDepth bounds a walk.
const maxDepth = 256

// WalkOptions tune Walk.
type WalkOptions struct {
	Filter *filter.Filter
	// MaxDepth limits the levels walked (1 = the root's children only);
	// 0 is no limit.
	MaxDepth int
}

// Walk lists the whole tree under f's root through the filter.
func Walk(ctx context.Context, f Fs, o WalkOptions) (*Listing, error) {
	root, err := f.Root(ctx)
	if err != nil {
		return nil, err
	}
	l := &Listing{Files: map[string]Object{}, Dirs: map[string]Object{}, Excluded: map[string]bool{}}
	if !root.IsDir() {
		return nil, fmt.Errorf("%s: %w", f, model.ErrNotDir)
	}
	limit := maxDepth
	if o.MaxDepth > 0 {
		limit = min(o.MaxDepth, maxDepth)
	}
	var walk func(id, rel string, depth int) error
	walk = func(id, rel string, depth int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		es, err := f.List(ctx, id)
		if err != nil {
			return err
		}
		for _, e := range pickFirst(es, func(dup model.Entry) {
			l.Duplicates = append(l.Duplicates, Object{Path: join(rel, dup.Name), Entry: dup})
		}) {
			p := join(rel, e.Name)
			switch {
			case e.IsDir():
				if !o.Filter.IncludeDir(p) {
					markExcluded(l.Excluded, rel)
					continue
				}
				l.Dirs[p] = Object{Path: p, Entry: e}
				if depth+1 < limit {
					if err := walk(e.ID, p, depth+1); err != nil {
						return err
					}
				}
			case e.Kind == model.KindFile:
				if !o.Filter.IncludeFile(p, e.Size, e.ModTime) {
					markExcluded(l.Excluded, rel)
					continue
				}
				l.Files[p] = Object{Path: p, Entry: e}
			}
		}
		return nil
	}
	if err := walk(root.ID, "", 0); err != nil {
		return nil, err
	}
	return l, nil
}

func markExcluded(m map[string]bool, rel string) {
	for {
		m[rel] = true
		if rel == "" {
			return
		}
		rel = parentRel(rel)
	}
}

// pickFirst keeps one entry per name: a folder first, otherwise the
// oldest upload; the others go to dup.
func pickFirst(es []model.Entry, dup func(model.Entry)) []model.Entry {
	best := map[string]int{}
	var order []string
	for i, e := range es {
		j, ok := best[e.Name]
		if !ok {
			best[e.Name] = i
			order = append(order, e.Name)
			continue
		}
		cur := es[j]
		if e.IsDir() && !cur.IsDir() || e.IsDir() == cur.IsDir() && e.UploadTime.Before(cur.UploadTime) {
			best[e.Name] = i
			dup(cur)
		} else {
			dup(e)
		}
	}
	out := make([]model.Entry, 0, len(order))
	for _, n := range order {
		out = append(out, es[best[n]])
	}
	return out
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func parentRel(rel string) string {
	d := path.Dir(rel)
	if d == "." {
		return ""
	}
	return d
}

func baseRel(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[i+1:]
	}
	return rel
}

// sameSecond compares modification times at MEGA's precision.
func sameSecond(a, b time.Time) bool { return a.Unix() == b.Unix() }
