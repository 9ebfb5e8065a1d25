package megasim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// journalCompactEvery is how many journal lines trigger a new snapshot.
const journalCompactEvery = 4096

// blobStore keeps ciphertext, addressed by a random id.
type blobStore interface {
	create(id string) error
	writeAt(id string, p []byte, off int64) error
	readAt(id string, p []byte, off int64) (int, error)
	exists(id string) bool
	remove(id string) error
}

// memBlobs keeps ciphertext in memory, in pages of at most 1 MiB. A page
// holds only the bytes up to the last one written in it (and grows, at
// least doubling, as writes reach further), so a 512-byte file costs 512
// bytes, not a whole page. Bytes never written read as zeros.
type memBlobs struct {
	mu sync.Mutex
	// blobs maps a blob id to its pages: page i covers
	// [i*pageSize, (i+1)*pageSize) and is absent until written.
	blobs map[string]map[int64][]byte
}

const pageSize = 1 << 20

func newMemBlobs() *memBlobs { return &memBlobs{blobs: map[string]map[int64][]byte{}} }

func (m *memBlobs) create(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.blobs[id]; !ok {
		m.blobs[id] = map[int64][]byte{}
	}
	return nil
}

func (m *memBlobs) writeAt(id string, p []byte, off int64) error {
	if off < 0 {
		return fmt.Errorf("megasim: blob %s: negative offset %d", id, off)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	pages, ok := m.blobs[id]
	if !ok {
		return errBlobMissing(id)
	}
	for len(p) > 0 {
		pg, in := off/pageSize, int(off%pageSize)
		end := min(in+len(p), pageSize)
		page := growPage(pages[pg], end)
		pages[pg] = page
		n := copy(page[in:end], p)
		p, off = p[n:], off+int64(n)
	}
	return nil
}

// growPage returns page extended to length end (new bytes zero). When it
// must reallocate, the capacity at least doubles (capped at pageSize), so
// a page filled by many small in-order writes is copied only a few times.
func growPage(page []byte, end int) []byte {
	if end <= len(page) {
		return page
	}
	if end <= cap(page) {
		old := len(page)
		page = page[:end]
		clear(page[old:])
		return page
	}
	c := end
	if page != nil {
		c = max(end, min(2*cap(page), pageSize))
	}
	if end >= pageSize/2 {
		c = pageSize // a big write: the page will most likely fill up
	}
	grown := make([]byte, end, c)
	copy(grown, page)
	return grown
}

func (m *memBlobs) readAt(id string, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("megasim: blob %s: negative offset %d", id, off)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	pages, ok := m.blobs[id]
	if !ok {
		return 0, errBlobMissing(id)
	}
	total := len(p)
	for len(p) > 0 {
		pg, in := off/pageSize, int(off%pageSize)
		n := min(len(p), pageSize-in)
		page := pages[pg]
		k := 0
		if in < len(page) {
			k = copy(p[:n], page[in:])
		}
		clear(p[k:n])
		p, off = p[n:], off+int64(n)
	}
	return total, nil
}

// footprint returns the bytes of page memory the store holds (capacity,
// not length: what the pages cost).
func (m *memBlobs) footprint() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, pages := range m.blobs {
		for _, page := range pages {
			n += int64(cap(page))
		}
	}
	return n
}

func (m *memBlobs) exists(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.blobs[id]
	return ok
}

func (m *memBlobs) remove(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, id)
	return nil
}

// fileBlobs keeps ciphertext as one 0600 file per blob.
type fileBlobs struct{ dir string }

func (f fileBlobs) path(id string) string { return filepath.Join(f.dir, filepath.Base(id)) }

func (f fileBlobs) create(id string) error {
	fh, err := os.OpenFile(f.path(id), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	return fh.Close()
}

func (f fileBlobs) writeAt(id string, p []byte, off int64) error {
	fh, err := os.OpenFile(f.path(id), os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = fh.WriteAt(p, off)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

func (f fileBlobs) readAt(id string, p []byte, off int64) (int, error) {
	fh, err := os.Open(f.path(id))
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	n, err := fh.ReadAt(p, off)
	if errors.Is(err, io.EOF) {
		clear(p[n:]) // a sparse tail never written
		return len(p), nil
	}
	return n, err
}

func (f fileBlobs) exists(id string) bool {
	_, err := os.Stat(f.path(id))
	return err == nil
}

func (f fileBlobs) remove(id string) error {
	err := os.Remove(f.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// store persists accounts and node metadata under Options.DataDir:
//
//	accounts.json          account records (0600, written atomically)
//	<user handle>.json     snapshot: nodes and action log (0600, atomic)
//	<user handle>.journal  changes since the snapshot, one JSON line each (0600)
//	blobs/<id>             ciphertext (0600)
type store struct {
	dir      string
	journals map[string]*os.File
	lines    map[string]int
}

// change is one committed mutation of an account: applied in memory,
// appended to the journal, and its packets emitted.
type change struct {
	Put    []*nodeRec  `json:"put,omitempty"`
	Del    []string    `json:"del,omitempty"`
	Shares []*shareRec `json:"shares,omitempty"` // replaced whole; no targets = removed
	Pkts   [][]byte    `json:"-"`
}

type journalLine struct {
	Put    []*nodeRec        `json:"put,omitempty"`
	Del    []string          `json:"del,omitempty"`
	Shares []*shareRec       `json:"shares,omitempty"`
	Pkts   []json.RawMessage `json:"pkts,omitempty"`
}

type snapshotFile struct {
	SN     uint64            `json:"sn"`
	Base   uint64            `json:"base"`
	Pkts   []json.RawMessage `json:"pkts"`
	Nodes  []*nodeRec        `json:"nodes"`
	Shares []*shareRec       `json:"shares,omitempty"`
}

func (s *Server) openStorage() error {
	if s.opts.DataDir == "" {
		s.blobs = newMemBlobs()
		return nil
	}
	dir := s.opts.DataDir
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o700); err != nil {
		return fmt.Errorf("megasim: data dir: %w", err)
	}
	s.blobs = fileBlobs{dir: filepath.Join(dir, "blobs")}
	s.store = &store{dir: dir, journals: map[string]*os.File{}, lines: map[string]int{}}
	raw, err := os.ReadFile(filepath.Join(dir, "accounts.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("megasim: read accounts: %w", err)
	}
	var recs []*accountRec
	if err := json.Unmarshal(raw, &recs); err != nil {
		return fmt.Errorf("megasim: parse accounts: %w", err)
	}
	for _, rec := range recs {
		a := s.addAccount(rec)
		if err := s.load(a); err != nil {
			return err
		}
	}
	s.rebuildInbound()
	return nil
}

// load reads an account's snapshot and replays its journal.
func (s *Server) load(a *account) error {
	base := filepath.Join(s.store.dir, a.rec.Handle)
	raw, err := os.ReadFile(base + ".json")
	if err != nil {
		return fmt.Errorf("megasim: read snapshot of %s: %w", a.rec.Handle, err)
	}
	var snap snapshotFile
	if err := json.Unmarshal(raw, &snap); err != nil {
		return fmt.Errorf("megasim: parse snapshot of %s: %w", a.rec.Handle, err)
	}
	for _, n := range snap.Nodes {
		a.put(n)
	}
	a.applyShares(snap.Shares, nil)
	a.events = newEventLog(snap.Base)
	for _, p := range snap.Pkts {
		a.events.pkts = append(a.events.pkts, p)
	}
	a.events.sn = snap.Base + uint64(len(snap.Pkts))
	if a.events.sn != snap.SN {
		return fmt.Errorf("megasim: snapshot of %s: sn %d does not match its log", a.rec.Handle, snap.SN)
	}
	jf, err := os.Open(base + ".journal")
	if err == nil {
		sc := bufio.NewScanner(jf)
		sc.Buffer(make([]byte, 0, 1<<20), 1<<30)
		for sc.Scan() {
			var jl journalLine
			if err := json.Unmarshal(sc.Bytes(), &jl); err != nil {
				break // a torn last line from a crash: everything before it is intact
			}
			for _, n := range jl.Put {
				a.put(n)
			}
			for _, h := range jl.Del {
				a.remove(h)
			}
			a.applyShares(jl.Shares, jl.Del)
			for _, p := range jl.Pkts {
				a.events.pkts = append(a.events.pkts, p)
				a.events.sn++
			}
		}
		_ = jf.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("megasim: read journal: %w", err)
	}
	for _, n := range a.nodes {
		if n.PH != "" {
			s.links[n.PH] = linkRef{acct: a, h: n.H}
		}
	}
	// Compact now so the journal restarts empty.
	return s.snapshot(a)
}

// commit applies a change to an account, emits its packets and journals it.
func (s *Server) commit(a *account, c change) {
	for _, n := range c.Put {
		a.put(n)
	}
	for _, h := range c.Del {
		a.remove(h)
	}
	if a.applyShares(c.Shares, c.Del) {
		s.rebuildInbound()
	}
	a.emit(c.Pkts...)
	if s.store == nil {
		return
	}
	jl := journalLine{Put: c.Put, Del: c.Del, Shares: c.Shares}
	for _, p := range c.Pkts {
		jl.Pkts = append(jl.Pkts, json.RawMessage(p))
	}
	line, err := json.Marshal(jl)
	if err != nil {
		s.logf("megasim: journal: %v", err)
		return
	}
	if err := s.appendJournal(a, append(line, '\n')); err != nil {
		s.logf("megasim: journal: %v", err)
	}
}

func (s *Server) appendJournal(a *account, line []byte) error {
	st := s.store
	f := st.journals[a.rec.Handle]
	if f == nil {
		var err error
		f, err = os.OpenFile(filepath.Join(st.dir, a.rec.Handle+".journal"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		st.journals[a.rec.Handle] = f
	}
	if _, err := f.Write(line); err != nil {
		return err
	}
	st.lines[a.rec.Handle]++
	if st.lines[a.rec.Handle] >= journalCompactEvery {
		return s.snapshot(a)
	}
	return nil
}

// snapshot writes an account's full state atomically and empties its journal.
func (s *Server) snapshot(a *account) error {
	if s.store == nil {
		return nil
	}
	st := s.store
	snap := snapshotFile{SN: a.events.sn, Base: a.events.base, Nodes: a.all(), Pkts: make([]json.RawMessage, len(a.events.pkts))}
	for _, h := range sortedKeys(a.shares) {
		snap.Shares = append(snap.Shares, a.shares[h])
	}
	for i, p := range a.events.pkts {
		snap.Pkts[i] = p
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(&snap); err != nil {
		return fmt.Errorf("megasim: encode snapshot: %w", err)
	}
	base := filepath.Join(st.dir, a.rec.Handle)
	if err := writeFileAtomic(base+".json", buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("megasim: write snapshot: %w", err)
	}
	if f := st.journals[a.rec.Handle]; f != nil {
		_ = f.Close()
		delete(st.journals, a.rec.Handle)
	}
	if err := os.Remove(base + ".journal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("megasim: reset journal: %w", err)
	}
	st.lines[a.rec.Handle] = 0
	return nil
}

// saveAccounts writes every account record atomically (0600).
func (s *Server) saveAccounts() error {
	if s.store == nil {
		return nil
	}
	recs := make([]*accountRec, 0, len(s.accounts))
	for _, a := range s.accounts {
		recs = append(recs, &a.rec)
	}
	raw, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return fmt.Errorf("megasim: encode accounts: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(s.store.dir, "accounts.json"), raw, 0o600); err != nil {
		return fmt.Errorf("megasim: write accounts: %w", err)
	}
	return nil
}

// closeStorage snapshots every account and closes the journals.
func (s *Server) closeStorage() error {
	if s.store == nil {
		return nil
	}
	var first error
	for _, a := range s.accounts {
		if err := s.snapshot(a); err != nil && first == nil {
			first = err
		}
	}
	for h, f := range s.store.journals {
		_ = f.Close()
		delete(s.store.journals, h)
	}
	return first
}

// writeFileAtomic writes data to a temporary file in the same directory,
// syncs it and renames it over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		_ = f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}
