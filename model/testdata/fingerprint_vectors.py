#!/usr/bin/env python3
"""Independent reference for MEGA's fingerprint attribute `c`.

Written from the protocol notes (mega-protocol.md section 8), not from the Go
code, using zlib's CRC-32. It prints Go table rows that fingerprint_test.go
embeds verbatim. Run: python3 model/testdata/fingerprint_vectors.py
"""
import base64
import struct
import zlib


def pattern_byte(i):
    # The deterministic test pattern shared with the Go test (patternReader).
    return (i * 131 + (i >> 9) * 7 + 13) & 0xFF


def pattern(off, n):
    return bytes(pattern_byte(i) for i in range(off, off + n))


class Source:
    """Reads the pattern lazily so multi-GiB sizes need no memory."""

    def __init__(self, size):
        self.size = size

    def read(self, off, n):
        assert off >= 0 and off + n <= self.size
        return pattern(off, n)


def crc_part(src):
    size = src.size
    if size <= 16:
        return src.read(0, size) + b"\0" * (16 - size)
    if size <= 8192:
        data = src.read(0, size)
        out = b""
        for i in range(4):
            lo, hi = i * size // 4, (i + 1) * size // 4
            out += struct.pack(">I", zlib.crc32(data[lo:hi]) & 0xFFFFFFFF)
        return out
    out = b""
    for lane in range(4):
        crc = 0
        for j in range(32):
            off = (size - 64) * (32 * lane + j) // 127  # Python ints: no overflow
            crc = zlib.crc32(src.read(off, 64), crc)
        out += struct.pack(">I", crc & 0xFFFFFFFF)
    return out


def mtime_part(t):
    b = t.to_bytes(8, "little", signed=t < 0) if t else b""
    b = b.rstrip(b"\0")
    return bytes([len(b)]) + b


def encode(size, mtime):
    raw = crc_part(Source(size)) + mtime_part(mtime)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


SIZES = list(range(0, 17)) + [17, 18, 19, 20, 63, 64, 100, 1000, 4096, 4097,
                               8191, 8192, 8193, 65536, 1 << 20, 40_000_000,
                               5 << 30]
MTIME = 1_700_000_000

for s in SIZES:
    print('\t{%d, %d, "%s"},' % (s, MTIME, encode(s, MTIME)))
print("// mtimes, size 5")
for t in [0, 1, 255, 256, 1_700_000_000, 4_102_444_800, 253_402_300_799,
          1 << 40, -1]:
    print('\t{%d, %d, "%s"},' % (5, t, encode(5, t)))
