package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// Login is the TUI login form's action for remote r: a password login
// whose session goes to the keyring (and the password too when the user
// asks), and the remote saved in the config file with the e-mail used.
func (env Env) Login(ctx context.Context, r config.Remote, email, password, code string, remember bool) (*megaclient.Client, error) {
	opts := megaclient.Options{Remote: r.Name, Email: email, Password: password, MFACode: code,
		APIURL: r.APIURL, HTTPClient: env.HTTPClient, Logf: env.Logf}
	if cfg, _, err := env.LoadConfig(); err == nil {
		opts.Workers, opts.ChunkWorkers = cfg.Transfers.Transfers, cfg.Transfers.ChunkWorkers
	}
	if env.Keys != nil {
		opts.Store = saveOnlySessions{NewKeyringSessions(env.Keys)}
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
