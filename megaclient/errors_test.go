package megaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	mega "github.com/t3rm1n4l/go-mega"

	"github.com/megatui/megatui/model"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   error
		want error
		text string
	}{
		{mega.ENOENT, model.ErrNotFound, "op: not found"},
		{mega.EEXIST, model.ErrExists, "op: already exists"},
		{mega.ECIRCULAR, model.ErrCircular, "op: cannot move a folder into itself"},
		{mega.ESID, model.ErrSessionExpired, "op: session expired"},
		{mega.EOVERQUOTA, model.ErrQuota, "op: over storage quota"},
		{mega.EGOINGOVERQUOTA, model.ErrQuota, "op: over storage quota"},
		{mega.EMACMISMATCH, model.ErrIntegrity, "op: integrity check failed"},
		{mega.ERATELIMIT, model.ErrRateLimited, "op: rate limited"},
		{mega.EAGAIN, model.ErrTryAgain, "op: server busy, try again"},
		{mega.EMFAREQUIRED, model.ErrMFARequired, "op: two-factor code required"},
		{mega.EBLOCKED, model.ErrBlocked, "op: account blocked"},
		{fmt.Errorf("wrapped: %w", context.Canceled), model.ErrCancelled, "op: cancelled: wrapped: context canceled"},
		{model.ErrNotFound, model.ErrNotFound, "op: not found"},
	}
	for _, tc := range cases {
		got := translate("op", tc.in)
		if !errors.Is(got, tc.want) || got.Error() != tc.text {
			t.Errorf("translate(%v): got %q, want %q wrapping %v", tc.in, got, tc.text, tc.want)
		}
	}
	if translate("op", nil) != nil {
		t.Error("translate(nil) is not nil")
	}
	if got := transferError("download", errors.New("Http Status: 500 Internal Server Error")); !errors.Is(got, model.ErrTryAgain) {
		t.Errorf("transfer http failure: got %v, want %v", got, model.ErrTryAgain)
	}
	if got := translate("op", mega.ENOENT); strings.ContainsAny(got.Error(), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		t.Errorf("error text has capitals: %q", got)
	}
}
