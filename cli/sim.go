package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/megaclient/megasim"
)

// simConfig is what `megatui sim` was asked to run.
type simConfig struct {
	listen   string
	opts     megasim.Options
	verbose  bool
	demoData bool
	account  megasim.Account
}

func newSimCmd(env Env) *cobra.Command {
	var cfg simConfig
	var f megasim.Faults
	var hashcash int
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run megasim, a local MEGA API server for tests and demos",
		Long: "sim runs a local server that speaks the MEGA API (command channel, event\n" +
			"channel, upload and download URLs) until interrupted. Its first line on\n" +
			"stdout is MEGA_API_URL=http://HOST:PORT. The password may come from the\n" +
			"MEGASIM_PASSWORD environment variable instead of --password, and the\n" +
			"TOTP secret from MEGASIM_TOTP_SECRET instead of --totp-secret.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfg.account.Password == "" {
				cfg.account.Password = env.Getenv("MEGASIM_PASSWORD")
			}
			if cfg.account.TOTPSecret == "" {
				cfg.account.TOTPSecret = env.Getenv("MEGASIM_TOTP_SECRET")
			}
			if cfg.account.Email == "" || cfg.account.Password == "" {
				return errors.New("sim: --user and a password (--password or MEGASIM_PASSWORD) are required")
			}
			if cmd.Flags().Changed("hashcash") {
				f.HashcashLogin, f.HashcashEasiness = true, hashcash
			}
			cfg.opts.Faults = f
			cfg.opts.Accounts = []megasim.Account{cfg.account}
			return runSim(cmd.Context(), cfg, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cfg.listen, "listen", "127.0.0.1:0", "address to listen on (port 0 picks a free one)")
	fl.StringVar(&cfg.account.Email, "user", "", "e-mail of the account to provision")
	fl.StringVar(&cfg.account.Password, "password", "", "password of the account (or env MEGASIM_PASSWORD)")
	fl.IntVar(&cfg.account.Version, "account-version", 2, "login scheme: 1 (legacy AES) or 2 (PBKDF2)")
	fl.StringVar(&cfg.account.TOTPSecret, "totp-secret", "", "base32 TOTP secret; enables two-factor login (or env MEGASIM_TOTP_SECRET)")
	fl.StringVar(&cfg.opts.DataDir, "data", "", "directory to persist accounts, nodes and ciphertext (default: memory)")
	fl.Int64Var(&cfg.opts.QuotaBytes, "quota", 0, "storage quota in bytes (default 50 GiB)")
	fl.Int64Var(&cfg.opts.TransferQuota, "transfer-quota", 0, "bytes downloads may read before the transfer quota refuses them (0: no limit)")
	fl.DurationVar(&cfg.opts.TransferQuotaWait, "transfer-quota-wait", 30*time.Second, "how long the transfer quota stays exceeded")
	fl.Int64Var(&cfg.opts.Seed, "seed", 0, "seed of handles and fault decisions (0: random handles, different on every start)")
	fl.DurationVar(&f.APILatency, "latency", 0, "added latency of every API request")
	fl.DurationVar(&f.DataLatency, "data-latency", 0, "added latency of every upload piece and download range")
	fl.Float64Var(&f.EAGAINRate, "eagain-rate", 0, "fraction of API requests answered with -3")
	fl.Float64Var(&f.HTTP500Rate, "http500-rate", 0, "fraction of requests answered with HTTP 500")
	fl.Float64Var(&f.DropRate, "drop-rate", 0, "fraction of connections dropped mid-body")
	fl.Float64Var(&f.CorruptRate, "corrupt-rate", 0, "fraction of download ranges with a flipped byte")
	fl.IntVar(&hashcash, "hashcash", 255, "challenge logins with 402 hashcash of this easiness (0..255, 255 cheapest)")
	fl.BoolVar(&cfg.verbose, "verbose", false, "log every API command to stderr")
	fl.BoolVar(&cfg.demoData, "demo-data", false, "seed the account with the demo tree (nested folders, Unicode names, 10,000 files, every kind of duplicate)")
	return cmd
}

// runSim starts the server, prints its URL and serves until ctx ends.
func runSim(ctx context.Context, cfg simConfig, stdout, stderr io.Writer) error {
	if cfg.verbose {
		cfg.opts.Logf = func(format string, args ...any) {
			fmt.Fprintf(stderr, time.Now().Format("15:04:05.000 ")+format+"\n", args...)
		}
	}
	srv, err := megasim.StartOn(cfg.listen, cfg.opts)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if cfg.demoData {
		// Seeded before the URL is printed, so whoever waits for that line
		// finds the data in place. It goes through the real protocol
		// (megaclient uploads), so every client can decrypt it.
		res, err := demo.SeedServer(ctx, srv, cfg.account.Email, cfg.account.Password,
			demo.Options{TOTPSecret: cfg.account.TOTPSecret})
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("sim: demo data: %w", err)
		}
		fmt.Fprintf(stderr, "sim: demo data: %d folders, %d files\n", res.Folders, res.Files)
	}
	if _, err := fmt.Fprintf(stdout, "MEGA_API_URL=%s\n", srv.URL()); err != nil {
		_ = srv.Close()
		return fmt.Errorf("sim: %w", err)
	}
	fmt.Fprintf(stdout, "SSL_CERT_FILE=%s\n", srv.CAFile())
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("sim: close: %w", err)
	}
	return nil
}
