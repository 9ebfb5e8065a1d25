package demo

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// memFile is an io.WriterAt over a byte slice; downloads write chunks
// from several goroutines.
type memFile struct {
	mu sync.Mutex
	b  []byte
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := int(off) + len(p); n > len(m.b) {
		m.b = append(m.b, make([]byte, n-len(m.b))...)
	}
	copy(m.b[off:], p)
	return len(p), nil
}

func download(t *testing.T, c *megaclient.Client, ref string) []byte {
	t.Helper()
	var f memFile
	if err := c.Download(context.Background(), ref, &f, nil); err != nil {
		t.Fatalf("download %s: %v", ref, err)
	}
	return f.b
}

func TestStartSeedsEverything(t *testing.T) {
	ctx := context.Background()
	d, err := Start(ctx, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	t.Logf("demo started and seeded in %v: %d folders, %d files, %d bytes", d.Took, d.Seeded.Folders, d.Seeded.Files, d.Seeded.Bytes)

	// A fresh login through the real path sees it all.
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "demo", Email: d.Email, Password: d.Password,
		APIURL: d.URL(), HTTPClient: d.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	top, err := c.List(ctx, "/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range top {
		names = append(names, e.Name)
	}
	for _, want := range []string{"Backups", "Documents", "Duplicates", "Many files", "Music", "Photos", "Projects", "Videos"} {
		if !slices.Contains(names, want) {
			t.Errorf("top level: got %q, want it to hold %q", names, want)
		}
	}
	many, err := c.List(ctx, "/Many files")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range many {
		if e.Kind == model.KindFile {
			files++
		}
	}
	if files != 10000 {
		t.Errorf("many files: got %d files, want 10000", files)
	}
	// Files of both origins download and decrypt (the MAC is checked).
	if got := download(t, c, "/Videos/holiday.mp4"); !bytes.Equal(got, Binary("holiday", 3<<20)) {
		t.Errorf("holiday.mp4: got %d bytes that differ from the seeded content", len(got))
	}
	if got := download(t, c, "/Many files/log-file-1.bin"); len(got) != 512 {
		t.Errorf("log-file-1.bin: got %d bytes, want 512", len(got))
	}
	if got := download(t, c, "/Documents/日本語/会議メモ.txt"); !bytes.Equal(got, Text("kaigi", 1200)) {
		t.Errorf("会議メモ.txt: content differs")
	}
	// Uploaded files carry the fingerprint with the original mtime.
	e, err := c.Stat(ctx, "/Documents/Résumé.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if e.Fingerprint == "" || !e.ModTimeKnown || !e.ModTime.Equal(day(2024, 11, 20)) {
		t.Errorf("Résumé.pdf: got fingerprint %q mtime %v (known %v), want a fingerprint with mtime %v", e.Fingerprint, e.ModTime, e.ModTimeKnown, day(2024, 11, 20))
	}
}

func TestSeedDuplicatesFixture(t *testing.T) {
	ctx := context.Background()
	d, err := Start(ctx, StartOptions{Seed: Options{ManyFiles: -1, LargeSize: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "demo", Email: d.Email, Password: d.Password,
		APIURL: d.URL(), HTTPClient: d.HTTPClient()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	es, err := c.List(ctx, "/Duplicates")
	if err != nil {
		t.Fatal(err)
	}
	groups := model.FindDuplicates(es, model.DetectOptions{})
	type key struct {
		kind  model.GroupKind
		name  string
		n     int
		class model.Similarity
	}
	var got []key
	for _, g := range groups {
		got = append(got, key{g.Kind, g.Name, len(g.Members), g.Class})
	}
	want := []key{
		{model.SameName, "IMG_0001.jpg", 4, model.Different},
		{model.SameName, "Trip", 2, model.NotClassified},
		{model.SameName, "notes.txt", 2, model.Different},
		{model.SameName, "report.pdf", 3, model.Identical},
		{model.SameName, "song.mp3", 3, model.Different},
		{model.Collision, "photo.jpg", 2, model.NotClassified},
	}
	slices.SortFunc(got, func(a, b key) int { return cmpKey(a.kind, a.name, b.kind, b.name) })
	if !slices.Equal(got, want) {
		t.Errorf("groups:\n got %v\nwant %v", got, want)
	}
	if fx := d.Seeded.Duplicates; len(fx.Identical) != 3 || fx.ContentCopy == "" || len(fx.TripBig) != 3 {
		t.Errorf("fixture handles incomplete: %+v", fx)
	}
}

func cmpKey(ak model.GroupKind, an string, bk model.GroupKind, bn string) int {
	if ak != bk {
		return int(ak) - int(bk)
	}
	switch {
	case an < bn:
		return -1
	case an > bn:
		return 1
	}
	return 0
}

func TestSandbox(t *testing.T) {
	dir := t.TempDir()
	n, err := Sandbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("got %d files, want at least 10", n)
	}
	f, err := os.Open(filepath.Join(dir, "images", "gradient.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("gradient.png is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 48 {
		t.Errorf("gradient.png: got %v, want 64x48", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "projects", "hello", "nested", "deeper", "deepest.txt")); err != nil {
		t.Errorf("nested file: %v", err)
	}
	// Writing again over an existing sandbox works.
	if _, err := Sandbox(dir); err != nil {
		t.Errorf("second run: %v", err)
	}
}
