package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveDirs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		goos string
		env  map[string]string
		want Dirs
	}{
		{"linux xdg", "linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/xc", "XDG_STATE_HOME": "/xs", "XDG_CACHE_HOME": "/xk"},
			Dirs{"/xc/megatui/config.toml", "/xs/megatui", "/xk/megatui"}},
		{"linux defaults", "linux", map[string]string{"HOME": "/home/u"},
			Dirs{"/home/u/.config/megatui/config.toml", "/home/u/.local/state/megatui", "/home/u/.cache/megatui"}},
		{"relative xdg ignored", "linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "rel"},
			Dirs{"/home/u/.config/megatui/config.toml", "/home/u/.local/state/megatui", "/home/u/.cache/megatui"}},
		{"MEGATUI_CONFIG overrides", "linux", map[string]string{"HOME": "/home/u", EnvConfig: "/tmp/demo.toml"},
			Dirs{"/tmp/demo.toml", "/home/u/.local/state/megatui", "/home/u/.cache/megatui"}},
		{"macos", "darwin", map[string]string{"HOME": "/Users/u"},
			Dirs{"/Users/u/Library/Application Support/megatui/config.toml", "/Users/u/Library/Application Support/megatui/state", "/Users/u/Library/Caches/megatui"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := resolveDirs(envMap(tt.env), tt.goos)
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if _, err := resolveDirs(envMap(nil), "linux"); err == nil {
		t.Error("no HOME and no XDG: want an error")
	}
	if got, err := resolveDirs(envMap(map[string]string{"APPDATA": `C:\r`, "LOCALAPPDATA": `C:\l`}), "windows"); err != nil ||
		got.ConfigFile != filepath.Join(`C:\r`, "megatui", "config.toml") {
		t.Errorf("windows: %+v, %v", got, err)
	}
}

func TestEnsurePrivateDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state", "megatui")
	if err := EnsurePrivateDir(dir); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := EnsurePrivateDir(file); err == nil {
		t.Error("a file accepted as a folder")
	}
}
