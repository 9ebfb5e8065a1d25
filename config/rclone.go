package config

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// RcloneRemote is a MEGA remote found in rclone's configuration, with its
// password revealed. It holds secrets: hand them to the keyring and the
// MEGA client, never to the config file or a log. String redacts them.
type RcloneRemote struct {
	Name string
	User string
	// Password is rclone's "pass", de-obscured ("" when not set).
	Password string
	// SessionID and MasterKey are rclone's stored session, when present;
	// with them megatui can resume without a password login.
	SessionID string
	MasterKey []byte
}

// String describes the remote without its secrets.
func (r RcloneRemote) String() string {
	return fmt.Sprintf("rclone remote{name: %q, user: %q, password: %t, session: %t}",
		r.Name, r.User, r.Password != "", r.SessionID != "")
}

// GoString is String, so %#v redacts too.
func (r RcloneRemote) GoString() string { return r.String() }

// Remote is the megatui remote for r (no secrets: those go to the keyring).
func (r RcloneRemote) Remote() Remote { return Remote{Name: r.Name, Email: r.User} }

// ErrRcloneEncrypted is returned for an rclone config protected with
// rclone's own configuration password.
var ErrRcloneEncrypted = errors.New("encrypted rclone config not supported")

const rcloneEncryptedMarker = "RCLONE_ENCRYPT_V0:"

// RclonePath returns rclone's config file: $RCLONE_CONFIG, else
// $XDG_CONFIG_HOME/rclone/rclone.conf (~/.config/rclone/rclone.conf),
// else rclone's legacy ~/.rclone.conf when only that one exists.
func RclonePath(getenv func(string) string) (string, error) {
	if p := getenv("RCLONE_CONFIG"); p != "" {
		return p, nil
	}
	home := getenv("HOME")
	base := getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		if home == "" {
			return "", errors.New("cannot find rclone's config: set RCLONE_CONFIG")
		}
		base = filepath.Join(home, ".config")
	}
	p := filepath.Join(base, "rclone", "rclone.conf")
	if _, err := os.Stat(p); err != nil && home != "" {
		legacy := filepath.Join(home, ".rclone.conf")
		if _, lerr := os.Stat(legacy); lerr == nil {
			return legacy, nil
		}
	}
	return p, nil
}

// ReadRclone reads the rclone config at path and returns its MEGA remotes.
func ReadRclone(path string) ([]RcloneRemote, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read rclone config: %w", err)
	}
	defer f.Close()
	remotes, err := ParseRclone(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return remotes, nil
}

// ParseRclone parses rclone's INI-style configuration and returns the
// remotes of type "mega", in file order.
func ParseRclone(r io.Reader) ([]RcloneRemote, error) {
	type section struct {
		name string
		line int
		keys map[string]string
	}
	var sections []*section
	var cur *section
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	first := true
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if first {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if first {
			first = false
			if strings.HasPrefix(line, rcloneEncryptedMarker) {
				return nil, fmt.Errorf("%w: it is protected by rclone's config password; decrypt it first "+
					"(rclone config encryption remove), or point RCLONE_CONFIG at a decrypted copy "+
					"(rclone config show > plain.conf, then delete that copy after importing)", ErrRcloneEncrypted)
			}
		}
		if strings.HasPrefix(line, "[") {
			end := strings.LastIndexByte(line, ']')
			if end < 1 {
				return nil, fmt.Errorf("line %d: malformed section header %q", n, line)
			}
			cur = &section{name: strings.TrimSpace(line[1:end]), line: n, keys: map[string]string{}}
			sections = append(sections, cur)
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key = value", n)
		}
		if cur == nil {
			continue // keys before any section: rclone ignores them too
		}
		cur.keys[strings.ToLower(strings.TrimSpace(key))] = unquote(strings.TrimSpace(val))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read rclone config: %w", err)
	}
	var out []RcloneRemote
	for _, s := range sections {
		if !strings.EqualFold(s.keys["type"], "mega") {
			continue
		}
		rr := RcloneRemote{Name: s.name, User: s.keys["user"], SessionID: s.keys["session_id"]}
		if p := s.keys["pass"]; p != "" {
			pw, err := RcloneReveal(p)
			if err != nil {
				return nil, fmt.Errorf("remote %q (line %d): pass: %w", s.name, s.line, err)
			}
			rr.Password = pw
		}
		if mk := s.keys["master_key"]; mk != "" {
			key, err := decodeRcloneMasterKey(mk)
			if err != nil {
				return nil, fmt.Errorf("remote %q (line %d): master_key: %w", s.name, s.line, err)
			}
			rr.MasterKey = key
		}
		if (rr.SessionID == "") != (rr.MasterKey == nil) {
			// Half a session cannot resume anything.
			rr.SessionID, rr.MasterKey = "", nil
		}
		out = append(out, rr)
	}
	return out, nil
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// decodeRcloneMasterKey accepts the 16-byte MEGA master key as base64
// (url or standard alphabet, padded or not) or hex, or any of those
// obscured the rclone way.
func decodeRcloneMasterKey(s string) ([]byte, error) {
	if k, ok := decodeKey16(s); ok {
		return k, nil
	}
	if revealed, err := RcloneReveal(s); err == nil {
		if k, ok := decodeKey16(revealed); ok {
			return k, nil
		}
		if len(revealed) == 16 {
			return []byte(revealed), nil
		}
	}
	return nil, errors.New("not a 16-byte key in base64 or hex")
}

func decodeKey16(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 16 {
			return k, true
		}
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == 16 {
		return k, true
	}
	return nil, false
}

// rclone "obscures" passwords in its config: not encryption, just
// reversible scrambling with a key published in rclone's source
// (fs/config/obscure/obscure.go): AES-256 in CTR mode under that fixed
// key, a random 16-byte IV written in front of the ciphertext, the whole
// encoded as unpadded base64url.
func rcloneObscureKey() []byte {
	return []byte{
		0x9c, 0x93, 0x5b, 0x48, 0x73, 0x0a, 0x55, 0x4d,
		0x6b, 0xfd, 0x7c, 0x63, 0xc8, 0x86, 0xa9, 0x2b,
		0xd3, 0x90, 0x19, 0x8e, 0xb8, 0x12, 0x8a, 0xfb,
		0xf4, 0xde, 0x16, 0x2b, 0x8b, 0x95, 0xf6, 0x38,
	}
}

func rcloneXOR(iv, data []byte) ([]byte, error) {
	block, err := aes.NewCipher(rcloneObscureKey())
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	cipher.NewCTR(block, iv).XORKeyStream(out, data)
	return out, nil
}

// RcloneReveal undoes rclone's obscuring of a config value.
func RcloneReveal(obscured string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(obscured)
	if err != nil {
		return "", fmt.Errorf("not an rclone-obscured value (bad base64): %w", err)
	}
	if len(raw) < aes.BlockSize {
		return "", errors.New("not an rclone-obscured value (too short)")
	}
	plain, err := rcloneXOR(raw[:aes.BlockSize], raw[aes.BlockSize:])
	if err != nil {
		return "", fmt.Errorf("reveal: %w", err)
	}
	return string(plain), nil
}

// RcloneObscure obscures plain the way rclone does, reading the 16-byte
// IV from random (crypto/rand.Reader in real use).
func RcloneObscure(plain string, random io.Reader) (string, error) {
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(random, iv); err != nil {
		return "", fmt.Errorf("obscure: read iv: %w", err)
	}
	ct, err := rcloneXOR(iv, []byte(plain))
	if err != nil {
		return "", fmt.Errorf("obscure: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(append(iv, ct...)), nil
}
