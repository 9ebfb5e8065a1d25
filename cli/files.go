package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

func newCatCmd(env Env, g *globals) *cobra.Command {
	var offset, count, head, tail int64
	var separator string
	var discard bool
	cmd := &cobra.Command{
		Use:   "cat REMOTE:PATH|LOCAL_PATH",
		Short: "Print files to stdout, decrypted as they stream",
		Long: "Print the file (or every file under a folder, through the filters) to\n" +
			"stdout. MEGA files are fetched and decrypted as they stream, and with\n" +
			"--offset/--count (or --head/--tail) only the bytes asked for travel.\n" +
			"A negative --offset counts from the end.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			if head > 0 {
				offset, count = 0, head
			}
			if tail > 0 {
				offset, count = -tail, -1
			}
			out := cmd.OutOrStdout()
			if discard {
				out = io.Discard
			}
			first := true
			return listing(cmd.Context(), env, g, parseLocation(a[0]), 0, func(f operations.Fs, l *operations.Listing) error {
				for _, o := range all(l, true, false) {
					if !first && separator != "" {
						io.WriteString(out, separator)
					}
					first = false
					if err := catFile(cmd.Context(), f, o.Entry, offset, count, out); err != nil {
						return fmt.Errorf("cat %s: %w", model.DisplayName(o.Path), err)
					}
				}
				return nil
			})
		},
	}
	fl := cmd.Flags()
	fl.Int64Var(&offset, "offset", 0, "start at this byte (negative: from the end)")
	fl.Int64Var(&count, "count", -1, "print at most this many bytes (-1: all)")
	fl.Int64Var(&head, "head", 0, "print the first N bytes")
	fl.Int64Var(&tail, "tail", 0, "print the last N bytes")
	fl.StringVar(&separator, "separator", "", "printed between files")
	fl.BoolVar(&discard, "discard", false, "read and throw away (to time a download)")
	return cmd
}

// catFile streams [offset, offset+count) of a file to w.
func catFile(ctx context.Context, f operations.Fs, e model.Entry, offset, count int64, w io.Writer) error {
	size := e.Size
	if offset < 0 {
		offset = max(size+offset, 0)
	}
	end := size
	if count >= 0 && offset+count < end {
		end = offset + count
	}
	if offset >= end {
		return nil
	}
	r, err := f.Open(ctx, e)
	if err != nil {
		return err
	}
	defer r.Close()
	// A whole MEGA file is checked against its MAC as it streams; the
	// verdict comes at the end (a part of a file cannot be checked).
	var verify *megaclient.MACVerifier
	if fr, ok := r.(*megaclient.FileReader); ok && offset == 0 && end == size {
		verify = fr.Verifier()
		w = io.MultiWriter(w, verify)
	}
	// One block is fetched ahead while the previous one is written.
	const block = 1 << 20
	type piece struct {
		b   []byte
		err error
	}
	pieces := make(chan piece, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(pieces)
		for off := offset; off < end; off += block {
			buf := make([]byte, min(block, end-off))
			n, err := r.ReadAt(buf, off)
			if errors.Is(err, io.EOF) && int64(n) == int64(len(buf)) {
				err = nil
			}
			select {
			case pieces <- piece{buf[:n], err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for p := range pieces {
		if p.err != nil {
			return p.err
		}
		if _, err := w.Write(p.b); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if verify != nil {
		return verify.Verify()
	}
	return nil
}

func newRcatCmd(env Env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rcat REMOTE:PATH|LOCAL_PATH",
		Short: "Store standard input as a file",
		Long: "Read standard input to its end and store it as the file at the path (a\n" +
			"different existing file is replaced, the old one to the Rubbish Bin).",
		Example: "  tar c ~/notes | megatui rcat mega:/backup/notes.tar",
		Args:    args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			dst := parseLocation(a[0])
			tmp, err := os.CreateTemp("", ".megatui-rcat-")
			if err != nil {
				return err
			}
			defer os.Remove(tmp.Name())
			defer tmp.Close()
			n, err := io.Copy(tmp, cmd.InOrStdin())
			if err != nil {
				return fmt.Errorf("rcat: read stdin: %w", err)
			}
			now := time.Now()
			if dst.remote == "" {
				if err := tmp.Close(); err != nil {
					return err
				}
				if err := os.MkdirAll(filepath.Dir(dst.path), 0o755); err != nil {
					return err
				}
				return os.Rename(tmp.Name(), dst.path)
			}
			if g.dryRun {
				fmt.Fprintf(cmd.ErrOrStderr(), "NOTICE: %s: Skipped copy as --dry-run is set (size %d)\n", model.DisplayName(a[0]), n)
				return nil
			}
			c, err := env.Open(ctx, dst.remote)
			if err != nil {
				return err
			}
			defer c.Close()
			parent, name := splitLast(dst.path)
			if name == "" {
				return fmt.Errorf("rcat: %s: give the path of the file to write", dst)
			}
			dir, err := c.MkdirAll(ctx, parent)
			if err != nil {
				return err
			}
			old, _ := c.Lookup(ctx, dir.ID, name)
			if _, err := c.Upload(ctx, dir.ID, name, tmp, n, now, nil); err != nil {
				return err
			}
			for _, o := range old {
				if !o.IsDir() {
					if err := c.Delete(ctx, o.ID, false); err != nil {
						return fmt.Errorf("rcat: stored, but the old copy stays: %w", err)
					}
				}
			}
			return nil
		},
	}
}

// remover runs the deleting commands with -n and -i.
type remover struct {
	g         *globals
	log       operations.Logger
	confirm   func(action, path string) bool
	permanent bool
}

func (r remover) do(ctx context.Context, f operations.Fs, o operations.Object, what string, fn func() error) (bool, error) {
	if r.g.dryRun {
		r.log.Log(operations.LevelNotice, o.Path, "Skipped %s as --dry-run is set", what)
		return false, nil
	}
	if r.confirm != nil && !r.confirm(what, o.Path) {
		return false, nil
	}
	if err := fn(); err != nil {
		r.log.Log(operations.LevelError, o.Path, "failed to %s: %v", what, err)
		return false, err
	}
	r.log.Log(operations.LevelInfo, o.Path, "%s", map[string]string{"delete": "Deleted", "remove directory": "Removed directory", "purge": "Purged"}[what])
	return true, nil
}

func newRemover(cmd *cobra.Command, g *globals, permanent bool) (remover, error) {
	log, err := g.log(cmd.ErrOrStderr())
	if err != nil {
		return remover{}, err
	}
	return remover{g: g, log: log, confirm: g.confirm(cmd.InOrStdin(), cmd.ErrOrStderr()), permanent: permanent}, nil
}

func newDeleteCmd(env Env, g *globals) *cobra.Command {
	var permanent, rmdirs bool
	cmd := &cobra.Command{
		Use:   "delete REMOTE:PATH|LOCAL_PATH",
		Short: "Delete the files under a path (folders stay), through the filters",
		Long: "Delete every file under the path that the filters include; folders are\n" +
			"kept (--rmdirs removes those left empty). MEGA files go to the Rubbish\n" +
			"Bin and local files to the trash, unless --permanent. Try --dry-run first.",
		Example: "  megatui delete --min-age 1y --include '*.log' mega:/logs",
		Args:    args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			defer g.close()
			r, err := newRemover(cmd, g, permanent)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			failed := 0
			err = listing(ctx, env, g, parseLocation(a[0]), 0, func(f operations.Fs, l *operations.Listing) error {
				for _, o := range all(l, true, false) {
					if _, err := r.do(ctx, f, o, "delete", func() error { return f.Remove(ctx, o.Entry, permanent) }); err != nil {
						failed++
					}
				}
				if rmdirs {
					failed += removeEmptyDirs(ctx, f, l, r, true)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if failed > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&permanent, "permanent", false, "delete for good instead of the Rubbish Bin or trash")
	cmd.Flags().BoolVar(&rmdirs, "rmdirs", false, "also remove folders left empty")
	return cmd
}

// removeEmptyDirs removes the empty folders of a listing, deepest first
// (a folder emptied by removing its empty children goes too). It returns
// the number of failures.
func removeEmptyDirs(ctx context.Context, f operations.Fs, l *operations.Listing, r remover, leaveRoot bool) int {
	paths := l.DirPaths()
	sort.Sort(sort.Reverse(sort.StringSlice(paths)))
	gone := map[string]bool{}
	failed := 0
	for _, p := range paths {
		o := l.Dirs[p]
		es, err := f.List(ctx, o.Entry.ID)
		if err != nil {
			failed++
			continue
		}
		empty := true
		for _, e := range es {
			if !gone[joinRel(p, e.Name)] {
				empty = false
				break
			}
		}
		if !empty || r.g.dryRun && len(es) > 0 && !allGone(es, p, gone) {
			continue
		}
		ok, err := r.do(ctx, f, o, "remove directory", func() error {
			if r.g.dryRun {
				return nil
			}
			return f.Remove(ctx, o.Entry, r.permanent)
		})
		if err != nil {
			failed++
		}
		if ok || r.g.dryRun {
			gone[p] = true
		}
	}
	return failed
}

func allGone(es []model.Entry, dir string, gone map[string]bool) bool {
	for _, e := range es {
		if !gone[joinRel(dir, e.Name)] {
			return false
		}
	}
	return true
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

func newPurgeCmd(env Env, g *globals) *cobra.Command {
	var permanent bool
	cmd := &cobra.Command{
		Use:   "purge REMOTE:PATH|LOCAL_PATH",
		Short: "Remove a folder and everything in it",
		Long: "Remove the path with all its content, ignoring filters (use delete to\n" +
			"filter). On MEGA one request moves the whole folder to the Rubbish Bin\n" +
			"(local: the trash), unless --permanent.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			defer g.close()
			ctx := cmd.Context()
			r, err := newRemover(cmd, g, permanent)
			if err != nil {
				return err
			}
			loc := parseLocation(a[0])
			if loc.remote != "" && (loc.path == "/" || loc.path == "//bin" || loc.path == "//in") {
				return fmt.Errorf("purge %s: refusing to remove a root (to empty the Rubbish Bin: megatui cleanup)", loc)
			}
			s := newSides(env)
			defer s.close()
			f, root, err := s.fsRoot(ctx, loc)
			if err != nil {
				return err
			}
			if !root.IsDir() {
				return fmt.Errorf("purge %s: %w (use delete for files)", loc, model.ErrNotDir)
			}
			_, err = r.do(ctx, f, operations.Object{Path: loc.String(), Entry: root}, "purge", func() error { return f.Remove(ctx, root, permanent) })
			return err
		},
	}
	cmd.Flags().BoolVar(&permanent, "permanent", false, "delete for good instead of the Rubbish Bin or trash")
	return cmd
}

func newRmdirCmd(env Env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "rmdir REMOTE:PATH|LOCAL_PATH",
		Short: "Remove an empty folder",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			defer g.close()
			ctx := cmd.Context()
			r, err := newRemover(cmd, g, false)
			if err != nil {
				return err
			}
			loc := parseLocation(a[0])
			s := newSides(env)
			defer s.close()
			f, root, err := s.fsRoot(ctx, loc)
			if err != nil {
				return err
			}
			if !root.IsDir() {
				return fmt.Errorf("rmdir %s: %w", loc, model.ErrNotDir)
			}
			if es, err := f.List(ctx, root.ID); err != nil {
				return err
			} else if len(es) > 0 {
				return fmt.Errorf("rmdir %s: folder not empty (%d entries): use purge to remove it with its content", loc, len(es))
			}
			_, err = r.do(ctx, f, operations.Object{Path: loc.String(), Entry: root}, "remove directory", func() error { return f.Rmdir(ctx, root) })
			return err
		},
	}
}

func newRmdirsCmd(env Env, g *globals) *cobra.Command {
	var leaveRoot bool
	cmd := &cobra.Command{
		Use:   "rmdirs REMOTE:PATH|LOCAL_PATH",
		Short: "Remove the empty folders under a path",
		Long:  "Remove every empty folder under the path, and the path itself if it ends up\nempty (unless --leave-root). Files are never touched.",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			defer g.close()
			ctx := cmd.Context()
			r, err := newRemover(cmd, g, false)
			if err != nil {
				return err
			}
			loc := parseLocation(a[0])
			failed := 0
			// Filters do not apply: a folder holding excluded files is not empty.
			s := newSides(env)
			defer s.close()
			f, err := s.fs(ctx, loc)
			if err != nil {
				return err
			}
			l, err := operations.Walk(ctx, f, operations.WalkOptions{})
			if err != nil {
				return err
			}
			failed += removeEmptyDirs(ctx, f, l, r, leaveRoot)
			if !leaveRoot && len(l.Files) == 0 {
				root, err := f.Root(ctx)
				if err == nil {
					if es, err := f.List(ctx, root.ID); err == nil && (len(es) == 0 || g.dryRun) {
						if _, err := r.do(ctx, f, operations.Object{Path: loc.String(), Entry: root}, "remove directory", func() error { return f.Rmdir(ctx, root) }); err != nil {
							failed++
						}
					}
				}
			}
			if failed > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&leaveRoot, "leave-root", false, "keep the path itself")
	return cmd
}

func newMkdirCmd(env Env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "mkdir REMOTE:PATH|LOCAL_PATH",
		Short: "Create a folder and its missing parents",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			loc := parseLocation(a[0])
			if g.dryRun {
				fmt.Fprintf(cmd.ErrOrStderr(), "NOTICE: %s: Skipped make directory as --dry-run is set\n", model.DisplayName(loc.String()))
				return nil
			}
			if loc.remote == "" {
				_, err := localfs.New().MkdirAll(ctx, loc.path)
				return err
			}
			c, err := env.Open(ctx, loc.remote)
			if err != nil {
				return err
			}
			defer c.Close()
			_, err = c.MkdirAll(ctx, loc.path)
			return err
		},
	}
}

// openRemoteArg opens the account a command given as "NAME:" acts on.
func openRemoteArg(ctx context.Context, cmd *cobra.Command, env Env, arg string) (location, *megaclient.Client, error) {
	loc := parseLocation(arg)
	if loc.remote == "" {
		return loc, nil, &usageError{cmd: cmd, err: fmt.Errorf("%s %s: not a remote (write it as NAME:)", cmd.Name(), arg)}
	}
	c, err := env.Open(ctx, loc.remote)
	return loc, c, err
}

func newCleanupCmd(env Env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "cleanup REMOTE:",
		Short: "Empty the Rubbish Bin (for good)",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			loc, c, err := openRemoteArg(ctx, cmd, env, a[0])
			if err != nil {
				return err
			}
			defer c.Close()
			es, err := c.List(ctx, "//bin")
			if err != nil {
				return err
			}
			if g.dryRun {
				fmt.Fprintf(cmd.ErrOrStderr(), "NOTICE: %s: Skipped cleanup as --dry-run is set (%d entries in the Rubbish Bin)\n", loc.remote, len(es))
				return nil
			}
			if g.interactive && !g.confirm(cmd.InOrStdin(), cmd.ErrOrStderr())("empty the Rubbish Bin of", loc.remote) {
				return nil
			}
			return c.EmptyTrash(ctx)
		},
	}
}

func newAboutCmd(env Env, g *globals) *cobra.Command {
	var full, asJSON bool
	cmd := &cobra.Command{
		Use:   "about REMOTE:",
		Short: "Show the storage quota and use of a remote",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			loc, c, err := openRemoteArg(ctx, cmd, env, a[0])
			if err != nil {
				return err
			}
			defer c.Close()
			q, err := c.Quota(ctx)
			if err != nil {
				return err
			}
			total, used := int64(q.Total), int64(q.Used)
			free := max(total-used, 0)
			trashed := int64(0)
			if l, err := operations.Walk(ctx, operations.NewMega(c, loc.remote, "//bin"), operations.WalkOptions{}); err == nil {
				for _, o := range l.Files {
					trashed += o.Entry.Size
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				b, _ := json.MarshalIndent(map[string]int64{"total": total, "used": used, "free": free, "trashed": trashed}, "", "\t")
				fmt.Fprintf(out, "%s\n", b)
				return nil
			}
			show := sizeUnit
			if full {
				show = func(n int64) string { return fmt.Sprint(n) }
			}
			for _, r := range []struct {
				k string
				v int64
			}{{"Total:", total}, {"Used:", used}, {"Free:", free}, {"Trashed:", trashed}} {
				fmt.Fprintf(out, "%-9s%s\n", r.k, show(r.v))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&full, "full", false, "sizes in bytes")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

var _ = strings.TrimSpace
