// Command megatui is a terminal file manager for MEGA cloud storage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/megatui/megatui/cli"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.New(cli.ProcessEnv(), version).ExecuteContext(ctx)
	stop()
	os.Exit(cli.ExitCode(err, os.Stderr))
}
