package model

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"time"
)

// Fingerprint is MEGA's sparse file fingerprint, the `c` node attribute
// written by MEGA's official clients (protocol notes §8). It identifies
// content cheaply (four CRC-32 values over the whole file or over 128
// evenly spread 64-byte blocks) and carries the file's original
// modification time.
//
// The `c` attribute does not carry the size; Size is the node's size,
// supplied by whoever parses the attribute.
type Fingerprint struct {
	CRC [4]uint32
	// ModTime is the original modification time, in whole seconds.
	ModTime time.Time
	Size    int64
}

const (
	fpFullMax    = 8192 // files up to this size are covered completely
	fpBlock      = 64   // sparse block size
	fpBlocksLane = 32   // sparse blocks per CRC lane
	fpCRCBytes   = 16
)

// ComputeFingerprint computes the fingerprint of size bytes read through r.
// mtime is truncated to whole seconds; a zero time.Time is stored as the
// Unix epoch (MEGA has no "unknown" mtime). Only ReadAt is used, so the
// reader may be shared; at most 8 KiB is read.
func ComputeFingerprint(r io.ReaderAt, size int64, mtime time.Time) (Fingerprint, error) {
	fp := Fingerprint{Size: size, ModTime: normaliseFingerprintTime(mtime)}
	if size < 0 {
		return Fingerprint{}, fmt.Errorf("fingerprint: negative size %d", size)
	}
	switch {
	case size <= fpCRCBytes:
		var buf [fpCRCBytes]byte
		if err := readFullAt(r, buf[:size], 0); err != nil {
			return Fingerprint{}, err
		}
		for i := range fp.CRC {
			fp.CRC[i] = binary.BigEndian.Uint32(buf[4*i:])
		}
	case size <= fpFullMax:
		buf := make([]byte, size)
		if err := readFullAt(r, buf, 0); err != nil {
			return Fingerprint{}, err
		}
		for i := range int64(4) {
			fp.CRC[i] = crc32.ChecksumIEEE(buf[i*size/4 : (i+1)*size/4])
		}
	default:
		var block [fpBlock]byte
		const last = 4*fpBlocksLane - 1
		for lane := range int64(4) {
			var crc uint32
			for j := range int64(fpBlocksLane) {
				// (size-64)*127 overflows int64 only beyond 2^56 bytes.
				off := (size - fpBlock) * (fpBlocksLane*lane + j) / last
				if err := readFullAt(r, block[:], off); err != nil {
					return Fingerprint{}, err
				}
				crc = crc32.Update(crc, crc32.IEEETable, block[:])
			}
			fp.CRC[lane] = crc
		}
	}
	return fp, nil
}

func readFullAt(r io.ReaderAt, p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil // io.ReaderAt may report io.EOF with a full read at the end
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("fingerprint: read %d bytes at offset %d: %w", len(p), off, err)
}

func normaliseFingerprintTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return time.Unix(t.Unix(), 0).UTC()
}

// Encode returns the attribute string: base64url (no padding) of the 16 CRC
// bytes (big-endian) followed by one length byte and the Unix mtime in that
// many little-endian bytes without trailing zeros (28 characters for
// present-day dates).
func (f Fingerprint) Encode() string {
	var raw [fpCRCBytes + 1 + 8]byte
	for i, c := range f.CRC {
		binary.BigEndian.PutUint32(raw[4*i:], c)
	}
	var t uint64
	if !f.ModTime.IsZero() {
		t = uint64(f.ModTime.Unix())
	}
	n := 0
	for ; t != 0; t >>= 8 {
		raw[fpCRCBytes+1+n] = byte(t)
		n++
	}
	raw[fpCRCBytes] = byte(n)
	return base64.RawURLEncoding.EncodeToString(raw[:fpCRCBytes+1+n])
}

// String returns the attribute form (see Encode).
func (f Fingerprint) String() string { return f.Encode() }

// ParseFingerprint decodes a `c` attribute. size is the node's size, which
// the attribute does not carry. Both base64 alphabets are accepted, with or
// without padding. Like MEGA's SDK it ignores bytes after the mtime. A
// missing, short or malformed attribute gives an error wrapping
// ErrInvalidFingerprint.
func ParseFingerprint(attr string, size int64) (Fingerprint, error) {
	if attr == "" {
		return Fingerprint{}, fmt.Errorf("fingerprint: missing: %w", ErrInvalidFingerprint)
	}
	if len(attr) > 64 {
		return Fingerprint{}, fmt.Errorf("fingerprint: %d characters is too long: %w", len(attr), ErrInvalidFingerprint)
	}
	s := strings.TrimRight(attr, "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Fingerprint{}, fmt.Errorf("fingerprint: not base64: %w", ErrInvalidFingerprint)
	}
	if len(raw) < fpCRCBytes+1 {
		return Fingerprint{}, fmt.Errorf("fingerprint: %d bytes is too short: %w", len(raw), ErrInvalidFingerprint)
	}
	n := int(raw[fpCRCBytes])
	if n > 8 || fpCRCBytes+1+n > len(raw) {
		return Fingerprint{}, fmt.Errorf("fingerprint: bad mtime length %d: %w", n, ErrInvalidFingerprint)
	}
	var t uint64
	for i := n - 1; i >= 0; i-- {
		t = t<<8 | uint64(raw[fpCRCBytes+1+i])
	}
	fp := Fingerprint{Size: size, ModTime: time.Unix(int64(t), 0).UTC()}
	for i := range fp.CRC {
		fp.CRC[i] = binary.BigEndian.Uint32(raw[4*i:])
	}
	return fp, nil
}

// SameContent reports whether f and g describe the same content as far as
// the fingerprint can tell: equal size and equal CRCs. The mtime is ignored.
// For files over 8 KiB the CRCs sample only 8 KiB of the content, so equal
// fingerprints make identical content very likely, not certain.
func (f Fingerprint) SameContent(g Fingerprint) bool {
	return f.Size == g.Size && f.CRC == g.CRC
}

// FullCoverage reports whether the CRCs cover every byte of the file
// (size ≤ 8 KiB), so SameContent is as strong as a CRC-32 comparison.
func (f Fingerprint) FullCoverage() bool { return f.Size <= fpFullMax }
