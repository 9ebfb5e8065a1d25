package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Environment variables read by this package.
const (
	EnvConfig = "MEGATUI_CONFIG"  // path of the config file
	EnvUser   = "MEGATUI_USER"    // with MEGATUI_PASSWORD: the remote "mega"
	EnvAPIURL = "MEGATUI_API_URL" // overrides every remote's API URL
)

// AppName is the directory name under the config, state and cache roots.
const AppName = "megatui"

// Dirs are megatui's locations on disk.
type Dirs struct {
	// ConfigFile is the config file: MEGATUI_CONFIG, or
	// <user config dir>/megatui/config.toml.
	ConfigFile string
	// StateDir holds the transfer journal and the dedupe undo journal:
	// $XDG_STATE_HOME/megatui (default ~/.local/state/megatui).
	StateDir string
	// CacheDir holds disposable data: $XDG_CACHE_HOME/megatui.
	CacheDir string
}

// ResolveDirs computes Dirs from the environment given by getenv, for the
// running OS. It only computes paths; nothing is created.
func ResolveDirs(getenv func(string) string) (Dirs, error) {
	return resolveDirs(getenv, runtime.GOOS)
}

func resolveDirs(getenv func(string) string, goos string) (Dirs, error) {
	var cfg, state, cache string
	home := getenv("HOME")
	// XDG variables count only when absolute (XDG Base Directory spec).
	xdg := func(name, fallback string) (string, error) {
		if v := getenv(name); v != "" && filepath.IsAbs(v) {
			return v, nil
		}
		if home == "" {
			return "", fmt.Errorf("neither $%s nor $HOME is set", name)
		}
		return filepath.Join(home, fallback), nil
	}
	var err error
	switch goos {
	case "windows":
		roaming, local := getenv("APPDATA"), getenv("LOCALAPPDATA")
		if roaming == "" || local == "" {
			return Dirs{}, errors.New("%APPDATA% or %LOCALAPPDATA% is not set")
		}
		cfg = filepath.Join(roaming, AppName)
		state = filepath.Join(local, AppName, "State")
		cache = filepath.Join(local, AppName, "Cache")
	case "darwin", "ios":
		if home == "" {
			return Dirs{}, errors.New("$HOME is not set")
		}
		cfg = filepath.Join(home, "Library", "Application Support", AppName)
		state = filepath.Join(cfg, "state")
		cache = filepath.Join(home, "Library", "Caches", AppName)
	default:
		if cfg, err = xdg("XDG_CONFIG_HOME", ".config"); err != nil {
			return Dirs{}, err
		}
		if state, err = xdg("XDG_STATE_HOME", filepath.Join(".local", "state")); err != nil {
			return Dirs{}, err
		}
		if cache, err = xdg("XDG_CACHE_HOME", ".cache"); err != nil {
			return Dirs{}, err
		}
		cfg, state, cache = filepath.Join(cfg, AppName), filepath.Join(state, AppName), filepath.Join(cache, AppName)
	}
	d := Dirs{ConfigFile: filepath.Join(cfg, "config.toml"), StateDir: state, CacheDir: cache}
	if p := getenv(EnvConfig); p != "" {
		d.ConfigFile = p
	}
	return d, nil
}

// Path returns the config file path for this process's environment.
func Path() (string, error) {
	d, err := ResolveDirs(os.Getenv)
	return d.ConfigFile, err
}

// StateDir returns $XDG_STATE_HOME/megatui (or the OS equivalent) for
// the transfer journal and the dedupe undo journal. Create it with
// EnsurePrivateDir before writing.
func StateDir() (string, error) {
	d, err := ResolveDirs(os.Getenv)
	return d.StateDir, err
}

// CacheDir returns $XDG_CACHE_HOME/megatui (or the OS equivalent).
func CacheDir() (string, error) {
	d, err := ResolveDirs(os.Getenv)
	return d.CacheDir, err
}

// EnsurePrivateDir creates dir (and parents) with mode 0700 if missing and
// checks that it is a directory.
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s exists and is not a folder", dir)
	}
	return nil
}
