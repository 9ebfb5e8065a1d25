package transfer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// The journal is an append-only file of JSON lines, rewritten compactly
// (temporary file + rename) each time the engine starts. It records the
// requests, the start of each job (with what is needed to finish it without
// duplicates: its target name, the ids of same-name nodes that existed
// before it, its partial file) and each job's end. It never holds secrets.
//
// Records are written with one write(2) each and not fsynced: a killed
// process loses nothing the kernel already has; after a power failure the
// last records may be missing, and the conflict checks (identical files
// are skipped, uploads adopt a matching node created by an earlier attempt)
// keep a replay from duplicating data.

type record struct {
	T       string   `json:"t"` // "req", "start", "copied", "end", "reqend"
	Req     string   `json:"req"`
	Request *Request `json:"request,omitempty"`
	Key     string   `json:"key,omitempty"`
	Job     string   `json:"job,omitempty"`
	Target  string   `json:"target,omitempty"`
	Parent  string   `json:"parent,omitempty"`
	Before  []string `json:"before,omitempty"`
	Trash   []string `json:"trash,omitempty"`
	Partial string   `json:"partial,omitempty"`
	State   string   `json:"state,omitempty"`
	// Size and MTime (Unix nanoseconds) describe the local source of a
	// move as it was copied ("copied" records).
	Size  int64 `json:"size,omitempty"`
	MTime int64 `json:"mtime,omitempty"`
	// Chunks is a job's chunk-level progress ("chunks" records: a fresh
	// start with its upload URL and encrypted key, or finished chunks),
	// so a transfer goes on from its last chunk after a restart.
	Chunks *model.ChunkResume `json:"chunks,omitempty"`
}

// journaledRequest is a request found in the journal that had not ended.
type journaledRequest struct {
	id      string
	req     Request
	ended   map[string]string            // key -> final state name
	started map[string]record            // key -> start record of a job that had not ended
	copied  map[string]record            // key -> a move whose copy is done but which had not ended
	chunks  map[string]model.ChunkResume // key -> chunk state of a job that had not ended
}

// ErrJournalBusy: another process holds the transfer journal.
var ErrJournalBusy = errors.New("transfer journal busy")

type journal struct {
	mu   sync.Mutex
	path string
	f    *os.File
	lock *os.File
}

// openJournal reads the journal at path, returns the requests that had not
// ended, rewrites the file compactly and opens it for appending.
func openJournal(path string) (*journal, []*journaledRequest, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("journal folder: %w", err)
	}
	lock, err := lockJournal(path)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*journal, []*journaledRequest, error) {
		lock.Close()
		return nil, nil, err
	}
	pruneJournals(path, time.Now())
	reqs, err := readJournal(path)
	if err != nil {
		return fail(err)
	}
	if err := rewriteJournal(path, reqs); err != nil {
		return fail(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fail(fmt.Errorf("open journal: %w", err))
	}
	return &journal{path: path, f: f, lock: lock}, reqs, nil
}

func readJournal(path string) ([]*journaledRequest, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	byID := map[string]*journaledRequest{}
	var order []*journaledRequest
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue // a torn last line after a crash
		}
		switch r.T {
		case "req":
			if r.Request == nil || byID[r.Req] != nil {
				continue
			}
			jr := &journaledRequest{id: r.Req, req: *r.Request, ended: map[string]string{}, started: map[string]record{}, copied: map[string]record{},
				chunks: map[string]model.ChunkResume{}}
			byID[r.Req] = jr
			order = append(order, jr)
		case "start":
			if jr := byID[r.Req]; jr != nil {
				jr.started[r.Key] = r
				delete(jr.ended, r.Key)
				delete(jr.copied, r.Key)
				delete(jr.chunks, r.Key)
			}
		case "chunks":
			if jr := byID[r.Req]; jr != nil && r.Chunks != nil {
				if _, ok := jr.started[r.Key]; ok {
					c := jr.chunks[r.Key]
					c.Merge(*r.Chunks)
					jr.chunks[r.Key] = c
				}
			}
		case "copied":
			if jr := byID[r.Req]; jr != nil {
				jr.copied[r.Key] = r
				delete(jr.ended, r.Key)
			}
		case "end":
			if jr := byID[r.Req]; jr != nil {
				jr.ended[r.Key] = r.State
				delete(jr.started, r.Key)
				delete(jr.copied, r.Key)
				delete(jr.chunks, r.Key)
			}
		case "reqend":
			delete(byID, r.Req)
		}
	}
	live := order[:0]
	for _, jr := range order {
		if byID[jr.id] == jr {
			live = append(live, jr)
		}
	}
	return live, nil
}

func rewriteJournal(path string, reqs []*journaledRequest) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, jr := range reqs {
		req := jr.req
		if err := enc.Encode(record{T: "req", Req: jr.id, Request: &req}); err != nil {
			return fmt.Errorf("encode journal: %w", err)
		}
		for k, st := range jr.ended {
			if err := enc.Encode(record{T: "end", Req: jr.id, Key: k, State: st}); err != nil {
				return fmt.Errorf("encode journal: %w", err)
			}
		}
		for _, r := range jr.started {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("encode journal: %w", err)
			}
		}
		for _, r := range jr.copied {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("encode journal: %w", err)
			}
		}
		for k, c := range jr.chunks {
			c.Fresh = true // one record holds the whole state
			if err := enc.Encode(record{T: "chunks", Req: jr.id, Key: k, Chunks: &c}); err != nil {
				return fmt.Errorf("encode journal: %w", err)
			}
		}
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	_, werr := f.Write(buf.Bytes())
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write journal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	return nil
}

// append writes one record. A nil journal does nothing.
func (j *journal) append(r record) error {
	if j == nil {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode journal: %w", err)
	}
	b = append(b, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("append journal: %w", err)
	}
	return nil
}

func (j *journal) close() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	if ferr := finishJournal(j.path); err == nil {
		err = ferr
	}
	if j.lock != nil {
		if lerr := j.lock.Close(); err == nil {
			err = lerr
		}
		j.lock = nil
	}
	return err
}
