package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/model"
)

// readBatch is how many directory entries are read at a time, so that the
// first files of a huge folder are queued before the folder is fully read.
const readBatch = 256

// expand turns a request into jobs, progressively.
func (e *Engine) expand(ctx context.Context, r *reqRun) error {
	req := r.req
	switch r.dir {
	case model.RemoteMove, model.RemoteCopy, model.Download:
		if r.dir == model.RemoteMove {
			if !req.Contents || !req.Src.Entry.IsDir() {
				e.addJob(r, &job{name: req.Name, src: req.Src, size: req.Src.Entry.Size})
				return nil
			}
			// rclone's "move SRC DST" of a folder: each child moves on
			// the server into DstDir.
			ents, err := e.listRetry(ctx, req.Src.Entry.ID)
			if err != nil {
				return err
			}
			for _, ent := range ents {
				e.addJob(r, &job{name: ent.Name, src: Endpoint{Remote: true, Path: joinDisplay(describe(req.Src), ent.Name), Entry: ent}, size: ent.Size})
			}
			return nil
		}
		if !req.Src.Entry.IsDir() {
			e.addJob(r, &job{name: r.targetName(req.Name), src: req.Src, size: req.Src.Entry.Size})
			return nil
		}
		e.mu.Lock()
		r.srcDir = true
		e.mu.Unlock()
		return e.expandRemote(ctx, r)
	default:
		fi, err := os.Lstat(req.Src.Path)
		if errors.Is(err, fs.ErrNotExist) && r.prior.wasCopied(req.Name) {
			// A moved file whose source was removed just before a crash:
			// the job only has to end.
			e.addJob(r, &job{name: req.Name, src: req.Src})
			return nil
		}
		if err != nil {
			return translateLocal(err)
		}
		switch {
		case fi.Mode().IsRegular():
			e.addJob(r, &job{name: req.Name, src: req.Src, size: fi.Size()})
			return nil
		case fi.IsDir():
			e.mu.Lock()
			r.srcDir = true
			e.mu.Unlock()
			return e.expandLocal(ctx, r)
		default:
			return fmt.Errorf("%s: %s", req.Src.Path, SpecialReason(fi.Mode()))
		}
	}
}

// expandLocal walks a local folder depth first, reading each folder in
// batches and queueing its files as they are found.
func (e *Engine) expandLocal(ctx context.Context, r *reqRun) error {
	type dir struct {
		path, rel string
		depth     int
	}
	stack := []dir{{r.req.Src.Path, r.rootRel(), 0}}
	var firstErr error
	for len(stack) > 0 {
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if d.depth >= model.MaxTreeDepth {
			err := tooDeep(d.path)
			e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Path: d.path}}, model.StateFailed, err.Error())
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		files, subdirs, err := e.readLocalDir(ctx, r, d.path, d.rel)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Path: d.path}}, model.StateFailed, err.Error())
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if files == 0 {
			// An empty folder (or one holding only folders) still has to
			// exist on the target.
			if err := e.ensureDir(ctx, r, d.rel); err != nil && ctx.Err() == nil {
				e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Path: d.path}}, model.StateFailed, err.Error())
			}
		}
		for i := len(subdirs) - 1; i >= 0; i-- {
			stack = append(stack, dir{filepath.Join(d.path, subdirs[i]), joinRel(d.rel, subdirs[i]), d.depth + 1})
		}
	}
	return firstErr
}

func (e *Engine) readLocalDir(ctx context.Context, r *reqRun, dirPath, rel string) (files int, subdirs []string, err error) {
	f, err := os.Open(dirPath)
	if err != nil {
		return 0, nil, translateLocal(err)
	}
	defer f.Close()
	for {
		ents, err := f.ReadDir(readBatch)
		for _, de := range ents {
			if ctx.Err() != nil {
				return files, subdirs, ctx.Err()
			}
			p := filepath.Join(dirPath, de.Name())
			switch t := de.Type(); {
			case t.IsDir():
				subdirs = append(subdirs, de.Name())
			case t.IsRegular():
				if IsPartialName(de.Name()) {
					continue
				}
				fi, err := de.Info()
				if err != nil {
					continue // vanished while reading
				}
				files++
				e.addJob(r, &job{relDir: rel, name: de.Name(), src: Endpoint{Path: p}, size: fi.Size()})
			default:
				files++
				e.addFinalJob(r, &job{relDir: rel, name: de.Name(), src: Endpoint{Path: p}}, model.StateSkipped, SpecialReason(t))
			}
		}
		if errors.Is(err, io.EOF) {
			return files, subdirs, nil
		}
		if err != nil {
			return files, subdirs, translateLocal(err)
		}
	}
}

// expandRemote walks a MEGA folder breadth first.
func (e *Engine) expandRemote(ctx context.Context, r *reqRun) error {
	// One dir is one target folder: same-name source folders (MEGA allows
	// them) are read together, as they end up merged in one folder.
	type dir struct {
		ids          []string
		rel, display string
		depth        int
	}
	queue := []dir{{[]string{r.req.Src.Entry.ID}, r.rootRel(), describe(r.req.Src), 0}}
	// A tree is a graph until proven one: a folder met twice is a cycle.
	seen := map[string]bool{r.req.Src.Entry.ID: true}
	var firstErr error
	fail := func(d dir, err error) {
		e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Remote: true, Path: d.display}}, model.StateFailed, err.Error())
		if firstErr == nil {
			firstErr = err
		}
	}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if d.depth >= model.MaxTreeDepth {
			fail(d, tooDeep(d.display))
			continue
		}
		var ents []model.Entry
		failed := false
		for _, id := range d.ids {
			list, err := e.listRetry(ctx, id)
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Remote: true, Path: d.display}}, model.StateFailed, err.Error())
				if firstErr == nil {
					firstErr = err
				}
				failed = true
				break
			}
			ents = append(ents, list...)
		}
		if failed {
			continue
		}
		files := 0
		names := sourceFileNames(ents, r.targetName, r.policy == model.ConflictRename)
		subdirs := map[string]int{} // target name → index in queue
		for _, ent := range ents {
			name := r.targetName(ent.Name)
			src := Endpoint{Remote: true, Path: joinDisplay(d.display, ent.Name), Entry: ent}
			switch ent.Kind {
			case model.KindDir:
				if seen[ent.ID] {
					fail(dir{rel: joinRel(d.rel, name), display: src.Path}, fmt.Errorf("%s: folder met twice (a cycle): %w", src.Path, model.ErrCircular))
					continue
				}
				seen[ent.ID] = true
				if i, ok := subdirs[name]; ok {
					queue[i].ids = append(queue[i].ids, ent.ID)
					continue
				}
				subdirs[name] = len(queue)
				queue = append(queue, dir{[]string{ent.ID}, joinRel(d.rel, name), src.Path, d.depth + 1})
			case model.KindFile:
				files++
				j := &job{relDir: d.rel, name: name, src: src, size: ent.Size}
				switch target, ok := names[ent.ID]; {
				case !ok:
					e.addJob(r, j)
				case target == "":
					// Its own journal key, so that its end never passes
					// for the end of the copy that keeps the name.
					j.key = joinRel(d.rel, name) + "\x00" + ent.ID
					e.addFinalJob(r, j, model.StateSkipped, "duplicate name in the source: only the newest copy is copied (see megatui dedupe)")
				default:
					j.name = target
					e.addJob(r, j)
				}
			}
		}
		if files == 0 {
			if err := e.ensureDir(ctx, r, d.rel); err != nil && ctx.Err() == nil {
				e.addFinalJob(r, &job{relDir: parentRel(d.rel), name: baseRel(d.rel), src: Endpoint{Remote: true, Path: d.display}}, model.StateFailed, err.Error())
			}
		}
	}
	return firstErr
}

// listRetry lists a MEGA folder, retrying transient failures.
func (e *Engine) listRetry(ctx context.Context, id string) ([]model.Entry, error) {
	var ents []model.Entry
	err := e.retryCall(ctx, func() error {
		var err error
		ents, err = e.opts.Remote.List(ctx, id)
		return err
	})
	return ents, err
}

// ensureDir makes sure the folder rel (below DstDir) exists on the target.
func (e *Engine) ensureDir(ctx context.Context, r *reqRun, rel string) error {
	if e.opts.DryRun {
		return nil
	}
	if r.req.DstDir.Remote {
		_, err := e.remoteDir(ctx, r, rel)
		return err
	}
	return mkdirLocal(filepath.Join(r.req.DstDir.Path, filepath.FromSlash(rel)))
}

func mkdirLocal(p string) error {
	if err := os.MkdirAll(p, 0o755); err != nil {
		return translateLocal(err)
	}
	return nil
}

// translateLocal maps local file system errors to model sentinels.
func translateLocal(err error) error { return localfs.Translate(err) }

func parentRel(rel string) string {
	for i := len(rel) - 1; i >= 0; i-- {
		if rel[i] == '/' {
			return rel[:i]
		}
	}
	return ""
}

func baseRel(rel string) string {
	for i := len(rel) - 1; i >= 0; i-- {
		if rel[i] == '/' {
			return rel[i+1:]
		}
	}
	return rel
}

// rootRel is where a folder request's contents go, relative to DstDir.
func (r *reqRun) rootRel() string {
	if r.req.Contents {
		return ""
	}
	return r.targetName(r.req.Name)
}

// targetName is a source name as it is written on the target: MEGA names
// are kept on MEGA (unless they hold a "/", which would split the job's
// folder path), made safe for the local disk otherwise.
func (r *reqRun) targetName(name string) string {
	if r.req.DstDir.Remote && name != "" && !strings.Contains(name, "/") {
		return name
	}
	return localName(name)
}

// sourceFileNames settles the files of one MEGA folder that share a target
// name (MEGA allows same-name files; a target folder holds one file per
// name, and a job is keyed by its name). The newest copy keeps the name;
// with rename the others get free names ("a (1).txt"), otherwise they are
// to be skipped (""), as rclone ignores duplicate source objects. The map
// holds only the files that do not simply keep their name; renamed copies
// are numbered from the newest down.
func sourceFileNames(ents []model.Entry, target func(string) string, rename bool) map[string]string {
	groups := map[string][]model.Entry{}
	taken := map[string]bool{}
	for _, en := range ents {
		n := target(en.Name)
		taken[n] = true
		if en.Kind == model.KindFile {
			groups[n] = append(groups[n], en)
		}
	}
	out := map[string]string{}
	for n, g := range groups {
		if len(g) < 2 {
			continue
		}
		// Newest first (ties by handle), so the outcome does not depend
		// on the listing order.
		sort.SliceStable(g, func(i, j int) bool {
			if !g[i].ModTime.Equal(g[j].ModTime) {
				return g[i].ModTime.After(g[j].ModTime)
			}
			return g[i].ID < g[j].ID
		})
		k := 1
		for _, en := range g[1:] {
			if !rename {
				out[en.ID] = ""
				continue
			}
			for taken[renamed(n, k)] {
				k++
			}
			out[en.ID] = renamed(n, k)
			taken[out[en.ID]] = true
		}
	}
	return out
}

// tooDeep is the error of a folder below model.MaxTreeDepth levels.
func tooDeep(path string) error {
	return fmt.Errorf("%s: %w: more than %d levels", path, model.ErrTooDeep, model.MaxTreeDepth)
}

// SpecialFile starts the reason of a local entry skipped because it is
// neither a regular file nor a folder; summaries list these skips.
const SpecialFile = "special file"

// SpecialReason says why a local entry of mode m that is neither a
// regular file nor a folder is skipped.
func SpecialReason(m fs.FileMode) string {
	what := "not a regular file"
	switch {
	case m&fs.ModeSymlink != 0:
		what = "symbolic link, not followed"
	case m&fs.ModeNamedPipe != 0:
		what = "named pipe"
	case m&fs.ModeSocket != 0:
		what = "socket"
	case m&fs.ModeCharDevice != 0:
		what = "character device"
	case m&fs.ModeDevice != 0:
		what = "block device"
	case m&fs.ModeIrregular != 0:
		what = "irregular file"
	}
	return SpecialFile + " (" + what + ")"
}
