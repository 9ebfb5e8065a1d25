package cli

import "github.com/megatui/megatui/app"

// CrashMonitor runs this process as the TUI's crash monitor when it was
// started as one (app starts it beside the TUI, to restore the terminal
// however the TUI ends), and reports whether it was; main calls it first.
func CrashMonitor() (code int, ok bool) {
	if !app.IsCrashMonitor() {
		return 0, false
	}
	return app.RunCrashMonitor(), true
}
