package megaclient

import (
	"context"
	"fmt"

	"github.com/megatui/megatui/model"
)

// SetFingerprint stores fp as a file's fingerprint attribute `c` (path or
// handle), keeping every other attribute. It is how a modification time
// is changed on MEGA, and how a file uploaded without a fingerprint gets
// one. fp.Size must be the file's size.
func (c *Client) SetFingerprint(ctx context.Context, ref string, fp model.Fingerprint) error {
	what := "set fingerprint"
	h, err := c.resolve(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	inf, ok := c.tree.info(h)
	if !ok || inf.kind != typeFile {
		return fmt.Errorf("%s: %s: %w", what, ref, model.ErrIsDir)
	}
	if inf.key == nil {
		return fmt.Errorf("%s: node key unknown: %w", what, model.ErrAccess)
	}
	if fp.Size != inf.raw.S {
		return fmt.Errorf("%s: fingerprint of %d bytes for a file of %d", what, fp.Size, inf.raw.S)
	}
	a := inf.attrs.Clone()
	enc := fp.Encode()
	if a.String("c") == enc {
		return nil
	}
	a.SetString("c", enc)
	return c.setAttrs(ctx, h, a, what)
}
