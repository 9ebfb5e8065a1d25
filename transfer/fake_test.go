package transfer

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// fakeRemote is an in-memory MEGA account with fault injection, used to
// test the engine's logic. Integration tests against megasim live in
// megasim_test.go.
type fakeRemote struct {
	mu      sync.Mutex
	nodes   map[string]*fakeNode
	seq     int
	root    string
	rubbish string

	// counters
	uploads, mkdirs, trashes, downloads, moves int
	ops                                        []string

	// faults
	tryAgainEvery    int // every n-th call fails with ErrTryAgain before acting
	ambiguousUploads int // uploads that store the node, then report a failure
	corruptDownloads int // downloads that write a wrong byte and report ErrIntegrity
	quota            bool
	calls            int

	// hooks
	uploadHook   func(name string) // called at the start of Upload
	downloadHook func(name string)
	listHook     func(id string)
}

type fakeNode struct {
	entry   model.Entry
	parent  string
	data    []byte
	trashed bool
}

func newFakeRemote() *fakeRemote {
	f := &fakeRemote{nodes: map[string]*fakeNode{}}
	f.root = f.add("", model.Entry{Name: "Cloud Drive", Kind: model.KindDir}, nil).ID
	f.rubbish = f.add("", model.Entry{Name: "Rubbish Bin", Kind: model.KindDir}, nil).ID
	return f
}

func (f *fakeRemote) add(parent string, e model.Entry, data []byte) model.Entry {
	f.seq++
	e.ID = fmt.Sprintf("h%07d", f.seq)
	f.nodes[e.ID] = &fakeNode{entry: e, parent: parent, data: data}
	return e
}

// fault counts a call and returns an injected transient error, if due.
func (f *fakeRemote) fault() error {
	f.calls++
	if f.tryAgainEvery > 0 && f.calls%f.tryAgainEvery == 0 {
		return fmt.Errorf("fake call %d: %w", f.calls, model.ErrTryAgain)
	}
	return nil
}

func (f *fakeRemote) children(parent string) []model.Entry {
	var out []model.Entry
	for _, n := range f.nodes {
		if n.parent == parent {
			out = append(out, n.entry)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (f *fakeRemote) List(ctx context.Context, id string) ([]model.Entry, error) {
	if f.listHook != nil {
		f.listHook(id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fault(); err != nil {
		return nil, err
	}
	if _, ok := f.nodes[id]; !ok {
		return nil, fmt.Errorf("list %s: %w", id, model.ErrNotFound)
	}
	return f.children(id), nil
}

func (f *fakeRemote) Lookup(ctx context.Context, parent, name string) ([]model.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fault(); err != nil {
		return nil, err
	}
	var out []model.Entry
	for _, e := range f.children(parent) {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeRemote) Mkdir(ctx context.Context, parent, name string) (model.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fault(); err != nil {
		return model.Entry{}, err
	}
	f.mkdirs++
	f.ops = append(f.ops, "mkdir "+name)
	return f.add(parent, model.Entry{Name: name, Kind: model.KindDir}, nil), nil
}

func (f *fakeRemote) Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(int64)) (model.Entry, error) {
	if f.uploadHook != nil {
		f.uploadHook(name)
	}
	f.mu.Lock()
	if err := f.fault(); err != nil {
		f.mu.Unlock()
		return model.Entry{}, err
	}
	if f.quota {
		f.mu.Unlock()
		return model.Entry{}, fmt.Errorf("upload %s: %w", name, model.ErrQuota)
	}
	f.mu.Unlock()
	data := make([]byte, size)
	for off := int64(0); off < size; {
		n := min(int64(256<<10), size-off)
		if _, err := src.ReadAt(data[off:off+n], off); err != nil && err != io.EOF {
			return model.Entry{}, err
		}
		if err := ctx.Err(); err != nil {
			return model.Entry{}, err
		}
		off += n
		if progress != nil {
			progress(n)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fp, _ := model.ComputeFingerprint(strings.NewReader(string(data)), size, mtime)
	f.uploads++
	f.ops = append(f.ops, "upload "+name)
	e := f.add(parent, model.Entry{Name: name, Kind: model.KindFile, Size: size, ModTime: mtime.Truncate(time.Second), ModTimeKnown: true, Fingerprint: fp.Encode()}, data)
	if f.ambiguousUploads > 0 {
		f.ambiguousUploads--
		return model.Entry{}, fmt.Errorf("completion reply lost: %w", model.ErrUnreachable)
	}
	return e, nil
}

func (f *fakeRemote) Download(ctx context.Context, id string, dst io.WriterAt, progress func(int64)) error {
	f.mu.Lock()
	n, ok := f.nodes[id]
	if f.downloadHook != nil && ok {
		defer f.downloadHook(n.entry.Name)
	}
	if !ok {
		f.mu.Unlock()
		return fmt.Errorf("download %s: %w", id, model.ErrNotFound)
	}
	if err := f.fault(); err != nil {
		f.mu.Unlock()
		return err
	}
	data := append([]byte(nil), n.data...)
	corrupt := f.corruptDownloads > 0 && len(data) > 0
	if corrupt {
		f.corruptDownloads--
		data[len(data)/2] ^= 0xff
	}
	f.downloads++
	f.mu.Unlock()
	for off := 0; off < len(data); {
		m := min(256<<10, len(data)-off)
		if _, err := dst.WriteAt(data[off:off+m], int64(off)); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		off += m
		if progress != nil {
			progress(int64(m))
		}
	}
	if corrupt {
		return fmt.Errorf("download %s: mac mismatch: %w", id, model.ErrIntegrity)
	}
	return nil
}

func (f *fakeRemote) Move(ctx context.Context, id, parent string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fault(); err != nil {
		return err
	}
	n, ok := f.nodes[id]
	if !ok {
		return fmt.Errorf("move %s: %w", id, model.ErrNotFound)
	}
	f.moves++
	f.ops = append(f.ops, "move "+n.entry.Name)
	n.parent = parent
	return nil
}

func (f *fakeRemote) Rename(ctx context.Context, id, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.nodes[id]
	if !ok {
		return fmt.Errorf("rename %s: %w", id, model.ErrNotFound)
	}
	f.ops = append(f.ops, "rename "+n.entry.Name+" "+name)
	n.entry.Name = name
	return nil
}

func (f *fakeRemote) Trash(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fault(); err != nil {
		return err
	}
	n, ok := f.nodes[id]
	if !ok {
		return fmt.Errorf("trash %s: %w", id, model.ErrNotFound)
	}
	f.trashes++
	f.ops = append(f.ops, "trash "+n.entry.Name)
	n.parent = f.rubbish
	return nil
}

// tree returns path -> node below folder id (folders end with "/").
func (f *fakeRemote) tree(id string) map[string]*fakeNode {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]*fakeNode{}
	var walk func(id, prefix string)
	walk = func(id, prefix string) {
		for _, e := range f.children(id) {
			n := f.nodes[e.ID]
			if e.Kind == model.KindDir {
				out[prefix+e.Name+"/"] = n
				walk(e.ID, prefix+e.Name+"/")
			} else {
				out[prefix+e.Name] = n
			}
		}
	}
	walk(id, "")
	return out
}

// duplicates lists same-name siblings outside the Rubbish Bin.
func (f *fakeRemote) duplicates() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	var dups []string
	for _, n := range f.nodes {
		if n.parent == f.rubbish || n.parent == "" {
			continue
		}
		k := n.parent + "/" + n.entry.Name
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
	}
	return dups
}

func (f *fakeRemote) mkdirAt(parent, name string) model.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(parent, model.Entry{Name: name, Kind: model.KindDir}, nil)
}

func (f *fakeRemote) fileAt(parent, name string, data []byte, mtime time.Time) model.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	fp, _ := model.ComputeFingerprint(strings.NewReader(string(data)), int64(len(data)), mtime)
	return f.add(parent, model.Entry{Name: name, Kind: model.KindFile, Size: int64(len(data)), ModTime: mtime.Truncate(time.Second), ModTimeKnown: true, Fingerprint: fp.Encode()}, data)
}
