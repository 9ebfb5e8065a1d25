package viewer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/megatui/megatui/model"
)

// Summary describes a file that is not text from its first bytes: its
// type by signature, its size, an image's dimensions where the header
// says them, and the first bytes in hex.
func Summary(name string, size int64, head []byte) []string {
	kind, dims := sniff(head)
	lines := []string{"", "  " + model.DisplayName(name), "",
		"  type:  " + kind,
		fmt.Sprintf("  size:  %s (%d bytes)", humanize.IBytes(uint64(max(size, 0))), size)}
	if dims != "" {
		lines = append(lines, "  image: "+dims)
	}
	lines = append(lines, "", "  first bytes:")
	n := min(len(head), 256)
	for off := 0; off < n; off += 16 {
		row := head[off:min(off+16, n)]
		var hx strings.Builder
		for i, c := range row {
			if i == 8 {
				hx.WriteByte(' ')
			}
			fmt.Fprintf(&hx, "%02x ", c)
		}
		var asc strings.Builder
		for _, c := range row {
			if c >= 0x20 && c < 0x7f {
				asc.WriteByte(c)
			} else {
				asc.WriteByte('.')
			}
		}
		lines = append(lines, fmt.Sprintf("  %08x  %-49s %s", off, hx.String(), asc.String()))
	}
	return lines
}

// sniff names a file type by its signature and reads an image's size
// from its header when it is there.
func sniff(b []byte) (kind, dims string) {
	has := func(sig string) bool { return bytes.HasPrefix(b, []byte(sig)) }
	switch {
	case has("\x89PNG\r\n\x1a\n"):
		if len(b) >= 24 && string(b[12:16]) == "IHDR" {
			dims = fmt.Sprintf("%d × %d pixels", binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24]))
		}
		return "PNG image", dims
	case has("GIF87a"), has("GIF89a"):
		if len(b) >= 10 {
			dims = fmt.Sprintf("%d × %d pixels", binary.LittleEndian.Uint16(b[6:8]), binary.LittleEndian.Uint16(b[8:10]))
		}
		return "GIF image", dims
	case has("\xff\xd8\xff"):
		return "JPEG image", jpegDims(b)
	case has("BM") && len(b) >= 26:
		return "BMP image", fmt.Sprintf("%d × %d pixels", int32(binary.LittleEndian.Uint32(b[18:22])),
			abs(int32(binary.LittleEndian.Uint32(b[22:26]))))
	case has("RIFF") && len(b) >= 12 && string(b[8:12]) == "WEBP":
		return "WebP image", ""
	case has("%PDF-"):
		return "PDF document", ""
	case has("PK\x03\x04"):
		return "ZIP archive (also docx, xlsx, jar, apk)", ""
	case has("\x1f\x8b"):
		return "gzip data", ""
	case has("7z\xbc\xaf\x27\x1c"):
		return "7-Zip archive", ""
	case has("\x7fELF"):
		return "ELF executable", ""
	case has("ID3"), len(b) > 1 && b[0] == 0xff && b[1]&0xe0 == 0xe0:
		return "MP3 audio", ""
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return "MP4/QuickTime media", ""
	case has("OggS"):
		return "Ogg media", ""
	case has("fLaC"):
		return "FLAC audio", ""
	case has("SQLite format 3\x00"):
		return "SQLite database", ""
	}
	return "binary data", ""
}

// jpegDims reads the frame size from the first SOF marker in b.
func jpegDims(b []byte) string {
	for i := 2; i+9 < len(b); {
		if b[i] != 0xff {
			i++
			continue
		}
		marker := b[i+1]
		if marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0xff {
			i++
			continue
		}
		seg := int(binary.BigEndian.Uint16(b[i+2 : i+4]))
		if marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc {
			h := binary.BigEndian.Uint16(b[i+5 : i+7])
			w := binary.BigEndian.Uint16(b[i+7 : i+9])
			return fmt.Sprintf("%d × %d pixels", w, h)
		}
		if seg < 2 {
			return ""
		}
		i += 2 + seg
	}
	return ""
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}
