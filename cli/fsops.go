package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/model"
)

func newMvCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "mv SRC DST",
		Short: "Move or rename a file or folder on one remote (or on the local disk)",
		Long: "Move SRC into DST when DST is an existing folder; otherwise move it\n" +
			"to DST's parent folder and give it DST's name. Both sides must be on\n" +
			"the same remote, or both local (use copy between them).",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, dst := parseLocation(args[0]), parseLocation(args[1])
			if src.remote != dst.remote {
				return fmt.Errorf("mv %s %s: source and destination are on different sides; use megatui copy", src, dst)
			}
			if src.remote == "" {
				return moveLocal(cmd.Context(), src.path, dst.path)
			}
			return moveRemote(cmd.Context(), env, src, dst)
		},
	}
}

func moveRemote(ctx context.Context, env Env, src, dst location) error {
	c, err := env.Open(ctx, src.remote)
	if err != nil {
		return err
	}
	defer c.Close()
	se, err := c.Stat(ctx, src.path)
	if err != nil {
		return err
	}
	if de, err := c.Stat(ctx, dst.path); err == nil {
		if !de.IsDir() {
			return fmt.Errorf("mv: %s: %w", dst, model.ErrExists)
		}
		// MEGA would accept a second node of the same name: refuse, as
		// for an existing target file, instead of creating a duplicate.
		same, err := c.Lookup(ctx, de.ID, se.Name)
		if err != nil {
			return err
		}
		for _, o := range same {
			if o.ID == se.ID {
				return nil // already there
			}
		}
		if len(same) > 0 {
			return fmt.Errorf("mv: %s/%s: %w", dst, model.DisplayName(se.Name), model.ErrExists)
		}
		return c.Move(ctx, se.ID, de.ID)
	} else if !errors.Is(err, model.ErrNotFound) {
		return err
	}
	dir, name := splitLast(dst.path)
	if name == "" {
		return fmt.Errorf("mv: %s: %w", dst, model.ErrNotFound)
	}
	pe, err := c.Stat(ctx, dir)
	if err != nil {
		return err
	}
	if !pe.IsDir() {
		return fmt.Errorf("mv: %s: %w", dir, model.ErrNotDir)
	}
	if sp, err := c.Parent(ctx, se.ID); err != nil || sp.ID != pe.ID {
		if err := c.Move(ctx, se.ID, pe.ID); err != nil {
			return err
		}
	}
	if name != se.Name {
		return c.Rename(ctx, se.ID, name)
	}
	return nil
}

func moveLocal(ctx context.Context, src, dst string) error {
	fsys := localfs.New()
	if _, err := fsys.Stat(ctx, src); err != nil {
		return err
	}
	if de, err := fsys.Stat(ctx, dst); err == nil {
		if !de.IsDir() {
			return fmt.Errorf("mv: %s: %w", dst, model.ErrExists)
		}
		return fsys.Move(ctx, src, dst)
	}
	dir, name := localSplit(dst)
	if filepath.Clean(filepath.Dir(filepath.Clean(src))) != dir {
		if err := fsys.Move(ctx, src, dir); err != nil {
			return err
		}
		src = filepath.Join(dir, filepath.Base(filepath.Clean(src)))
	}
	if filepath.Base(src) != name {
		return fsys.Rename(ctx, src, name)
	}
	return nil
}

func newRmCmd(env Env) *cobra.Command {
	var permanent bool
	cmd := &cobra.Command{
		Use:   "rm [--permanent] REMOTE:PATH|LOCAL_PATH",
		Short: "Move to the Rubbish Bin (or delete for good with --permanent)",
		Long: "On MEGA, rm moves the file or folder to the Rubbish Bin, remembering\n" +
			"its folder for a later restore; --permanent deletes it for good.\n" +
			"On the local disk rm always deletes.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			loc := parseLocation(args[0])
			if loc.remote == "" {
				return localfs.New().Remove(ctx, loc.path)
			}
			c, err := env.Open(ctx, loc.remote)
			if err != nil {
				return err
			}
			defer c.Close()
			e, err := c.Stat(ctx, loc.path)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(loc.path, "H:") {
				// A path names one of several same-name entries only by
				// chance: refuse rather than delete an arbitrary one.
				if same, err := c.Lookup(ctx, e.ParentID, e.Name); err == nil && len(same) > 1 {
					handles := make([]string, len(same))
					for i, s := range same {
						handles[i] = loc.remote + ":H:" + s.ID
					}
					return fmt.Errorf("rm %s: %d entries have this name (%s): name the one to remove by handle, or run megatui dedupe: %w",
						loc, len(same), strings.Join(handles, ", "), model.ErrExists)
				}
			}
			return c.Delete(ctx, e.ID, permanent)
		},
	}
	cmd.Flags().BoolVar(&permanent, "permanent", false, "delete for good instead of moving to the Rubbish Bin")
	return cmd
}
