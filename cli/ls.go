package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/operations"
)

// The listing commands print what rclone's print, in its formats. Names
// are escaped for the terminal (control characters and invalid UTF-8 as
// \x.. escapes).

// listing walks loc through the filters; a file given as loc is listed
// alone.
func listing(ctx context.Context, env Env, g *globals, loc location, depth int, fn func(f operations.Fs, l *operations.Listing) error) error {
	flt, err := g.filter()
	if err != nil {
		return err
	}
	s := newSides(env)
	defer s.close()
	f, root, err := s.fsRoot(ctx, loc)
	if err != nil {
		return err
	}
	if !root.IsDir() {
		l := &operations.Listing{Files: map[string]operations.Object{root.Name: {Path: root.Name, Entry: root, Raw: root.Name}}, Dirs: map[string]operations.Object{}}
		return fn(f, l)
	}
	l, err := operations.Walk(ctx, f, operations.WalkOptions{Filter: flt, MaxDepth: depth, IntoDuplicates: true})
	if err != nil {
		return err
	}
	return fn(f, l)
}

// all returns the files and folders of a listing in path order, each of
// several same-name entries included (MEGA allows them).
func all(l *operations.Listing, files, dirs bool) []operations.Object {
	var out []operations.Object
	if files {
		for _, o := range l.Files {
			out = append(out, o)
		}
	}
	if dirs {
		for _, o := range l.Dirs {
			out = append(out, o)
		}
	}
	for _, o := range l.Duplicates {
		if o.Entry.IsDir() && dirs || !o.Entry.IsDir() && files {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Entry.ID < out[j].Entry.ID
	})
	return out
}

func depthFor(recursive bool) int {
	if recursive {
		return 0
	}
	return 1
}

func newLsCmd(env Env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ls REMOTE:PATH|LOCAL_PATH",
		Short: "List the files under a path with their sizes (recursive, as rclone)",
		Long: "List every file under the path, recursively, as rclone's ls does: the size\n" +
			"right-aligned in 9 columns, then the path. Folders are not shown (see\n" +
			"lsd, lsf). Filters apply (--include, --exclude, --max-size, ...).",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			return listing(cmd.Context(), env, g, parseLocation(a[0]), 0, func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				for _, o := range all(l, true, false) {
					fmt.Fprintf(w, "%9d %s\n", o.Entry.Size, model.DisplayName(o.Raw))
				}
				return nil
			})
		},
	}
	return cmd
}

func newLslCmd(env Env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "lsl REMOTE:PATH|LOCAL_PATH",
		Short: "List the files under a path with size, modification time and path",
		Long: "As ls, with the modification time: on MEGA the file's original time from\n" +
			"its fingerprint, or the upload time when the file has none.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			return listing(cmd.Context(), env, g, parseLocation(a[0]), 0, func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				for _, o := range all(l, true, false) {
					fmt.Fprintf(w, "%9d %s %s\n", o.Entry.Size, o.Entry.ModTime.Local().Format("2006-01-02 15:04:05.000000000"), model.DisplayName(o.Raw))
				}
				return nil
			})
		},
	}
}

func newLsdCmd(env Env, g *globals) *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "lsd REMOTE:PATH|LOCAL_PATH",
		Short: "List the folders of a path",
		Long: "List the folders of the path (with -R, all folders below it) in rclone's\n" +
			"columns: size (-1: MEGA does not keep folder sizes), modification time,\n" +
			"number of entries directly inside, name.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			ctx := cmd.Context()
			return listing(ctx, env, g, parseLocation(a[0]), depthFor(recursive), func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				for _, o := range all(l, false, true) {
					items := int64(-1)
					if es, err := f.List(ctx, o.Entry.ID); err == nil {
						items = int64(len(es))
					}
					fmt.Fprintf(w, "%12d %13s %9d %s\n", int64(-1), o.Entry.ModTime.Local().Format("2006-01-02 15:04:05"), items, model.DisplayName(o.Raw))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list folders below too")
	return cmd
}

func newLsfCmd(env Env, g *globals) *cobra.Command {
	var recursive, dirsOnly, filesOnly, absolute bool
	var format, separator string
	var dirSlash bool
	cmd := &cobra.Command{
		Use:   "lsf REMOTE:PATH|LOCAL_PATH",
		Short: "List files and folders in a form easy to parse",
		Long: "List the entries of the path (with -R, everything below it), one per line,\n" +
			"folders ending in '/'. --format picks the fields, in order, joined by\n" +
			"--separator: p path, s size (-1 for folders), t modification time,\n" +
			"i ID (the MEGA handle), m MIME type. (megatui's earlier ls is this.)",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			for _, c := range format {
				if !strings.ContainsRune("pstim", c) {
					return &usageError{cmd: cmd, err: fmt.Errorf("--format: unknown field %q (want p, s, t, i or m)", c)}
				}
			}
			if dirsOnly && filesOnly {
				return &usageError{cmd: cmd, err: fmt.Errorf("--dirs-only and --files-only exclude each other")}
			}
			return listing(cmd.Context(), env, g, parseLocation(a[0]), depthFor(recursive), func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				for _, o := range all(l, !dirsOnly, !filesOnly) {
					p := o.Raw
					if absolute {
						p = "/" + p
					}
					if o.Entry.IsDir() && dirSlash {
						p += "/"
					}
					fields := make([]string, 0, len(format))
					for _, c := range format {
						switch c {
						case 'p':
							fields = append(fields, model.DisplayName(p))
						case 's':
							size := o.Entry.Size
							if o.Entry.IsDir() {
								size = -1
							}
							fields = append(fields, fmt.Sprint(size))
						case 't':
							fields = append(fields, o.Entry.ModTime.Local().Format("2006-01-02 15:04:05"))
						case 'i':
							fields = append(fields, entryID(f, o.Entry))
						case 'm':
							fields = append(fields, mimeType(o.Entry))
						}
					}
					fmt.Fprintln(w, strings.Join(fields, separator))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list everything below the path")
	cmd.Flags().BoolVarP(&dirsOnly, "dirs-only", "d", false, "folders only")
	cmd.Flags().BoolVar(&filesOnly, "files-only", false, "files only")
	cmd.Flags().BoolVar(&absolute, "absolute", false, "paths with a leading /")
	cmd.Flags().StringVarP(&format, "format", "F", "p", "fields to print: p path, s size, t time, i ID, m MIME type")
	cmd.Flags().StringVarP(&separator, "separator", "s", ";", "separator between fields")
	cmd.Flags().BoolVar(&dirSlash, "dir-slash", true, "append / to folder names")
	return cmd
}

// entryID is the ID rclone shows: the MEGA handle (none locally).
func entryID(f operations.Fs, e model.Entry) string {
	if f.Remote() {
		return e.ID
	}
	return ""
}

func mimeType(e model.Entry) string {
	if e.IsDir() {
		return "inode/directory"
	}
	if t := mime.TypeByExtension(path.Ext(e.Name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// jsonItem is one element of rclone's lsjson output, fields in its order.
type jsonItem struct {
	Path     string
	Name     string
	Size     int64
	MimeType string `json:",omitempty"`
	ModTime  string `json:",omitempty"`
	IsDir    bool
	ID       string `json:",omitempty"`
}

func newLsjsonCmd(env Env, g *globals) *cobra.Command {
	var recursive, dirsOnly, filesOnly, noModTime, noMime bool
	cmd := &cobra.Command{
		Use:   "lsjson REMOTE:PATH|LOCAL_PATH",
		Short: "List files and folders as JSON",
		Long: "List the entries of the path (with -R, everything below it) as a JSON array\n" +
			"with rclone's fields: Path, Name, Size (-1 for folders), MimeType, ModTime\n" +
			"(RFC 3339; on MEGA the original time from the fingerprint), IsDir, and ID\n" +
			"(the MEGA handle). MEGA keeps no MD5 or SHA-1, so there are no Hashes.",
		Args: args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			if dirsOnly && filesOnly {
				return &usageError{cmd: cmd, err: fmt.Errorf("--dirs-only and --files-only exclude each other")}
			}
			return listing(cmd.Context(), env, g, parseLocation(a[0]), depthFor(recursive), func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				fmt.Fprintln(w, "[")
				for i, o := range all(l, !dirsOnly, !filesOnly) {
					it := jsonItem{Path: o.Raw, Name: o.Entry.Name, Size: o.Entry.Size, IsDir: o.Entry.IsDir(), ID: entryID(f, o.Entry)}
					if it.IsDir {
						it.Size = -1
					}
					if !noMime {
						it.MimeType = mimeType(o.Entry)
					}
					if !noModTime {
						it.ModTime = o.Entry.ModTime.Local().Format("2006-01-02T15:04:05.000000000Z07:00")
					}
					b, err := json.Marshal(it)
					if err != nil {
						return err
					}
					if i > 0 {
						fmt.Fprintln(w, ",")
					}
					w.Write(b)
				}
				if len(l.Files)+len(l.Dirs) > 0 {
					fmt.Fprintln(w)
				}
				fmt.Fprintln(w, "]")
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list everything below the path")
	cmd.Flags().BoolVar(&dirsOnly, "dirs-only", false, "folders only")
	cmd.Flags().BoolVar(&filesOnly, "files-only", false, "files only")
	cmd.Flags().BoolVar(&noModTime, "no-modtime", false, "leave ModTime out")
	cmd.Flags().BoolVar(&noMime, "no-mimetype", false, "leave MimeType out")
	return cmd
}

func newTreeCmd(env Env, g *globals) *cobra.Command {
	var dirsOnly, sizes, dates bool
	var level int
	cmd := &cobra.Command{
		Use:   "tree REMOTE:PATH|LOCAL_PATH",
		Short: "Show the folder tree of a path",
		Long:  "Draw the tree under the path as the tree command (and rclone tree) do.",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			return listing(cmd.Context(), env, g, parseLocation(a[0]), max(level, 0), func(f operations.Fs, l *operations.Listing) error {
				w := cmd.OutOrStdout()
				children := map[string][]operations.Object{}
				for _, o := range all(l, !dirsOnly, true) {
					p := path.Dir(o.Path)
					if p == "." {
						p = ""
					}
					children[p] = append(children[p], o)
				}
				fmt.Fprintln(w, "/")
				var draw func(dir, indent string, depth int)
				draw = func(dir, indent string, depth int) {
					kids := children[dir]
					for i, o := range kids {
						branch, next := "├── ", "│   "
						if i == len(kids)-1 {
							branch, next = "└── ", "    "
						}
						label := ""
						if sizes || dates {
							var parts []string
							if sizes {
								parts = append(parts, fmt.Sprintf("%*d", 10, o.Entry.Size))
							}
							if dates {
								parts = append(parts, o.Entry.ModTime.Local().Format("Jan 02 15:04"))
							}
							label = "[" + strings.Join(parts, " ") + "]  "
						}
						fmt.Fprintf(w, "%s%s%s%s\n", indent, branch, label, model.DisplayName(o.Entry.Name))
						if o.Entry.IsDir() && depth < 256 {
							draw(o.Path, indent+next, depth+1)
						}
					}
				}
				draw("", "", 0)
				nd, nf := 0, 0
				for _, o := range all(l, true, true) {
					if o.Entry.IsDir() {
						nd++
					} else {
						nf++
					}
				}
				fmt.Fprintf(w, "\n%d directories, %d files\n", nd, nf)
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&dirsOnly, "dirs-only", "d", false, "folders only")
	cmd.Flags().BoolVarP(&sizes, "size", "s", false, "show sizes")
	cmd.Flags().BoolVarP(&dates, "modtime", "D", false, "show modification times")
	cmd.Flags().IntVar(&level, "level", 0, "descend at most this many levels (0: all)")
	return cmd
}

func newSizeCmd(env Env, g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "size REMOTE:PATH|LOCAL_PATH",
		Short: "Count the files under a path and their total size",
		Args:  args(1, 1),
		RunE: func(cmd *cobra.Command, a []string) error {
			return listing(cmd.Context(), env, g, parseLocation(a[0]), 0, func(f operations.Fs, l *operations.Listing) error {
				var total int64
				files := all(l, true, false) // same-name copies count too
				for _, o := range files {
					total += o.Entry.Size
				}
				w := cmd.OutOrStdout()
				if asJSON {
					b, _ := json.Marshal(struct {
						Count    int   `json:"count"`
						Bytes    int64 `json:"bytes"`
						Sizeless int   `json:"sizeless"`
					}{len(files), total, 0})
					fmt.Fprintf(w, "%s\n", b)
					return nil
				}
				fmt.Fprintf(w, "Total objects: %s (%d)\n", countSuffix(int64(len(files))), len(files))
				fmt.Fprintf(w, "Total size: %s (%d Byte)\n", sizeUnit(total), total)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}

// sizeUnit formats bytes as rclone does: "6 B", "1 KiB", "1.500 MiB".
func sizeUnit(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return trimScaled(v) + " " + units[i]
}

// countSuffix formats a count as rclone does: "999", "1k", "1.234k".
func countSuffix(n int64) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	units := []string{"k", "M", "G", "T"}
	v, i := float64(n)/1000, 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return trimScaled(v) + units[i]
}

func trimScaled(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.3f", v)
}

// splitLast splits a remote path into its parent folder and last name.
func splitLast(p string) (dir, name string) {
	if strings.HasPrefix(p, "H:") {
		return "", ""
	}
	dir, name = path.Split(strings.TrimRight(p, "/"))
	if dir == "" {
		dir = "/"
	}
	if dir != "/" && dir != "//" {
		dir = strings.TrimRight(dir, "/")
	}
	return dir, name
}

func localSplit(p string) (dir, name string) {
	return filepath.Dir(filepath.Clean(p)), filepath.Base(filepath.Clean(p))
}

var _ io.Writer
