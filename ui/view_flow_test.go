package ui

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dialog"
)

// linesFile is a synthetic text file of n fixed-width lines
// ("line 00000042\n"), read by ranges; it counts the bytes read.
type linesFile struct {
	n    int64
	read *atomic.Int64
}

const lineW = 14

func (f linesFile) Size() int64  { return f.n * lineW }
func (f linesFile) Close() error { return nil }

func (f linesFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.Size() {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && off+int64(k) < f.Size() {
		o := off + int64(k)
		line := fmt.Sprintf("line %08d\n", o/lineW)
		c := copy(p[k:], line[o%lineW:])
		k += c
	}
	f.read.Add(int64(k))
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

type bytesFile struct{ b []byte }

func (f bytesFile) Size() int64  { return int64(len(f.b)) }
func (f bytesFile) Close() error { return nil }
func (f bytesFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(f.b)) {
		return 0, io.EOF
	}
	n := copy(p, f.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// viewFS is a MEGA-like filesystem whose files open for the viewer.
type viewFS struct {
	*megaFS
	files map[string]RangeReader
}

func (v *viewFS) OpenFile(_ context.Context, p string) (RangeReader, error) {
	if r, ok := v.files[p]; ok {
		return r, nil
	}
	return nil, model.ErrNotFound
}

func newViewHarness(t *testing.T) (*harness, *atomic.Int64) {
	t.Helper()
	local, mega := fixture()
	read := &atomic.Int64{}
	big := linesFile{n: (100 << 20) / lineW, read: read}
	png := make([]byte, 64)
	copy(png, "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
	binary.BigEndian.PutUint32(png[16:], 1920)
	binary.BigEndian.PutUint32(png[20:], 1080)
	mega.add("/Cloud/big.log", big.Size())
	mega.add("/Cloud/photo.png", int64(len(png)))
	vfs := &viewFS{megaFS: mega, files: map[string]RangeReader{"/Cloud/big.log": big, "/Cloud/photo.png": bytesFile{png}}}
	app := New(Options{Left: local, Right: vfs, LeftDir: "/home/u", RightDir: "/Cloud", Transfers: &fakeTransfers{}})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(100, 30))
	h.run(app.Init())
	h.press("tab")
	return h, read
}

// TestViewerReadsRanges: F3 on a 100 MiB file shows its first screen after
// one range read, G its last lines after one more, and search finds a
// line far down; the viewer closes with esc.
func TestViewerReadsRanges(t *testing.T) {
	t.Parallel()
	h, read := newViewHarness(t)
	h.press("home") // big.log sorts first
	if h.current() != "big.log" {
		t.Fatalf("cursor on %q", h.current())
	}
	h.press("f3")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "big.log · 100 MiB · text · 0%") || !strings.Contains(v, "line 00000000") ||
		!strings.Contains(v, "line 00000025") {
		t.Fatalf("first screen:\n%s", v)
	}
	golden(t, "viewer.txt", v)
	if n := read.Load(); n > 2*64<<10 {
		t.Errorf("first screen read %d bytes, want at most two 64 KiB ranges", n)
	}
	before := read.Load()
	h.press("G")
	v = stripANSI(h.app.render())
	last := fmt.Sprintf("line %08d", (100<<20)/lineW-1)
	if !strings.Contains(v, last) || !strings.Contains(v, "99%") {
		t.Fatalf("G does not show %q:\n%s", last, v)
	}
	if n := read.Load() - before; n > 2*64<<10 {
		t.Errorf("G read %d bytes, want one range at the end", n)
	}
	h.press("g", "/")
	h.typeText("LINE 00200000")
	h.press("enter")
	v = stripANSI(h.app.render())
	if !strings.Contains(v, "line 00200000") {
		t.Fatalf("search did not show the match:\n%s", v)
	}
	h.press("esc")
	if h.app.viewing() != nil {
		t.Fatal("viewer still open after esc")
	}
}

// TestViewerSummarisesBinary: an image gets a summary with its type and
// dimensions instead of garbage on the terminal.
func TestViewerSummarisesBinary(t *testing.T) {
	t.Parallel()
	h, _ := newViewHarness(t)
	h.press("home", "down", "down", "f3") // photo.png
	v := stripANSI(h.app.render())
	golden(t, "viewer-binary.txt", v)
	for _, want := range []string{"photo.png", "binary", "type:  PNG image", "image: 1920 × 1080 pixels", "89 50 4e 47"} {
		if !strings.Contains(v, want) {
			t.Errorf("summary lacks %q:\n%s", want, v)
		}
	}
}

// TestViewerSanitises: escape sequences in file content never reach the
// terminal.
func TestViewerSanitises(t *testing.T) {
	t.Parallel()
	got := viewerSanitize("ok\x1b]0;pwned\x07\x1b[31mred\tx\r")
	if strings.ContainsAny(got, "\x1b\x07\r\t") || !strings.Contains(got, "ok·]0;pwned··[31mred") {
		t.Errorf("got %q", got)
	}
}

// sizedFS tells folder sizes, as the MEGA tree does.
type sizedFS struct {
	*megaFS
	sizes map[string]int64 // by folder name
}

func (s *sizedFS) FolderSizes(_ context.Context, _ string, folders []model.Entry) (map[string]int64, error) {
	out := map[string]int64{}
	for _, f := range folders {
		out[model.EntryKey(f)] = s.sizes[f.Name]
	}
	return out, nil
}

// TestFolderSizesShownAndSorted: MEGA folders show the size of their
// contents, and the sort by size orders them by it.
func TestFolderSizesShownAndSorted(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	mega.add("/Cloud/Photos/", 0)
	mega.add("/Cloud/Archive/", 0)
	fs := &sizedFS{megaFS: mega, sizes: map[string]int64{"Photos": 3 << 30, "Archive": 12 << 20}}
	app := New(Options{Left: local, Right: fs, LeftDir: "/home/u", RightDir: "/Cloud"})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(100, 30))
	h.run(app.Init())
	h.press("tab", "s", "S") // sort by size, largest first
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "Photos/") || !strings.Contains(v, "3.0 GiB") || !strings.Contains(v, "12 MiB") {
		t.Fatalf("folder sizes not shown:\n%s", v)
	}
	if got := h.rows(1); len(got) < 2 || got[0] != "Photos" || got[1] != "Archive" {
		t.Errorf("sort by size: got %q, want Photos then Archive", got)
	}
	golden(t, "folder-sizes.txt", v)
}

// TestFindIsAPaneYouCanActOn: F finds below the folder by name; the
// results show each entry's folder, delete and copy act on the right
// files, enter goes to a result, backspace back to the folder.
func TestFindIsAPaneYouCanActOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("F")
	h.typeText("*.txt")
	h.press("enter")
	v := stripANSI(h.app.render())
	for _, want := range []string{"local · find *.txt below /home/u · 5 result(s)", "docs/inner.txt", "a.txt", "日本語ファイル.txt"} {
		if !strings.Contains(v, want) {
			t.Errorf("results lack %q:\n%s", want, v)
		}
	}
	golden(t, "find.txt", v)
	// Copy a.txt and docs/inner.txt: one request per source folder.
	for h.current() != "inner.txt" {
		h.press("down")
	}
	h.press("space")
	h.press("home")
	for h.current() != "a.txt" {
		h.press("down")
	}
	h.press("space", "c", "enter")
	dirs := map[string][]string{}
	for _, r := range h.tr.reqs {
		for _, e := range r.Sources {
			dirs[r.SrcDir] = append(dirs[r.SrcDir], e.Name)
		}
	}
	if len(dirs) != 2 || len(dirs["/home/u"]) != 1 || len(dirs["/home/u/docs"]) != 1 {
		t.Errorf("got copy requests %v, want a.txt from /home/u and inner.txt from /home/u/docs", dirs)
	}
	// Delete inner.txt from the results: the right path, and the
	// results stay (the find runs again).
	for h.current() != "inner.txt" {
		h.press("down")
	}
	h.press("f8", "y")
	if got := h.local.callLog(); !slices.Contains(got, "remove /home/u/docs/inner.txt permanent=false") {
		t.Errorf("got calls %q, want inner.txt removed in docs", got)
	}
	if h.app.found[0] == nil || slices.Contains(h.rows(0), "inner.txt") {
		t.Errorf("after the delete: results %v, rows %q", h.app.found[0] != nil, h.rows(0))
	}
	// Enter goes to a result in its folder; backspace from results goes back.
	h.press("home")
	h.press("enter")
	if got := h.app.Pane(0).Dir(); got != "/home/u" || h.app.found[0] != nil {
		t.Errorf("enter on a result: got folder %q, results %v", got, h.app.found[0] != nil)
	}
	h.press("F")
	h.typeText("inner")
	h.press("enter", "backspace")
	if h.app.found[0] != nil || h.app.Pane(0).Dir() != "/home/u" {
		t.Errorf("backspace did not leave the results")
	}
}

// TestCopyTargetIsEditable: the F5 dialog's target folder can be edited;
// a relative folder is taken in the other pane's folder.
func TestCopyTargetIsEditable(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("down", "down", "f5") // a.txt
	for range len("/Cloud") {
		h.press("backspace")
	}
	h.typeText("/Inbox/2026")
	h.press("enter")
	if len(h.tr.reqs) != 1 || h.tr.reqs[0].DstDir != "/Inbox/2026" {
		t.Fatalf("got requests %+v, want one to /Inbox/2026", h.tr.reqs)
	}
	h.press("f5", "end")
	h.typeText("/sub")
	h.press("enter")
	if got := h.tr.reqs[1].DstDir; got != "/Cloud/sub" {
		t.Errorf("got %q, want /Cloud/sub", got)
	}
}

// TestMirrorOpensTheFolderInTheOtherPane: alt+o (or =) shows the focused
// pane's folder, and filesystem, in the other pane.
func TestMirrorOpensTheFolderInTheOtherPane(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("=")
	if h.app.fs[1] != FS(h.local) || h.app.Pane(1).Dir() != "/home/u" || !slices.Contains(h.rows(1), "a.txt") {
		t.Errorf("other pane: fs %s dir %q rows %q, want local /home/u", h.app.fs[1].Label(), h.app.Pane(1).Dir(), h.rows(1))
	}
}

// TestSpaceViewListsBySizeWithTheBin: z shows what uses the space, largest
// first, the Rubbish Bin included at the top of the account; enter goes
// into a folder.
func TestSpaceViewListsBySizeWithTheBin(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	mega.add("/Cloud/Photos/", 0)
	mega.add("/Cloud/Photos/big.jpg", 3<<20)
	mega.add("/Rubbish Bin/old.iso", 40<<20)
	fs := &sizedFS{megaFS: mega, sizes: map[string]int64{"Cloud": 8 << 20, "Photos": 3 << 20}}
	app := New(Options{Left: local, Right: fs, LeftDir: "/home/u", RightDir: "/"})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(120, 30))
	h.run(app.Init())
	h.press("tab", "z")
	v := stripANSI(h.app.render())
	box := v[max(strings.Index(v, "Space used"), 0):]
	bin, cloud := strings.Index(box, "Rubbish Bin/"), strings.Index(box, "Cloud/")
	if bin < 0 || cloud < 0 || bin > cloud || !strings.Contains(v, "Space used in mega:me@example.com:/ · 48 MiB") {
		t.Fatalf("space view (want the bin, 40 MiB, above Cloud, 8 MiB):\n%s", v)
	}
	golden(t, "space.txt", v)
	h.press("down", "enter") // into Cloud
	if v := stripANSI(h.app.render()); !strings.Contains(v, "Space used in mega:me@example.com:/Cloud") || !strings.Contains(v, "Photos/") {
		t.Errorf("enter did not go into Cloud:\n%s", v)
	}
	h.press("esc")
	if h.app.spaceOpen() {
		t.Error("esc left the space view open")
	}
}

// TestGotoCompletesWithTab: in ':' tab completes a folder name; with
// several candidates it lists them.
func TestGotoCompletesWithTab(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press(":")
	h.typeText("/d")
	h.press("tab")
	d, _ := h.app.topDialog()
	if in, ok := d.(*dialog.Input); !ok || in.Input.Value() != "/home/u/d" && in.Input.Value() != "/home/u/docs/" {
		// the dialog starts with the folder's path: "/home/u" then "/d"
		t.Fatalf("got %T %q", d, in.Input.Value())
	}
	in := d.(*dialog.Input)
	if in.Input.Value() != "/home/u/docs/" {
		t.Errorf("got %q, want /home/u/docs/", in.Input.Value())
	}
	in.Input.SetValue("/home/u/")
	h.press("tab")
	if v := stripANSI(h.app.render()); !strings.Contains(v, "docs  photos") {
		t.Errorf("candidates not listed:\n%s", v)
	}
	in.Input.SetValue("/home/u/docs/")
	h.press("enter")
	if got := h.app.Pane(0).Dir(); got != "/home/u/docs" {
		t.Errorf("got folder %q", got)
	}
}

// TestQuickLookFollowsTheCursor: Q shows the start of the cursor file in
// the other pane's place and follows the cursor; Q again closes it.
func TestQuickLookFollowsTheCursor(t *testing.T) {
	t.Parallel()
	h, _ := newViewHarness(t)
	h.press("home", "Q")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "quick look (Q closes)") || !strings.Contains(v, "line 00000000") {
		t.Fatalf("quick look of big.log:\n%s", v)
	}
	golden(t, "quick-look.txt", v)
	h.press("down", "down") // photo.png
	if v := stripANSI(h.app.render()); !strings.Contains(v, "PNG image") || strings.Contains(v, "line 00000000") {
		t.Errorf("quick look did not follow to photo.png:\n%s", v)
	}
	h.press("Q")
	if v := stripANSI(h.app.render()); strings.Contains(v, "quick look") {
		t.Errorf("Q did not close the quick look")
	}
}

// TestBookmarksAndHistory: B bookmarks the folder, visited folders make a
// history, ' lists both and goes to one (switching the pane's filesystem),
// and both are handed to the store, on change and at quit.
func TestBookmarksAndHistory(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	var saved [][]Place
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud",
		Bookmarks: []Place{{FS: "mega:me@example.com", Path: "/Cloud"}},
		SavePlaces: func(bm, hist []Place) error {
			saved = append(saved, bm)
			return nil
		}})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(120, 30))
	h.run(app.Init())
	h.press("enter") // into docs
	h.press("B")
	if len(saved) != 1 || len(saved[0]) != 2 || saved[0][1] != (Place{FS: "local", Path: "/home/u/docs"}) {
		t.Fatalf("saved %v, want the new bookmark after the old one", saved)
	}
	if got := app.history; len(got) < 2 || got[0].Path != "/home/u/docs" {
		t.Errorf("history %v, want /home/u/docs first", got)
	}
	h.press("'")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "★ mega:me@example.com:/Cloud") || !strings.Contains(v, "★ local:/home/u/docs") {
		t.Fatalf("places:\n%s", v)
	}
	h.press("enter") // the MEGA bookmark, from the local pane
	if app.fs[0] != FS(mega) || app.Pane(0).Dir() != "/Cloud" {
		t.Errorf("left pane: %s %q, want mega /Cloud", app.fs[0].Label(), app.Pane(0).Dir())
	}
	h.press("'", "x", "esc") // drop the first bookmark
	if len(app.bookmarks) != 1 || app.bookmarks[0].Path != "/home/u/docs" {
		t.Errorf("bookmarks %v after x", app.bookmarks)
	}
	n := len(saved)
	h.press("q")
	if len(saved) != n+1 || !h.quit() {
		t.Errorf("quit: saved %d times (was %d), quit %v", len(saved), n, h.quit())
	}
}
