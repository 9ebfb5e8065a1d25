package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/operations"
)

// globals are rclone's global flags, shared by every command (persistent
// flags of the root).
type globals struct {
	progress    bool
	verbose     int
	quiet       bool
	logFile     string
	stats       time.Duration
	transfers   int
	checkers    int
	bwlimit     string
	dryRun      bool
	interactive bool
	// quit is set when -i was answered q: nothing more changes, and the
	// run ends with a non-zero status.
	quit        atomic.Bool
	maxTransfer string
	config      string

	// Filters (rclone's filter flags are global too).
	include, includeFrom, exclude, excludeFrom, filterRule, filterFrom []string
	minSize, maxSize, minAge, maxAge                                   string

	mu     sync.Mutex
	logOut io.Writer
	logFH  *os.File
}

func (g *globals) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&g.progress, "progress", "P", false, "show progress during transfers (a live block on a terminal, periodic lines otherwise)")
	fs.CountVarP(&g.verbose, "verbose", "v", "print more (-v: each change, -vv: debug)")
	fs.BoolVarP(&g.quiet, "quiet", "q", false, "print errors only")
	fs.StringVar(&g.logFile, "log-file", "", "write the log to this file instead of stderr")
	fs.DurationVar(&g.stats, "stats", 0, "print transfer statistics this often (0: only with -P, every second)")
	fs.IntVar(&g.transfers, "transfers", config.DefaultTransfers, "files transferred in parallel")
	fs.IntVar(&g.checkers, "checkers", 8, "files checked in parallel")
	fs.StringVar(&g.bwlimit, "bwlimit", "", "bandwidth limit in bytes/s (10M), or a timetable: \"08:00,512k 19:00,10M 23:00,off\"")
	fs.BoolVarP(&g.dryRun, "dry-run", "n", false, "show what would change, change nothing")
	fs.BoolVarP(&g.interactive, "interactive", "i", false, "ask before each change")
	fs.StringVar(&g.maxTransfer, "max-transfer", "", "stop after transferring this much (e.g. 10G)")
	fs.StringVar(&g.config, "config", "", "config file (default $XDG_CONFIG_HOME/megatui/config.toml)")
	fs.StringArrayVar(&g.include, "include", nil, "include files matching this glob (rclone's syntax)")
	fs.StringArrayVar(&g.includeFrom, "include-from", nil, "read include globs from this file")
	fs.StringArrayVar(&g.exclude, "exclude", nil, "exclude files matching this glob")
	fs.StringArrayVar(&g.excludeFrom, "exclude-from", nil, "read exclude globs from this file")
	fs.StringArrayVarP(&g.filterRule, "filter", "f", nil, "a filter rule: \"+ glob\" or \"- glob\"")
	fs.StringArrayVar(&g.filterFrom, "filter-from", nil, "read filter rules from this file")
	fs.StringVar(&g.minSize, "min-size", "", "only files at least this big (100k, 1M, 2G)")
	fs.StringVar(&g.maxSize, "max-size", "", "only files at most this big")
	fs.StringVar(&g.minAge, "min-age", "", "only files older than this (90m, 2d, 1w, or a date)")
	fs.StringVar(&g.maxAge, "max-age", "", "only files younger than this")
}

// filter compiles the filter flags.
func (g *globals) filter() (*filter.Filter, error) {
	o := filter.Options{Include: g.include, IncludeFrom: g.includeFrom, Exclude: g.exclude, ExcludeFrom: g.excludeFrom,
		Filter: g.filterRule, FilterFrom: g.filterFrom, MinSize: -1, MaxSize: -1}
	var err error
	if g.minSize != "" {
		if o.MinSize, err = filter.ParseSize(g.minSize); err != nil {
			return nil, usagef("--min-size: %v", err)
		}
	}
	if g.maxSize != "" {
		if o.MaxSize, err = filter.ParseSize(g.maxSize); err != nil {
			return nil, usagef("--max-size: %v", err)
		}
	}
	now := time.Now()
	if g.minAge != "" {
		if o.MinAge, o.MinAgeTime, err = filter.ParseAge(g.minAge, now); err != nil {
			return nil, usagef("--min-age: %v", err)
		}
	}
	if g.maxAge != "" {
		if o.MaxAge, o.MaxAgeTime, err = filter.ParseAge(g.maxAge, now); err != nil {
			return nil, usagef("--max-age: %v", err)
		}
	}
	f, err := filter.New(o, func() time.Time { return now })
	if err != nil {
		return nil, usagef("%v", err)
	}
	return f, nil
}

// level is the log level the flags ask for.
func (g *globals) level() operations.Level {
	switch {
	case g.quiet:
		return operations.LevelError
	case g.verbose >= 2:
		return operations.LevelDebug
	case g.verbose == 1:
		return operations.LevelInfo
	}
	return operations.LevelNotice
}

// log returns the logger the flags ask for: stderr, or --log-file.
func (g *globals) log(stderr io.Writer) (*operations.TextLog, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.logOut == nil {
		g.logOut = stderr
		if g.logFile != "" {
			f, err := os.OpenFile(g.logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			if err != nil {
				return nil, fmt.Errorf("--log-file: %w", err)
			}
			g.logOut, g.logFH = f, f
		}
	}
	return &operations.TextLog{W: g.logOut, Level: g.level()}, nil
}

// close releases the log file.
func (g *globals) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.logFH != nil {
		g.logFH.Close()
		g.logFH = nil
	}
}

// confirm is -i: before each change it asks on the terminal as rclone
// does: y yes (default), n no, s skip all changes of this kind, ! do all
// changes of this kind, q quit (no to everything left).
func (g *globals) confirm(stdin io.Reader, stderr io.Writer) func(action, path string) bool {
	if !g.interactive {
		return nil
	}
	var mu sync.Mutex
	decided := map[string]bool{} // per kind of change: yes or no to all
	quit := false
	in := bufio.NewReader(stdin)
	return func(action, path string) bool {
		mu.Lock()
		defer mu.Unlock()
		if quit {
			return false
		}
		verb := strings.Fields(action)[0]
		if v, ok := decided[verb]; ok {
			return v
		}
		for range 10 {
			fmt.Fprintf(stderr, "megatui: %s %q?\ny) Yes, this is OK (default)\nn) No, skip this\n"+
				"s) Skip all %s operations with no more questions\n!) Do all %s operations with no more questions\n"+
				"q) Exit megatui now.\ny/n/s/!/q> ", action, path, verb, verb)
			line, err := in.ReadString('\n')
			switch strings.ToLower(strings.TrimSpace(line)) {
			case "y", "yes", "":
				if err != nil && line == "" {
					quit = true
					return false
				}
				return true
			case "n", "no":
				return false
			case "s":
				decided[verb] = false
				return false
			case "!":
				decided[verb] = true
				return true
			case "q":
				quit = true
				g.quit.Store(true)
				return false
			}
			if err != nil {
				quit = true
				return false
			}
		}
		return false
	}
}

// usageError is a command line the command cannot run: its usage is
// printed and the exit status is 2.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// args checks the argument count like cobra's validators, as a usage
// error.
func args(lo, hi int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) < lo || hi >= 0 && len(a) > hi {
			var want string
			switch {
			case lo == hi:
				want = fmt.Sprintf("%d", lo)
			case hi < 0:
				want = fmt.Sprintf("at least %d", lo)
			default:
				want = fmt.Sprintf("%d to %d", lo, hi)
			}
			return &usageError{cmd: cmd, err: fmt.Errorf("%s needs %s argument(s), got %d", cmd.Name(), want, len(a))}
		}
		return nil
	}
}

// usageOf reports a usage error with the command's usage: exit status 2.
func usageOf(err error, stderr io.Writer) (int, bool) {
	var ue *usageError
	if !errors.As(err, &ue) {
		return 0, false
	}
	fmt.Fprintf(stderr, "megatui: %v\n", ue.err)
	if ue.cmd != nil {
		fmt.Fprintf(stderr, "\n%s", ue.cmd.UsageString())
	} else {
		fmt.Fprintln(stderr, "Run megatui --help for usage.")
	}
	return 2, true
}

// usageOnBadArgs makes every wrong argument count and every bad flag of
// every command a usage error.
func usageOnBadArgs(root *cobra.Command) {
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return &usageError{cmd: cmd, err: err} })
	var wrap func(c *cobra.Command)
	wrap = func(c *cobra.Command) {
		if orig := c.Args; orig != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				err := orig(cmd, a)
				var ue *usageError
				if err != nil && !errors.As(err, &ue) {
					return &usageError{cmd: cmd, err: err}
				}
				return err
			}
		}
		for _, k := range c.Commands() {
			wrap(k)
		}
	}
	wrap(root)
}

// tuiArgs accepts what opens the TUI: nothing, or a local folder that
// exists. Anything else is an unknown command.
func tuiArgs() cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		switch {
		case len(a) == 0:
			return nil
		case len(a) > 1:
			msg := fmt.Sprintf("unknown command %q for \"megatui\"", a[0])
			if sug := cmd.SuggestionsFor(a[0]); len(sug) > 0 {
				msg += "; did you mean " + strings.Join(sug, " or ") + "?"
			}
			return &usageError{cmd: cmd, err: errors.New(msg)}
		}
		if fi, err := os.Stat(a[0]); err == nil && fi.IsDir() {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for \"megatui\" (and no local folder of that name)", a[0])
		if sug := cmd.SuggestionsFor(a[0]); len(sug) > 0 {
			msg += "; did you mean " + strings.Join(sug, " or ") + "?"
		}
		return &usageError{cmd: cmd, err: errors.New(msg)}
	}
}
