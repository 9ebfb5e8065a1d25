package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newLinkCmd(env Env) *cobra.Command {
	var remove bool
	cmd := &cobra.Command{
		Use:   "link [--remove] REMOTE:PATH",
		Short: "Print the public link of a file or folder (or remove it)",
		Long: "Export a file or folder and print its public link, key included\n" +
			"(https://mega.nz/file/… or https://mega.nz/folder/…): anyone with the\n" +
			"link can download it, without an account. A folder is exported as MEGA's\n" +
			"own clients do it, so the link opens in MEGA's web client too. Asking\n" +
			"again prints the same link; --remove removes it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			loc := parseLocation(args[0])
			if loc.remote == "" {
				return fmt.Errorf("link %s: not on a remote (write it as REMOTE:PATH)", args[0])
			}
			c, err := env.Open(ctx, loc.remote)
			if err != nil {
				return err
			}
			defer c.Close()
			if remove {
				if err := c.RemoveLink(ctx, loc.path); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "link of %s removed\n", loc)
				return nil
			}
			link, err := c.Link(ctx, loc.path)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), link)
			return nil
		},
	}
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the public link")
	return cmd
}

func newImportCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "import LINK REMOTE:PATH",
		Short: "Save what a public link points to into your account (on the server)",
		Long: "Copy the file or folder a public MEGA link points to into the folder\n" +
			"REMOTE:PATH (created if needed), on the server: nothing is downloaded and\n" +
			"no transfer quota is used. Names and modification times are kept.\n" +
			"LINK \"-\" reads the link from stdin.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			arg, err := linkArg(env, args[0])
			if err != nil {
				return err
			}
			src, dst := parseLocation(arg), parseLocation(args[1])
			if src.link == "" {
				return fmt.Errorf("import %s: not a MEGA link (https://mega.nz/file/…#KEY or …/folder/…#KEY)", args[0])
			}
			if dst.remote == "" {
				return fmt.Errorf("import: %s is not on a remote (write it as REMOTE:PATH; to download use megatui copy LINK DIR)", args[1])
			}
			p, err := env.OpenLink(ctx, src.link)
			if err != nil {
				return err
			}
			defer p.Close()
			c, err := env.Open(ctx, dst.remote)
			if err != nil {
				return err
			}
			defer c.Close()
			dir, err := c.MkdirAll(ctx, dst.path)
			if err != nil {
				return err
			}
			e, err := c.Import(ctx, p, dir.ID)
			if err != nil {
				return err
			}
			path, _ := c.Path(e.ID)
			fmt.Fprintf(cmd.ErrOrStderr(), "imported %s into %s:%s\n", src, dst.remote, path)
			return nil
		},
	}
}
