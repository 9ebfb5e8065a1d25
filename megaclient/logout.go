package megaclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
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

// logoutAttempts bounds retries of a logout answered "try again".
const logoutAttempts = 3

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
	base := APIEndpoint(opts.APIURL)
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	var err error
	for attempt := range logoutAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return translate("logout", ctx.Err())
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		err = logoutOnce(ctx, hc, base, opts.SessionID, attempt)
		if err == nil || !errors.Is(err, model.ErrTryAgain) {
			return err
		}
	}
	return err
}

func logoutOnce(ctx context.Context, hc *http.Client, base, sid string, attempt int) error {
	u := base + "/cs?id=" + strconv.FormatInt(time.Now().UnixNano()+int64(attempt), 36) + "&sid=" + url.QueryEscape(sid)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(`[{"a":"sml"}]`))
	if err != nil {
		return fmt.Errorf("logout: %w", errors.New("bad api url"))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		// url.Error quotes the request URL, which carries the session id.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return translate("logout", err)
		}
		return fmt.Errorf("logout: %w: %v", model.ErrUnreachable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return fmt.Errorf("logout: read reply: %w: %v", model.ErrUnreachable, err)
	}
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("logout: HTTP %d: %w", resp.StatusCode, model.ErrTryAgain)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("logout: unexpected HTTP status %d", resp.StatusCode)
	}
	code, err := logoutCode(body)
	if err != nil {
		return err
	}
	return logoutError(code)
}

// logoutCode reads the reply: [0], or an error code bare (-15) or in a
// one-element array ([-15]).
func logoutCode(body []byte) (int, error) {
	body = bytes.TrimSpace(body)
	var arr []int
	if err := json.Unmarshal(body, &arr); err == nil && len(arr) == 1 {
		return arr[0], nil
	}
	var n int
	if err := json.Unmarshal(body, &n); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("logout: unexpected reply %.40q", body)
}

func logoutError(code int) error {
	switch code {
	case 0:
		return nil
	case -15: // ESID
		return fmt.Errorf("logout: %w (the server had already ended it)", model.ErrSessionExpired)
	case -3, -6: // EAGAIN, ETOOMANY
		return fmt.Errorf("logout: %w", model.ErrTryAgain)
	case -4: // ERATELIMIT
		return fmt.Errorf("logout: %w", model.ErrRateLimited)
	case -16: // EBLOCKED
		return fmt.Errorf("logout: %w", model.ErrBlocked)
	}
	return fmt.Errorf("logout: server answered error %d", code)
}
