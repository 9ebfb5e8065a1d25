package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	mega "github.com/t3rm1n4l/go-mega"
)

// A few commands go-mega does not have (`s2` to export a folder, the
// public-link commands) or gets wrong (the completion of a 0-byte
// upload) are sent by megaclient itself with apiRequest: one command per
// request, the same request id on every retry (the service replays a
// repeated id instead of running the command twice), bounded retries
// with backoff on "try again" and on transient HTTP failures.

const (
	apiAttempts   = 6
	apiMinBackoff = 100 * time.Millisecond
	apiMaxBackoff = 2 * time.Second
	maxAPIReply   = 64 << 20 // bytes of one reply (a folder link's `f`)
)

// apiRequest posts cmd to {base}/cs with the query parameters (sid, or n
// for a folder link) through rt and decodes the single result into out
// (nil: ignore it). An API error comes back as go-mega's error value, so
// translate knows it.
func apiRequest(ctx context.Context, rt http.RoundTripper, base string, params map[string]string, cmd any, out any) error {
	body, err := json.Marshal([]any{cmd})
	if err != nil {
		return err
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	u := base + "/cs?id=" + b64encode(id[:])
	for k, v := range params {
		u += "&" + k + "=" + v
	}
	backoff := apiMinBackoff
	var last error
	for attempt := 0; attempt < apiAttempts; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			backoff = min(2*backoff, apiMaxBackoff)
		}
		reply, retry, err := apiOnce(ctx, rt, u, body)
		if err == nil {
			return decodeResult(reply, out)
		}
		last = err
		var u *UnreachableError
		if !retry || errors.As(err, &u) && hostUnreachable(u) && attempt+1 >= csAttempts {
			return err
		}
	}
	return last
}

// apiOnce makes one attempt; retry says whether another may help.
func apiOnce(ctx context.Context, rt http.RoundTripper, u string, body []byte) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := rt.RoundTrip(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if u := netFailure(apiWhere(req.URL.Scheme+"://"+req.URL.Host), err); u != nil {
			return nil, true, u
		}
		return nil, true, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIReply+1))
	switch {
	case err != nil:
		return nil, true, err
	case resp.StatusCode != http.StatusOK:
		return nil, resp.StatusCode >= 500, fmt.Errorf("api: HTTP %s", resp.Status)
	case len(reply) > maxAPIReply:
		return nil, false, fmt.Errorf("api: reply over %d bytes: %w", maxAPIReply, mega.EBADRESP)
	}
	reply = bytes.TrimSpace(reply)
	if code, ok := apiError(reply); ok {
		return nil, code == -3, apiCodeError(code)
	}
	return reply, false, nil
}

// decodeResult reads the one-element reply array into out.
func decodeResult(reply []byte, out any) error {
	var res []json.RawMessage
	if err := json.Unmarshal(reply, &res); err != nil || len(res) != 1 {
		return fmt.Errorf("api: reply is not one result: %w", mega.EBADRESP)
	}
	if n, err := strconv.Atoi(string(bytes.TrimSpace(res[0]))); err == nil && n < 0 {
		return apiCodeError(n)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res[0], out); err != nil {
		return fmt.Errorf("api: %v: %w", err, mega.EBADRESP)
	}
	return nil
}

// apiCodes are go-mega's values for the API error codes.
var apiCodes = map[int]error{
	-1: mega.EINTERNAL, -2: mega.EARGS, -3: mega.EAGAIN, -4: mega.ERATELIMIT, -5: mega.EFAILED,
	-6: mega.ETOOMANY, -7: mega.ERANGE, -8: mega.EEXPIRED, -9: mega.ENOENT, -10: mega.ECIRCULAR,
	-11: mega.EACCESS, -12: mega.EEXIST, -13: mega.EINCOMPLETE, -14: mega.EKEY, -15: mega.ESID,
	-16: mega.EBLOCKED, -17: mega.EOVERQUOTA, -18: mega.ETEMPUNAVAIL, -19: mega.ETOOMANYCONNECTIONS,
	-20: mega.EWRITE, -21: mega.EREAD, -22: mega.EAPPKEY, -23: mega.ESSL, -24: mega.EGOINGOVERQUOTA,
	-26: mega.EMFAREQUIRED,
}

func apiCodeError(code int) error {
	if e, ok := apiCodes[code]; ok {
		return e
	}
	return fmt.Errorf("api error %d: %w", code, mega.EBADRESP)
}

// command runs one command of megaclient's own on the account's session,
// through the main instance's transport (so the tree sees its reply as
// it sees go-mega's), logging in again once if the session expired.
func (c *Client) command(ctx context.Context, what string, cmd any, out any) error {
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return translate(what, err)
		}
		c.mu.Lock()
		m, tr, sid, closed := c.m, c.tr, c.sess.SessionID, c.closed
		c.mu.Unlock()
		if closed || tr == nil {
			return fmt.Errorf("%s: megaclient: client closed", what)
		}
		err := apiRequest(ctx, tr, APIEndpoint(c.opts.APIURL), map[string]string{"sid": sid}, cmd, out)
		if err != nil {
			if ierr := tr.takeInvalid(); ierr != nil {
				// The transport refused the reply (see checkReply).
				return fmt.Errorf("%s: %w", what, ierr)
			}
		}
		if errors.Is(err, mega.ESID) && attempt == 0 {
			if rerr := c.relogin(m); rerr != nil {
				return fmt.Errorf("%s: %w", what, rerr)
			}
			continue
		}
		if errors.Is(err, mega.ESID) {
			return fmt.Errorf("%s: %w", what, errSessionExpired(nil))
		}
		return translate(what, err)
	}
}
