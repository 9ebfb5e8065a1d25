package main

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

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/demo"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/megaclient/localfs"
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
	"github.com/megatui/megatui/ui"
)

// tuiOptions are the root command's flags.
type tuiOptions struct {
	demo   bool
	remote string
	left   string
}

// runTUI starts the two-pane browser: the local disk on the left, a MEGA
// remote on the right (connected from its stored session, or through the
// login form), and the transfer queue, resumed from its journal.
func runTUI(ctx context.Context, o tuiOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	env := envFrom(ctx)
	// The TUI owns the terminal: no prompts on it, and warnings become
	// messages instead of stderr lines under the alt screen.
	env.readSecret, env.readLine = nil, nil
	warnings := &lockedBuffer{}
	env.stderr = warnings

	logf, closeLog, err := debugLog(env)
	if err != nil {
		return err
	}
	defer closeLog()

	left := o.left
	if left == "" {
		if left, err = os.Getwd(); err != nil {
			return err
		}
	}
	if left, err = filepath.Abs(left); err != nil {
		return err
	}
	cfg, _, err := env.loadConfig()
	if err != nil {
		return err
	}
	dirs, err := config.ResolveDirs(env.getenv)
	if err != nil {
		return fmt.Errorf("find the state directory: %w", err)
	}

	var panes []*megaPane
	var right *megaPane
	if o.demo {
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
		right = newMegaPane("demo", d.Email, c, filepath.Join(state, "dedupe"))
		panes = append(panes, right)
		fmt.Fprintf(os.Stderr, "megatui demo: local MEGA server at %s (seeded in %s); local sandbox in %s\n",
			d.URL(), d.Took.Round(time.Millisecond), sandbox)
	} else {
		remotes := cfg.AllRemotes(env.getenv)
		if len(remotes) == 0 {
			// Nothing configured: a pane for the remote "mega" whose first
			// listing opens the login form.
			remotes = []config.Remote{{Name: "mega"}}
		}
		for _, r := range remotes {
			p := newMegaPane(r.Name, r.Email, nil, filepath.Join(dirs.StateDir, "dedupe"))
			p.connect = remoteConnector(env, r.Name)
			p.login = remoteLogin(env, r, logf)
			panes = append(panes, p)
			if strings.EqualFold(r.Name, o.remote) || (o.remote == "" && right == nil) {
				right = p
			}
		}
		if right == nil {
			return fmt.Errorf("remote %q is not configured: run megatui login %s", o.remote, o.remote)
		}
	}
	defer func() {
		for _, p := range panes {
			p.Close()
		}
	}()

	engine, journalNote, err := startEngine(ctx, cfg, dirs.StateDir, right)
	if err != nil {
		return err
	}
	queue := newQueueAdapter(ctx, engine)

	local := localPane{fs: localfs.New()}
	all := []ui.FS{local}
	for _, p := range panes {
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
		NoColor:     os.Getenv("NO_COLOR") != "",
		// Settings from the config file.
		Theme:           uiTheme(cfg.UI.Theme),
		ShowHidden:      cfg.UI.ShowHidden,
		DefaultConflict: uiConflict(cfg.Transfers.Conflict),
	})
	if msg := strings.TrimSpace(journalNote + " " + warnings.String()); msg != "" {
		app.Notify(msg)
	}
	_, err = tea.NewProgram(app, tea.WithContext(ctx)).Run()
	cancel()
	_ = engine.Wait()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil
	}
	if n := queue.Active(); n > 0 {
		fmt.Fprintf(os.Stderr, "megatui: %d transfer(s) unfinished; they resume the next time megatui starts\n", n)
	}
	if o.demo {
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

// uiConflict maps the config's [transfers] conflict to the policy the copy
// dialog starts with; "ask" makes the UI ask for each existing name.
func uiConflict(c config.Conflict) ui.Conflict {
	switch c {
	case config.ConflictAsk:
		return ui.ConflictAsk
	case config.ConflictOverwrite:
		return ui.ConflictOverwrite
	case config.ConflictRename:
		return ui.ConflictRename
	default:
		return ui.ConflictSkip
	}
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
func startEngine(ctx context.Context, cfg config.Config, stateDir string, remote *megaPane) (*transfer.Engine, string, error) {
	conflict, err := transfer.ParseConflict(string(cfg.Transfers.Conflict))
	if err != nil || conflict == transfer.ConflictAsk {
		conflict = transfer.ConflictSkip
	}
	bw, _ := config.ParseBandwidth(cfg.Transfers.BWLimit)
	opts := transfer.Options{Remote: paneRemote{remote}, Workers: cfg.Transfers.Transfers, Conflict: conflict,
		BandwidthLimit: bw}
	if err := config.EnsurePrivateDir(stateDir); err == nil {
		opts.JournalPath = filepath.Join(stateDir, "transfers.jsonl")
	}
	e := transfer.New(opts)
	err = e.Start(ctx)
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
func debugLog(env cliEnv) (func(string, ...any), func(), error) {
	where := env.getenv("MEGATUI_DEBUG")
	if where == "" || where == "0" {
		return func(string, ...any) {}, func() {}, nil
	}
	if where == "1" {
		dirs, err := config.ResolveDirs(env.getenv)
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
func remoteConnector(env cliEnv, name string) func(ctx context.Context) (*megaclient.Client, error) {
	return func(ctx context.Context) (*megaclient.Client, error) {
		return openRemote(withCLIEnv(ctx, env), name)
	}
}

// remoteLogin is the login form's action for remote r: a password login
// whose session goes to the keyring (and the password too when the user
// asks), and the remote saved in the config file.
func remoteLogin(env cliEnv, r config.Remote, logf func(string, ...any)) func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error) {
	return func(ctx context.Context, email, password, code string, remember bool) (*megaclient.Client, error) {
		opts := megaclient.Options{Remote: r.Name, Email: email, Password: password, MFACode: code,
			APIURL: r.APIURL, HTTPClient: env.httpClient, Logf: logf}
		if cfg, _, err := env.loadConfig(); err == nil {
			opts.Workers, opts.ChunkWorkers = cfg.Transfers.Transfers, cfg.Transfers.ChunkWorkers
		}
		if env.keys != nil {
			opts.Store = saveOnlySessions{newKeyringSessions(env.keys)}
		}
		c, err := megaclient.Connect(ctx, opts)
		if err != nil {
			return nil, err
		}
		if remember && env.keys != nil {
			_ = env.keys.SavePassword(r.Name, password)
		}
		if cfg, path, err := env.loadConfig(); err == nil && path != "" {
			if _, ok := config.EnvRemote(env.getenv); !ok || !strings.EqualFold(r.Name, "mega") {
				r.Email = email
				if cfg.SetRemote(r) == nil {
					_ = config.Save(path, cfg)
				}
			}
		}
		return c, nil
	}
}

// saveOnlySessions stores the session a login makes but offers none to
// resume: the user just typed a password, so that is what is used.
type saveOnlySessions struct{ keyringSessions }

func (saveOnlySessions) LoadSession(remote string) (megaclient.Session, error) {
	return megaclient.Session{}, fmt.Errorf("session of %s: %w", remote, model.ErrNoCredentials)
}

// paneRemote is the transfer engine's view of the MEGA pane's account: it
// follows the pane's client, which may connect only after the login form.
type paneRemote struct{ p *megaPane }

var _ transfer.Remote = paneRemote{}

func (r paneRemote) c(ctx context.Context) (*megaclient.Client, error) { return r.p.clientWait(ctx) }

func (r paneRemote) List(ctx context.Context, folderID string) ([]model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return nil, err
	}
	return c.List(ctx, folderID)
}

func (r paneRemote) Lookup(ctx context.Context, parentID, name string) ([]model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return nil, err
	}
	return c.Lookup(ctx, parentID, name)
}

func (r paneRemote) Mkdir(ctx context.Context, parentID, name string) (model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return model.Entry{}, err
	}
	return c.Mkdir(ctx, parentID, name)
}

func (r paneRemote) Upload(ctx context.Context, parentID, name string, src io.ReaderAt, size int64, mtime time.Time, progress func(int64)) (model.Entry, error) {
	c, err := r.c(ctx)
	if err != nil {
		return model.Entry{}, err
	}
	return c.Upload(ctx, parentID, name, src, size, mtime, progress)
}

func (r paneRemote) Download(ctx context.Context, id string, dst io.WriterAt, progress func(int64)) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Download(ctx, id, dst, progress)
}

func (r paneRemote) Move(ctx context.Context, id, parentID string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Move(ctx, id, parentID)
}

func (r paneRemote) Rename(ctx context.Context, id, name string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Rename(ctx, id, name)
}

func (r paneRemote) Trash(ctx context.Context, id string) error {
	c, err := r.c(ctx)
	if err != nil {
		return err
	}
	return c.Trash(ctx, id)
}

// Exists lets the engine check whether an ambiguous upload completion
// landed after all.
func (r paneRemote) Exists(ctx context.Context, parent, name string, size int64, fingerprint string) (model.Entry, bool, error) {
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
