// Package config reads and writes megatui's non-secret settings: the
// remotes (name, e-mail, API URL), transfer settings and UI preferences,
// in TOML at $XDG_CONFIG_HOME/megatui/config.toml (MEGATUI_CONFIG
// overrides the path). Secrets never go here: there is simply no field
// for them; sessions and passwords live in the OS keyring (package
// keyring).
//
// It also locates the state and cache directories, and imports MEGA
// remotes from rclone's configuration (rclone.go).
package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/megatui/megatui/model"
)

// Theme picks the colour theme.
type Theme string

const (
	ThemeAuto  Theme = "auto"
	ThemeDark  Theme = "dark"
	ThemeLight Theme = "light"
)

// Defaults and bounds.
const (
	// DefaultTransfers and DefaultChunkWorkers were chosen with
	// transfer's BenchmarkTransferDefaults against megasim at 0, 20 and
	// 100 ms per request: small files are bound by round trips, so 300
	// files of 16 KiB went 3.9x faster with 16 transfers than with 4 at
	// 20 ms (4.9 s to 1.3 s) and 3.8x at 100 ms; a 64 MiB file moved
	// 1.4-1.6x faster with 16 chunk workers than with 8 at 20 and 100 ms
	// and no slower at 0 ms, while 32 lost at 0 and 20 ms. The data path
	// lowers both while the servers struggle, and caps the chunks of all
	// files in flight together (64 MiB of buffers).
	DefaultTransfers    = 16
	MaxTransfers        = 32
	DefaultChunkWorkers = 16
	MaxChunkWorkers     = 30
)

// Config is the whole configuration file.
type Config struct {
	Remotes   []Remote  `toml:"remote"`
	Transfers Transfers `toml:"transfers"`
	UI        UI        `toml:"ui"`
	Places    Places    `toml:"places,omitempty"`
}

// Remote is one MEGA account. It has no password, session or key field:
// those are kept in the OS keyring.
type Remote struct {
	Name  string `toml:"name"`
	Email string `toml:"email"`
	// APIURL overrides the MEGA API endpoint (empty: the real MEGA API).
	APIURL string `toml:"api_url,omitempty"`
	// FromEnv marks the remote defined by MEGATUI_USER; never saved.
	FromEnv bool `toml:"-"`
}

// Transfers holds the transfer queue settings.
type Transfers struct {
	// Transfers is how many files move at once.
	Transfers int `toml:"transfers"`
	// ChunkWorkers is how many chunks of one file move at once.
	ChunkWorkers int `toml:"chunk_workers"`
	// Conflict is the default answer when the destination exists, in
	// the text form of model.Conflict: "ask", "skip", "overwrite" or
	// "rename" (see Policy).
	Conflict string `toml:"conflict"`
	// BWLimit caps bandwidth, rclone style: "" or "off" for none, "512K",
	// "10M", "1.5G"; a bare number is KiB/s.
	BWLimit string `toml:"bwlimit"`
}

// UI holds display preferences.
type UI struct {
	Theme      Theme `toml:"theme"`
	ShowHidden bool  `toml:"show_hidden"`
}

// Places are the TUI's folders: bookmarked, and the last visited (most
// recent first).
type Places struct {
	Bookmarks []Place `toml:"bookmark,omitempty"`
	History   []Place `toml:"history,omitempty"`
}

// Place is a folder of a filesystem, by the filesystem's label in the TUI.
type Place struct {
	FS   string `toml:"fs"`
	Path string `toml:"path"`
}

// Default returns the configuration used when there is no file.
func Default() Config {
	return Config{
		Transfers: Transfers{
			Transfers:    DefaultTransfers,
			ChunkWorkers: DefaultChunkWorkers,
			Conflict:     model.ConflictAsk.String(),
		},
		UI: UI{Theme: ThemeAuto},
	}
}

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("invalid configuration")

// FieldError is one invalid setting: the key (as written in TOML, with an
// index for remotes) and, when the value came from a file, where.
type FieldError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

var remoteNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.+@-]*$`)

// RemoteNames returns the names of rs, in order.
func RemoteNames(rs []Remote) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return out
}

// ValidateRemoteName reports whether name can name a remote: letters,
// digits and _ . + @ -, not starting with a punctuation mark; at most 64
// bytes. (':' and '/' would clash with REMOTE:path syntax and keyring
// account names.)
func ValidateRemoteName(name string) error {
	switch {
	case name == "":
		return errors.New("remote name is empty")
	case len(name) > 64:
		return fmt.Errorf("remote name %q is longer than 64 bytes", name)
	case !remoteNameRE.MatchString(name):
		return fmt.Errorf("remote name %q may only hold letters, digits and _ . + @ - (and not start with punctuation)", name)
	}
	return nil
}

// Validate checks every setting; the error joins one *FieldError per
// problem (errors.Is(err, ErrInvalid) holds).
func (c *Config) Validate() error { return c.validate(nil, "") }

// validate reports problems with lines from loc when known.
func (c *Config) validate(loc *locator, file string) error {
	var errs []error
	add := func(key, format string, args ...any) {
		fe := &FieldError{File: file, Key: key, Msg: fmt.Sprintf(format, args...)}
		if loc != nil {
			fe.Line = loc.line(key)
		}
		errs = append(errs, fe)
	}
	seen := map[string]int{}
	for i, r := range c.Remotes {
		key := fmt.Sprintf("remote[%d]", i)
		if err := ValidateRemoteName(r.Name); err != nil {
			add(key+".name", "%v", err)
		} else if j, dup := seen[strings.ToLower(r.Name)]; dup {
			add(key+".name", "remote %q is defined twice (also remote[%d])", r.Name, j)
		} else {
			seen[strings.ToLower(r.Name)] = i
		}
		if err := validateEmail(r.Email); err != nil {
			add(key+".email", "%v", err)
		}
		if err := ValidateAPIURL(r.APIURL); err != nil {
			add(key+".api_url", "%v", err)
		}
	}
	t := c.Transfers
	if t.Transfers < 1 || t.Transfers > MaxTransfers {
		add("transfers.transfers", "must be between 1 and %d (got %d)", MaxTransfers, t.Transfers)
	}
	if t.ChunkWorkers < 1 || t.ChunkWorkers > MaxChunkWorkers {
		add("transfers.chunk_workers", "must be between 1 and %d (got %d)", MaxChunkWorkers, t.ChunkWorkers)
	}
	if _, err := t.Policy(); err != nil {
		add("transfers.conflict", `must be "ask", "skip", "overwrite" or "rename" (got %q)`, t.Conflict)
	}
	if _, err := ParseBandwidth(t.BWLimit); err != nil {
		add("transfers.bwlimit", "%v", err)
	}
	if !slices.Contains([]Theme{ThemeAuto, ThemeDark, ThemeLight}, c.UI.Theme) {
		add("ui.theme", `must be "auto", "dark" or "light" (got %q)`, c.UI.Theme)
	}
	return errors.Join(errs...)
}

func validateEmail(email string) error {
	local, domain, ok := strings.Cut(email, "@")
	switch {
	case email == "":
		return errors.New("e-mail is empty")
	case !ok || local == "" || domain == "" || strings.ContainsAny(email, " \t\r\n"):
		return fmt.Errorf("%q is not an e-mail address", email)
	}
	return nil
}

// ValidateAPIURL accepts "" (the real MEGA API) or an absolute http(s) URL.
func ValidateAPIURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("api_url %q is not a URL: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("api_url %q must be an absolute http:// or https:// URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("api_url must not contain credentials")
	}
	return nil
}

// Policy returns the conflict policy of Conflict.
func (t Transfers) Policy() (model.Conflict, error) {
	return model.ParseConflict(t.Conflict)
}

// BandwidthLimit returns the transfer bandwidth cap in bytes per second,
// 0 for none.
func (t Transfers) BandwidthLimit() (int64, error) { return ParseBandwidth(t.BWLimit) }

// ParseBandwidth parses an rclone-style bandwidth: "", "off" or "0" for
// none; a number with an optional binary suffix B, K, M, G or T (a bare
// number is KiB/s, as in rclone). It returns bytes per second.
func ParseBandwidth(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return 0, nil
	}
	mult := float64(1 << 10)
	num := s
	if last := s[len(s)-1]; last < '0' || last > '9' {
		num = s[:len(s)-1]
		switch last {
		case 'b', 'B':
			mult = 1
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		case 't', 'T':
			mult = 1 << 40
		default:
			return 0, fmt.Errorf("bandwidth %q: unknown unit %q (use B, K, M, G or T)", s, last)
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v != v {
		return 0, fmt.Errorf("bandwidth %q is not a non-negative number with an optional unit (e.g. 10M)", s)
	}
	bytes := v * mult
	if bytes > 1<<62 {
		return 0, fmt.Errorf("bandwidth %q is too large", s)
	}
	return int64(bytes), nil
}

// Remote returns the configured remote called name (case-sensitive).
func (c *Config) Remote(name string) (Remote, bool) {
	for _, r := range c.Remotes {
		if r.Name == name {
			return r, true
		}
	}
	return Remote{}, false
}

// AddRemote adds r; a remote of the same name (case-insensitively) is an
// error wrapping model.ErrExists.
func (c *Config) AddRemote(r Remote) error {
	if err := ValidateRemoteName(r.Name); err != nil {
		return fmt.Errorf("add remote: %w: %w", ErrInvalid, err)
	}
	if err := validateEmail(r.Email); err != nil {
		return fmt.Errorf("add remote %q: %w: %w", r.Name, ErrInvalid, err)
	}
	if err := ValidateAPIURL(r.APIURL); err != nil {
		return fmt.Errorf("add remote %q: %w: %w", r.Name, ErrInvalid, err)
	}
	for _, have := range c.Remotes {
		if strings.EqualFold(have.Name, r.Name) {
			return fmt.Errorf("add remote %q: %w", r.Name, model.ErrExists)
		}
	}
	r.FromEnv = false
	c.Remotes = append(c.Remotes, r)
	return nil
}

// SetRemote adds r or replaces the remote of the same name (login uses it
// to record a changed e-mail or API URL).
func (c *Config) SetRemote(r Remote) error {
	for i, have := range c.Remotes {
		if strings.EqualFold(have.Name, r.Name) {
			rest := append(slices.Clone(c.Remotes[:i]), c.Remotes[i+1:]...)
			tmp := Config{Remotes: rest}
			if err := tmp.AddRemote(r); err != nil {
				return err
			}
			c.Remotes[i] = tmp.Remotes[len(tmp.Remotes)-1]
			return nil
		}
	}
	return c.AddRemote(r)
}

// RemoveRemote removes the remote called name; a missing one is an error
// wrapping model.ErrNotFound.
func (c *Config) RemoveRemote(name string) error {
	for i, r := range c.Remotes {
		if r.Name == name {
			c.Remotes = slices.Delete(c.Remotes, i, i+1)
			return nil
		}
	}
	return fmt.Errorf("remove remote %q: %w", name, model.ErrNotFound)
}
