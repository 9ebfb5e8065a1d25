package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/megatui/megatui/internal/memlimit"
)

// Main runs megatui as a process: the crash monitor around it, a context
// cancelled by SIGINT/SIGTERM, the heap limit that follows the live heap,
// then the command line with the process environment. It returns the
// exit status.
func Main(version string) int {
	if code, ok := CrashMonitor(); ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	memlimit.Start(ctx, os.Getenv)
	err := New(ProcessEnv(), version).ExecuteContext(ctx)
	return ExitCode(err, os.Stderr)
}
