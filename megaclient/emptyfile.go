package megaclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"

	"github.com/megatui/megatui/model"
)

// A file's key holds its meta-MAC: the MAC of every chunk folded under
// the file's AES key (protocol notes §6.1). The official SDK folds the
// chunks it has (chunkmac_map::macsmac: start from 16 zero bytes, for
// each chunk XOR its MAC in and encrypt), so for a 0-byte file, which
// has no chunk, the MAC is 16 zero bytes and its condensed form
// (words 0^1, 2^3) is 8 zero bytes. go-mega instead folds one
// placeholder chunk for an empty file and stores a MAC that MEGA's own
// clients reject, so megaclient uploads empty files itself.

// emptyFileKey returns a new 32-byte key for an empty file as the SDK
// builds it: a random AES key and nonce, a zero meta-MAC, and words 0..3
// = AES key XOR (nonce ‖ meta-MAC).
func emptyFileKey() []byte {
	key := make([]byte, 32)
	_, _ = rand.Read(key[:24]) // AES key (16), nonce (8); the MAC stays zero
	for i := range 16 {
		key[i] ^= key[16+i]
	}
	return key
}

// emptyMACValid reports whether a 32-byte file key holds the meta-MAC of
// an empty file (zero, as the SDK computes it).
func emptyMACValid(key []byte) bool {
	return len(key) == 32 && bytes.Equal(key[24:], make([]byte, 8))
}

// uploadEmpty stores a 0-byte file: `u` for an upload URL, one empty
// piece for the completion token, then `p` with the SDK's key.
func (c *Client) uploadEmpty(ctx context.Context, parent string, attrs Attrs, what string) (model.Entry, error) {
	var u struct {
		P string `json:"p"`
	}
	if err := c.command(ctx, what, map[string]any{"a": "u", "s": 0}, &u); err != nil {
		return model.Entry{}, err
	}
	if err := validateDataURL(u.P); err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, invalidTransient("upload URL: %v", err))
	}
	token, err := c.postEmptyPiece(ctx, u.P)
	if err != nil {
		return model.Entry{}, transferError(what, err)
	}
	key := emptyFileKey()
	c.tree.mu.Lock()
	master := c.tree.master
	c.tree.mu.Unlock()
	encKey, err := ecbEncrypt(master, key)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	attr, err := encryptAttrs(key, attrs)
	if err != nil {
		return model.Entry{}, fmt.Errorf("%s: %w", what, err)
	}
	var reqID [8]byte
	_, _ = rand.Read(reqID[:])
	cmd := map[string]any{
		"a": "p", "t": parent, "i": b64encode(reqID[:]),
		"n": []any{map[string]any{"h": token, "t": typeFile, "a": attr, "k": b64encode(encKey)}},
	}
	// Inside a shared folder the key also goes under each share key.
	if shares, keys := c.tree.shareCR(parent, key); len(shares) > 0 {
		links := make([]any, 0, 3*len(shares))
		for i := range shares {
			links = append(links, i, 0, keys[i])
		}
		cmd["cr"] = []any{shares, []string{token}, links}
	}
	var reply struct {
		F []rawNode `json:"f"`
	}
	if err := c.command(ctx, what, cmd, &reply); err != nil {
		return model.Entry{}, err
	}
	if len(reply.F) != 1 || reply.F[0].H == "" {
		return model.Entry{}, fmt.Errorf("%s: no node in the reply: %w", what, model.ErrTryAgain)
	}
	return c.tree.entry(reply.F[0].H) // the transport applied the reply

}

// postEmptyPiece sends the single, empty piece of a 0-byte upload and
// returns the completion token the storage host answers (as go-mega,
// the text token goes into `p` as it is).
func (c *Client) postEmptyPiece(ctx context.Context, url string) (string, error) {
	var reply []byte
	err := withChunkRetry(ctx, c.throttle, func() error {
		var err error
		reply, err = postPiece(ctx, c.data, url, 0, nil)
		return err
	})
	if err != nil {
		return "", err
	}
	tok := string(bytes.TrimSpace(reply))
	if tok == "" || len(tok) > 64 || !isBase64URL(tok) {
		return "", fmt.Errorf("upload piece: not a completion token (%d bytes): %w", len(tok), model.ErrTryAgain)
	}
	return tok, nil
}

func isBase64URL(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
