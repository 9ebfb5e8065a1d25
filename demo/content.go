package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"strings"
)

// newRand returns a generator seeded from label, so every file's content
// is the same on every run.
func newRand(label string) *rand.Rand {
	return rand.New(rand.NewChaCha8(sha256.Sum256([]byte("megatui demo " + label))))
}

// Binary returns size pseudo-random bytes derived from label.
func Binary(label string, size int) []byte {
	r := newRand(label)
	b := make([]byte, size+8)
	for i := 0; i < size; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:size]
}

const wordList = `the a cloud file folder encrypted node key upload download share
	terminal pane queue copy move rename dedupe photo music project source draft final
	backup report meeting notes budget plan summer winter trip family friends release`

// Text returns size bytes of readable text lines derived from label.
func Text(label string, size int) []byte {
	r := newRand(label)
	words := strings.Fields(wordList)
	var b strings.Builder
	b.Grow(size + 64)
	col := 0
	for b.Len() < size {
		w := words[r.IntN(len(words))]
		if col > 0 {
			if col+len(w) > 66 {
				b.WriteByte('\n')
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	s := b.String()[:size]
	if size > 0 {
		s = s[:size-1] + "\n"
	}
	return []byte(s)
}
