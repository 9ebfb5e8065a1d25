package transfer

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/megatui/megatui/model"
)

// PartialPrefix starts the name of every temporary file the engine writes
// next to its final destination.
const PartialPrefix = ".megatui-partial-"

// IsPartialName reports whether name is one of the engine's temporary files.
func IsPartialName(name string) bool { return strings.HasPrefix(name, PartialPrefix) }

// partialPath is the temporary file of job id in folder dir.
func partialPath(dir, id string) string { return filepath.Join(dir, PartialPrefix+id) }

func removePartial(p string) {
	if p != "" && IsPartialName(filepath.Base(p)) {
		_ = os.Remove(p)
		if dir := filepath.Dir(p); strings.HasPrefix(filepath.Base(dir), copyTempPrefix) {
			_ = os.Remove(dir) // the private folder of a MEGA to MEGA copy
		}
	}
}

// localName turns a MEGA name into a single safe path element for the
// local disk (model.LocalName: no separators, control characters or
// invalid UTF-8, never "." or ".."), never mistaken for a partial file.
func localName(name string) string {
	n, err := model.LocalName(name)
	if err != nil {
		return "_"
	}
	if IsPartialName(n) {
		n = "_" + n
	}
	return n
}

// renamed returns the n-th alternative name: "a (1).txt", "a (2).txt".
func renamed(name string, n int) string {
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if base == "" { // ".bashrc"
		base, ext = name, ""
	}
	return fmt.Sprintf("%s (%d)%s", base, n, ext)
}

// sameTime compares modification times at MEGA's one-second resolution.
func sameTime(a, b time.Time) bool { return a.Unix() == b.Unix() }

// identicalRemote reports whether a MEGA file matches a local file of size
// and mtime (and fingerprint fp when known).
func identicalRemote(e model.Entry, size int64, mtime time.Time, fp string) bool {
	if e.Kind != model.KindFile || e.Size != size {
		return false
	}
	if fp != "" && e.Fingerprint != "" {
		return fp == e.Fingerprint
	}
	return e.ModTimeKnown && sameTime(e.ModTime, mtime)
}

func sourceName(l Endpoint) string {
	if l.Remote {
		return l.Entry.Name
	}
	return filepath.Base(filepath.Clean(l.Path))
}

func describe(l Endpoint) string {
	if l.Path != "" {
		return l.Path
	}
	if l.Remote {
		if l.Entry.Name != "" {
			return "mega:" + l.Entry.Name
		}
		return "mega:" + l.Entry.ID
	}
	return ""
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func joinDisplay(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, "/") || strings.HasSuffix(dir, ":") {
		return dir + name
	}
	return dir + "/" + name
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// fileFingerprint computes MEGA's fingerprint of a local file.
func fileFingerprint(path string, size int64, mtime time.Time) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", translateLocal(err)
	}
	defer f.Close()
	fp, err := model.ComputeFingerprint(f, size, mtime)
	if err != nil {
		return "", err
	}
	return fp.Encode(), nil
}
