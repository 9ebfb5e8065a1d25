package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/megatui/megatui/model"
)

// EnvRemoteName is the remote MEGATUI_USER defines.
const EnvRemoteName = "mega"

// EnvRemote returns the remote defined by the environment: MEGATUI_USER
// (the e-mail; its password comes from MEGATUI_PASSWORD or the keyring)
// and optionally MEGATUI_API_URL, named "mega". ok is false when
// MEGATUI_USER is unset.
func EnvRemote(getenv func(string) string) (r Remote, ok bool) {
	user := strings.TrimSpace(getenv(EnvUser))
	if user == "" {
		return Remote{}, false
	}
	return Remote{Name: EnvRemoteName, Email: user, APIURL: getenv(EnvAPIURL), FromEnv: true}, true
}

// AllRemotes lists the configured remotes plus the environment's "mega"
// remote (which replaces a configured one of that name for this run),
// with MEGATUI_API_URL applied to every remote.
func (c *Config) AllRemotes(getenv func(string) string) []Remote {
	out := slices.Clone(c.Remotes)
	if er, ok := EnvRemote(getenv); ok {
		replaced := false
		for i := range out {
			if out[i].Name == er.Name {
				out[i], replaced = er, true
			}
		}
		if !replaced {
			out = append(out, er)
		}
	}
	if api := getenv(EnvAPIURL); api != "" {
		for i := range out {
			out[i].APIURL = api
		}
	}
	return out
}

// Lookup returns the remote called name as this run should use it: the
// environment's "mega" remote wins over a configured one, and
// MEGATUI_API_URL overrides the API URL. An unknown name is an error
// wrapping model.ErrNotFound that lists the known remotes.
func (c *Config) Lookup(name string, getenv func(string) string) (Remote, error) {
	all := c.AllRemotes(getenv)
	for _, r := range all {
		if r.Name == name {
			if err := ValidateAPIURL(r.APIURL); err != nil {
				return Remote{}, fmt.Errorf("remote %q: %w: %w", name, ErrInvalid, err)
			}
			return r, nil
		}
	}
	names := make([]string, 0, len(all))
	for _, r := range all {
		names = append(names, r.Name)
	}
	hint := "none configured: run megatui login " + name
	if len(names) > 0 {
		hint = "known: " + strings.Join(names, ", ")
	}
	return Remote{}, fmt.Errorf("remote %q (%s): %w", name, hint, model.ErrNotFound)
}
