package dedupe

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/megatui/megatui/model"
)

// Journal files live in a "dedupe" folder of the state directory, one per
// run, named dedupe-<remote>-<UTC time>.jsonl: a JSON header line, then one
// JSON line per applied action, appended and synced as each action
// completes, so even an interrupted run can be undone. An undone run is
// renamed to end in .undone.

// RunMeta describes a run in its journal's header.
type RunMeta struct {
	Remote  string     `json:"remote"`
	Scope   string     `json:"scope"`
	Mode    model.Mode `json:"mode"`
	Started time.Time  `json:"started"`
}

type journalLine struct {
	Meta      *RunMeta            `json:"meta,omitempty"`
	Entry     *model.JournalEntry `json:"entry,omitempty"`
	Permanent bool                `json:"permanent,omitempty"`
}

// JournalWriter appends one run's applied actions to its file (0600).
type JournalWriter struct {
	path string
	f    *os.File
	w    *bufio.Writer
	n    int
}

var journalStamp = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z\.jsonl$`)

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// CreateJournal starts the journal of a new run in dir (created 0700 if
// missing).
func CreateJournal(dir string, meta RunMeta) (*JournalWriter, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dedupe journal: %w", err)
	}
	if meta.Started.IsZero() {
		meta.Started = time.Now()
	}
	meta.Started = meta.Started.UTC()
	base := fmt.Sprintf("dedupe-%s-%s", unsafeFileChars.ReplaceAllString(meta.Remote, "_"),
		meta.Started.Format("20060102T150405.000000000Z"))
	p := filepath.Join(dir, base+".jsonl")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dedupe journal: %w", err)
	}
	j := &JournalWriter{path: p, f: f, w: bufio.NewWriter(f)}
	if err := j.write(journalLine{Meta: &meta}); err != nil {
		f.Close()
		os.Remove(p)
		return nil, err
	}
	return j, nil
}

// Path is the journal file.
func (j *JournalWriter) Path() string { return j.path }

// Len is the number of actions recorded.
func (j *JournalWriter) Len() int { return j.n }

func (j *JournalWriter) write(l journalLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	b = append(b, '\n')
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	return nil
}

// Record appends an applied action. permanent marks a node deleted for
// good, which undo can only report.
func (j *JournalWriter) Record(a model.Action, permanent bool) error {
	var jr model.Journal
	jr.Record(a)
	if err := j.write(journalLine{Entry: &jr.Entries[0], Permanent: permanent}); err != nil {
		return err
	}
	j.n++
	return nil
}

// Close closes the file; a journal with no actions is removed, so "undo
// last" finds the last run that changed something.
func (j *JournalWriter) Close() error {
	err := j.f.Close()
	if j.n == 0 {
		if rerr := os.Remove(j.path); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	return nil
}

// PastRun is a journaled run read back.
type PastRun struct {
	Path string
	Meta RunMeta
	// Journal holds the undoable actions in the order applied.
	Journal model.Journal
	// Deleted are nodes removed for good (--permanent).
	Deleted []model.JournalEntry
}

// ReadRun reads a journal file. A torn last line (a crash mid-write) is
// ignored.
func ReadRun(path string) (PastRun, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return PastRun{}, fmt.Errorf("dedupe journal: %w", err)
	}
	r := PastRun{Path: path}
	text := string(b)
	complete := strings.HasSuffix(text, "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, ln := range lines {
		if strings.TrimSpace(ln) == "" {
			continue
		}
		var l journalLine
		if err := json.Unmarshal([]byte(ln), &l); err != nil {
			if i == len(lines)-1 && !complete {
				break // torn by a crash while it was written
			}
			return PastRun{}, fmt.Errorf("dedupe journal %s line %d: %w", path, i+1, err)
		}
		switch {
		case l.Meta != nil:
			r.Meta = *l.Meta
		case l.Entry != nil && l.Permanent:
			r.Deleted = append(r.Deleted, *l.Entry)
		case l.Entry != nil:
			r.Journal.Entries = append(r.Journal.Entries, *l.Entry)
		}
	}
	return r, nil
}

// ErrNoRun is returned by LastRun when there is nothing to undo.
var ErrNoRun = errors.New("no dedupe run to undo")

// LastRun returns the newest run of remote in dir that was not undone.
func LastRun(dir, remote string) (PastRun, error) {
	prefix := "dedupe-" + unsafeFileChars.ReplaceAllString(remote, "_") + "-"
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return PastRun{}, fmt.Errorf("dedupe journal: %w", err)
	}
	var names []string
	for _, e := range es {
		if n, ok := strings.CutPrefix(e.Name(), prefix); ok && journalStamp.MatchString(n) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return PastRun{}, fmt.Errorf("remote %s: %w", remote, ErrNoRun)
	}
	slices.Sort(names) // the UTC timestamps sort by time
	return ReadRun(filepath.Join(dir, names[len(names)-1]))
}

// markUndone renames a run's journal so LastRun skips it.
func markUndone(path string) error {
	if err := os.Rename(path, path+".undone"); err != nil {
		return fmt.Errorf("dedupe journal: %w", err)
	}
	return nil
}
