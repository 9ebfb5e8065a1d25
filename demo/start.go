package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/megasim"
)

// DemoEmail is the demo account's e-mail address.
const DemoEmail = "demo@megatui.invalid"

// StartOptions tune Start.
type StartOptions struct {
	// Seed tunes the demo data (Root, ManyFiles, …); Bulk is set by Start.
	Seed Options
	// Listen is the address megasim listens on; "" means 127.0.0.1:0.
	Listen string
	// Logf receives megasim's log lines (nil: silent).
	Logf func(format string, args ...any)
	// DataDir is where megasim keeps the account and its ciphertext; ""
	// keeps everything in memory (10,000 small files take about 5 MiB
	// there), gone when Close returns.
	DataDir string
}

// Demo is a running megasim holding a seeded demo account. Its password
// is generated for this run and lives only in memory.
type Demo struct {
	Server   *megasim.Server
	Email    string
	Password string
	Seeded   Result
	// Took is how long starting and seeding took.
	Took time.Duration
}

// URL is the API URL to log in to.
func (d *Demo) URL() string { return d.Server.URL() }

// HTTPClient trusts megasim's TLS certificate (for https data URLs).
func (d *Demo) HTTPClient() *http.Client { return d.Server.HTTPClient() }

// Close stops the server (an in-memory one forgets everything).
func (d *Demo) Close() error {
	if err := d.Server.Close(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// Start starts megasim in-process with a demo account and fills it: the
// ordinary files and the duplicate fixture through megaclient uploads (so
// `c` fingerprints are set exactly as real clients set them), and the
// 10,000-file folder with megasim's SeedTree (valid encrypted nodes that
// download and decrypt, created without 10,000 round trips).
func Start(ctx context.Context, opts StartOptions) (*Demo, error) {
	t0 := time.Now()
	var pw [16]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	password := hex.EncodeToString(pw[:])
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	srv, err := megasim.StartOn(listen, megasim.Options{
		Accounts: []megasim.Account{{Email: DemoEmail, Password: password, Version: 2}},
		DataDir:  opts.DataDir,
		Logf:     opts.Logf,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: start megasim: %w", err)
	}
	d := &Demo{Server: srv, Email: DemoEmail, Password: password}
	d.Seeded, err = SeedServer(ctx, srv, DemoEmail, password, opts.Seed)
	if err != nil {
		d.Close()
		return nil, err
	}
	d.Took = time.Since(t0)
	return d, nil
}

// SeedServer fills the account email of a running megasim with the demo
// data, as Start does (for `megatui sim --demo-data`): it logs in through
// megaclient, uploads the ordinary files and the duplicate fixture, and
// creates the many small files with SeedTree. opts.Bulk is replaced.
func SeedServer(ctx context.Context, srv *megasim.Server, email, password string, opts Options) (Result, error) {
	var code string
	if opts.TOTPSecret != "" {
		var err error
		if code, err = megasim.TOTPCode(opts.TOTPSecret, time.Now()); err != nil {
			return Result{}, fmt.Errorf("demo: two-factor code: %w", err)
		}
	}
	c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "demo", Email: email, Password: password,
		MFACode: code, APIURL: srv.URL(), HTTPClient: srv.HTTPClient(), Workers: 8})
	if err != nil {
		return Result{}, fmt.Errorf("demo: log in: %w", err)
	}
	defer c.Close()
	opts.Bulk = func(ctx context.Context, parent string, files, size int) error {
		// SeedTree always makes some sub-folders first: ask for 10.
		_, err := srv.SeedTree(email, megasim.SeedOptions{
			Password: password, Parent: parent, Nodes: files + 10, FanOut: files + 10, SubFolders: 10,
			FileSize: int64(size), NamePrefix: "log", Seed: 8, Notify: true,
		})
		return err
	}
	res, err := Seed(ctx, c, opts)
	if err != nil {
		return res, err
	}
	if res.ManyDir != "" {
		res.Folders += 10 // SeedTree's sub-folders of "Many files"
	}
	return res, nil
}
