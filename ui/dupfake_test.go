package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// fp is the MEGA fingerprint of content with mtime.
func fp(t testing.TB, content string, mtime time.Time) string {
	t.Helper()
	f, err := model.ComputeFingerprint(strings.NewReader(content), int64(len(content)), mtime)
	if err != nil {
		t.Fatal(err)
	}
	return f.Encode()
}

// dupFS is a MEGA filesystem whose /Dups folder holds every kind of
// duplicate, with a fake Deduper that records what it is asked and
// applies plans to the in-memory tree.
type dupFS struct {
	*megaFS
	dmu      sync.Mutex
	scans    []DedupeScope
	scanDirs []string
	plans    []model.Plan
	verified [][]string
	undos    int
	hashes   model.Hashes // what verify finds
	acct     int          // account-wide group count
	// applyGate, when set, holds ApplyDedupe until closed.
	applyGate chan struct{}
}

const dupsDir = "/Dups"

func newDupFS(t testing.TB) *dupFS {
	d := &dupFS{megaFS: newMegaFS(), acct: 9}
	d.add("/Dups/", 0)
	at := func(h int) time.Time { return testTime.Add(time.Duration(h) * time.Hour) }
	same := fp(t, "same content", testTime)
	e := func(id, name string, size int64, up time.Time, fpr string) model.Entry {
		return model.Entry{ID: id, ParentID: "hDups", Name: name, Size: size, UploadTime: up, ModTime: up, Fingerprint: fpr}
	}
	dir := func(id, name string, up time.Time) model.Entry {
		return model.Entry{ID: id, ParentID: "hDups", Name: name, Kind: model.KindDir, UploadTime: up, ModTime: up}
	}
	mt := testTime.Add(-48 * time.Hour)
	known := func(x model.Entry) model.Entry { x.ModTime, x.ModTimeKnown = mt, true; return x }
	d.dirs[dupsDir] = []model.Entry{
		known(e("r1", "report.pdf", 12, at(1), same)),
		known(e("r2", "report.pdf", 12, at(2), same)),
		known(e("r3", "report.pdf", 12, at(3), same)),
		e("p1", "photo.jpg", 500, at(4), ""),
		e("p2", "photo.jpg", 500, at(5), ""),
		e("c1", "Photo.JPG", 700, at(6), ""),
		e("n1", "notes.txt", 100, at(7), fp(t, strings.Repeat("a", 100), at(7))),
		e("n2", "notes.txt", 250, at(8), fp(t, strings.Repeat("b", 250), at(8))),
		dir("a1", "album", at(9)),
		dir("a2", "album", at(10)),
		e("s1", "single.txt", 42, at(11), ""),
	}
	d.dirs["/Dups/album"] = []model.Entry{
		{ID: "x1", ParentID: "a1", Name: "x.jpg", Size: 10, UploadTime: at(12)},
		{ID: "y2", ParentID: "a2", Name: "y.jpg", Size: 20, UploadTime: at(13)},
		{ID: "x2", ParentID: "a2", Name: "x.jpg", Size: 30, UploadTime: at(14)},
	}
	d.hashes = model.Hashes{"r1": "h-same", "r2": "h-same", "r3": "h-same"}
	return d
}

func (d *dupFS) ScanDuplicates(ctx context.Context, dir string, scope DedupeScope) (DedupeScan, error) {
	d.dmu.Lock()
	d.scans = append(d.scans, scope)
	d.scanDirs = append(d.scanDirs, dir)
	d.dmu.Unlock()
	if err := ctx.Err(); err != nil {
		return DedupeScan{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	entries := slices.Clone(d.dirs[dupsDir])
	if scope != ScopeFolder {
		entries = append(entries, d.dirs["/Dups/album"]...)
	}
	return DedupeScan{
		Entries: entries,
		Groups:  model.FindDuplicates(entries, model.DetectOptions{Fold: DiskFold()}),
		Dirs:    map[string]string{"hDups": dupsDir, "a1": "/Dups/album", "a2": "/Dups/album"},
	}, nil
}

func (d *dupFS) VerifyDuplicates(ctx context.Context, files []model.Entry, progress func(int, int)) (model.Hashes, error) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	var ids []string
	out := model.Hashes{}
	for i, f := range files {
		ids = append(ids, f.ID)
		if h, ok := d.hashes[f.ID]; ok {
			out[f.ID] = h
		}
		progress(i+1, len(files))
	}
	d.verified = append(d.verified, ids)
	return out, nil
}

func (d *dupFS) ApplyDedupe(ctx context.Context, plan model.Plan, progress func(int, int)) (DedupeResult, error) {
	if d.applyGate != nil {
		select {
		case <-d.applyGate:
		case <-ctx.Done():
			return DedupeResult{}, ctx.Err()
		}
	}
	d.dmu.Lock()
	d.plans = append(d.plans, plan)
	d.dmu.Unlock()
	var res DedupeResult
	for i, a := range plan.Actions {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		d.mu.Lock()
		for dir, es := range d.dirs {
			j := slices.IndexFunc(es, func(e model.Entry) bool { return e.ID == a.ID })
			if j < 0 {
				continue
			}
			switch a.Kind {
			case model.ActionTrash:
				d.dirs[binPath] = append(d.dirs[binPath], es[j])
				d.dirs[dir] = slices.Delete(es, j, j+1)
			case model.ActionRename:
				es[j].Name = a.NewName
			}
			break
		}
		d.mu.Unlock()
		res.Applied++
		progress(i+1, len(plan.Actions))
	}
	return res, nil
}

func (d *dupFS) UndoDedupe(ctx context.Context, progress func(int, int)) (DedupeResult, error) {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	if len(d.plans) == 0 {
		return DedupeResult{}, fmt.Errorf("undo: no dedupe run: %w", model.ErrNotFound)
	}
	d.undos++
	n := len(d.plans[len(d.plans)-1].Actions)
	progress(n, n)
	return DedupeResult{Applied: n}, nil
}

func (d *dupFS) CountDuplicateGroups(context.Context) (int, error) { return d.acct, nil }

func (d *dupFS) applied() []model.Plan {
	d.dmu.Lock()
	defer d.dmu.Unlock()
	return slices.Clone(d.plans)
}

// newDupHarness shows local on the left and /Dups of a dupFS on the
// right, focused.
func newDupHarness(t testing.TB, w, h int) (*harness, *dupFS) {
	t.Helper()
	local, _ := fixture()
	mega := newDupFS(t)
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: dupsDir,
		Transfers: &fakeTransfers{}, Styles: &st, Location: time.UTC})
	hs := &harness{t: t, app: app, local: local, mega: mega.megaFS}
	hs.send(windowSize(w, h))
	hs.run(app.Init())
	hs.press("tab")
	return hs, mega
}

// lockedFS is a MEGA filesystem without a session until Login succeeds.
// Login follows a script: the password, an optional TOTP code, and a
// forced error for the next attempt.
type lockedFS struct {
	*megaFS
	amu      sync.Mutex
	email    string
	password string
	code     string // "" = no two-factor
	next     error  // returned once by the next Login
	loggedIn bool
	attempts []string // "email code remember" (never the password)
	gotPass  []string // passwords received, to check what reached Login
}

func newLockedFS(email, password, code string) *lockedFS {
	m := newMegaFS()
	m.label = "mega:work"
	m.add("/Cloud/", 0)
	m.add("/Cloud/secret-plans.txt", 100)
	return &lockedFS{megaFS: m, email: email, password: password, code: code}
}

func (l *lockedFS) List(ctx context.Context, dir string) ([]model.Entry, error) {
	l.amu.Lock()
	in := l.loggedIn
	l.amu.Unlock()
	if !in {
		return nil, fmt.Errorf("list %s: %w", dir, model.ErrNoCredentials)
	}
	return l.megaFS.List(ctx, dir)
}

func (l *lockedFS) Quota(ctx context.Context) (int64, int64, error) {
	l.amu.Lock()
	defer l.amu.Unlock()
	if !l.loggedIn {
		return 0, 0, model.ErrNoCredentials
	}
	return l.megaFS.Quota(ctx)
}

func (l *lockedFS) Email() string { return l.email }

func (l *lockedFS) Login(_ context.Context, email, password, code string, remember bool) error {
	l.amu.Lock()
	defer l.amu.Unlock()
	l.attempts = append(l.attempts, fmt.Sprintf("%s %s %v", email, code, remember))
	l.gotPass = append(l.gotPass, password)
	if err := l.next; err != nil {
		l.next = nil
		return fmt.Errorf("login %s: %w", email, err)
	}
	switch {
	case !strings.EqualFold(email, l.email) || password != l.password:
		return fmt.Errorf("login %s: %w", email, model.ErrLoginFailed)
	case l.code != "" && code == "":
		return fmt.Errorf("login %s: %w", email, model.ErrMFARequired)
	case l.code != "" && code != l.code:
		return fmt.Errorf("login %s: %w", email, model.ErrMFAInvalid)
	}
	l.loggedIn = true
	return nil
}
