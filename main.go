// Command megatui is a terminal file manager for MEGA cloud storage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/megatui/megatui/cli"
	"github.com/megatui/megatui/internal/memlimit"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if code, ok := cli.CrashMonitor(); ok {
		os.Exit(code)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	memlimit.Start(ctx, os.Getenv)
	err := cli.New(cli.ProcessEnv(), version).ExecuteContext(ctx)
	stop()
	os.Exit(cli.ExitCode(err, os.Stderr))
}
