package operations

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCheckIdenticalTreesDownloadsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	files := sequence(30, func(i int) (string, string) {
		return filepath.ToSlash(filepath.Join("d"+string(rune('a'+i%3)), "f"+string(rune('A'+i))+".txt")), strings.Repeat("x", i*500)
	})
	dir := t.TempDir()
	writeTree(t, dir, files, mtime)
	uploadTree(t, c, "/tree", files, mtime)
	local, _ := NewLocal(dir, nil)
	before := s.CommandCount("download-bytes")
	log := newMemLog()
	res, err := Check(ctx, local, NewMega(c, "mega", "/tree"), CheckOptions{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matches != 30 || res.Differences() != 0 {
		t.Fatalf("got %d matches, %d differences; want 30, 0\n%s", res.Matches, res.Differences(), log)
	}
	if got := s.CommandCount("download-bytes") - before; got != 0 {
		t.Errorf("check downloaded %d bytes, want 0", got)
	}
	if !strings.Contains(log.String(), "NOTICE: mega root 'tree': 0 differences found\n") || !strings.Contains(log.String(), "NOTICE: mega root 'tree': 30 matching files\n") {
		t.Errorf("log lacks rclone's summary:\n%s", log)
	}
}

func TestCheckReportsEachKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"same": "hello", "size": "abc", "content": "aaaa", "onlysrc": "1", "sub/mtime": "same body"}, mtime)
	uploadTree(t, c, "/t", map[string]string{"same": "hello", "size": "abcd", "content": "aaab", "onlydst": "2"}, mtime)
	uploadTree(t, c, "/t", map[string]string{"sub/mtime": "same body"}, mtime.Add(time.Hour))
	local, _ := NewLocal(dir, nil)
	res, err := Check(ctx, local, NewMega(c, "mega", "/t"), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range res.Lines {
		got = append(got, string(l.Sym)+" "+l.Path)
	}
	want := []string{"* content", "- onlydst", "+ onlysrc", "= same", "* size", "* sub/mtime"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if res.Differences() != 5 {
		t.Errorf("got %d differences, want 5", res.Differences())
	}
	// One way: the destination-only file is not reported.
	res, _ = Check(ctx, local, NewMega(c, "mega", "/t"), CheckOptions{OneWay: true})
	if res.MissingOnSrc != 0 {
		t.Errorf("one way reported %d missing on source", res.MissingOnSrc)
	}
}

func TestCheckDownloadCatchesAChangedByte(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	body := strings.Repeat("0123456789abcdef", 64<<10) // 1 MiB: the fingerprint samples 8 KiB of it
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"big.bin": body}, mtime)
	uploadTree(t, c, "/d", map[string]string{"big.bin": body}, mtime)
	// Change one byte between two sampled blocks, keeping size and mtime.
	p := filepath.Join(dir, "big.bin")
	b := []byte(body)
	b[300] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(p, mtime, mtime)
	local, _ := NewLocal(dir, nil)
	res, err := Check(ctx, local, NewMega(c, "mega", "/d"), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Matches != 1 {
		t.Fatalf("without --download: got %+v, want a match (the byte is between samples)", res.Lines)
	}
	before := s.CommandCount("download-bytes")
	res, err = Check(ctx, local, NewMega(c, "mega", "/d"), CheckOptions{Download: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Differ != 1 || res.Lines[0].Reason != "contents differ" {
		t.Errorf("with --download: got %+v, want contents differ", res.Lines)
	}
	if s.CommandCount("download-bytes") == before {
		t.Error("--download fetched nothing")
	}
	// Identical content passes with --download.
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _ = Check(ctx, local, NewMega(c, "mega", "/d"), CheckOptions{Download: true})
	if res.Matches != 1 {
		t.Errorf("identical content with --download: got %+v", res.Lines)
	}
}

func TestCheckFilesWithoutFingerprint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := startSim(t)
	c := connect(t, s)
	mtime := time.Unix(1700000000, 0)
	big := strings.Repeat("rclone uploaded this. ", 300<<10) // 6.6 MB: samples are far apart
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"big.txt": big, "small.txt": "tiny", "changed.txt": strings.Repeat("z", 20000)}, mtime)
	if _, err := c.MkdirAll(ctx, "/plain"); err != nil {
		t.Fatal(err)
	}
	plainUpload(t, s, c, "/plain", "big.txt", []byte(big))
	plainUpload(t, s, c, "/plain", "small.txt", []byte("tiny"))
	plainUpload(t, s, c, "/plain", "changed.txt", []byte(strings.Repeat("y", 20000)))
	local, _ := NewLocal(dir, nil)
	before := s.CommandCount("download-bytes")
	res, err := Check(ctx, local, NewMega(c, "mega", "/plain"), CheckOptions{FixFingerprints: true})
	if err != nil {
		t.Fatal(err)
	}
	served := int64(s.CommandCount("download-bytes") - before)
	if res.Matches != 2 || res.Differ != 1 || res.Paths(SymDiffer)[0] != "changed.txt" {
		t.Fatalf("got %+v", res.Lines)
	}
	if res.Sampled != 3 || res.SampledBytes != served {
		t.Errorf("got %d sampled files, %d bytes; server sent %d", res.Sampled, res.SampledBytes, served)
	}
	// Far less than the content: 20000 + 4 bytes are read whole (under
	// 32 KiB of gaps), the big file only in samples.
	if limit := int64(20000 + 4 + 64*1024); served > limit {
		t.Errorf("fetched %d bytes, want at most %d (content is %d)", served, limit, len(big)+20004)
	}
	if res.Fixed != 3 {
		t.Errorf("stored %d fingerprints, want 3", res.Fixed)
	}
	// Now stored: the second check fetches nothing, and the matched files
	// carry the local modification time.
	before = s.CommandCount("download-bytes")
	res, err = Check(ctx, local, NewMega(c, "mega", "/plain"), CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CommandCount("download-bytes") - before; got != 0 || res.Sampled != 0 {
		t.Errorf("second check fetched %d bytes for %d files, want 0", got, res.Sampled)
	}
	if res.Matches != 2 {
		t.Errorf("second check: got %+v", res.Lines)
	}
	e, _ := c.Stat(ctx, "/plain/big.txt")
	if !e.ModTimeKnown || !e.ModTime.Equal(mtime) {
		t.Errorf("big.txt: mtime %v known=%v, want %v", e.ModTime, e.ModTimeKnown, mtime)
	}
}
