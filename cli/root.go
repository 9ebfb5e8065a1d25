// Package cli is megatui's command line: the root command that starts the
// TUI, and the rclone-like subcommands over REMOTE:PATH locations.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/app"
	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/model"
)

// ExitCode reports err on stderr in one line, unless it is an exit status
// for a failure already reported (for example a copy with some failed
// jobs), and returns the process's exit status: 0 for no error.
func ExitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if code, ok := usageOf(err, stderr); ok {
		return code
	}
	msg := err.Error()
	if hint := serviceHint(err); hint != "" && !account.IsPlain(err) && !strings.Contains(msg, hint) {
		msg += ": " + hint
	}
	fmt.Fprintln(stderr, "megatui:", msg)
	return 1
}

// serviceHint says what to do about a refusal of the MEGA service, each
// in its own words.
func serviceHint(err error) string {
	switch {
	case errors.Is(err, model.ErrBlocked):
		return "MEGA has blocked this account: sign in on mega.nz to see why"
	case errors.Is(err, model.ErrQuota):
		return "the account is over its storage quota: free space (empty the Rubbish Bin) or upgrade"
	case errors.Is(err, model.ErrTooManyConns):
		return "MEGA refuses more connections from this address: close other MEGA apps or transfers and try again in a minute"
	case errors.Is(err, model.ErrTransferQuota):
		return "the transfer quota of this address is used up: wait for it to refill"
	}
	return ""
}

// exitError carries an exit status for a failure already reported to the
// user (for example a copy with some failed jobs).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// New builds the megatui command line: the TUI without a subcommand, and
// every subcommand. All of them read the outside world through env.
func New(env Env, version string) *cobra.Command {
	env = env.withDefaults()
	g := &globals{}
	// --config names the config file for every command (as
	// MEGATUI_CONFIG would).
	getenv := env.Getenv
	env.Getenv = func(k string) string {
		if k == config.EnvConfig && g.config != "" {
			return g.config
		}
		return getenv(k)
	}
	var tui app.Options
	root := &cobra.Command{
		Use:           "megatui [LOCAL_DIR]",
		Short:         "A terminal file manager for MEGA cloud storage",
		Long:          "megatui browses a MEGA account and the local disk side by side,\ncopies between them through an encrypted transfer queue, and finds\nand cleans up same-name duplicates.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          tuiArgs(),
		Example: "  megatui --demo            try it against a built-in local MEGA server\n" +
			"  megatui                   browse the current folder and your MEGA account\n" +
			"  megatui --remote work ~   another remote, starting in your home folder",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				tui.LeftDir = args[0]
			}
			return app.Run(cmd.Context(), env.Env, tui)
		},
	}
	root.Flags().BoolVar(&tui.Demo, "demo", false, "run against an embedded MEGA server (megasim) with demo data; touches no account, config or keyring")
	root.Flags().StringVar(&tui.Remote, "remote", "", "the remote shown in the right pane (default: the first configured)")
	g.register(root.PersistentFlags())
	root.AddCommand(
		newLsCmd(env, g), newLslCmd(env, g), newLsfCmd(env, g), newLsdCmd(env, g), newLsjsonCmd(env, g),
		newTreeCmd(env, g), newSizeCmd(env, g), newCatCmd(env, g), newRcatCmd(env, g),
		newMkdirCmd(env, g), newRmdirCmd(env, g), newRmdirsCmd(env, g), newDeleteCmd(env, g), newPurgeCmd(env, g),
		newMvCmd(env), newRmCmd(env), newAboutCmd(env, g), newCleanupCmd(env, g),
		newSimCmd(env),
		newCopyCmd(env, g), newMoveCmd(env, g), newSyncCmd(env, g), newCopytoCmd(env, g), newMovetoCmd(env, g),
		newCheckCmd(env, g),
		newLinkCmd(env), newImportCmd(env),
		newDedupeCmd(env),
		newLoginCmd(env), newLogoutCmd(env), newRemotesCmd(env), newImportRcloneCmd(env),
	)
	usageOnBadArgs(root)
	return root
}
