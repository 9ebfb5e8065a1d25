// Package demo fills a MEGA account with realistic sample data (nested
// folders, Unicode names, larger files, a 10,000-file folder and every kind
// of duplicate) through the real protocol, writes a local sandbox of sample
// files, and starts an in-process megasim holding both for `megatui --demo`.
package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/megatui/megatui/model"
)

// Client is what seeding needs from an account; *megaclient.Client has it.
type Client interface {
	MkdirAll(ctx context.Context, path string) (model.Entry, error)
	Mkdir(ctx context.Context, parent, name string) (model.Entry, error)
	Upload(ctx context.Context, parent, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(delta int64)) (model.Entry, error)
}

// BulkFunc creates files small files of size bytes each in folder parent
// (a handle) by a faster path than one upload per file, such as megasim's
// SeedTree (about 80 µs a file against 350-550 µs for parallel uploads:
// see BenchmarkManyFiles). It returns once the server holds them; clients
// see them through the event channel.
type BulkFunc func(ctx context.Context, parent string, files, size int) error

// Options tune Seed.
type Options struct {
	// Root is the folder to fill ("" means Cloud Drive, "/").
	Root string
	// ManyFiles is the number of small files in "Many files"; 0 means
	// 10,000 and a negative number none.
	ManyFiles int
	// ManyFileSize is the size of each of them; 0 means 512 bytes.
	ManyFileSize int
	// Bulk, when set, creates the many small files; otherwise they are
	// uploaded one by one, Parallel at a time.
	Bulk BulkFunc
	// Parallel is the number of concurrent uploads; 0 means 1. Measured
	// (TestStartSeedsEverything, 2 cores): one at a time seeds the demo in
	// 0.4-0.6 s, because each upload already sends its chunks in
	// parallel; 2-8 at a time were no faster.
	Parallel int
	// LargeSize is the size of the larger files; 0 means 3 MiB.
	LargeSize int
	// Progress, when set, is called after each file is created (bulk
	// files count together at the end).
	Progress func(done, total int)
	// TOTPSecret is the account's two-factor secret, if it has one
	// (SeedServer logs in with a code made from it).
	TOTPSecret string
}

// Result summarises what Seed created.
type Result struct {
	Folders int
	Files   int
	Bytes   int64
	// Duplicates is the duplicate fixture under Root/Duplicates.
	Duplicates Fixture
	// ManyDir is the handle of the folder of many small files ("" if none).
	ManyDir string
}

// spec is one file to upload.
type spec struct {
	dir   string // path relative to the root ("" = root)
	name  string
	data  []byte
	mtime time.Time
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, time.UTC) }

// tree is the realistic part of the demo account, without duplicates.
func tree(large int) []spec {
	var s []spec
	add := func(dir, name string, data []byte, t time.Time) {
		s = append(s, spec{dir: dir, name: name, data: data, mtime: t})
	}
	add("Documents", "README.txt", []byte("Welcome to the megatui demo account.\n\nEverything here lives in a local megasim server:\nbrowse, copy both ways, rename, delete and restore,\nand try the duplicate highlight and guided dedupe in /Duplicates.\n"), day(2025, 1, 5))
	add("Documents", "Budget 2025.csv", Text("budget", 2300), day(2025, 2, 1))
	add("Documents", "Résumé.pdf", Binary("resume", 48<<10), day(2024, 11, 20))
	add("Documents", "naïve café notes.md", Text("naive", 1800), day(2024, 9, 14))
	add("Documents/Letters", "Ärger mit der Bahn.txt", Text("bahn", 900), day(2023, 6, 2))
	add("Documents/Letters", "Señor Muñoz.txt", Text("munoz", 700), day(2023, 7, 9))
	add("Documents/日本語", "会議メモ.txt", Text("kaigi", 1200), day(2024, 4, 1))
	add("Documents/日本語", "旅行の計画.md", Text("ryokou", 1500), day(2024, 4, 3))
	add("Documents/中文", "报告.txt", Text("baogao", 1100), day(2024, 5, 6))
	add("Documents/한국어", "메모.txt", Text("memo-ko", 600), day(2024, 5, 7))
	add("Documents", "🎉 party plan.txt", Text("party", 400), day(2025, 3, 1))
	add("Documents", "🚀 launch 🚀.md", Text("launch", 800), day(2025, 3, 2))
	for i, m := range []time.Month{time.January, time.March, time.July, time.December} {
		dir := fmt.Sprintf("Photos/2024/%02d-%s", int(m), m.String()[:3])
		for j := 1; j <= 3; j++ {
			n := i*3 + j
			add(dir, fmt.Sprintf("IMG_%04d.jpg", n), Binary(fmt.Sprintf("photo-%d", n), 20<<10+n*1000), day(2024, m, j*7))
		}
	}
	add("Photos/2023", "Sunset 🌅.jpg", Binary("sunset", 36<<10), day(2023, 8, 15))
	add("Photos/2023", "Zürich Hauptbahnhof.jpg", Binary("zurich", 30<<10), day(2023, 9, 2))
	add("Music/Jazz", "Take Five.mp3", Binary("take-five", 64<<10), day(2022, 3, 3))
	add("Music/Jazz", "So What.mp3", Binary("so-what", 56<<10), day(2022, 3, 4))
	add("Music/Classical", "Für Elise.flac", Binary("elise", 72<<10), day(2021, 12, 24))
	add("Music/Classical", "Clair de lune.flac", Binary("clair", 80<<10), day(2021, 12, 25))
	add("Music/J-Pop", "夜に駆ける.mp3", Binary("yoru", 60<<10), day(2023, 1, 1))
	src := "Projects/megatui-clone"
	add(src, "go.mod", []byte("module example.com/clone\n\ngo 1.26\n"), day(2025, 4, 1))
	add(src, "main.go", []byte("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello from the demo account\")\n}\n"), day(2025, 4, 1))
	add(src+"/internal/tree", "tree.go", []byte("package tree\n\n// Node is a folder or a file.\ntype Node struct {\n\tName     string\n\tChildren []*Node\n}\n"), day(2025, 4, 2))
	add(src+"/internal/tree", "tree_test.go", []byte("package tree\n\nimport \"testing\"\n\nfunc TestNode(t *testing.T) {\n\tif (Node{Name: \"x\"}).Name != \"x\" {\n\t\tt.Fatal(\"name\")\n\t}\n}\n"), day(2025, 4, 2))
	add(src, "Makefile", []byte("test:\n\tgo test ./...\n"), day(2025, 4, 3))
	add("Projects/website", "index.html", []byte("<!doctype html>\n<title>demo</title>\n<h1>Hello</h1>\n"), day(2024, 10, 10))
	add("Projects/website", "style.css", []byte("body { font-family: sans-serif; }\n"), day(2024, 10, 10))
	add("Videos", "holiday.mp4", Binary("holiday", large), day(2024, 8, 20))
	add("Backups", "laptop-2024.tar", Binary("laptop", large+large/3), day(2024, 12, 31))
	add("Backups", "photos.zip", Binary("photos-zip", large*2/3), day(2024, 6, 30))
	return s
}

// Seed fills the account. The result's counts include the duplicate
// fixture and the many small files.
func Seed(ctx context.Context, c Client, opts Options) (Result, error) {
	if opts.Root == "" {
		opts.Root = "/"
	}
	if opts.ManyFiles == 0 {
		opts.ManyFiles = 10000
	}
	if opts.ManyFileSize <= 0 {
		opts.ManyFileSize = 512
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 1
	}
	if opts.LargeSize <= 0 {
		opts.LargeSize = 3 << 20
	}
	var res Result
	specs := tree(opts.LargeSize)
	total := len(specs) + fixtureFileCount
	if opts.ManyFiles > 0 {
		total += opts.ManyFiles
	}
	var done atomic.Int64
	step := func() {
		if opts.Progress != nil {
			opts.Progress(int(done.Add(1)), total)
		}
	}
	dirs := newDirCache(c, opts.Root)
	if err := uploadAll(ctx, c, dirs, specs, opts.Parallel, step); err != nil {
		return res, err
	}
	for _, sp := range specs {
		res.Files++
		res.Bytes += int64(len(sp.data))
	}
	fx, err := SeedDuplicates(ctx, c, path.Join(opts.Root, "Duplicates"))
	if err != nil {
		return res, err
	}
	res.Duplicates = fx
	res.Files += fx.files
	res.Bytes += fx.bytes
	done.Add(int64(fx.files) - 1)
	step()
	if opts.ManyFiles > 0 {
		dir, err := c.MkdirAll(ctx, path.Join(opts.Root, "Many files"))
		if err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.ManyDir = dir.ID
		if opts.Bulk != nil {
			if err := opts.Bulk(ctx, dir.ID, opts.ManyFiles, opts.ManyFileSize); err != nil {
				return res, fmt.Errorf("demo: bulk files: %w", err)
			}
			done.Add(int64(opts.ManyFiles) - 1)
			step()
		} else {
			many := make([]spec, opts.ManyFiles)
			for i := range many {
				many[i] = spec{name: fmt.Sprintf("log-%05d.txt", i+1), data: Text(fmt.Sprintf("log-%d", i), opts.ManyFileSize),
					mtime: day(2024, 1, 1).Add(time.Duration(i) * time.Minute)}
			}
			if err := uploadAll(ctx, c, fixedDir(dir.ID), many, opts.Parallel, step); err != nil {
				return res, err
			}
		}
		res.Files += opts.ManyFiles
		res.Bytes += int64(opts.ManyFiles) * int64(opts.ManyFileSize)
	}
	res.Folders = dirs.count() + fx.folders + 1 // + Duplicates itself
	if opts.ManyFiles > 0 {
		res.Folders++
	}
	return res, nil
}

// dirCache creates folders on first use and remembers their handles.
type dirCache struct {
	c    Client
	root string
	mu   sync.Mutex
	ids  map[string]string
	fix  string // when set, every spec goes here
}

func newDirCache(c Client, root string) *dirCache {
	return &dirCache{c: c, root: root, ids: map[string]string{}}
}

func fixedDir(h string) *dirCache { return &dirCache{fix: h} }

func (d *dirCache) handle(ctx context.Context, dir string) (string, error) {
	if d.fix != "" {
		return d.fix, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if h, ok := d.ids[dir]; ok {
		return h, nil
	}
	e, err := d.c.MkdirAll(ctx, path.Join(d.root, dir))
	if err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	// Count every folder level once.
	for p := dir; p != "." && p != "" && p != "/"; p = path.Dir(p) {
		if _, ok := d.ids[p]; !ok {
			d.ids[p] = ""
		}
	}
	d.ids[dir] = e.ID
	return e.ID, nil
}

func (d *dirCache) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for k := range d.ids {
		if k != "" {
			n++
		}
	}
	return n
}

// uploadAll uploads specs, parallel at a time; the first error stops it.
func uploadAll(ctx context.Context, c Client, dirs *dirCache, specs []spec, parallel int, step func()) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(parallel, 1))
	for _, sp := range specs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := uploadOne(gctx, c, dirs, sp); err != nil {
				return err
			}
			step()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("demo: %w", errors.Join(model.ErrCancelled, ctx.Err()))
	}
	return nil
}

func uploadOne(ctx context.Context, c Client, dirs *dirCache, sp spec) error {
	h, err := dirs.handle(ctx, sp.dir)
	if err != nil {
		return err
	}
	var err2 error
	for attempt := 0; attempt < 3; attempt++ {
		_, err2 = c.Upload(ctx, h, sp.name, bytes.NewReader(sp.data), int64(len(sp.data)), sp.mtime, nil)
		if err2 == nil || !errors.Is(err2, model.ErrTryAgain) {
			break
		}
		// A transient failure may still have created the file.
		if ex, ok := c.(existser); ok {
			if _, found, err := ex.Exists(ctx, h, sp.name, int64(len(sp.data)), ""); err == nil && found {
				return nil
			}
		}
	}
	if err2 != nil {
		return fmt.Errorf("demo: upload %s: %w", path.Join(sp.dir, model.DisplayName(sp.name)), err2)
	}
	return nil
}

// existser is the check after an ambiguous upload failure
// (*megaclient.Client has it).
type existser interface {
	Exists(ctx context.Context, parent, name string, size int64, fingerprint string) (model.Entry, bool, error)
}
