package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
	"github.com/megatui/megatui/model"
)

// dedupeCLI is a megasim account with the duplicate fixture and private
// state and cache directories.
type dedupeCLI struct {
	s   *megasim.Server
	env map[string]string
	c   *megaclient.Client
}

func newDedupeCLI(t *testing.T) *dedupeCLI { return newDedupeCLIWith(t, true) }

// newDedupeCLIWith seeds the fixture; without folders it trashes one of
// the two Trip folders first, so no merge is offered.
func newDedupeCLIWith(t *testing.T, folders bool) *dedupeCLI {
	t.Helper()
	s := startCLISim(t)
	home := t.TempDir()
	d := &dedupeCLI{s: s, env: map[string]string{"MEGATUI_USER": cliEmail, "MEGATUI_PASSWORD": cliPass,
		"MEGATUI_API_URL": s.URL(), "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CACHE_HOME": home + "/cache"}}
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "mega", Email: cliEmail, Password: cliPass,
		APIURL: s.URL(), HTTPClient: s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	d.c = c
	fx, err := demo.SeedDuplicates(context.Background(), c, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	if !folders {
		if err := c.Trash(context.Background(), fx.Folders[0]); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

func (d *dedupeCLI) run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := New(Env{Env: account.Env{Getenv: func(k string) string { return d.env[k] }, HTTPClient: d.s.HTTPClient()}}, "test")
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"dedupe"}, args...))
	ctx := context.Background()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// list lists /Duplicates as a fresh login sees it.
func (d *dedupeCLI) list(t *testing.T) []model.Entry {
	t.Helper()
	c, err := megaclient.Connect(context.Background(), megaclient.Options{Remote: "mega", Email: cliEmail, Password: cliPass,
		APIURL: d.s.URL(), HTTPClient: d.s.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	es, err := c.List(context.Background(), "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// names counts the names in /Duplicates.
func (d *dedupeCLI) names(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, e := range d.list(t) {
		out[e.Name]++
	}
	return out
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestCLIDedupeDryRunModeThenUndo(t *testing.T) {
	t.Parallel()
	d := newDedupeCLI(t)
	before := d.names(t)
	out, err := d.run(t, "", "--dry-run", "newest", "mega:/Duplicates")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if !strings.Contains(out, `trash "report.pdf"`) || !strings.Contains(out, "dry run: nothing changed") {
		t.Errorf("dry run output:\n%s\nwant a plan trashing report.pdf copies", out)
	}
	if after := d.names(t); !sameCounts(before, after) {
		t.Errorf("dry run changed names: got %v, want %v", after, before)
	}
	out, err = d.run(t, "", "--mode", "newest", "mega:/Duplicates")
	if err != nil {
		t.Fatalf("newest: %v\n%s", err, out)
	}
	if !strings.Contains(out, "undo with: megatui dedupe --undo mega:") {
		t.Errorf("output:\n%s\nwant the undo hint", out)
	}
	got := d.names(t)
	for _, n := range []string{"report.pdf", "notes.txt", "song.mp3", "IMG_0001.jpg", "Trip", "Photo.jpg", "photo.jpg", "unique.txt"} {
		if got[n] != 1 {
			t.Errorf("after newest: %d × %q, want 1 (names: %v)", got[n], n, got)
		}
	}
	out, err = d.run(t, "", "--undo", "mega:")
	if err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	if after := d.names(t); !sameCounts(before, after) {
		t.Errorf("after undo: got %v, want %v", after, before)
	}
	if _, err := d.run(t, "", "--undo", "mega:"); err == nil {
		t.Errorf("a second undo: got no error, want nothing to undo")
	}
	if out, err := d.run(t, "", "newest", "mega:/Duplicates/Archive"); err != nil || !strings.Contains(out, "no duplicates in mega:/Duplicates/Archive") {
		t.Errorf("a folder without duplicates: got %v\n%s", err, out)
	}
	if _, err := d.run(t, "", "--mode", "bogus", "mega:/Duplicates"); err == nil {
		t.Errorf("bogus mode: got no error")
	}
}

func TestCLIDedupeInteractive(t *testing.T) {
	t.Parallel()
	d := newDedupeCLIWith(t, false)
	// Groups come sorted by name: IMG_0001.jpg, notes.txt, report.pdf,
	// song.mp3, then two collision notes.
	stdin := "k\n4\nr\nx\nk\n2\ns\ny\n"
	out, err := d.run(t, stdin, "mega:/Duplicates")
	if err != nil {
		t.Fatalf("interactive: %v\n%s", err, out)
	}
	for _, want := range []string{"s) Skip", "k) Keep just one", "r) Rename all", "q) Quit",
		"please answer one of", "Enter the number of the copy to keep", "Apply these", "collide on a case-insensitive disk"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	got := d.names(t)
	want := map[string]int{"IMG_0001.jpg": 1, "Trip": 1, "notes-1.txt": 1, "notes-2.txt": 1, "report.pdf": 1, "song.mp3": 3}
	for n, k := range want {
		if got[n] != k {
			t.Errorf("%q: got %d, want %d (names %v)", n, got[n], k, got)
		}
	}
	// The kept IMG_0001.jpg is the one listed 4th.
	block := out[strings.Index(out, `named "IMG_0001.jpg"`):]
	line := block[strings.Index(block, "\n  4: "):]
	kept := strings.Fields(line[strings.Index(line, "H:")+2:])[0]
	var imgs []string
	for _, e := range d.list(t) {
		if e.Name == "IMG_0001.jpg" {
			imgs = append(imgs, e.ID)
		}
	}
	if len(imgs) != 1 || imgs[0] != kept {
		t.Errorf("kept IMG_0001.jpg: got %v, want only %s", imgs, kept)
	}

	// q at the first question changes nothing.
	d2 := newDedupeCLIWith(t, false)
	before := d2.names(t)
	if out, err := d2.run(t, "q\n", "mega:/Duplicates"); err != nil {
		t.Fatalf("quit: %v\n%s", err, out)
	}
	if after := d2.names(t); !sameCounts(before, after) {
		t.Errorf("after q: got %v, want %v", after, before)
	}
}

func TestCLIDedupeModeTwice(t *testing.T) {
	t.Parallel()
	d := newDedupeCLI(t)
	if _, err := d.run(t, "", "--mode", "first", "newest", "mega:/Duplicates"); err == nil {
		t.Errorf("mode given twice: got no error")
	}
	before := d.names(t)
	// list names each group by its folder's path (not a handle) and each
	// member by path and handle; --by-content groups have no shared name.
	if out, err := d.run(t, "", "list", "mega:/Duplicates"); err != nil ||
		!strings.Contains(out, `3 files named "report.pdf" in /Duplicates (identical)`) ||
		!strings.Contains(out, `2 folders named "Trip" in /Duplicates`) ||
		!strings.Contains(out, "  /Duplicates/report.pdf  H:") {
		t.Errorf("list: got %v\n%s", err, out)
	}
	if out, err := d.run(t, "", "--by-content", "--mode", "list", "mega:/Duplicates"); err != nil ||
		!strings.Contains(out, "4 files with the same content (identical)") || !strings.Contains(out, "  /Duplicates/Archive/report (copy).pdf  H:") || strings.Contains(out, `named ""`) || strings.Contains(out, "[]") {
		t.Errorf("list --by-content: got %v\n%s", err, out)
	}
	if after := d.names(t); !sameCounts(before, after) {
		t.Errorf("list changed names: got %v, want %v", after, before)
	}
	// identical mode verifies same-size copies (7 files) and removes
	// only the verified-identical ones; no folder is merged.
	out, err := d.run(t, "", "identical", "mega:/Duplicates")
	if err != nil {
		t.Fatalf("identical: %v\n%s", err, out)
	}
	if !strings.Contains(out, "verify: 7/7 files") || !strings.Contains(out, "same SHA-256") {
		t.Errorf("identical output:\n%s\nwant verify progress and SHA-256 evidence", out)
	}
	got := d.names(t)
	want := map[string]int{"report.pdf": 1, "IMG_0001.jpg": 3, "notes.txt": 2, "song.mp3": 3, "Trip": 2}
	for n, k := range want {
		if got[n] != k {
			t.Errorf("after identical: %q ×%d, want %d", n, got[n], k)
		}
	}
	// The hashes are cached for the next run.
	if _, err := os.Stat(filepath.Join(d.env["XDG_CACHE_HOME"], "megatui", "dedupe-hashes-mega.json")); err != nil {
		t.Errorf("hash cache: %v", err)
	}
	// Undo puts the three copies back.
	if out, err := d.run(t, "", "--undo", "mega:"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	if after := d.names(t); !sameCounts(before, after) {
		t.Errorf("after undo: got %v, want %v", after, before)
	}
}

// TestCLIDedupeMerge merges the duplicate Trip folders interactively and
// then in newest mode (common.txt collides after the merge), and undoes.
func TestCLIDedupeMerge(t *testing.T) {
	t.Parallel()
	d := newDedupeCLI(t)
	before := d.names(t)
	// IMG_0001.jpg s, Trip m, notes s, report s, song s, confirm y.
	out, err := d.run(t, "s\nm\ns\ns\ns\ny\n", "mega:/Duplicates")
	if err != nil {
		t.Fatalf("interactive merge: %v\n%s", err, out)
	}
	if !strings.Contains(out, "m) Merge") || !strings.Contains(out, "would be named \"common.txt\"") {
		t.Errorf("output:\n%s\nwant the merge question and the common.txt collision", out)
	}
	if got := d.names(t); got["Trip"] != 1 {
		t.Errorf("after merge: %d × Trip, want 1", got["Trip"])
	}
	if out, err := d.run(t, "", "--undo", "mega:"); err != nil {
		t.Fatalf("undo: %v\n%s", err, out)
	}
	if after := d.names(t); !sameCounts(before, after) {
		t.Errorf("after undo: got %v, want %v", after, before)
	}
}

// A dedupe that fails before planning (a missing path) reports only the
// error: no "dry run: nothing changed" line that reads like a success.
func TestCLIDedupeMissingPathOnlyErrors(t *testing.T) {
	t.Parallel()
	d := newDedupeCLI(t)
	for _, args := range [][]string{
		{"--dry-run", "newest", "mega:/nope"},
		{"rename", "mega:/nope"},
	} {
		out, err := d.run(t, "", args...)
		if !errors.Is(err, model.ErrNotFound) || out != "" {
			t.Errorf("dedupe %s: got %v and output %q; want %v and no output", strings.Join(args, " "), err, out, model.ErrNotFound)
		}
	}
}
