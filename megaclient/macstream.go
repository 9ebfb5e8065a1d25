package megaclient

import (
	"crypto/cipher"
	"crypto/subtle"
	"fmt"

	"github.com/megatui/megatui/model"
)

// MACVerifier checks a file's content against the MAC in its key while
// the content streams by in order from its first byte (a ranged read of
// the whole file, as cat does): each chunk's CBC-MAC (chunks of 128 KiB
// × i for the first eight, then 1 MiB) is folded into the file MAC, whose
// condensed form must equal the key's (protocol notes §6.1).
type MACVerifier struct {
	block cipher.Block
	iv    [16]byte
	want  [8]byte
	size  int64

	pos      int64 // bytes consumed
	chunk    int   // index of the current chunk (0-based)
	chunkEnd int64
	state    [16]byte // CBC-MAC of the current chunk so far
	partial  [16]byte
	npart    int
	mac      [16]byte // file MAC so far
}

// Verifier returns a MACVerifier for this file's content.
func (r *FileReader) Verifier() *MACVerifier {
	v := &MACVerifier{block: r.block, want: r.metaMAC, size: r.size}
	copy(v.iv[:8], r.nonce[:])
	copy(v.iv[8:], r.nonce[:])
	v.state = v.iv
	v.chunkEnd = min(chunkLen(0), r.size)
	return v
}

func chunkLen(i int) int64 {
	if i < 8 {
		return int64(i+1) * 128 << 10
	}
	return 1 << 20
}

// Write consumes the next bytes of the content.
func (v *MACVerifier) Write(p []byte) (int, error) {
	if v.pos+int64(len(p)) > v.size {
		return 0, fmt.Errorf("verify: more content than the file's %d bytes: %w", v.size, model.ErrIntegrity)
	}
	n := len(p)
	for len(p) > 0 {
		take := int(min(int64(len(p)), v.chunkEnd-v.pos))
		v.absorb(p[:take])
		p = p[take:]
		v.pos += int64(take)
		if v.pos == v.chunkEnd {
			v.endChunk()
		}
	}
	return n, nil
}

// absorb feeds bytes of the current chunk to its CBC-MAC.
func (v *MACVerifier) absorb(p []byte) {
	for len(p) > 0 {
		k := copy(v.partial[v.npart:], p)
		v.npart += k
		p = p[k:]
		if v.npart == 16 {
			v.cbcBlock()
		}
	}
}

func (v *MACVerifier) cbcBlock() {
	for i := range v.state {
		v.state[i] ^= v.partial[i]
	}
	v.block.Encrypt(v.state[:], v.state[:])
	v.npart = 0
}

// endChunk pads the chunk's last block with zeros and folds its MAC in.
func (v *MACVerifier) endChunk() {
	if v.npart > 0 {
		clear(v.partial[v.npart:])
		v.cbcBlock()
	}
	for i := range v.mac {
		v.mac[i] ^= v.state[i]
	}
	v.block.Encrypt(v.mac[:], v.mac[:])
	v.chunk++
	v.state = v.iv
	v.chunkEnd = min(v.pos+chunkLen(v.chunk), v.size)
}

// Verify reports whether all the content went by and matched the MAC
// (model.ErrIntegrity otherwise). An empty file has nothing to check.
func (v *MACVerifier) Verify() error {
	if v.size == 0 {
		return nil
	}
	if v.pos != v.size {
		return fmt.Errorf("verify: %d of %d bytes seen: %w", v.pos, v.size, model.ErrIntegrity)
	}
	var got [8]byte
	for i := range 4 {
		got[i] = v.mac[i] ^ v.mac[4+i]
		got[4+i] = v.mac[8+i] ^ v.mac[12+i]
	}
	if subtle.ConstantTimeCompare(got[:], v.want[:]) != 1 {
		return fmt.Errorf("verify: the content does not match its MAC: %w", model.ErrIntegrity)
	}
	return nil
}
