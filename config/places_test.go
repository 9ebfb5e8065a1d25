package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestPlacesRoundTrip(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Places = Places{Bookmarks: []Place{{FS: "local", Path: "/home/u/Photos"}},
		History: []Place{{FS: "mega: me@example.com", Path: "/Work"}, {FS: "local", Path: "/tmp"}}}
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := Save(p, c); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Places, c.Places) {
		t.Errorf("got %+v, want %+v", got.Places, c.Places)
	}
}
