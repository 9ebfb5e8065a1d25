package megaclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

// LogoutOptions say which session Logout ends and how to reach the server.
type LogoutOptions struct {
	// SessionID is the session to end (keep it secret: it never appears
	// in Logout's errors).
	SessionID string
	// APIURL is the API endpoint; empty means go-mega's default (which
	// honours X_MEGA_API_URL).
	APIURL string
	// HTTPClient carries the request; nil means a client with a 30 s
	// timeout on the default transport.
	HTTPClient *http.Client
}

// APIEndpoint is the API base URL a client given apiURL talks to: apiURL
// itself, or go-mega's default (X_MEGA_API_URL, else MEGA's own API).
func APIEndpoint(apiURL string) string {
	if apiURL == "" {
		apiURL = os.Getenv("X_MEGA_API_URL")
	}
	if apiURL == "" {
		apiURL = mega.API_URL
	}
	return strings.TrimRight(apiURL, "/")
}

// Logout ends a session on the server (MEGA's `sml` command), so the
// session id is worthless afterwards. It needs no node tree, so it is
// cheap even for a large account. A session the server no longer knows
// is reported as an error wrapping model.ErrSessionExpired (callers that
// only want it gone may treat that as success).
//
// go-mega has no logout, hence this one direct request.
func Logout(ctx context.Context, opts LogoutOptions) error {
	if opts.SessionID == "" {
		return fmt.Errorf("logout: no session id: %w", model.ErrNoCredentials)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	err := apiRequest(ctx, clientTransport{hc}, APIEndpoint(opts.APIURL), map[string]string{"sid": opts.SessionID}, map[string]any{"a": "sml"}, nil)
	if errors.Is(err, mega.ESID) {
		return fmt.Errorf("logout: %w (the server had already ended it)", model.ErrSessionExpired)
	}
	return translate("logout", err)
}

// clientTransport sends apiRequest's requests through an http.Client
// (its timeout, its transport).
type clientTransport struct{ c *http.Client }

func (t clientTransport) RoundTrip(req *http.Request) (*http.Response, error) { return t.c.Do(req) }
