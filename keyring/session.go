package keyring

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/megatui/megatui/model"
)

// Session is what a later run needs to resume a MEGA login without the
// password: the account e-mail, the session id and the master key.
//
// Its String, GoString and LogValue methods never print the session id or
// the master key, so a Session passed to fmt or slog by mistake leaks
// nothing.
type Session struct {
	Email     string
	SessionID string
	MasterKey []byte
	CreatedAt time.Time
}

// String describes the session without its secrets.
func (s Session) String() string {
	return fmt.Sprintf("session{email: %q, created: %s, secrets: redacted}", s.Email, s.CreatedAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v redacts too.
func (s Session) GoString() string { return s.String() }

// LogValue keeps secrets out of structured logs.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", s.Email), slog.Time("created", s.CreatedAt))
}

// Validate reports whether the session has what a resume needs.
func (s Session) Validate() error {
	switch {
	case s.SessionID == "":
		return errors.New("session has no session id")
	case len(s.MasterKey) == 0:
		return errors.New("session has no master key")
	}
	return nil
}

// Encoding of a stored session: "s1." followed by unpadded base64url of
//
//	uvarint(len email) email uvarint(len sid) sid uvarint(len key) key varint(unix seconds)
//
// A typical session (58-char id, 16-byte key, 30-byte e-mail) encodes to
// about 150 bytes, far under every platform's limit. Passwords are stored
// as "p1." + base64url so any byte sequence survives backends (macOS) that
// mangle non-ASCII or multi-line values.
const (
	sessionPrefix  = "s1."
	passwordPrefix = "p1."
)

func encodeSession(s Session) (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	buf := make([]byte, 0, 3*binary.MaxVarintLen64+len(s.Email)+len(s.SessionID)+len(s.MasterKey)+binary.MaxVarintLen64)
	buf = appendBytes(buf, []byte(s.Email))
	buf = appendBytes(buf, []byte(s.SessionID))
	buf = appendBytes(buf, s.MasterKey)
	var created int64
	if !s.CreatedAt.IsZero() {
		created = s.CreatedAt.Unix()
	}
	buf = binary.AppendVarint(buf, created)
	return sessionPrefix + base64.RawURLEncoding.EncodeToString(buf), nil
}

func appendBytes(buf, b []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(b)))
	return append(buf, b...)
}

func decodeSession(secret string) (Session, error) {
	rest, ok := strings.CutPrefix(secret, sessionPrefix)
	if !ok {
		return Session{}, errors.New("unknown session format")
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return Session{}, fmt.Errorf("session is not base64url: %w", err)
	}
	var fields [3][]byte
	for i := range fields {
		n, k := binary.Uvarint(raw)
		if k <= 0 || n > uint64(len(raw)-k) {
			return Session{}, errors.New("session entry is truncated")
		}
		fields[i] = raw[k : k+int(n)]
		raw = raw[k+int(n):]
	}
	created, k := binary.Varint(raw)
	if k <= 0 || k != len(raw) {
		return Session{}, errors.New("session entry has a bad timestamp")
	}
	s := Session{
		Email:     string(fields[0]),
		SessionID: string(fields[1]),
		MasterKey: append([]byte(nil), fields[2]...),
	}
	if created != 0 {
		s.CreatedAt = time.Unix(created, 0).UTC()
	}
	if err := s.Validate(); err != nil {
		return Session{}, err
	}
	return s, nil
}

func encodePassword(pw string) string {
	return passwordPrefix + base64.RawURLEncoding.EncodeToString([]byte(pw))
}

func decodePassword(secret string) (string, error) {
	rest, ok := strings.CutPrefix(secret, passwordPrefix)
	if !ok {
		return "", errors.New("unknown password format")
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return "", fmt.Errorf("password is not base64url: %w", err)
	}
	return string(raw), nil
}

// Platform limits, checked on every platform so that behaviour does not
// depend on where megatui runs:
//   - Windows Credential Manager: the secret may not exceed 2560 bytes.
//   - macOS Keychain (via the security tool): service, account and secret
//     together should stay under about 3000 bytes.
//
// The Secret Service has no hard limit.
const (
	MaxSecretBytes   = 2560
	MaxCombinedBytes = 3000
)

func checkSize(service, user, secret string) error {
	if n := len(secret); n > MaxSecretBytes {
		return fmt.Errorf("%w: entry is %d bytes, Windows allows %d (is the e-mail or password unusually long?)",
			model.ErrSecretTooLarge, n, MaxSecretBytes)
	}
	if n := len(service) + len(user) + len(secret); n > MaxCombinedBytes {
		return fmt.Errorf("%w: service, account and entry total %d bytes, macOS allows about %d (shorten the remote name)",
			model.ErrSecretTooLarge, n, MaxCombinedBytes)
	}
	return nil
}
