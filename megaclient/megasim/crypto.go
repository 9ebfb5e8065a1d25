package megasim

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// b64 encodes like MEGA: base64url without padding.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// unb64 decodes MEGA base64, accepting the standard alphabet too.
func unb64(s string) ([]byte, error) {
	s = strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimRight(s, "="))
	return base64.RawURLEncoding.DecodeString(s)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("megasim: crypto/rand: %v", err)) // never fails on supported platforms
	}
	return b
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// v1PasswordKey derives the legacy 16-byte password key (protocol notes §3.1).
func v1PasswordKey(password string) ([]byte, error) {
	pw := []byte(password)
	if r := len(pw) % 4; r != 0 {
		pw = append(pw, make([]byte, 4-r)...)
	}
	var ciphers []cipher.Block
	for i := 0; i < len(pw); i += 16 {
		k := make([]byte, 16)
		copy(k, pw[i:min(i+16, len(pw))])
		c, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		ciphers = append(ciphers, c)
	}
	key := []byte{0x93, 0xC4, 0x67, 0xE3, 0x7D, 0xB0, 0xC7, 0xA4, 0xD1, 0xBE, 0x3F, 0x81, 0x01, 0x52, 0xCB, 0x56}
	for range 65536 {
		for _, c := range ciphers {
			c.Encrypt(key, key)
		}
	}
	return key, nil
}

// v1UserHash computes the legacy "uh" of a lower-cased e-mail.
func v1UserHash(email string, pwKey []byte) (string, error) {
	e := []byte(email)
	if r := len(e) % 4; r != 0 {
		e = append(e, make([]byte, 4-r)...)
	}
	h := make([]byte, 16)
	for i, b := range e {
		h[i%16] ^= b
	}
	c, err := aes.NewCipher(pwKey)
	if err != nil {
		return "", err
	}
	for range 16384 {
		c.Encrypt(h, h)
	}
	return b64(append(append([]byte{}, h[0:4]...), h[8:12]...)), nil
}

// v2Derive returns the password key and the auth key of a v2 account.
func v2Derive(password string, salt []byte) (pwKey, authKey []byte, err error) {
	dk, err := pbkdf2.Key(sha512.New, password, salt, 100000, 32)
	if err != nil {
		return nil, nil, fmt.Errorf("pbkdf2: %w", err)
	}
	return dk[:16], dk[16:], nil
}

// ecbEncrypt encrypts every 16-byte block of b separately.
func ecbEncrypt(key, b []byte) ([]byte, error) { return ecb(key, b, cipher.Block.Encrypt) }

// ecbDecrypt decrypts every 16-byte block of b separately.
func ecbDecrypt(key, b []byte) ([]byte, error) { return ecb(key, b, cipher.Block.Decrypt) }

// ecb applies op (a cipher.Block's Encrypt or Decrypt) under key to every
// 16-byte block of b separately.
func ecb(key, b []byte, op func(c cipher.Block, dst, src []byte)) ([]byte, error) {
	if len(b)%16 != 0 {
		return nil, errors.New("ecb: length not a multiple of 16")
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(b))
	for i := 0; i < len(b); i += 16 {
		op(c, out[i:i+16], b[i:i+16])
	}
	return out, nil
}

// mpi encodes x as MEGA's MPI: 2-byte big-endian bit count (8 × byte
// length, as the real server writes it) and the magnitude bytes.
func mpi(x *big.Int) []byte {
	b := x.Bytes()
	return mpiBytes(b)
}

func mpiBytes(b []byte) []byte {
	out := make([]byte, 2, 2+len(b))
	binary.BigEndian.PutUint16(out, uint16(len(b)*8))
	return append(out, b...)
}

// readMPI decodes one MPI and returns the rest.
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

// attrEncrypt builds a node attribute string: "MEGA"+JSON, zero padded,
// AES-CBC with a zero IV under key, base64url.
func attrEncrypt(key []byte, jsonAttr []byte) (string, error) {
	buf := append([]byte("MEGA"), jsonAttr...)
	if r := len(buf) % 16; r != 0 {
		buf = append(buf, make([]byte, 16-r)...)
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return "", err
	}
	cipher.NewCBCEncrypter(c, make([]byte, 16)).CryptBlocks(buf, buf)
	return b64(buf), nil
}

// attrDecrypt is the inverse of attrEncrypt (used by tests).
func attrDecrypt(key []byte, a string) ([]byte, error) {
	buf, err := unb64(a)
	if err != nil {
		return nil, err
	}
	if len(buf)%16 != 0 {
		return nil, errors.New("attr: length not a multiple of 16")
	}
	c, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	cipher.NewCBCDecrypter(c, make([]byte, 16)).CryptBlocks(buf, buf)
	if len(buf) < 4 || string(buf[:4]) != "MEGA" {
		return nil, errors.New("attr: bad prefix")
	}
	return []byte(strings.TrimRight(string(buf[4:]), "\x00")), nil
}
