package keyring

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

// testSession looks like a real one: a 58-char base64url session id and a
// 16-byte master key.
func testSession() Session {
	return Session{
		Email:     "alice@example.com",
		SessionID: "VGhpcyBpcyBhIGZha2Ugc2Vzc2lvbiBpZCBvZiA0MyBieXRlcyBsb25nISE",
		MasterKey: []byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		CreatedAt: time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC),
	}
}

func TestSessionRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Session
	}{
		{"typical", testSession()},
		{"no created time", func() Session { s := testSession(); s.CreatedAt = time.Time{}; return s }()},
		{"no email", func() Session { s := testSession(); s.Email = ""; return s }()},
		{"unicode email", func() Session { s := testSession(); s.Email = "jürgen@bücher.example"; return s }()},
		{"pre-1970", func() Session { s := testSession(); s.CreatedAt = time.Unix(-86400, 0).UTC(); return s }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			enc, err := encodeSession(tt.in)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := decodeSession(enc)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if got.Email != tt.in.Email || got.SessionID != tt.in.SessionID ||
				!bytes.Equal(got.MasterKey, tt.in.MasterKey) || !got.CreatedAt.Equal(tt.in.CreatedAt) {
				t.Errorf("round trip: got %+v %q %x, want %+v %q %x", got, got.SessionID, got.MasterKey, tt.in, tt.in.SessionID, tt.in.MasterKey)
			}
		})
	}
}

func TestSessionEncodingIsCompact(t *testing.T) {
	t.Parallel()
	enc, err := encodeSession(testSession())
	if err != nil {
		t.Fatal(err)
	}
	// 17 (email) + 58 (sid) + 16 (key) + 3 length bytes + 5 time bytes = 99
	// raw bytes -> 132 base64 chars + 3 prefix.
	if len(enc) > 140 {
		t.Errorf("encoded session is %d bytes, want <= 140: %s", len(enc), enc)
	}
	if strings.ContainsAny(enc, "\n\r\t ") {
		t.Errorf("encoded session has whitespace: %q", enc)
	}
}

func TestDecodeSessionRejectsGarbage(t *testing.T) {
	t.Parallel()
	good, err := encodeSession(testSession())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(good, sessionPrefix))
	tests := map[string]string{
		"empty":            "",
		"wrong prefix":     "x1." + strings.TrimPrefix(good, sessionPrefix),
		"plain json":       `{"sid":"x"}`,
		"not base64":       sessionPrefix + "!!!",
		"truncated":        sessionPrefix + base64.RawURLEncoding.EncodeToString(raw[:20]),
		"trailing garbage": sessionPrefix + base64.RawURLEncoding.EncodeToString(append(append([]byte{}, raw...), 1, 2, 3)),
		"huge length":      sessionPrefix + base64.RawURLEncoding.EncodeToString([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}),
		"no key":           sessionPrefix + base64.RawURLEncoding.EncodeToString([]byte{1, 'a', 1, 's', 0, 0}),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got, err := decodeSession(in); err == nil {
				t.Errorf("decodeSession(%q) = %v, nil; want an error", in, got)
			}
		})
	}
}

func TestEncodeSessionNeedsSecrets(t *testing.T) {
	t.Parallel()
	s := testSession()
	s.SessionID = ""
	if _, err := encodeSession(s); err == nil {
		t.Error("encoded a session without a session id")
	}
	s = testSession()
	s.MasterKey = nil
	if _, err := encodeSession(s); err == nil {
		t.Error("encoded a session without a master key")
	}
}

func TestPasswordEncodingRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"hunter2", "päss wörd\nwith newline", "\x00\xff binary", strings.Repeat("x", 1000)} {
		got, err := decodePassword(encodePassword(pw))
		if err != nil || got != pw {
			t.Errorf("password round trip: got %q, %v; want %q", got, err, pw)
		}
	}
	if _, err := decodePassword("hunter2"); err == nil {
		t.Error("decoded a password without the format prefix")
	}
}

func TestSessionFormattingRedactsSecrets(t *testing.T) {
	t.Parallel()
	s := testSession()
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("login", "session", s)
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("login", "session", s)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", s),
		"%+v":  fmt.Sprintf("%+v", s),
		"%#v":  fmt.Sprintf("%#v", s),
		"%s":   fmt.Sprintf("%s", s),
		"slog": logBuf.String(),
	}
	secrets := []string{s.SessionID, fmt.Sprintf("%x", s.MasterKey), string(s.MasterKey),
		base64.RawURLEncoding.EncodeToString(s.MasterKey), fmt.Sprint([]byte(s.MasterKey))}
	for verb, out := range outputs {
		if !strings.Contains(out, s.Email) {
			t.Errorf("%s output %q lacks the e-mail", verb, out)
		}
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s output %q leaks secret %q", verb, out, secret)
			}
		}
	}
}

func TestCheckSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		service string
		user    string
		secret  int
		wantErr bool
	}{
		{"typical", Service, "work", 150, false},
		{"windows limit exactly", Service, "w", MaxSecretBytes, false},
		{"over windows limit", Service, "w", MaxSecretBytes + 1, true},
		{"over macos combined limit", Service, strings.Repeat("r", 500), MaxSecretBytes, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := checkSize(tt.service, tt.user, strings.Repeat("s", tt.secret))
			if (err != nil) != tt.wantErr {
				t.Fatalf("checkSize: got %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, model.ErrSecretTooLarge) {
				t.Errorf("got %v, want errors.Is ErrSecretTooLarge", err)
			}
		})
	}
}
