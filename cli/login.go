package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/keyring"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// maxPasswordBytes bounds what --password-stdin reads.
const maxPasswordBytes = 64 << 10

// accountOptions are the options that login and import-rclone share.
type accountOptions struct {
	apiURL           string
	mfaCode          string
	rememberPassword bool
}

// addFlags wires --api-url, --mfa-code and --remember-password, with the
// help texts of the command at hand.
func (a *accountOptions) addFlags(cmd *cobra.Command, apiURLHelp, mfaCodeHelp, rememberHelp string) {
	f := cmd.Flags()
	f.StringVar(&a.apiURL, "api-url", "", apiURLHelp)
	f.StringVar(&a.mfaCode, "mfa-code", "", mfaCodeHelp)
	f.BoolVar(&a.rememberPassword, "remember-password", false, rememberHelp)
}

// mfa is the two-factor code to log in with: --mfa-code, else
// MEGATUI_MFA_CODE (empty: ask, when the account needs one).
func (a accountOptions) mfa(env Env) string {
	return firstNonEmpty(a.mfaCode, env.Getenv(account.EnvMFACode))
}

type loginOptions struct {
	accountOptions
	user          string
	passwordStdin bool
}

// newLoginCmd: megatui login [REMOTE]. There is deliberately no
// --password flag: a password in the arguments is visible to every user
// of the machine (ps, /proc/PID/cmdline) and lands in shell history.
func newLoginCmd(env Env) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login [REMOTE]",
		Short: "Log in to a MEGA account and keep the session in the OS keyring",
		Long: "Log in to a MEGA account, store the session (not the password) in the OS\n" +
			"keyring so later runs need no password, no 2FA code and no hashcash, and add\n" +
			"the remote (name, e-mail, API URL) to the config file. REMOTE defaults to the\n" +
			"only configured remote, or \"mega\".\n\n" +
			"The password is asked for without echo when stdin is a terminal; otherwise\n" +
			"pipe it with --password-stdin or set MEGATUI_PASSWORD. A 2FA code is asked\n" +
			"for when the account needs one (or give --mfa-code / MEGATUI_MFA_CODE).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogin(cmd.Context(), env, cmd.OutOrStdout(), args, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.user, "user", "", "account e-mail (default: the remote's, or MEGATUI_USER)")
	o.addFlags(cmd, "MEGA API URL (default: the remote's, MEGATUI_API_URL, or MEGA's own)",
		"current two-factor code (default: MEGATUI_MFA_CODE, or ask)",
		"also keep the password in the keyring, for unattended re-login when the session expires")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from stdin")
	return cmd
}

// loadWritableConfig loads the config for a command that saves it, and so
// needs to know where it goes.
func loadWritableConfig(env Env) (config.Config, string, error) {
	cfg, path, err := env.LoadConfig()
	if err != nil {
		return cfg, path, err
	}
	if path == "" {
		return cfg, path, errors.New("cannot tell where the config file goes: set HOME (or XDG_CONFIG_HOME, or MEGATUI_CONFIG)")
	}
	return cfg, path, nil
}

// defaultRemote picks the remote a command means when none is named.
func defaultRemote(cfg config.Config, args []string, verb string) (string, error) {
	if len(args) > 0 {
		return args[0], nil
	}
	switch len(cfg.Remotes) {
	case 0:
		return config.EnvRemoteName, nil
	case 1:
		return cfg.Remotes[0].Name, nil
	}
	return "", fmt.Errorf("several remotes are configured (%s): name the one to %s", strings.Join(config.RemoteNames(cfg.Remotes), ", "), verb)
}

func runLogin(ctx context.Context, env Env, out io.Writer, args []string, o loginOptions) error {
	cfg, path, err := loadWritableConfig(env)
	if err != nil {
		return err
	}
	name, err := defaultRemote(cfg, args, "log in to")
	if err != nil {
		return err
	}
	if err := config.ValidateRemoteName(name); err != nil {
		return err
	}
	existing, _ := cfg.Remote(name)

	email := firstNonEmpty(o.user, existing.Email, env.Getenv(config.EnvUser))
	if email == "" && env.ReadLine != nil {
		if email, err = env.ReadLine(fmt.Sprintf("E-mail for %s: ", name)); err != nil {
			return err
		}
		email = strings.TrimSpace(email)
	}
	if email == "" {
		return fmt.Errorf("login %s: which account? give --user EMAIL: %w", name, model.ErrNoCredentials)
	}
	apiURL := firstNonEmpty(o.apiURL, existing.APIURL, env.Getenv(config.EnvAPIURL))
	if err := config.ValidateAPIURL(apiURL); err != nil {
		return err
	}
	remote := config.Remote{Name: name, Email: email, APIURL: apiURL}
	if err := (&config.Config{}).AddRemote(remote); err != nil {
		return err // a malformed e-mail, before asking for any password
	}

	password, err := loginPassword(env, o, name, email)
	if err != nil {
		return err
	}
	if err := account.CheckReachable(ctx, env.HTTPClient, apiURL); err != nil {
		return account.LoginError(name, email, apiURL, err)
	}
	sess, err := passwordLogin(ctx, env, remote, password, o.mfa(env))
	if err != nil {
		return err
	}

	stored := false
	if env.Keys == nil {
		fmt.Fprintf(out, "The keyring is switched off (%s=off): the session is not kept; later runs need MEGATUI_PASSWORD.\n", account.EnvKeyring)
	} else {
		old, oldErr := env.Keys.LoadSession(name)
		if err := account.NewKeyringSessions(env.Keys).SaveSession(name, sess); err != nil {
			env.Warnf("logged in, but %s", account.KeyringAdvice(err))
		} else {
			stored = true
			// The session this one replaces is of no further use: end it
			// so sessions do not pile up on the account.
			if oldErr == nil && old.SessionID != "" && old.SessionID != sess.SessionID {
				_ = megaclient.Logout(ctx, megaclient.LogoutOptions{SessionID: old.SessionID, APIURL: apiURL, HTTPClient: env.HTTPClient})
			}
		}
		if o.rememberPassword {
			if err := env.Keys.SavePassword(name, password); err != nil {
				env.Warnf("the password could not be remembered: %s", account.KeyringAdvice(err))
			} else {
				fmt.Fprintf(out, "Password remembered in the keyring (megatui logout %s forgets it).\n", name)
			}
		}
	}

	if err := cfg.SetRemote(remote); err != nil {
		return err
	}
	if err := config.Save(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(out, "Logged in to %s as %s.\n", name, email)
	if stored {
		fmt.Fprintf(out, "Session stored in the keyring: later runs need no password. Remote %q saved to %s.\n", name, path)
	} else {
		fmt.Fprintf(out, "Remote %q saved to %s (the session was not stored).\n", name, path)
	}
	return nil
}

// loginPassword reads the password: --password-stdin, MEGATUI_PASSWORD,
// or a no-echo prompt on the terminal.
func loginPassword(env Env, o loginOptions, name, email string) (string, error) {
	if o.passwordStdin {
		b, err := io.ReadAll(io.LimitReader(env.Stdin, maxPasswordBytes+1))
		if err != nil {
			return "", fmt.Errorf("read the password from stdin: %w", err)
		}
		if len(b) > maxPasswordBytes {
			return "", errors.New("read the password from stdin: more than 64 KiB")
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if pw == "" {
			return "", fmt.Errorf("login %s: stdin held no password: %w", name, model.ErrNoCredentials)
		}
		return pw, nil
	}
	if pw := env.EnvPassword(email); pw != "" {
		return pw, nil
	}
	if env.ReadSecret != nil {
		pw, err := env.ReadSecret(fmt.Sprintf("Password for %s: ", email))
		if err != nil {
			return "", err
		}
		if pw != "" {
			return pw, nil
		}
	}
	return "", fmt.Errorf("login %s: no password: run in a terminal to be asked, pipe it with --password-stdin, or set MEGATUI_PASSWORD: %w",
		name, model.ErrNoCredentials)
}

// passwordLogin logs in with the password (never resuming a stored
// session: login means a fresh one) and returns the new session. When the
// account needs a 2FA code and none was given, it asks on the terminal.
func passwordLogin(ctx context.Context, env Env, r config.Remote, password, mfa string) (megaclient.Session, error) {
	opts := megaclient.Options{
		Remote: r.Name, Email: r.Email, Password: password, MFACode: mfa,
		APIURL: r.APIURL, HTTPClient: env.HTTPClient,
	}
	c, err := megaclient.Connect(ctx, opts)
	if errors.Is(err, model.ErrMFARequired) && !errors.Is(err, model.ErrMFAInvalid) && mfa == "" && env.ReadLine != nil {
		code, rerr := env.ReadLine(fmt.Sprintf("Two-factor code for %s: ", r.Email))
		if rerr != nil {
			return megaclient.Session{}, rerr
		}
		if opts.MFACode = strings.TrimSpace(code); opts.MFACode != "" {
			c, err = megaclient.Connect(ctx, opts)
		}
	}
	if err != nil {
		return megaclient.Session{}, account.LoginError(r.Name, r.Email, r.APIURL, err)
	}
	defer c.Close()
	return c.Session(), nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func newLogoutCmd(env Env) *cobra.Command {
	var forget bool
	cmd := &cobra.Command{
		Use:   "logout [REMOTE]",
		Short: "End a remote's session on the server and delete its keyring entries",
		Long: "End the stored session of REMOTE on the MEGA server, then delete the\n" +
			"session and any remembered password from the OS keyring. With --forget the\n" +
			"remote is removed from the config file too.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogout(cmd.Context(), env, cmd.OutOrStdout(), args, forget)
		},
	}
	cmd.Flags().BoolVar(&forget, "forget", false, "also remove the remote from the config file")
	return cmd
}

func runLogout(ctx context.Context, env Env, out io.Writer, args []string, forget bool) error {
	cfg, path, err := env.LoadConfig()
	if err != nil {
		return err
	}
	name, err := defaultRemote(cfg, args, "log out of")
	if err != nil {
		return err
	}
	r, lookupErr := cfg.Lookup(name, env.Getenv)
	unknown := func() error {
		_, err := env.Lookup(name)
		return fmt.Errorf("logout: %w", err)
	}
	forgetRemote := func() error {
		if !forget || lookupErr != nil || r.FromEnv {
			return nil
		}
		if err := cfg.RemoveRemote(name); err != nil {
			return err
		}
		if err := config.Save(path, cfg); err != nil {
			return err
		}
		fmt.Fprintf(out, "Remote %q removed from %s.\n", name, path)
		return nil
	}
	if env.Keys == nil {
		if lookupErr != nil {
			return unknown()
		}
		if !forget {
			return fmt.Errorf("logout %s: the keyring is switched off (%s=off): nothing is stored to log out", name, account.EnvKeyring)
		}
		// Without a keyring no session can have been stored: --forget
		// only has the config entry to remove.
		fmt.Fprintf(out, "The keyring is switched off (%s=off): no session stored for %s.\n", account.EnvKeyring, name)
		return forgetRemote()
	}
	sess, err := env.Keys.LoadSession(name)
	var serverErr error
	switch {
	case errors.Is(err, model.ErrNotFound):
		fmt.Fprintf(out, "No session stored for %s.\n", name)
	case err != nil && forget && errors.Is(err, model.ErrNoSecretService):
		// No Secret Service: nothing can have been stored, and the
		// remote can still be forgotten.
		if lookupErr != nil {
			return unknown()
		}
		fmt.Fprintf(out, "No session stored for %s (%s).\n", name, account.KeyringAdvice(err))
		return forgetRemote()
	case err != nil:
		return account.PlainError(err, "logout %s: %s", name, account.KeyringAdvice(err))
	default:
		serverErr = megaclient.Logout(ctx, megaclient.LogoutOptions{SessionID: sess.SessionID, APIURL: r.APIURL, HTTPClient: env.HTTPClient})
		switch {
		case serverErr == nil:
			fmt.Fprintf(out, "Session of %s ended on the server.\n", name)
		case errors.Is(serverErr, model.ErrSessionExpired):
			fmt.Fprintf(out, "The server had already ended the session of %s.\n", name)
			serverErr = nil
		}
	}
	if err := env.Keys.Delete(name); err != nil {
		return account.PlainError(err, "logout %s: deleting the keyring entries: %s", name, account.KeyringAdvice(err))
	}
	fmt.Fprintf(out, "Keyring entries of %s deleted.\n", name)
	if err := forgetRemote(); err != nil {
		return err
	}
	if serverErr != nil {
		return account.PlainError(serverErr, "logout %s: the keyring entries are deleted, but the server could not be told (%v): "+
			"the session stays valid until MEGA expires it (end it under Settings > Security on mega.nz)", name, serverErr)
	}
	return nil
}

func newRemotesCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "remotes",
		Short: "List remotes with their e-mail, API URL and whether a session is stored",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRemotes(cmd.Context(), env, cmd.OutOrStdout())
		},
	}
}

func runRemotes(ctx context.Context, env Env, out io.Writer) error {
	cfg, path, err := env.LoadConfig()
	if err != nil {
		return err
	}
	var st keyring.Status
	switch {
	case env.Keys == nil:
		fmt.Fprintf(out, "keyring: switched off (%s=off); sessions are not kept\n", account.EnvKeyring)
	default:
		st = env.Keys.Status()
		if st.Usable() {
			fmt.Fprintln(out, "keyring: usable")
		} else {
			fmt.Fprintf(out, "keyring: %s: %s\n", st.State, st.Advice)
		}
	}
	all := cfg.AllRemotes(env.Getenv)
	if len(all) == 0 {
		where := path
		if where == "" {
			where = "the config file"
		}
		fmt.Fprintf(out, "no remotes in %s: add one with megatui login REMOTE --user EMAIL\n", where)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tE-MAIL\tAPI URL\tSESSION")
	for _, r := range all {
		api := r.APIURL
		if api == "" {
			api = "(MEGA)"
		}
		email := r.Email
		if r.FromEnv {
			email += " (MEGATUI_USER)"
		}
		session := "unknown"
		if env.Keys != nil && st.Usable() {
			has, err := env.Keys.HasSession(r.Name)
			switch {
			case err != nil:
				session = "unknown (" + account.KeyringAdvice(err) + ")"
			case has:
				session = "stored"
			default:
				session = "none"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, email, api, session)
	}
	return tw.Flush()
}

type importOptions struct {
	accountOptions
	rcloneConfig string
}

func newImportRcloneCmd(env Env) *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import-rclone [NAME]",
		Short: "Import rclone's mega remotes (all, or the one called NAME)",
		Long: "Read rclone's config (RCLONE_CONFIG, or ~/.config/rclone/rclone.conf) and add\n" +
			"its mega remotes to megatui's config. A session stored by rclone is reused as\n" +
			"is; otherwise megatui logs in once with rclone's (de-obscured) password and\n" +
			"keeps only the session. The password itself is kept only with\n" +
			"--remember-password.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImportRclone(cmd.Context(), env, cmd.OutOrStdout(), args, o)
		},
	}
	cmd.Flags().StringVar(&o.rcloneConfig, "rclone-config", "", "rclone's config file (default: RCLONE_CONFIG or rclone's default path)")
	o.addFlags(cmd, "API URL for the imported remotes (default: MEGA's own)",
		"current two-factor code, for an account that needs one",
		"also keep rclone's password in the keyring")
	return cmd
}

func runImportRclone(ctx context.Context, env Env, out io.Writer, args []string, o importOptions) error {
	cfg, path, err := loadWritableConfig(env)
	if err != nil {
		return err
	}
	if err := config.ValidateAPIURL(o.apiURL); err != nil {
		return err
	}
	rpath := o.rcloneConfig
	if rpath == "" {
		if rpath, err = config.RclonePath(env.Getenv); err != nil {
			return err
		}
	}
	found, err := config.ReadRclone(rpath)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		var pick []config.RcloneRemote
		for _, rr := range found {
			if rr.Name == args[0] {
				pick = append(pick, rr)
			}
		}
		if len(pick) == 0 {
			return fmt.Errorf("import-rclone: no mega remote %q in %s (mega remotes there: %s): %w",
				args[0], rpath, strings.Join(rcloneNames(found), ", "), model.ErrNotFound)
		}
		found = pick
	}
	if len(found) == 0 {
		fmt.Fprintf(out, "No mega remotes in %s.\n", rpath)
		return nil
	}
	imported, failed := 0, 0
	for _, rr := range found {
		msg, err := importOne(ctx, env, &cfg, rr, o)
		if err != nil {
			failed++
			fmt.Fprintf(out, "%s: not imported: %v\n", rr.Name, err)
			continue
		}
		imported++
		fmt.Fprintf(out, "%s: imported (%s): %s\n", rr.Name, rr.User, msg)
	}
	if imported > 0 {
		if err := config.Save(path, cfg); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d remote(s) saved to %s.\n", imported, path)
	}
	if failed > 0 {
		return fmt.Errorf("import-rclone: %d of %d remotes not imported", failed, len(found))
	}
	return nil
}

func rcloneNames(rs []config.RcloneRemote) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// importOne adds one rclone remote to cfg and stores its session. It
// returns what was done, in words.
func importOne(ctx context.Context, env Env, cfg *config.Config, rr config.RcloneRemote, o importOptions) (string, error) {
	if err := config.ValidateRemoteName(rr.Name); err != nil {
		return "", err
	}
	r := rr.Remote()
	r.APIURL = o.apiURL
	if have, ok := cfg.Remote(r.Name); ok && !strings.EqualFold(have.Email, r.Email) {
		return "", fmt.Errorf("a remote %q for %s is already configured (megatui logout %s --forget removes it)", r.Name, have.Email, r.Name)
	}
	if err := (&config.Config{}).AddRemote(r); err != nil {
		return "", err
	}
	var done string
	switch {
	case env.Keys == nil:
		done = fmt.Sprintf("the keyring is switched off (%s=off): no session kept", account.EnvKeyring)
	case rr.SessionID != "":
		err := account.NewKeyringSessions(env.Keys).SaveSession(r.Name, megaclient.Session{Email: r.Email, SessionID: rr.SessionID, MasterKey: rr.MasterKey})
		if err != nil {
			return "", account.PlainError(err, "%s", account.KeyringAdvice(err))
		}
		done = "rclone's session reused, no login needed"
	case rr.Password != "":
		if err := account.CheckReachable(ctx, env.HTTPClient, r.APIURL); err != nil {
			return "", account.LoginError(r.Name, r.Email, r.APIURL, err)
		}
		sess, err := passwordLogin(ctx, env, r, rr.Password, o.mfa(env))
		if err != nil {
			return "", err
		}
		if err := account.NewKeyringSessions(env.Keys).SaveSession(r.Name, sess); err != nil {
			return "", account.PlainError(err, "logged in, but %s", account.KeyringAdvice(err))
		}
		done = "logged in with rclone's password; session stored in the keyring"
	default:
		done = "rclone has no password or session for it: run megatui login " + r.Name
	}
	if o.rememberPassword && env.Keys != nil && rr.Password != "" {
		if err := env.Keys.SavePassword(r.Name, rr.Password); err != nil {
			return "", account.PlainError(err, "the password could not be remembered: %s", account.KeyringAdvice(err))
		}
		done += "; password remembered"
	}
	if err := cfg.SetRemote(r); err != nil {
		return "", err
	}
	return done, nil
}
