package megasim

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"time"
)

// SeedOptions describes a tree that SeedTree inserts directly into an
// account's store, bypassing HTTP (seeding 100,000 nodes through the
// protocol is slow). The nodes are exactly what a real client would have
// created: attributes {"n":name,"c":fingerprint} encrypted with each
// node's key, keys encrypted with the account's master key, and file
// content encrypted with AES-CTR with a correct MAC, so go-mega and
// megaclient decrypt every name and download every file.
type SeedOptions struct {
	// Password of the account. SeedTree derives the master key from it
	// for the duration of the call (checking it like a login) and then
	// forgets it; the server still never stores the master key.
	Password string
	// Parent is the handle of the folder to fill; "" means the Cloud Drive root.
	Parent string
	// Nodes is the number of nodes to create (folders and files together).
	Nodes int
	// FanOut is the number of children of each folder; 0 means 100.
	FanOut int
	// SubFolders is how many of each folder's children are folders; 0
	// means 10. The tree is filled breadth-first until Nodes is reached.
	SubFolders int
	// FileSize is the size of every file; 0 makes empty files. Content is
	// pseudo-random from Seed.
	FileSize int64
	// NamePrefix starts every name; "" means "seed".
	NamePrefix string
	// Seed makes keys, content and names reproducible.
	Seed int64
	// MTime is the modification time written into the "c" fingerprints;
	// zero means 2024-01-02 03:04:05 UTC.
	MTime time.Time
	// Notify emits one "t" action packet with the whole tree so logged-in
	// sessions see it; leave it off when seeding before any login.
	Notify bool
}

// SeedResult reports what SeedTree created.
type SeedResult struct {
	Parent  string // handle of the folder that was filled
	Folders int
	Files   int
	Bytes   int64
}

// SeedTree inserts a large valid tree into the account of email (see
// SeedOptions). Folders are named "<prefix>-dir-<n>" and files
// "<prefix>-file-<n>.bin", n counting from 1 in creation order.
func (s *Server) SeedTree(email string, opts SeedOptions) (SeedResult, error) {
	if opts.FanOut <= 0 {
		opts.FanOut = 100
	}
	if opts.SubFolders <= 0 {
		opts.SubFolders = 10
	}
	opts.SubFolders = min(opts.SubFolders, opts.FanOut)
	if opts.NamePrefix == "" {
		opts.NamePrefix = "seed"
	}
	if opts.MTime.IsZero() {
		opts.MTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	}
	if opts.Nodes < 0 || opts.FileSize < 0 {
		return SeedResult{}, errors.New("megasim: seed: negative size")
	}
	s.mu.Lock()
	a := s.accounts[strings.ToLower(email)]
	s.mu.Unlock()
	if a == nil {
		return SeedResult{}, fmt.Errorf("megasim: seed: no account %q", email)
	}
	// The password check costs a key derivation: do it outside the lock.
	master, err := a.rec.masterKey(opts.Password)
	if err != nil {
		return SeedResult{}, fmt.Errorf("megasim: seed %s: %w", email, err)
	}
	defer clear(master)

	s.mu.Lock()
	defer s.mu.Unlock()
	parent := opts.Parent
	if parent == "" {
		parent = a.rec.Root
	}
	if p := a.nodes[parent]; p == nil || p.T == typeFile {
		return SeedResult{}, fmt.Errorf("megasim: seed: parent %q is not a folder", parent)
	}
	if opts.FileSize > 0 && a.used+int64(opts.Nodes)*opts.FileSize > s.opts.QuotaBytes {
		return SeedResult{}, errors.New("megasim: seed: over quota")
	}
	rng := rand.New(rand.NewChaCha8(seedBytes(opts.Seed)))
	res := SeedResult{Parent: parent}
	now := nowUnix()
	var created []*nodeRec
	queue := []string{parent}
	var content []byte
	if opts.FileSize > 0 {
		content = make([]byte, opts.FileSize)
	}
	for len(queue) > 0 && len(created) < opts.Nodes {
		p := queue[0]
		queue = queue[1:]
		for c := 0; c < opts.FanOut && len(created) < opts.Nodes; c++ {
			var n *nodeRec
			if c < opts.SubFolders {
				res.Folders++
				n, err = seedFolder(rng, master, fmt.Sprintf("%s-dir-%d", opts.NamePrefix, res.Folders))
				if err == nil {
					queue = append(queue, "")
				}
			} else {
				res.Files++
				fillRandom(rng, content)
				n, err = s.seedFile(rng, master, fmt.Sprintf("%s-file-%d.bin", opts.NamePrefix, res.Files), content, opts.MTime)
				res.Bytes += opts.FileSize
			}
			if err != nil {
				return res, fmt.Errorf("megasim: seed: %w", err)
			}
			n.H, n.P, n.TS = s.newNodeHandle(), p, now
			if n.T == typeFolder {
				queue[len(queue)-1] = n.H
			}
			a.put(n)
			created = append(created, n)
		}
	}
	var pkts [][]byte
	if opts.Notify && len(created) > 0 {
		pkts = append(pkts, pktNew("", a.rec.Handle, created))
	}
	a.emit(pkts...)
	if opts.Notify && len(created) > 0 {
		s.notifyNew(a, "", parent, created, nil) // recipients of a share it fills
	}
	if s.store != nil {
		if err := s.snapshot(a); err != nil {
			return res, err
		}
	}
	return res, nil
}

func seedBytes(seed int64) [32]byte {
	var b [32]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	copy(b[8:], "megasim seed tree")
	return b
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		var w [8]byte
		binary.LittleEndian.PutUint64(w[:], rng.Uint64())
		copy(b[i:], w[:])
	}
}

func randomKey(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	fillRandom(rng, b)
	return b
}

func seedFolder(rng *rand.Rand, master []byte, name string) (*nodeRec, error) {
	key := randomKey(rng, 16)
	attrJSON, err := json.Marshal(struct {
		N string `json:"n"`
	}{name})
	if err != nil {
		return nil, err
	}
	a, err := attrEncrypt(key, attrJSON)
	if err != nil {
		return nil, err
	}
	k, err := ecbEncrypt(master, key)
	if err != nil {
		return nil, err
	}
	return &nodeRec{T: typeFolder, A: a, K: b64(k)}, nil
}

// seedFile encrypts content as a client upload would and stores the ciphertext.
func (s *Server) seedFile(rng *rand.Rand, master []byte, name string, content []byte, mtime time.Time) (*nodeRec, error) {
	aesKey := randomKey(rng, 16)
	nonce := randomKey(rng, 8)
	block, err := aes.NewCipher(aesKey)
	if err != nil {
		return nil, err
	}
	mac := fileMAC(block, nonce, content)
	var full [32]byte
	for i := range 16 {
		var x byte
		switch {
		case i < 8:
			x = nonce[i]
		default:
			x = mac[i-8]
		}
		full[i] = aesKey[i] ^ x
	}
	copy(full[16:24], nonce)
	copy(full[24:32], mac[:])
	fp := fingerprint(content, mtime.Unix())
	attrJSON, err := json.Marshal(struct {
		N string `json:"n"`
		C string `json:"c"`
	}{name, fp})
	if err != nil {
		return nil, err
	}
	a, err := attrEncrypt(aesKey, attrJSON)
	if err != nil {
		return nil, err
	}
	k, err := ecbEncrypt(master, full[:])
	if err != nil {
		return nil, err
	}
	n := &nodeRec{T: typeFile, A: a, K: b64(k), S: int64(len(content))}
	if len(content) > 0 {
		ct := make([]byte, len(content))
		iv := make([]byte, 16)
		copy(iv, nonce)
		cipher.NewCTR(block, iv).XORKeyStream(ct, content)
		n.Blob = b64(randomBytes(16))
		if err := s.blobs.create(n.Blob); err != nil {
			return nil, err
		}
		if err := s.blobs.writeAt(n.Blob, ct, 0); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// chunkBounds returns MEGA's MAC chunk boundaries for size: 128 KiB × i
// for i = 1..8, then 1 MiB each.
func chunkBounds(size int64) [][2]int64 {
	var out [][2]int64
	var pos int64
	for i := int64(1); pos < size; i++ {
		n := int64(1 << 20)
		if i <= 8 {
			n = i * 128 << 10
		}
		end := min(pos+n, size)
		out = append(out, [2]int64{pos, end})
		pos = end
	}
	return out
}

// fileMAC is the condensed 8-byte meta-MAC of §6.1.
func fileMAC(block cipher.Block, nonce, content []byte) [8]byte {
	iv := make([]byte, 16)
	copy(iv, nonce)
	copy(iv[8:], nonce)
	macData := make([]byte, 16)
	for _, c := range chunkBounds(int64(len(content))) {
		chunkMAC := make([]byte, 16)
		copy(chunkMAC, iv)
		enc := make([]byte, 16)
		piece := content[c[0]:c[1]]
		for i := 0; i < len(piece); i += 16 {
			clear(enc)
			copy(enc, piece[i:min(i+16, len(piece))])
			for j := range 16 {
				chunkMAC[j] ^= enc[j]
			}
			block.Encrypt(chunkMAC, chunkMAC)
		}
		for j := range 16 {
			macData[j] ^= chunkMAC[j]
		}
		block.Encrypt(macData, macData)
	}
	var out [8]byte
	for j := range 4 {
		out[j] = macData[j] ^ macData[4+j]
		out[4+j] = macData[8+j] ^ macData[12+j]
	}
	return out
}

// fingerprint builds the "c" attribute of §8 (CRC part ‖ mtime).
func fingerprint(content []byte, mtime int64) string {
	var crc [16]byte
	size := len(content)
	switch {
	case size <= 16:
		copy(crc[:], content)
	case size <= 8192:
		for i := range 4 {
			part := content[i*size/4 : (i+1)*size/4]
			binary.BigEndian.PutUint32(crc[i*4:], crc32.ChecksumIEEE(part))
		}
	default:
		for i := range 4 {
			h := crc32.NewIEEE()
			for j := range 32 {
				off := int64(size-64) * int64(32*i+j) / 127
				h.Write(content[off : off+64])
			}
			binary.BigEndian.PutUint32(crc[i*4:], h.Sum32())
		}
	}
	out := append([]byte{}, crc[:]...)
	var t []byte
	for v := uint64(mtime); v != 0; v >>= 8 {
		t = append(t, byte(v))
	}
	out = append(out, byte(len(t)))
	out = append(out, t...)
	return b64(out)
}
