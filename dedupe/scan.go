// Package dedupe finds duplicates in a MEGA account and applies model
// dedupe plans to it: each group is re-checked just before it is acted
// on, removed copies go to the Rubbish Bin by default, every run is
// journaled so it can be undone, and "verify" compares the plaintext of
// copies by SHA-256. The decisions themselves (groups, classification,
// plans, revalidation, undo steps) are model's.
package dedupe

import (
	"context"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/megatui/megatui/model"
)

// FS is what dedupe needs from an account; *megaclient.Client has it.
// Refs are paths or node handles.
type FS interface {
	List(ctx context.Context, ref string) ([]model.Entry, error)
	Stat(ctx context.Context, ref string) (model.Entry, error)
	Rename(ctx context.Context, ref, name string) error
	Move(ctx context.Context, ref, parent string) error
	Delete(ctx context.Context, ref string, permanent bool) error
	Download(ctx context.Context, ref string, dst io.WriterAt, progress func(delta int64)) error
}

// Scope is a folder and everything under it, or (Shallow) the folder's
// own entries.
type Scope struct {
	Root    model.Entry
	Entries []model.Entry // every node the scope needs, Root excluded
	// Shallow scopes hold Root's own entries first (Direct of them), then
	// the contents of its duplicate folders: merging those moves them, so
	// a plan and its preview need them, but they are not searched for
	// duplicates themselves.
	Shallow bool
	Direct  int
}

// Searched returns the entries duplicates are looked for among.
func (s Scope) Searched() []model.Entry {
	if s.Shallow {
		return s.Entries[:s.Direct]
	}
	return s.Entries
}

// ScanFolder lists ref (a folder) without its sub-folders, plus the
// contents of every folder that shares its exact name with another one
// there (the duplicate folders a merge would empty).
func ScanFolder(ctx context.Context, fs FS, ref string) (Scope, error) {
	root, err := fs.Stat(ctx, ref)
	if err != nil {
		return Scope{}, fmt.Errorf("dedupe: %w", err)
	}
	if !root.IsDir() {
		return Scope{}, fmt.Errorf("dedupe %s: %w", ref, model.ErrNotDir)
	}
	es, err := list(ctx, fs, root.ID)
	if err != nil {
		return Scope{}, fmt.Errorf("dedupe: scan: %w", err)
	}
	sc := Scope{Root: root, Entries: es, Shallow: true, Direct: len(es)}
	dirs := map[string]int{}
	for _, e := range es {
		if e.IsDir() {
			dirs[e.Name]++
		}
	}
	for _, e := range es[:sc.Direct] {
		if !e.IsDir() || dirs[e.Name] < 2 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return Scope{}, fmt.Errorf("dedupe: scan: %w", err)
		}
		kids, err := list(ctx, fs, e.ID)
		if err != nil {
			return Scope{}, fmt.Errorf("dedupe: scan: %w", err)
		}
		sc.Entries = append(sc.Entries, kids...)
	}
	return sc, nil
}

// Scan lists ref (a folder) and everything under it from the client's
// in-memory tree.
func Scan(ctx context.Context, fs FS, ref string) (Scope, error) {
	root, err := fs.Stat(ctx, ref)
	if err != nil {
		return Scope{}, fmt.Errorf("dedupe: %w", err)
	}
	if !root.IsDir() {
		return Scope{}, fmt.Errorf("dedupe %s: %w", ref, model.ErrNotDir)
	}
	sc := Scope{Root: root}
	queue := []string{root.ID}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return Scope{}, fmt.Errorf("dedupe: scan: %w", err)
		}
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		es, err := list(ctx, fs, h)
		if err != nil {
			return Scope{}, fmt.Errorf("dedupe: scan: %w", err)
		}
		for _, e := range es {
			sc.Entries = append(sc.Entries, e)
			if e.IsDir() {
				queue = append(queue, e.ID)
			}
		}
	}
	return sc, nil
}

// Where returns the PlanOptions.Where of fs: the path of a node when fs
// can tell it (the MEGA client does, from its tree), else nil.
func Where(fs FS) func(id string) string {
	pt, ok := fs.(pather)
	if !ok {
		return nil
	}
	return func(id string) string {
		p, err := pt.Path(id)
		if err != nil {
			return ""
		}
		return p
	}
}

// list lists folder h, filling in ParentID where the client left it
// empty.
func list(ctx context.Context, fs FS, h string) ([]model.Entry, error) {
	es, err := fs.List(ctx, h)
	for i := range es {
		if es[i].ParentID == "" {
			es[i].ParentID = h
		}
	}
	return es, err
}

// FoldDisk folds a name as a case-insensitive, normalising disk (macOS,
// Windows) would: lower case, then Unicode NFC, so "Photo.jpg" and
// "photo.jpg", or "café" spelt NFC and NFD, get the same key.
func FoldDisk(s string) string { return norm.NFC.String(strings.ToLower(norm.NFC.String(s))) }

// Detect returns the duplicate groups among entries: same-name groups
// and collision groups (folded with FoldDisk), or, with byContent, groups
// of identical content whatever their names.
func Detect(entries []model.Entry, byContent bool, hashes model.Hashes) []model.DupGroup {
	if byContent {
		return model.FindContentDuplicates(entries, hashes)
	}
	return model.FindDuplicates(entries, model.DetectOptions{Fold: FoldDisk, Hashes: hashes})
}

// Decide gives every group the same choice.
func Decide(groups []model.DupGroup, c model.Choice) []model.Decision {
	ds := make([]model.Decision, len(groups))
	for i, g := range groups {
		ds[i] = model.Decision{Group: g, Choice: c}
	}
	return ds
}
