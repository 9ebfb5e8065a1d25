package megaclient

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/megatui/megatui/model"
)

// MEGA limits download bandwidth per IP address (the transfer quota).
// When it is used up, `g` answers over quota (-17) with the wait in
// seconds in "tl", and the storage host answers HTTP 509 with the wait in
// X-MEGA-Time-Left (as the official SDK reads them). go-mega would report
// the first as "over quota" (storage): the transport recognises it, the
// data path the second, and the download fails with a
// TransferQuotaError, which says how long to wait.

// maxQuotaWait bounds the wait a server may announce.
const maxQuotaWait = 24 * time.Hour

// TransferQuotaError is a download refused for transfer quota; it wraps
// model.ErrTransferQuota and says when to retry.
type TransferQuotaError struct {
	Wait time.Duration // 0 when the server gave none
}

func (e *TransferQuotaError) Error() string {
	if e.Wait <= 0 {
		return "transfer quota exceeded"
	}
	return "transfer quota exceeded, retry in " + model.FormatWait(e.Wait)
}

func (e *TransferQuotaError) Unwrap() error { return model.ErrTransferQuota }

// RetryAfter is the wait the server announced.
func (e *TransferQuotaError) RetryAfter() time.Duration { return e.Wait }

func quotaWait(seconds float64) time.Duration {
	switch {
	case !(seconds > 0): // also NaN
		return 0
	case seconds >= maxQuotaWait.Seconds(): // also +Inf, and what would overflow
		return maxQuotaWait
	}
	return time.Duration(seconds * float64(time.Second))
}

// transferQuotaReply recognises a `g` reply refused for transfer quota.
func transferQuotaReply(name string, reply []byte) *TransferQuotaError {
	if name != "g" {
		return nil
	}
	var rs []struct {
		E  int     `json:"e"`
		Tl float64 `json:"tl"`
	}
	if json.Unmarshal(reply, &rs) != nil || len(rs) != 1 || rs[0].E != -17 {
		return nil
	}
	return &TransferQuotaError{Wait: quotaWait(rs[0].Tl)}
}

// transferQuotaResponse recognises a storage host's 509.
func transferQuotaResponse(resp *http.Response) *TransferQuotaError {
	if resp == nil || resp.StatusCode != 509 {
		return nil
	}
	secs, _ := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("X-MEGA-Time-Left")), 64)
	return &TransferQuotaError{Wait: quotaWait(secs)}
}
