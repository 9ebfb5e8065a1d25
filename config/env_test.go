package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/megatui/megatui/model"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEnvRemote(t *testing.T) {
	t.Parallel()
	if _, ok := EnvRemote(envMap(nil)); ok {
		t.Error("a remote without MEGATUI_USER")
	}
	r, ok := EnvRemote(envMap(map[string]string{EnvUser: "ci@example.com", EnvAPIURL: "http://127.0.0.1:4000"}))
	want := Remote{Name: "mega", Email: "ci@example.com", APIURL: "http://127.0.0.1:4000", FromEnv: true}
	if !ok || r != want {
		t.Errorf("got %+v, %v; want %+v", r, ok, want)
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	c := Default()
	for _, r := range []Remote{{Name: "work", Email: "a@x.y"}, {Name: "mega", Email: "old@x.y"}} {
		if err := c.AddRemote(r); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		remote  string
		env     map[string]string
		want    Remote
		wantErr error
	}{
		{"configured", "work", nil, Remote{Name: "work", Email: "a@x.y"}, nil},
		{"env remote wins", "mega", map[string]string{EnvUser: "ci@x.y"}, Remote{Name: "mega", Email: "ci@x.y", FromEnv: true}, nil},
		{"configured mega without env", "mega", nil, Remote{Name: "mega", Email: "old@x.y"}, nil},
		{"api url override", "work", map[string]string{EnvAPIURL: "http://127.0.0.1:1"},
			Remote{Name: "work", Email: "a@x.y", APIURL: "http://127.0.0.1:1"}, nil},
		{"unknown", "home", nil, Remote{}, model.ErrNotFound},
		{"bad api url in env", "work", map[string]string{EnvAPIURL: "not a url"}, Remote{}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.Lookup(tt.remote, envMap(tt.env))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %+v, %v; want error %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	_, err := c.Lookup("home", envMap(nil))
	if !strings.Contains(err.Error(), "known: work, mega") {
		t.Errorf("unknown remote error %q does not list the known ones", err)
	}
	// Only the environment: no config at all.
	empty := Default()
	if r, err := empty.Lookup("mega", envMap(map[string]string{EnvUser: "ci@x.y"})); err != nil || r.Email != "ci@x.y" {
		t.Errorf("env-only lookup: %+v, %v", r, err)
	}
	if _, err := empty.Lookup("x", envMap(nil)); err == nil || !strings.Contains(err.Error(), "run megatui login x") {
		t.Errorf("lookup with no remotes: %v", err)
	}
}
