package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/megatui/megatui/model"
)

func TestDefaultIsValid(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default() is invalid: %v", err)
	}
	if c.Transfers.Transfers != DefaultTransfers || c.Transfers.ChunkWorkers != DefaultChunkWorkers || c.Transfers.Conflict != "ask" || c.UI.Theme != ThemeAuto || c.UI.ShowHidden {
		t.Errorf("Default() = %+v", c)
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(filepath.Join(t.TempDir(), "nope", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c, Default(); got.Transfers != want.Transfers || got.UI != want.UI || len(got.Remotes) != 0 {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestParseFullFile(t *testing.T) {
	t.Parallel()
	const text = `
[[remote]]
name = "work"
email = "alice@example.com"

[[remote]]
name = "sim"
email = "bob@example.com"
api_url = "http://127.0.0.1:8080"

[transfers]
transfers = 8
chunk_workers = 6
conflict = "rename"
bwlimit = "10M"

[ui]
theme = "dark"
show_hidden = true
`
	c, err := Parse("config.toml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Remotes: []Remote{
			{Name: "work", Email: "alice@example.com"},
			{Name: "sim", Email: "bob@example.com", APIURL: "http://127.0.0.1:8080"},
		},
		Transfers: Transfers{Transfers: 8, ChunkWorkers: 6, Conflict: "rename", BWLimit: "10M"},
		UI:        UI{Theme: ThemeDark, ShowHidden: true},
	}
	if len(c.Remotes) != 2 || c.Remotes[0] != want.Remotes[0] || c.Remotes[1] != want.Remotes[1] ||
		c.Transfers != want.Transfers || c.UI != want.UI {
		t.Errorf("got %+v, want %+v", c, want)
	}
	if bw, _ := c.Transfers.BandwidthLimit(); bw != 10<<20 {
		t.Errorf("BandwidthLimit: got %d, want %d", bw, 10<<20)
	}
}

func TestParsePartialFileKeepsDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("config.toml", []byte("[ui]\nshow_hidden = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.UI.ShowHidden || c.UI.Theme != ThemeAuto || c.Transfers != Default().Transfers {
		t.Errorf("got %+v", c)
	}
}

func TestParseErrorsNameLineAndKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string // substrings of the error
	}{
		{"bad conflict", "[transfers]\ntransfers = 2\nconflict = \"merge\"\n",
			[]string{`config.toml:3: transfers.conflict: must be "ask", "skip", "overwrite" or "rename" (got "merge")`}},
		{"transfers out of range", "\n[transfers]\ntransfers = 0\n",
			[]string{"config.toml:3: transfers.transfers: must be between 1 and 32 (got 0)"}},
		{"chunk workers", "[transfers]\nchunk_workers = 99\n",
			[]string{"config.toml:2: transfers.chunk_workers: must be between 1 and 30"}},
		{"bad bwlimit", "[transfers]\nbwlimit = \"fast\"\n",
			[]string{"config.toml:2: transfers.bwlimit:"}},
		{"bad theme", "[ui]\n\ntheme = \"neon\"\n",
			[]string{`config.toml:3: ui.theme: must be "auto", "dark" or "light" (got "neon")`}},
		{"second remote bad email", "[[remote]]\nname = \"a\"\nemail = \"a@x.y\"\n[[remote]]\nname = \"b\"\nemail = \"nope\"\n",
			[]string{`config.toml:6: remote[1].email: "nope" is not an e-mail address`}},
		{"bad remote name", "[[remote]]\nname = \"my:remote\"\nemail = \"a@x.y\"\n",
			[]string{"config.toml:2: remote[0].name: remote name \"my:remote\" may only hold"}},
		{"duplicate remote", "[[remote]]\nname = \"a\"\nemail = \"a@x.y\"\n[[remote]]\nname = \"A\"\nemail = \"b@x.y\"\n",
			[]string{"config.toml:5: remote[1].name: remote \"A\" is defined twice"}},
		{"bad api url", "[[remote]]\nname = \"a\"\nemail = \"a@x.y\"\napi_url = \"ftp://x\"\n",
			[]string{"config.toml:4: remote[0].api_url:"}},
		{"unknown key", "[ui]\ncolour = \"red\"\n",
			[]string{"config.toml:2: ui.colour: unknown setting"}},
		{"password in file", "[[remote]]\nname = \"a\"\nemail = \"a@x.y\"\npassword = \"hunter2\"\n",
			[]string{"config.toml:4: remote.password: secrets do not belong in the config file", "OS keyring"}},
		{"syntax error", "[ui\ntheme = \"dark\"\n", []string{"config.toml:2:", "to end table name"}},
		{"wrong type", "[transfers]\ntransfers = \"four\"\n", []string{"config.toml:2:", "transfers.transfers"}},
		{"two problems", "[transfers]\nconflict = \"x\"\n[ui]\ntheme = \"y\"\n",
			[]string{"config.toml:2: transfers.conflict", "config.toml:4: ui.theme"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("config.toml", []byte(tt.text))
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want an error wrapping ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error:\n%v\nlacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error message repeats the secret: %v", err)
			}
		})
	}
}

func TestLoadReadsFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte("[ui]\ntheme = \"light\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.UI.Theme != ThemeLight {
		t.Errorf("got %+v, %v", c, err)
	}
	if err := os.WriteFile(path, []byte("[ui]\ntheme = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Errorf("got %v, want an error naming %s:2", err, path)
	}
}

func TestAddSetRemoveRemote(t *testing.T) {
	t.Parallel()
	c := Default()
	if err := c.AddRemote(Remote{Name: "work", Email: "a@x.y"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRemote(Remote{Name: "WORK", Email: "b@x.y"}); !errors.Is(err, model.ErrExists) {
		t.Errorf("duplicate: got %v, want ErrExists", err)
	}
	for _, bad := range []Remote{{Name: "a/b", Email: "a@x.y"}, {Name: "ok", Email: ""}, {Name: "ok", Email: "a@x.y", APIURL: "nope"}} {
		if err := c.AddRemote(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("AddRemote(%+v): got %v, want ErrInvalid", bad, err)
		}
	}
	if err := c.SetRemote(Remote{Name: "work", Email: "new@x.y", APIURL: "http://localhost:1"}); err != nil {
		t.Fatal(err)
	}
	if r, ok := c.Remote("work"); !ok || r.Email != "new@x.y" || r.APIURL != "http://localhost:1" || len(c.Remotes) != 1 {
		t.Errorf("after SetRemote: %+v", c.Remotes)
	}
	if err := c.SetRemote(Remote{Name: "home", Email: "h@x.y"}); err != nil || len(c.Remotes) != 2 {
		t.Errorf("SetRemote of a new remote: %v, %+v", err, c.Remotes)
	}
	if err := c.RemoveRemote("work"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveRemote("work"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("removing twice: got %v, want ErrNotFound", err)
	}
	if len(c.Remotes) != 1 || c.Remotes[0].Name != "home" {
		t.Errorf("remotes left: %+v", c.Remotes)
	}
}

func TestParseBandwidth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", 0, false}, {"off", 0, false}, {"0", 0, false},
		{"100", 100 << 10, false}, {"512K", 512 << 10, false}, {"10M", 10 << 20, false},
		{"1.5M", 3 << 19, false}, {"2g", 2 << 30, false}, {"100B", 100, false},
		{"fast", 0, true}, {"-1M", 0, true}, {"10X", 0, true}, {"M", 0, true}, {"NaN", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseBandwidth(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseBandwidth(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
