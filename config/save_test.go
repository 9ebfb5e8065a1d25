package config

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "megatui", "config.toml")
	c := Default()
	c.Transfers.BWLimit = "2M"
	c.UI.ShowHidden = true
	if err := c.AddRemote(Remote{Name: "work", Email: "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRemote(Remote{Name: "sim", Email: "bob@example.com", APIURL: "http://127.0.0.1:9/"}); err != nil {
		t.Fatal(err)
	}
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
	}
}

func TestSaveModesAndAtomicity(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "cfg", "megatui")
	path := filepath.Join(dir, "config.toml")
	if err := Save(path, Default()); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)

	// An existing, too-open file is replaced by a 0600 one.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	c := Default()
	c.UI.Theme = ThemeDark
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %v, want only config.toml", entries)
	}

	// An invalid config is refused and the old file stays intact.
	before, _ := os.ReadFile(path)
	bad := Default()
	bad.UI.Theme = "neon"
	if err := Save(path, bad); err == nil {
		t.Fatal("saved an invalid config")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a refused save changed the file")
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

// TestConfigNeverHoldsSecrets follows what login and import-rclone do with
// a remote that comes with a password and a session, saves the config,
// and checks that none of those secrets reach the file.
func TestConfigNeverHoldsSecrets(t *testing.T) {
	t.Parallel()
	// There is no field a secret could go in.
	secretish := regexp.MustCompile(`(?i)pass|secret|session|sid|key|token`)
	var walk func(reflect.Type, string)
	walk = func(rt reflect.Type, at string) {
		switch rt.Kind() {
		case reflect.Struct:
			for i := 0; i < rt.NumField(); i++ {
				f := rt.Field(i)
				name := at + "." + f.Name + "(" + f.Tag.Get("toml") + ")"
				if secretish.MatchString(f.Name) || secretish.MatchString(f.Tag.Get("toml")) {
					t.Errorf("config field %s looks like a place for a secret", name)
				}
				walk(f.Type, name)
			}
		case reflect.Slice, reflect.Pointer, reflect.Map:
			walk(rt.Elem(), at)
		}
	}
	walk(reflect.TypeOf(Config{}), "Config")

	imported := RcloneRemote{
		Name:      "work",
		User:      "alice@example.com",
		Password:  "s3cr3t-Pa55word",
		SessionID: "c2Vzc2lvbi1pZC10aGF0LW11c3QtbmV2ZXItYmUtaW4tYS1maWxlLW9rYXk",
		MasterKey: []byte("0123456789abcdef"),
	}
	c := Default()
	if err := c.AddRemote(imported.Remote()); err != nil {
		t.Fatal(err)
	}
	// A caller that stuffs the password into the only free-text fields it
	// has is refused by validation, never written.
	sneaky := c
	sneaky.Remotes = append([]Remote(nil), c.Remotes...)
	sneaky.Remotes = append(sneaky.Remotes, Remote{Name: "sneaky", Email: imported.Password})
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := Save(path, sneaky); err == nil {
		t.Error("a password in the e-mail field was saved")
	}
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{
		imported.Password, imported.SessionID, string(imported.MasterKey),
		hex.EncodeToString(imported.MasterKey), base64.StdEncoding.EncodeToString(imported.MasterKey),
		base64.RawURLEncoding.EncodeToString(imported.MasterKey),
	} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("config file holds secret %q:\n%s", secret, data)
		}
	}
	if !strings.Contains(string(data), "alice@example.com") {
		t.Errorf("config file lacks the remote:\n%s", data)
	}
	assertMode(t, path, 0o600)
	if s := imported.String() + " " + imported.GoString(); strings.Contains(s, imported.Password) || strings.Contains(s, imported.SessionID) {
		t.Errorf("RcloneRemote formatting leaks secrets: %s", s)
	}
}

func TestSaveSkipsEnvironmentRemote(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Remotes = c.AllRemotes(envMap(map[string]string{EnvUser: "ci@example.com"}))
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || len(got.Remotes) != 0 {
		t.Errorf("environment remote was written: %+v, %v", got.Remotes, err)
	}
}
