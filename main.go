// Command megatui is a terminal file manager for MEGA cloud storage.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	if err := root.ExecuteContext(ctx); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "megatui:", err)
		os.Exit(1)
	}
}

// exitError carries an exit status for a failure already reported to the
// user (for example a copy with some failed jobs).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func newRootCmd() *cobra.Command {
	var tui tuiOptions
	root := &cobra.Command{
		Use:           "megatui [LOCAL_DIR]",
		Short:         "A terminal file manager for MEGA cloud storage",
		Long:          "megatui browses a MEGA account and the local disk side by side,\ncopies between them through an encrypted transfer queue, and finds\nand cleans up same-name duplicates.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.MaximumNArgs(1),
		Example: "  megatui --demo            try it against a built-in local MEGA server\n" +
			"  megatui                   browse the current folder and your MEGA account\n" +
			"  megatui --remote work ~   another remote, starting in your home folder",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				tui.left = args[0]
			}
			return runTUI(cmd.Context(), tui)
		},
	}
	root.Flags().BoolVar(&tui.demo, "demo", false, "run against an embedded MEGA server (megasim) with demo data; touches no account, config or keyring")
	root.Flags().StringVar(&tui.remote, "remote", "", "the remote shown in the right pane (default: the first configured)")
	root.AddCommand(
		newLsCmd(), newLsdCmd(), newMkdirCmd(), newMvCmd(), newRmCmd(), newAboutCmd(),
		newSimCmd(),
		newCopyCmd(), newMoveCmd(),
		newDedupeCmd(),
		newLoginCmd(), newLogoutCmd(), newRemotesCmd(), newImportRcloneCmd(),
	)
	return root
}
