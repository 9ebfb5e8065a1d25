package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// cliEnv is what the file commands read from the outside world. main uses
// the process environment; tests put their own in the command's context
// (see withCLIEnv), so they can run in parallel against their own server.
type cliEnv struct {
	getenv     func(string) string
	httpClient *http.Client
	store      megaclient.SessionStore
}

type cliEnvKey struct{}

func withCLIEnv(ctx context.Context, env cliEnv) context.Context {
	return context.WithValue(ctx, cliEnvKey{}, env)
}

func envFrom(ctx context.Context) cliEnv {
	env, _ := ctx.Value(cliEnvKey{}).(cliEnv)
	if env.getenv == nil {
		env.getenv = os.Getenv
	}
	return env
}

// remoteName matches the REMOTE part of REMOTE:PATH.
var remoteName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// location is a command-line argument: a local path, or a path (or
// handle) on a named remote.
type location struct {
	remote string // "" for a local path
	path   string // remote: "/a/b", "//bin/x" or "H:handle"; local: as given
}

func (l location) String() string {
	if l.remote == "" {
		return l.path
	}
	return l.remote + ":" + l.path
}

// parseLocation splits REMOTE:PATH; anything else is a local path.
// "mega:", "mega:/" and "mega:a/b" are Cloud Drive paths; "mega://bin" the
// Rubbish Bin; "mega:H:AbCdEfGh" one node by handle.
func parseLocation(arg string) location {
	name, rest, ok := strings.Cut(arg, ":")
	if !ok || !remoteName.MatchString(name) {
		return location{path: arg}
	}
	switch {
	case strings.HasPrefix(rest, "H:"), strings.HasPrefix(rest, "//"):
	case strings.HasPrefix(rest, "/"):
	default:
		rest = "/" + rest
	}
	if len(rest) > 1 && !strings.HasPrefix(rest, "H:") && rest != "//bin" && rest != "//in" {
		rest = strings.TrimRight(rest, "/")
		if rest == "" {
			rest = "/"
		}
	}
	return location{remote: name, path: rest}
}

// openRemote connects to a named remote. This is the one place that knows
// how remotes are defined: for now only the environment's remote "mega"
// (MEGATUI_USER + MEGATUI_PASSWORD, optional MEGATUI_API_URL and
// MEGATUI_MFA_CODE); the config file and keyring extend it here.
func openRemote(ctx context.Context, name string) (*megaclient.Client, error) {
	env := envFrom(ctx)
	if name != "mega" {
		return nil, fmt.Errorf("remote %q: not configured (only \"mega\", from MEGATUI_USER and MEGATUI_PASSWORD): %w", name, model.ErrNoCredentials)
	}
	user, pass := env.getenv("MEGATUI_USER"), env.getenv("MEGATUI_PASSWORD")
	if user == "" || (pass == "" && env.store == nil) {
		return nil, fmt.Errorf("remote mega: set MEGATUI_USER and MEGATUI_PASSWORD: %w", model.ErrNoCredentials)
	}
	return megaclient.Connect(ctx, megaclient.Options{
		Remote:     name,
		Email:      user,
		Password:   pass,
		MFACode:    env.getenv("MEGATUI_MFA_CODE"),
		APIURL:     env.getenv("MEGATUI_API_URL"),
		HTTPClient: env.httpClient,
		Store:      env.store,
	})
}
