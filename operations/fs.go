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
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
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
	// Raw is the path of the entries' own names (Path uses the local
	// form of names unsafe on a disk); escape it before printing.
	Raw string
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
	// Special are the entries that are neither files nor folders
	// (symbolic links, which are not followed, pipes, sockets, devices),
	// with why they are left out.
	Special []Special
}

// Special is an entry a walk leaves out, and why.
type Special struct {
	Object
	Reason string
}

// specialReason says why entry e of f is neither copied nor listed.
func specialReason(f Fs, e model.Entry) string {
	if !f.Remote() {
		if fi, err := os.Lstat(e.ID); err == nil {
			return transfer.SpecialReason(fi.Mode())
		}
	}
	return transfer.SpecialFile + " (" + e.Kind.String() + ")"
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

// maxDepth bounds a walk: deeper trees fail with model.ErrTooDeep.
const maxDepth = model.MaxTreeDepth

// descend reports whether a walk at depth goes into folder p (id): not
// below the caller's limit; an error past maxDepth (a tree that deep is
// hostile or broken, and a silent cut would pass for a full listing) or
// when the folder was already walked (a parent cycle).
func descend(seen map[string]bool, id, p string, depth, limit int) (bool, error) {
	if depth+1 >= maxDepth {
		return false, fmt.Errorf("%s: %w: more than %d levels", p, model.ErrTooDeep, maxDepth)
	}
	if depth+1 >= limit {
		return false, nil
	}
	if seen[id] {
		return false, fmt.Errorf("%s: folder reached twice (a parent cycle): %w", p, model.ErrInvalidReply)
	}
	seen[id] = true
	return true, nil
}

// WalkOptions tune Walk.
type WalkOptions struct {
	Filter *filter.Filter
	// MaxDepth limits the levels walked (1 = the root's children only);
	// 0 is no limit.
	MaxDepth int
	// IntoDuplicates walks into same-name duplicate folders too (their
	// content goes to Duplicates), so listings show everything.
	IntoDuplicates bool
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
	seen := map[string]bool{root.ID: true}
	var walk func(id, rel, raw string, depth int) error
	walk = func(id, rel, raw string, depth int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		es, err := f.List(ctx, id)
		if err != nil {
			return err
		}
		var dupDirs []Object
		for _, e := range pickFirst(es, func(dup model.Entry) {
			key, _ := pathName(dup.Name)
			d := Object{Path: join(rel, key), Entry: dup, Raw: join(raw, dup.Name)}
			l.Duplicates = append(l.Duplicates, d)
			if dup.IsDir() {
				dupDirs = append(dupDirs, d)
			}
		}) {
			key, ok := pathName(e.Name)
			if !ok {
				continue
			}
			p := join(rel, key)
			switch {
			case e.IsDir():
				if !o.Filter.IncludeDir(p) {
					markExcluded(l.Excluded, rel)
					continue
				}
				l.Dirs[p] = Object{Path: p, Entry: e, Raw: join(raw, e.Name)}
				if in, err := descend(seen, e.ID, p, depth, limit); err != nil {
					return err
				} else if in {
					if err := walk(e.ID, p, join(raw, e.Name), depth+1); err != nil {
						return err
					}
				}
			case e.Kind == model.KindFile:
				if !o.Filter.IncludeFile(p, e.Size, e.ModTime) {
					markExcluded(l.Excluded, rel)
					continue
				}
				l.Files[p] = Object{Path: p, Entry: e, Raw: join(raw, e.Name)}
			default:
				if o.Filter.IncludePath(p) {
					l.Special = append(l.Special, Special{Object{Path: p, Entry: e, Raw: join(raw, e.Name)}, specialReason(f, e)})
				}
			}
		}
		if o.IntoDuplicates {
			for _, d := range dupDirs {
				if in, err := descend(seen, d.Entry.ID, d.Path, depth, limit); err != nil {
					return err
				} else if in {
					if err := walkAll(ctx, f, o, l, seen, d.Entry.ID, d.Path, d.Raw, depth+1, limit); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := walk(root.ID, "", "", 0); err != nil {
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

// walkAll adds everything under a duplicate folder to l.Duplicates.
func walkAll(ctx context.Context, f Fs, o WalkOptions, l *Listing, seen map[string]bool, id, rel, raw string, depth, limit int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	es, err := f.List(ctx, id)
	if err != nil {
		return err
	}
	for _, e := range es {
		key, ok := pathName(e.Name)
		if !ok {
			continue
		}
		p := join(rel, key)
		switch {
		case e.IsDir():
			if !o.Filter.IncludeDir(p) {
				continue
			}
			l.Duplicates = append(l.Duplicates, Object{Path: p, Entry: e, Raw: join(raw, e.Name)})
			if in, err := descend(seen, e.ID, p, depth, limit); err != nil {
				return err
			} else if in {
				if err := walkAll(ctx, f, o, l, seen, e.ID, p, join(raw, e.Name), depth+1, limit); err != nil {
					return err
				}
			}
		case e.Kind == model.KindFile && o.Filter.IncludeFile(p, e.Size, e.ModTime):
			l.Duplicates = append(l.Duplicates, Object{Path: p, Entry: e, Raw: join(raw, e.Name)})
		}
	}
	return nil
}

// walkBoth walks two trees at once (a local disk and MEGA's in-memory
// tree do not compete for the same resource).
func walkBoth(ctx context.Context, a, b Fs, o WalkOptions) (*Listing, *Listing, error) {
	var lb *Listing
	var errB error
	done := make(chan struct{})
	go func() {
		defer close(done)
		lb, errB = Walk(ctx, b, o)
	}()
	la, errA := Walk(ctx, a, o)
	<-done
	if errA != nil {
		return nil, nil, errA
	}
	if errB != nil {
		return nil, nil, errB
	}
	return la, lb, nil
}

// pathName is the name an entry has in a walked path: the name itself
// when it is safe on a local disk, else model.LocalName's form (a '/'
// would split the path, control characters would not match the file
// the transfer engine writes). Both trees use it, so a MEGA file and its
// local copy have the same path.
func pathName(name string) (string, bool) {
	n, err := model.LocalName(name)
	return n, err == nil
}
