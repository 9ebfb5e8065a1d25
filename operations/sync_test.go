package operations

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// mutations counts the API commands and data requests that change or
// move content.
func mutations(s *megasim.Server) map[string]int {
	m := map[string]int{}
	for _, k := range []string{"u", "p", "g", "m", "a", "d", "upload-piece", "download-range"} {
		m[k] = s.CommandCount(k)
	}
	return m
}

func diffCounts(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range b {
		if d := v - a[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// megaFiles lists the files under root on MEGA: path -> content size,
// failing on same-name duplicates.
func megaFiles(t *testing.T, c *megaclient.Client, root string) map[string]int64 {
	t.Helper()
	l, err := Walk(context.Background(), NewMega(c, "mega", root), WalkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Duplicates) > 0 {
		t.Fatalf("duplicate nodes: %v", l.Duplicates)
	}
	out := map[string]int64{}
	for p, o := range l.Files {
		out[p] = o.Entry.Size
	}
	return out
}

func localFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = fi.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func equalMaps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestSyncToMegaConvergesAndThenDoesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	dir := t.TempDir()
	mtime := time.Unix(1700000000, 0)
	files := sequence(60, func(i int) (string, string) {
		return fmt.Sprintf("d%d/s%d/f%03d.txt", i%4, i%3, i), strings.Repeat(string(rune('a'+i%26)), 100+i)
	})
	writeTree(t, dir, files, mtime)
	if _, err := c.MkdirAll(ctx, "/backup"); err != nil {
		t.Fatal(err)
	}
	local, _ := NewLocal(dir, nil)
	mega := NewMega(c, "mega", "/backup")
	opts := SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, JournalPath: filepath.Join(t.TempDir(), "journal.jsonl")}
	res, err := Sync(ctx, local, mega, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 60 || res.Failed != 0 {
		t.Fatalf("first run: %+v", res)
	}
	// Adds, changes (same size too), deletes and renames.
	writeTree(t, dir, map[string]string{"new/one.txt": "brand new", "d0/s0/f000.txt": "changed content"}, mtime.Add(time.Hour))
	same := filepath.Join(dir, "d1/s1/f001.txt")
	b, _ := os.ReadFile(same)
	b[0] ^= 1
	_ = os.WriteFile(same, b, 0o644)
	_ = os.Chtimes(same, mtime.Add(2*time.Hour), mtime.Add(2*time.Hour))
	_ = os.Remove(filepath.Join(dir, "d2/s2/f002.txt"))
	_ = os.Rename(filepath.Join(dir, "d3/s0/f003.txt"), filepath.Join(dir, "d3/s0/renamed.txt"))
	_ = os.RemoveAll(filepath.Join(dir, "d2/s0"))
	log := newMemLog()
	opts.Log = log
	res, err = Sync(ctx, local, mega, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 2 || res.Updated != 2 || res.Deleted < 3 || res.Failed != 0 {
		t.Errorf("second run: %+v\n%s", res, log)
	}
	if got, want := megaFiles(t, c, "/backup"), localFiles(t, dir); !equalMaps(got, want) {
		t.Errorf("trees differ:\nmega  %v\nlocal %v", got, want)
	}
	// The deleted and replaced files are in the Rubbish Bin.
	bin, _ := c.List(ctx, "//bin")
	if len(bin) < 3 {
		t.Errorf("rubbish bin holds %d entries, want the deleted and replaced files", len(bin))
	}
	// Unchanged: no request beyond the listing (already in memory).
	before := mutations(s)
	res, err = Sync(ctx, local, mega, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffCounts(before, mutations(s)); len(d) != 0 || res.New+res.Updated+res.Deleted != 0 {
		t.Errorf("third run made requests %v, result %+v", d, res)
	}
	if res.Identical != len(localFiles(t, dir)) {
		t.Errorf("third run: %d identical, want %d", res.Identical, len(localFiles(t, dir)))
	}
}

func TestSyncSafety(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	uploadTree(t, c, "/dst", sequence(5, func(i int) (string, string) { return fmt.Sprintf("f%d", i), "x" }), mtime)
	mega := NewMega(c, "mega", "/dst")
	empty, _ := NewLocal(t.TempDir(), nil)
	if _, err := Sync(ctx, empty, mega, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1}); !errors.Is(err, ErrSourceEmpty) {
		t.Errorf("empty source: got %v, want ErrSourceEmpty", err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"f0": "x"}, mtime)
	one, _ := NewLocal(dir, nil)
	if _, err := Sync(ctx, one, mega, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: 3}); !errors.Is(err, ErrMaxDelete) {
		t.Errorf("max delete: got %v, want ErrMaxDelete", err)
	}
	missing, _ := NewLocal(filepath.Join(dir, "nope"), nil)
	if _, err := Sync(ctx, missing, mega, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1}); err == nil {
		t.Error("unreadable source: accepted")
	}
	if n := len(megaFiles(t, c, "/dst")); n != 5 {
		t.Fatalf("refused syncs changed the destination: %d files left", n)
	}
	// A dry run says what it would do and changes nothing.
	log := newMemLog()
	before := mutations(s)
	res, err := Sync(ctx, one, mega, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, DryRun: true, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if res.Deleted != 4 || res.Identical != 1 || len(diffCounts(before, mutations(s))) != 0 {
		t.Errorf("dry run: %+v, requests %v", res, diffCounts(before, mutations(s)))
	}
	if !strings.Contains(log.String(), "NOTICE: f1: Skipped delete as --dry-run is set (size 1)") {
		t.Errorf("dry-run log:\n%s", log)
	}
}

func TestSyncFromMegaWithBackupDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	uploadTree(t, c, "/src", map[string]string{"a.txt": "alpha", "sub/b.txt": "bravo", "sub/deep/c.txt": "charlie"}, mtime)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.txt": "old alpha", "gone.txt": "remove me", "olddir/x.txt": "x"}, mtime)
	backupDir := t.TempDir()
	dst, _ := NewLocal(dir, nil)
	backup, _ := NewLocal(backupDir, nil)
	res, err := Sync(ctx, NewMega(c, "mega", "/src"), dst, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, Backup: backup})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := localFiles(t, dir), map[string]int64{"a.txt": 5, "sub/b.txt": 5, "sub/deep/c.txt": 7}; !equalMaps(got, want) {
		t.Errorf("destination: %v, want %v (%+v)", got, want, res)
	}
	got := localFiles(t, backupDir)
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"a.txt", "gone.txt", "olddir/x.txt"}; !slices.Equal(keys, want) {
		t.Errorf("backup holds %v, want %v", keys, want)
	}
	// Modification times came along.
	fi, _ := os.Stat(filepath.Join(dir, "sub/deep/c.txt"))
	if !fi.ModTime().Equal(mtime) {
		t.Errorf("mtime %v, want %v", fi.ModTime(), mtime)
	}
}

func TestCopyUpdatesChangedAndSetsTimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"same": "same", "changed": "new body", "touched": "touched body", "extra": "kept"}, mtime)
	uploadTree(t, c, "/c", map[string]string{"same": "same", "changed": "old", "touched": "touched body", "only-remote": "stays"}, mtime)
	_ = os.Chtimes(filepath.Join(dir, "touched"), mtime.Add(time.Hour), mtime.Add(time.Hour))
	local, _ := NewLocal(dir, nil)
	mega := NewMega(c, "mega", "/c")
	before := mutations(s)
	res, err := Sync(ctx, local, mega, SyncOptions{Mode: ModeCopy, Remote: c, MaxDelete: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1 || res.Updated != 1 || res.TimesSet != 1 || res.Identical != 1 || res.Deleted != 0 {
		t.Errorf("copy: %+v", res)
	}
	if d := diffCounts(before, mutations(s)); d["upload-piece"] != 2 {
		t.Errorf("uploads: %v, want 2 pieces (touched only gets its time set)", d)
	}
	e, _ := c.Stat(ctx, "/c/touched")
	if !e.ModTime.Equal(mtime.Add(time.Hour)) {
		t.Errorf("touched: mtime %v", e.ModTime)
	}
	if _, err := c.Stat(ctx, "/c/only-remote"); err != nil {
		t.Error("copy deleted a destination-only file")
	}
	// --ignore-existing and --update leave changed files alone.
	writeTree(t, dir, map[string]string{"changed": "changed again!"}, mtime.Add(-time.Hour))
	res, _ = Sync(ctx, local, mega, SyncOptions{Mode: ModeCopy, Remote: c, MaxDelete: -1, Update: true})
	if res.Updated != 0 || res.Skipped != 1 {
		t.Errorf("--update: %+v", res)
	}
	res, _ = Sync(ctx, local, mega, SyncOptions{Mode: ModeCopy, Remote: c, MaxDelete: -1, IgnoreExisting: true})
	if res.Updated != 0 || res.Skipped != 4 {
		t.Errorf("--ignore-existing: %+v", res)
	}
}

func TestSyncTrackRenamesMovesInsteadOfUploading(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	dir := t.TempDir()
	mtime := time.Unix(1700000000, 0)
	writeTree(t, dir, map[string]string{"a/one.txt": "first file", "a/two.txt": "second file", "old/three.txt": "third file", "same.txt": "x"}, mtime)
	local, _ := NewLocal(dir, nil)
	mega := NewMega(c, "mega", "/tr")
	if _, err := c.MkdirAll(ctx, "/tr"); err != nil {
		t.Fatal(err)
	}
	opts := SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, TrackRenames: true}
	if _, err := Sync(ctx, local, mega, opts); err != nil {
		t.Fatal(err)
	}
	// A rename in place, a move into a new folder, and a move out of a
	// folder that disappears.
	_ = os.Rename(filepath.Join(dir, "a/one.txt"), filepath.Join(dir, "a/uno.txt"))
	_ = os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	_ = os.Rename(filepath.Join(dir, "a/two.txt"), filepath.Join(dir, "b/two.txt"))
	_ = os.Rename(filepath.Join(dir, "old/three.txt"), filepath.Join(dir, "three.txt"))
	_ = os.Remove(filepath.Join(dir, "old"))
	before := mutations(s)
	res, err := Sync(ctx, local, mega, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Renamed != 3 || res.New != 0 || res.Deleted != 0 || res.Failed != 0 {
		t.Errorf("got %+v, want 3 renames and nothing else", res)
	}
	if d := diffCounts(before, mutations(s)); d["upload-piece"] != 0 {
		t.Errorf("renames uploaded: %v", d)
	}
	if got, want := megaFiles(t, c, "/tr"), localFiles(t, dir); !equalMaps(got, want) {
		t.Errorf("trees differ:\nmega  %v\nlocal %v", got, want)
	}
	if _, err := c.Stat(ctx, "/tr/old"); err == nil {
		t.Error("the emptied folder is still there")
	}
}

func TestSyncChecksumCatchesContentBehindSameTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	dir := t.TempDir()
	mtime := time.Unix(1700000000, 0)
	writeTree(t, dir, map[string]string{"f.txt": "content one"}, mtime)
	if _, err := c.MkdirAll(ctx, "/cs"); err != nil {
		t.Fatal(err)
	}
	plainUpload(t, s, c, "/cs", "f.txt", []byte("content two")) // no fingerprint: time unknown
	local, _ := NewLocal(dir, nil)
	mega := NewMega(c, "mega", "/cs")
	res, err := Sync(ctx, local, mega, SyncOptions{Mode: ModeCopy, Remote: c, MaxDelete: -1, Checksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 1 || res.SampledBytes == 0 {
		t.Errorf("--checksum: %+v, want the different content replaced after sampling", res)
	}
	res, err = Sync(ctx, local, mega, SyncOptions{Mode: ModeCopy, Remote: c, MaxDelete: -1, Checksum: true})
	if err != nil || res.Identical != 1 || res.SampledBytes != 0 {
		t.Errorf("second --checksum run: %+v, %v", res, err)
	}
}

// MEGA names that are not safe on a disk ('/', control characters) get
// the engine's local form on both sides, so a sync down converges.
func TestSyncUnsafeNamesConverge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	uploadTree(t, c, "/u", map[string]string{"plain.txt": "p"}, mtime)
	dir, _ := c.Stat(ctx, "/u")
	for _, name := range []string{"a/b.txt", "bell\x07.txt"} {
		if _, err := c.Upload(ctx, dir.ID, name, strings.NewReader("x"), 1, mtime, nil); err != nil {
			t.Fatal(err)
		}
	}
	local, _ := NewLocal(t.TempDir(), nil)
	mega := NewMega(c, "mega", "/u")
	res, err := Sync(ctx, mega, local, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1})
	if err != nil || res.New != 3 || res.Failed != 0 {
		t.Fatalf("first sync: %+v, %v", res, err)
	}
	if n := len(localFiles(t, local.Path())); n != 3 {
		t.Errorf("%d local files, want 3 flat ones", n)
	}
	res, err = Sync(ctx, mega, local, SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1})
	if err != nil || res.Identical != 3 || res.New+res.Updated+res.Deleted != 0 {
		t.Errorf("second sync: %+v, %v", res, err)
	}
}

func TestSyncToMegaWithBackupDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	uploadTree(t, c, "/live", map[string]string{"keep.txt": "k", "old/gone.txt": "g", "changed.txt": "v1"}, mtime)
	if _, err := c.MkdirAll(ctx, "/bak"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"keep.txt": "k", "changed.txt": "v2!"}, mtime)
	local, _ := NewLocal(dir, nil)
	res, err := Sync(ctx, local, NewMega(c, "mega", "/live"), SyncOptions{Mode: ModeSync, Remote: c, MaxDelete: -1, Backup: NewMega(c, "mega", "/bak")})
	if err != nil || res.Failed != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if got, want := megaFiles(t, c, "/bak"), map[string]int64{"changed.txt": 2, "old/gone.txt": 1}; !equalMaps(got, want) {
		t.Errorf("backup: %v, want %v", got, want)
	}
	if got, want := megaFiles(t, c, "/live"), map[string]int64{"keep.txt": 1, "changed.txt": 3}; !equalMaps(got, want) {
		t.Errorf("live: %v, want %v", got, want)
	}
}
