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

// Scope is a folder and everything under it.
type Scope struct {
	Root    model.Entry
	Entries []model.Entry // every node under Root, Root excluded
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
