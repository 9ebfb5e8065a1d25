package transfer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The lifecycle of journal files: a journal whose requests all ended is
// removed when the engine stops, one that still holds work is compacted;
// and the journals of other runs of the same kind (the CLI keeps one per
// source/destination pair: "copy-<16 hex>.jsonl") that were abandoned are
// removed once old, and the oldest once together they grow too large.

const (
	journalMaxAge   = 30 * 24 * time.Hour
	journalMaxTotal = 16 << 20 // bytes of all journals of one kind
)

// finishJournal is called on close, holding the lock: the journal is
// removed if nothing in it is unfinished, rewritten compactly otherwise.
func finishJournal(path string) error {
	reqs, err := readJournal(path)
	if err != nil {
		return err
	}
	if len(reqs) == 0 {
		err := os.Remove(path)
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		_ = os.Remove(path + ".lock")
		return err
	}
	return rewriteJournal(path, reqs)
}

// journalKind returns the kind prefix of a per-pair journal name
// ("copy" of "copy-0123456789abcdef.jsonl"), or "" for other names.
func journalKind(name string) string {
	base, ok := strings.CutSuffix(name, ".jsonl")
	if !ok {
		return ""
	}
	i := strings.LastIndexByte(base, '-')
	if i <= 0 || len(base)-i-1 != 16 {
		return ""
	}
	for _, c := range base[i+1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return ""
		}
	}
	return base[:i]
}

// pruneJournals removes abandoned journals of the same kind as path (not
// path itself, nor any journal another process holds): those untouched
// for journalMaxAge, then the oldest while all of them together exceed
// journalMaxTotal.
func pruneJournals(path string, now time.Time) {
	kind := journalKind(filepath.Base(path))
	if kind == "" {
		return
	}
	dir := filepath.Dir(path)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		size int64
		mod  time.Time
	}
	var files []file
	var total int64
	for _, de := range ents {
		p := filepath.Join(dir, de.Name())
		if p == path || journalKind(de.Name()) != kind || !de.Type().IsRegular() {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		files = append(files, file{p, fi.Size(), fi.ModTime()})
		total += fi.Size()
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mod.Before(files[j].mod) })
	for _, f := range files {
		if now.Sub(f.mod) < journalMaxAge && total <= journalMaxTotal {
			break // the rest is newer
		}
		if removeUnlocked(f.path) {
			total -= f.size
		}
	}
}

// removeUnlocked removes a journal and its lock file unless another
// process holds it.
func removeUnlocked(path string) bool {
	lock, err := lockJournal(path)
	if err != nil {
		return false
	}
	defer lock.Close()
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	_ = os.Remove(path + ".tmp")
	_ = os.Remove(path + ".lock")
	return true
}
