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
	root := &cobra.Command{
		Use:           "megatui",
		Short:         "A terminal file manager for MEGA cloud storage",
		Long:          "megatui browses a MEGA account and the local disk side by side,\ncopies between them through an encrypted transfer queue, and finds\nand cleans up same-name duplicates.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newSimCmd(),
	)
	return root
}
