package cli

import (
	"context"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// lister is what ls needs from either side.
type lister interface {
	List(ctx context.Context, ref string) ([]model.Entry, error)
	Stat(ctx context.Context, ref string) (model.Entry, error)
}

// openLister opens the side of loc; the returned close function releases it.
func openLister(ctx context.Context, env Env, loc location) (lister, func(), error) {
	if loc.remote == "" {
		return localfs.New(), func() {}, nil
	}
	c, err := env.Open(ctx, loc.remote)
	if err != nil {
		return nil, nil, err
	}
	return c, func() { c.Close() }, nil
}

func newLsCmd(env Env) *cobra.Command {
	var long, recursive bool
	cmd := &cobra.Command{
		Use:   "ls [-R] [-l] REMOTE:PATH|LOCAL_PATH",
		Short: "List a folder (names are shown escaped)",
		Long: "List a folder on a remote or on the local disk. Folders end in '/'.\n" +
			"With -l: size, modification time (the file's original mtime when\n" +
			"MEGA knows it, else the upload time marked with '~') and name.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(cmd.Context(), env, cmd.OutOrStdout(), parseLocation(args[0]), long, recursive, false)
		},
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show size and modification time")
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list subfolders too")
	return cmd
}

func newLsdCmd(env Env) *cobra.Command {
	var recursive bool
	cmd := &cobra.Command{
		Use:   "lsd REMOTE:PATH|LOCAL_PATH",
		Short: "List only the folders of a folder",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runList(cmd.Context(), env, cmd.OutOrStdout(), parseLocation(args[0]), true, recursive, true)
		},
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list subfolders too")
	return cmd
}

func runList(ctx context.Context, env Env, out io.Writer, loc location, long, recursive, dirsOnly bool) error {
	side, done, err := openLister(ctx, env, loc)
	if err != nil {
		return err
	}
	defer done()
	// "//shares" is not a node but the list of incoming shares: list it
	// without a Stat.
	topRef := loc.path
	if loc.remote == "" || loc.path != "//shares" {
		top, err := side.Stat(ctx, loc.path)
		if err != nil {
			return err
		}
		if !top.IsDir() {
			printEntry(out, "", top, long)
			return nil
		}
		topRef = top.ID
	}
	var walk func(ref, prefix string, depth int) error
	walk = func(ref, prefix string, depth int) error {
		es, err := side.List(ctx, ref)
		if err != nil {
			return err
		}
		for _, e := range es {
			if !dirsOnly || e.IsDir() {
				printEntry(out, prefix, e, long)
			}
			if recursive && e.IsDir() && depth < 256 {
				child := e.ID // a handle on MEGA, a full path locally
				if err := walk(child, prefix+model.DisplayName(e.Name)+"/", depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(topRef, "", 0)
}

func printEntry(out io.Writer, prefix string, e model.Entry, long bool) {
	name := prefix + model.DisplayName(e.Name)
	if e.IsDir() {
		name += "/"
	}
	if e.Kind == model.KindSymlink {
		name += " -> " + model.DisplayName(e.Target)
	}
	if !long {
		fmt.Fprintln(out, name)
		return
	}
	mark := " "
	if !e.ModTimeKnown {
		mark = "~"
	}
	fmt.Fprintf(out, "%12d %s%s %s\n", e.Size, e.ModTime.Local().Format("2006-01-02 15:04:05"), mark, name)
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

var _ lister = (*megaclient.Client)(nil)
