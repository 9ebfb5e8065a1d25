package account

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// Login is the TUI login form's action for remote r: a password login
// whose session goes to the keyring (and the password too when the user
// asks), and the remote saved in the config file with the e-mail used.
func (env Env) Login(ctx context.Context, r config.Remote, email, password, code string, remember bool) (*megaclient.Client, error) {
	opts := megaclient.Options{Remote: r.Name, Email: email, Password: password, MFACode: code,
		APIURL: r.APIURL, HTTPClient: env.HTTPClient, Logf: env.Logf, Warn: env.warn}
	if cfg, _, err := env.LoadConfig(); err == nil {
		opts.Workers, opts.ChunkWorkers = cfg.Transfers.Transfers, cfg.Transfers.ChunkWorkers
	}
	if env.Keys != nil {
		opts.Store = saveOnlySessions{NewKeyringSessions(env.Keys)}
	}
	if err := CheckReachable(ctx, env.HTTPClient, r.APIURL); err != nil {
		return nil, err
	}
	c, err := megaclient.Connect(ctx, opts)
	if err != nil {
		return nil, err
	}
	if remember && env.Keys != nil {
		_ = env.Keys.SavePassword(r.Name, password)
	}
	if cfg, path, err := env.LoadConfig(); err == nil && path != "" {
		if _, ok := config.EnvRemote(env.Getenv); !ok || !strings.EqualFold(r.Name, "mega") {
			r.Email = email
			if cfg.SetRemote(r) == nil {
				_ = config.Save(path, cfg)
			}
		}
	}
	return c, nil
}

// saveOnlySessions stores the session a login makes but offers none to
// resume: the user just typed a password, so that is what is used.
type saveOnlySessions struct{ KeyringSessions }

func (saveOnlySessions) LoadSession(remote string) (megaclient.Session, error) {
	return megaclient.Session{}, fmt.Errorf("session of %s: %w", remote, model.ErrNoCredentials)
}

// CheckReachable fails fast with model.ErrUnreachable when nothing
// answers at the API URL, instead of go-mega's ten retries with backoff.
func CheckReachable(ctx context.Context, hc *http.Client, apiURL string) error {
	probe := http.Client{Timeout: 10 * time.Second}
	if hc != nil {
		probe.Transport = hc.Transport
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, megaclient.APIEndpoint(apiURL)+"/cs", nil)
	if err != nil {
		return fmt.Errorf("api url: %w", err)
	}
	resp, err := probe.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", model.ErrCancelled, ctx.Err())
		}
		return fmt.Errorf("%w: %v", model.ErrUnreachable, err)
	}
	resp.Body.Close()
	return nil
}
