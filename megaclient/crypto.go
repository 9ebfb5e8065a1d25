package megaclient

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the little node crypto megaclient needs beside go-mega:
// node keys are AES-ECB under the master (or a share) key, attributes are
// "MEGA" + JSON, zero padded, AES-CBC with a zero IV under the node's
// attribute key (protocol notes §4.2, §4.3).

var errBadAttr = errors.New("bad node attribute")

func b64decode(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "+/") { // standard alphabet: rare, so not on the hot path
		s = strings.Map(func(r rune) rune {
			switch r {
			case '+':
				return '-'
			case '/':
				return '_'
			}
			return r
		}, s)
	}
	return base64.RawURLEncoding.DecodeString(s)
}

// b64DecodedLen is len(b64decode(s)) without decoding (and allocating):
// it accepts and rejects exactly the texts b64decode does.
func b64DecodedLen(s string) (int, error) {
	s = strings.TrimRight(s, "=")
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '+', c == '/':
			n++
		case c == '\r' || c == '\n': // skipped by the decoder
		default:
			return 0, base64.CorruptInputError(i)
		}
	}
	if n%4 == 1 {
		return 0, base64.CorruptInputError(len(s))
	}
	return n/4*3 + [4]int{0, 0, 1, 2}[n%4], nil
}

func b64encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ecbDecrypt decrypts a key (a multiple of 16 bytes) block by block.
func ecbDecrypt(key, enc []byte) ([]byte, error) {
	if len(enc) == 0 || len(enc)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("key of %d bytes: %w", len(enc), errBadAttr)
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(enc))
	for i := 0; i < len(enc); i += aes.BlockSize {
		blk.Decrypt(out[i:i+aes.BlockSize], enc[i:i+aes.BlockSize])
	}
	return out, nil
}

// ecbEncrypt encrypts a key (a multiple of 16 bytes) block by block.
func ecbEncrypt(key, plain []byte) ([]byte, error) {
	if len(plain) == 0 || len(plain)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("key of %d bytes: %w", len(plain), errBadAttr)
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(plain))
	for i := 0; i < len(plain); i += aes.BlockSize {
		blk.Encrypt(out[i:i+aes.BlockSize], plain[i:i+aes.BlockSize])
	}
	return out, nil
}

// attrKey folds a 32-byte file key into its 16-byte AES key; folder keys
// are used as they are.
func attrKey(nodeKey []byte) []byte {
	if len(nodeKey) != 32 {
		return nodeKey
	}
	k := make([]byte, 16)
	for i := range k {
		k[i] = nodeKey[i] ^ nodeKey[i+16]
	}
	return k
}

// Attrs are a node's decrypted attributes. Values are kept as raw JSON so
// that attributes megatui does not know survive a rewrite byte for byte.
// The name is kept apart, already unquoted, because MEGA names may hold
// bytes that are not valid UTF-8, which encoding/json would replace.
type Attrs struct {
	Name  string
	Other map[string]json.RawMessage
}

// String returns the string attribute key, or "" when absent or not a string.
func (a Attrs) String(key string) string {
	raw, ok := a.Other[key]
	if !ok {
		return ""
	}
	s, ok := unquoteRaw(raw)
	if !ok {
		return ""
	}
	return s
}

// Clone returns a deep copy.
func (a Attrs) Clone() Attrs {
	c := Attrs{Name: a.Name, Other: make(map[string]json.RawMessage, len(a.Other))}
	for k, v := range a.Other {
		c.Other[k] = append(json.RawMessage(nil), v...)
	}
	return c
}

// SetString sets a string attribute.
func (a *Attrs) SetString(key, value string) {
	if a.Other == nil {
		a.Other = map[string]json.RawMessage{}
	}
	a.Other[key] = json.RawMessage(quoteRaw(value))
}

func decryptAttrs(nodeKey []byte, enc string) (Attrs, error) {
	buf, err := b64decode(enc)
	if err != nil || len(buf) == 0 || len(buf)%aes.BlockSize != 0 {
		return Attrs{}, errBadAttr
	}
	blk, err := aes.NewCipher(attrKey(nodeKey))
	if err != nil {
		return Attrs{}, err
	}
	cipher.NewCBCDecrypter(blk, make([]byte, aes.BlockSize)).CryptBlocks(buf, buf)
	if !bytes.HasPrefix(buf, []byte("MEGA{")) {
		return Attrs{}, errBadAttr
	}
	return parseAttrJSON(bytes.TrimRight(buf[4:], "\x00"))
}

func encryptAttrs(nodeKey []byte, a Attrs) (string, error) {
	plain := append([]byte("MEGA"), a.marshal()...)
	if pad := len(plain) % aes.BlockSize; pad != 0 {
		plain = append(plain, make([]byte, aes.BlockSize-pad)...)
	}
	blk, err := aes.NewCipher(attrKey(nodeKey))
	if err != nil {
		return "", err
	}
	cipher.NewCBCEncrypter(blk, make([]byte, aes.BlockSize)).CryptBlocks(plain, plain)
	return b64encode(plain), nil
}

// marshal writes the attributes as JSON with "n" first and the rest in
// key order. The name is quoted by quoteRaw, which keeps invalid UTF-8.
func (a Attrs) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(`{"n":`)
	b.WriteString(quoteRaw(a.Name))
	keys := make([]string, 0, len(a.Other))
	for k := range a.Other {
		if k != "n" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteByte(',')
		b.WriteString(quoteRaw(k))
		b.WriteByte(':')
		b.Write(a.Other[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

func parseAttrJSON(js []byte) (Attrs, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(js, &m); err != nil {
		// encoding/json rejects nothing for invalid UTF-8, so this is
		// malformed JSON.
		return Attrs{}, fmt.Errorf("%w: %v", errBadAttr, err)
	}
	a := Attrs{Other: m}
	if raw, ok := m["n"]; ok {
		// json.RawMessage keeps the original bytes, so unquote by hand.
		name, ok := unquoteRaw(raw)
		if !ok {
			return Attrs{}, errBadAttr
		}
		a.Name = name
		delete(m, "n")
	}
	return a, nil
}

// quoteRaw quotes s as a JSON string. Valid runes are escaped as
// encoding/json would (controls as \u00XX); bytes that are not valid UTF-8
// are written through unchanged, so the name is stored exactly as given.
func quoteRaw(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c == 0x7f:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(c)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// unquoteRaw decodes a JSON string literal, keeping bytes that are not
// valid UTF-8 as they are (encoding/json would turn them into U+FFFD).
func unquoteRaw(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	raw = raw[1 : len(raw)-1]
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), true
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", false
		}
		switch raw[i] {
		case '"', '\\', '/':
			b.WriteByte(raw[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(raw, i+1)
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(raw, i+3); ok && i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b.WriteRune(d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), true
}

func hex4(raw []byte, at int) (rune, bool) {
	if at+4 > len(raw) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(raw[at:at+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// rsaPrivate is the account's RSA private key (the `privk` of `us` and
// `ug`, AES-ECB under the master key: MPIs p, q, d, u).
type rsaPrivate struct{ p, q, d *big.Int }

// parsePrivk decrypts and parses an encrypted `privk`.
func parsePrivk(master []byte, privk string) (*rsaPrivate, error) {
	enc, err := b64decode(privk)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	if len(enc) > maxPrivk {
		// RSA with a bigger key would only make every share key slow.
		return nil, fmt.Errorf("private key of %d bytes", len(enc))
	}
	raw, err := ecbDecrypt(master, enc)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	var mpis [3]*big.Int
	for i := range mpis {
		if mpis[i], raw, err = readMPI(raw); err != nil {
			return nil, fmt.Errorf("private key: %w", err)
		}
	}
	if mpis[0].Sign() == 0 || mpis[1].Sign() == 0 {
		return nil, errors.New("private key: zero prime")
	}
	return &rsaPrivate{p: mpis[0], q: mpis[1], d: mpis[2]}, nil
}

// readMPI reads MEGA's MPI: a 2-byte big-endian bit count, then the bytes.
func readMPI(b []byte) (*big.Int, []byte, error) {
	if len(b) < 2 {
		return nil, nil, errors.New("mpi: short")
	}
	n := (int(binary.BigEndian.Uint16(b)) + 7) / 8
	if len(b) < 2+n {
		return nil, nil, errors.New("mpi: truncated")
	}
	return new(big.Int).SetBytes(b[2 : 2+n]), b[2+n:], nil
}

// decryptKey recovers a key of n bytes RSA-encrypted to this account (a
// share key in `sk`, an MPI). The plaintext is the key followed by random
// filler, read in a window of |p|+|q|−2 bytes as the official SDK does,
// so leading zero bytes of the key survive.
func (k *rsaPrivate) decryptKey(enc []byte, n int) ([]byte, error) {
	c, rest, err := readMPI(enc)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("rsa key: not one mpi")
	}
	mod := new(big.Int).Mul(k.p, k.q)
	if c.Cmp(mod) >= 0 {
		return nil, errors.New("rsa key: out of range")
	}
	m := new(big.Int).Exp(c, k.d, mod).Bytes()
	width := max(len(k.p.Bytes())+len(k.q.Bytes())-2, len(m))
	if width < n {
		return nil, errors.New("rsa key: too short")
	}
	full := make([]byte, width)
	copy(full[width-len(m):], m)
	return full[:n], nil
}

// passwordKey derives the key that encrypts the master key (protocol
// notes §3.1): PBKDF2-HMAC-SHA512 over the salt for version 2 accounts,
// the legacy AES construction for version 1.
func passwordKey(version int, password string, salt []byte) ([]byte, error) {
	if version == 2 {
		k, err := pbkdf2.Key(sha512.New, password, salt, 100000, 32)
		if err != nil {
			return nil, err
		}
		return k[:16], nil
	}
	pw := []byte(password)
	if len(pw) == 0 || len(pw)%16 != 0 {
		pw = append(pw, make([]byte, 16-len(pw)%16)...)
	}
	blocks := make([]cipher.Block, 0, len(pw)/16)
	for i := 0; i < len(pw); i += 16 {
		b, err := aes.NewCipher(pw[i : i+16])
		if err != nil {
			return nil, err
		}
		blocks = append(blocks, b)
	}
	key := []byte{0x93, 0xC4, 0x67, 0xE3, 0x7D, 0xB0, 0xC7, 0xA4, 0xD1, 0xBE, 0x3F, 0x81, 0x01, 0x52, 0xCB, 0x56}
	for range 65536 {
		for _, b := range blocks {
			b.Encrypt(key, key)
		}
	}
	return key, nil
}
