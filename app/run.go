// Package app builds and runs the TUI: it gives ui its filesystems (the
// local disk and the MEGA accounts) and its transfer queue (the engine),
// and starts the demo server for --demo.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/account"
	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/localfs"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
	"github.com/megatui/megatui/ui"
)

// Options are the root command's flags.
type Options struct {
	Demo    bool   // run against an embedded megasim with demo data
	Remote  string // the remote of the right pane ("": the first configured)
	LeftDir string // the left pane's folder ("": the working directory)
}

// Run starts the two-pane browser: the local disk on the left, a MEGA
// remote on the right (connected from its stored session, or through the
// login form), and the transfer queue, resumed from its journal.
func Run(ctx context.Context, env account.Env, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	env = env.WithDefaults()
	// The TUI owns the terminal: no prompts on it, and warnings become
	// messages instead of stderr lines under the alt screen.
	env.ReadSecret = nil
	warnings := &lockedBuffer{}
	env.Stderr = warnings

	logf, closeLog, err := debugLog(env)
	if err != nil {
		return err
	}
	defer closeLog()
	env.Logf = logf

	left := o.LeftDir
	if left == "" {
		if left, err = os.Getwd(); err != nil {
			return err
		}
	}
	if left, err = filepath.Abs(left); err != nil {
		return err
	}
	cfg, _, err := env.LoadConfig()
	if err != nil {
		return err
	}
	dirs, err := config.ResolveDirs(env.Getenv)
	if err != nil {
		return fmt.Errorf("find the state directory: %w", err)
	}

	var accounts []*megaFS
	var right *megaFS
	welcome := "" // the UI's own first hint
	// Bookmarks and folder history are kept in the config file (not by
	// the demo, which must leave the user's files alone).
	savePlaces := func(bm, hist []ui.Place) error {
		c, path, err := env.LoadConfig()
		if err != nil || path == "" {
			return err
		}
		c.Places.Bookmarks, c.Places.History = configPlaces(bm), configPlaces(hist)
		return config.Save(path, c)
	}
	if o.Demo {
		savePlaces = nil
		welcome = "Demo: the right pane is a MEGA account · tab to it, open Duplicates (⧉ marks copies), d: guided dedupe · F1: every key"
		d, sandbox, err := startDemo(ctx, dirs)
		if err != nil {
			return err
		}
		defer d.Close()
		left = sandbox
		// The demo keeps its journals apart from the user's and starts
		// fresh: the demo server's data is gone when it stops.
		state := filepath.Join(dirs.CacheDir, "demo-state")
		_ = os.RemoveAll(state)
		if err := config.EnsurePrivateDir(state); err != nil {
			return err
		}
		dirs.StateDir = state
		c, err := megaclient.Connect(ctx, megaclient.Options{Remote: "demo", Email: d.Email, Password: d.Password,
			APIURL: d.URL(), HTTPClient: d.HTTPClient(), Logf: logf,
			Workers: cfg.Transfers.Transfers, ChunkWorkers: cfg.Transfers.ChunkWorkers})
		if err != nil {
			return fmt.Errorf("demo: log in: %w", err)
		}
		right = newMegaFS("demo", d.Email, c, filepath.Join(state, "dedupe"))
		accounts = append(accounts, right)
		fmt.Fprintf(os.Stderr, "megatui demo: local MEGA server at %s (seeded in %s); local sandbox in %s\n",
			d.URL(), d.Took.Round(time.Millisecond), sandbox)
	} else {
		for _, r := range paneRemotes(cfg, env.Getenv) {
			p := newMegaFS(r.Name, r.Email, nil, filepath.Join(dirs.StateDir, "dedupe"))
			p.connect = remoteConnector(env, r.Name)
			p.login = remoteLogin(env, r)
			accounts = append(accounts, p)
			if strings.EqualFold(r.Name, o.Remote) || (o.Remote == "" && right == nil) {
				right = p
			}
		}
		if right == nil {
			return fmt.Errorf("remote %q is not configured: run megatui login %s", o.Remote, o.Remote)
		}
	}
	defer func() {
		for _, p := range accounts {
			p.Close()
		}
	}()

	links := &linkRoutes{}
	defer links.closeAll()
	engine, journalNote, err := startEngine(ctx, cfg, dirs.StateDir, right, links)
	if err != nil {
		return err
	}
	queue := newQueueAdapter(ctx, engine, right)

	local := localFS{fs: localfs.New(), watch: &localWatch{}}
	all := []ui.FS{local}
	for _, p := range accounts {
		all = append(all, p)
	}
	app := ui.New(ui.Options{
		Context:     ctx,
		Left:        local,
		Right:       right,
		LeftDir:     left,
		RightDir:    "/",
		Filesystems: all,
		Transfers:   queue,
		OpenLink:    openLink(env, links),
		NoColor:     os.Getenv("NO_COLOR") != "",
		// Settings from the config file.
		Theme:           uiTheme(cfg.UI.Theme),
		ShowHidden:      cfg.UI.ShowHidden,
		DefaultConflict: configConflict(cfg),
		MessageTTL:      10 * time.Second,
		Welcome:         welcome,
		Bookmarks:       uiPlaces(cfg.Places.Bookmarks),
		History:         uiPlaces(cfg.Places.History),
		SavePlaces:      savePlaces,
	})
	if msg := strings.TrimSpace(journalNote + " " + warnings.String()); msg != "" {
		app.Notify(msg)
	}
	mon := startCrashMonitor(logf)
	_, err = tea.NewProgram(app, tea.WithContext(ctx)).Run()
	mon.stop()
	cancel()
	_ = engine.Wait()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	if n := queue.Active(); n > 0 {
		fmt.Fprintf(os.Stderr, "megatui: %d transfer(s) unfinished; they resume the next time megatui starts\n", n)
	}
	if o.Demo {
		fmt.Fprintf(os.Stderr, "megatui demo: the sandbox folder %s is kept; delete it when you like\n", left)
	}
	return err
}

// uiTheme maps the config's [ui] theme to the UI's.
func uiTheme(t config.Theme) ui.ThemeMode {
	switch t {
	case config.ThemeDark:
		return ui.ThemeDark
	case config.ThemeLight:
		return ui.ThemeLight
	default:
		return ui.ThemeAuto
	}
}

// paneRemotes are the remotes the TUI offers: the configured ones and the
// environment's. With none, the remote "mega" (on MEGATUI_API_URL when
// set), whose first listing opens the login form.
func paneRemotes(cfg config.Config, getenv func(string) string) []config.Remote {
	if remotes := cfg.AllRemotes(getenv); len(remotes) > 0 {
		return remotes
	}
	return []config.Remote{{Name: config.EnvRemoteName, APIURL: getenv(config.EnvAPIURL)}}
}

// configConflict is the [transfers] conflict policy of cfg, the one the
// copy dialog starts with ("ask" makes the UI ask for each existing name);
// ConflictSkip when it is unset or invalid.
func configConflict(cfg config.Config) model.Conflict {
	c, err := cfg.Transfers.Policy()
	if err != nil {
		return model.ConflictSkip
	}
	return c
}

// startDemo starts megasim in-process with the demo account and writes the
// sample files of the local pane under the cache directory.
func startDemo(ctx context.Context, dirs config.Dirs) (*demo.Demo, string, error) {
	sandbox := filepath.Join(dirs.CacheDir, "demo-sandbox")
	if err := config.EnsurePrivateDir(sandbox); err != nil {
		return nil, "", err
	}
	if _, err := demo.Sandbox(sandbox); err != nil {
		return nil, "", fmt.Errorf("demo sandbox: %w", err)
	}
	d, err := demo.Start(ctx, demo.StartOptions{})
	if err != nil {
		return nil, "", err
	}
	return d, sandbox, nil
}

// startEngine starts the transfer engine with its journal in the state
// directory. When another megatui holds the journal, transfers still work
// but are not journaled, and the returned note says so.
func startEngine(ctx context.Context, cfg config.Config, stateDir string, remote *megaFS, links *linkRoutes) (*transfer.Engine, string, error) {
	// The engine applies "ask" per request: its own default must be an answer.
	conflict := configConflict(cfg)
	if conflict == model.ConflictAsk {
		conflict = model.ConflictSkip
	}
	bw, _ := config.ParseBandwidth(cfg.Transfers.BWLimit)
	opts := transfer.Options{Remote: fsRemote{p: remote, links: links}, Workers: cfg.Transfers.Transfers, Conflict: conflict,
		BandwidthLimit: bw}
	if err := config.EnsurePrivateDir(stateDir); err == nil {
		opts.JournalPath = filepath.Join(stateDir, "transfers.jsonl")
	}
	e := transfer.New(opts)
	err := e.Start(ctx)
	if errors.Is(err, transfer.ErrJournalBusy) {
		opts.JournalPath = ""
		e = transfer.New(opts)
		if err := e.Start(ctx); err != nil {
			return nil, "", err
		}
		return e, "another megatui is using the transfer journal: this session's transfers will not resume after a restart.", nil
	}
	if err != nil {
		return nil, "", err
	}
	if n := e.Resumed(); n > 0 {
		return e, fmt.Sprintf("resumed %d unfinished transfer(s) from last time.", n), nil
	}
	return e, "", nil
}

// debugLog opens the debug log named by MEGATUI_DEBUG (a path, or "1" for
// megatui.log in the state directory); without it logs are discarded. The
// TUI never prints while it runs.
func debugLog(env account.Env) (func(string, ...any), func(), error) {
	where := env.Getenv("MEGATUI_DEBUG")
	if where == "" || where == "0" {
		return func(string, ...any) {}, func() {}, nil
	}
	if where == "1" {
		dirs, err := config.ResolveDirs(env.Getenv)
		if err != nil {
			return nil, nil, err
		}
		if err := config.EnsurePrivateDir(dirs.StateDir); err != nil {
			return nil, nil, err
		}
		where = filepath.Join(dirs.StateDir, "megatui.log")
	}
	f, err := os.OpenFile(where, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open debug log: %w", err)
	}
	l := log.New(f, "", log.LstdFlags|log.Lmicroseconds)
	return l.Printf, func() { f.Close() }, nil
}

// remoteConnector connects a configured remote without asking anything:
// from its stored session, MEGATUI_PASSWORD or a remembered password.
// Without those it fails with model.ErrNoCredentials, and the UI opens
// the login form.
func remoteConnector(env account.Env, name string) func(ctx context.Context) (*megaclient.Client, error) {
	return func(ctx context.Context) (*megaclient.Client, error) {
		return env.Open(ctx, name)
	}
}

// remoteLogin is the login form's action for remote r (see account.Env.Login).
func remoteLogin(env account.Env, r config.Remote) func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error) {
	return func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error) {
		return env.Login(ctx, r, email, password, code, remember)
	}
}

// fsRemote is the transfer engine's view of the MEGA pane's account: it
// follows the pane's client, which may connect only after the login form.
type fsRemote struct {
	p     *megaFS
	links *linkRoutes // files of public links open in a pane are read from the link
}

var _ transfer.Remote = fsRemote{}

func (r fsRemote) c(ctx context.Context) (*megaclient.Client, error) { return r.p.clientWait(ctx) }

func (r fsRemote) List(ctx context.Context, folderID string) ([]model.Entry, error) {
	if p := r.links.find(folderID); p != nil {
		return p.List(ctx, folderID)
	}
	c, err := r.c(ctx)
	if err != nil {
		return nil, err
	}
	return c.List(ctx, folderID)
}

func (r fsRemote) Lookup(ctx context.Context, parentID, name string) ([]model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return nil, err
	}
	return c.Lookup(ctx, parentID, name)
}

func (r fsRemote) Mkdir(ctx context.Context, parentID, name string) (model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return model.Entry{}, err
	}
	return c.Mkdir(ctx, parentID, name)
}

func (r fsRemote) Upload(ctx context.Context, parentID, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(int64)) (model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return model.Entry{}, err
	}
	return c.Upload(ctx, parentID, name, src, size, mtime, progress)
}

func (r fsRemote) Download(ctx context.Context, id string, dst io.WriterAt, progress func(int64)) error {
	if p := r.links.find(id); p != nil {
		return p.Download(ctx, id, dst, progress)
	}
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Download(ctx, id, dst, progress)
}

func (r fsRemote) Move(ctx context.Context, id, parentID string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Move(ctx, id, parentID)
}

func (r fsRemote) Rename(ctx context.Context, id, name string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Rename(ctx, id, name)
}

func (r fsRemote) Trash(ctx context.Context, id string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Trash(ctx, id)
}

// Exists lets the engine check whether an ambiguous upload completion
// landed after all.
func (r fsRemote) Exists(ctx context.Context, parent, name string, size int64, fingerprint string) (model.Entry, bool, error) {
	c, err := r.c(ctx)
	if err != nil {
		return model.Entry{}, false, err
	}
	return c.Exists(ctx, parent, name, size, fingerprint)
}

// lockedBuffer collects warnings that remotes connecting in concurrent
// Cmds write; safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func uiPlaces(ps []config.Place) []ui.Place {
	out := make([]ui.Place, len(ps))
	for i, p := range ps {
		out[i] = ui.Place{FS: p.FS, Path: p.Path}
	}
	return out
}

func configPlaces(ps []ui.Place) []config.Place {
	out := make([]config.Place, len(ps))
	for i, p := range ps {
		out[i] = config.Place{FS: p.FS, Path: p.Path}
	}
	return out
}
