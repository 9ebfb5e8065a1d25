package megasim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is a MEGA API error code; it marshals as the bare integer.
type apiError int

// API error codes (protocol notes §2).
const (
	errInternal       apiError = -1
	errArgs           apiError = -2
	errAgain          apiError = -3
	errTooMany        apiError = -6
	errRange          apiError = -7
	errExpired        apiError = -8
	errNoEnt          apiError = -9
	errCircular       apiError = -10
	errAccess         apiError = -11
	errKey            apiError = -14
	errSID            apiError = -15
	errBlocked        apiError = -16
	errOverQuota      apiError = -17
	errTooManyConns   apiError = -19
	errGoingOverQuota apiError = -24
	errMFARequired    apiError = -26
)

// Exported error codes for tests of other packages.
const (
	CodeArgs           = int(errArgs)
	CodeAgain          = int(errAgain)
	CodeRange          = int(errRange)
	CodeNoEnt          = int(errNoEnt)
	CodeCircular       = int(errCircular)
	CodeAccess         = int(errAccess)
	CodeSID            = int(errSID)
	CodeBlocked        = int(errBlocked)
	CodeTooManyConns   = int(errTooManyConns)
	CodeOverQuota      = int(errOverQuota)
	CodeGoingOverQuota = int(errGoingOverQuota)
	CodeMFARequired    = int(errMFARequired)
)

// decode unmarshals a command object; false means a wrong shape or type.
func decode(raw []byte, v any) bool {
	return json.Unmarshal(raw, v) == nil
}

// writeBare answers a whole request with a bare error code (HTTP 200).
func writeBare(w http.ResponseWriter, code apiError) {
	writeJSON(w, strconv.AppendInt(nil, int64(code), 10))
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
