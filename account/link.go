package account

import (
	"context"
	"errors"

	"github.com/megatui/megatui/config"
	"github.com/megatui/megatui/megaclient"
	"github.com/megatui/megatui/model"
)

// OpenLink opens a public file or folder link, with no account: only the
// API URL (MEGATUI_API_URL, else MEGA's own) and the HTTP client come
// from env. Errors are one plain line.
func (env Env) OpenLink(ctx context.Context, link string) (*megaclient.Public, error) {
	apiURL := env.Getenv(config.EnvAPIURL)
	opts := megaclient.LinkOptions{APIURL: apiURL, HTTPClient: env.HTTPClient, Logf: env.Logf}
	if cfg, _, err := env.LoadConfig(); err == nil {
		opts.ChunkWorkers = cfg.Transfers.ChunkWorkers
	}
	p, err := megaclient.OpenLink(ctx, link, opts)
	if err != nil {
		return nil, LinkError(apiURL, err)
	}
	return p, nil
}

// LinkError gives each way opening a link can fail its own message.
func LinkError(apiURL string, err error) error {
	if apiURL == "" {
		apiURL = "the MEGA API"
	}
	switch {
	case errors.Is(err, model.ErrBadLink):
		return PlainError(err, "%v", err)
	case errors.Is(err, model.ErrNotFound):
		return PlainError(err, "the link does not exist or was removed by its owner")
	case errors.Is(err, model.ErrBlocked):
		return PlainError(err, "MEGA has taken the link down")
	case errors.Is(err, model.ErrUnreachable):
		var u *megaclient.UnreachableError
		if errors.As(err, &u) {
			return PlainError(err, "%s: check the network connection and the API URL", u.Error())
		}
		return PlainError(err, "cannot reach %s: check the network connection and the API URL", apiURL)
	case errors.Is(err, model.ErrTryAgain):
		return PlainError(err, "the MEGA server is busy: try again in a moment")
	}
	return err
}

// IsPlain reports whether err already is a plain-words message made by
// PlainError (so a caller adds no advice of its own).
func IsPlain(err error) bool {
	var u *userError
	return errors.As(err, &u)
}
