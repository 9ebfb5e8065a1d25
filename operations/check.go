package operations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/megatui/megatui/filter"
	"github.com/megatui/megatui/model"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// Download compares the decrypted content instead of fingerprints.
	Download bool
	// SizeOnly compares sizes only.
	SizeOnly bool
	// OneWay skips files that are only in the destination.
	OneWay bool
	// FixFingerprints stores the computed fingerprint as `c` on MEGA
	// files that had none.
	FixFingerprints bool
	// Checkers is how many files are compared at once (default 8).
	Checkers int
	Filter   *filter.Filter
	Log      Logger
}

// Symbols of rclone's combined report.
const (
	SymMatch        = '='
	SymMissingOnSrc = '-' // only in the destination
	SymMissingOnDst = '+' // only in the source
	SymDiffer       = '*'
	SymError        = '!'
)

// CheckLine is one file of the combined report.
type CheckLine struct {
	Sym    byte
	Path   string
	Reason string // why it differs or failed
}

// CheckResult is what Check found.
type CheckResult struct {
	Lines                                                     []CheckLine // by path
	Matches, Differ, MissingOnSrc, MissingOnDst, Errors, Dups int
	// Sampled counts MEGA files without a stored fingerprint whose
	// fingerprint was computed from fetched samples; SampledBytes is
	// the content that travelled for them. Downloaded is the content
	// compared with Download.
	Sampled                  int
	SampledBytes, Downloaded int64
	// Fixed counts the fingerprints stored with FixFingerprints.
	Fixed int
}

// Differences is rclone's count of differences: everything that is not a
// match.
func (r CheckResult) Differences() int {
	return r.Differ + r.MissingOnSrc + r.MissingOnDst + r.Errors
}

// Paths returns the paths of the lines with symbol sym.
func (r CheckResult) Paths(sym byte) []string {
	var out []string
	for _, l := range r.Lines {
		if l.Sym == sym {
			out = append(out, l.Path)
		}
	}
	return out
}

// Check compares the files of two trees: size, then MEGA's fingerprint
// (sparse CRC) and modification time, without downloading anything except
// the samples of MEGA files stored without a fingerprint; with Download
// the content itself. Folders are not compared. It logs each difference
// as rclone does and returns the full report; an error means a tree
// could not be walked.
func Check(ctx context.Context, src, dst Fs, o CheckOptions) (CheckResult, error) {
	log := logger(o.Log)
	sl, dl, err := walkBoth(ctx, src, dst, WalkOptions{Filter: o.Filter})
	if err != nil {
		return CheckResult{}, err
	}
	var res CheckResult
	for _, d := range append(sl.Duplicates, dl.Duplicates...) {
		res.Dups++
		log.Log(LevelNotice, d.Path, "duplicate name: only the first is checked (megatui dedupe resolves it)")
	}
	type pair struct{ s, d Object }
	var pairs []pair
	var lines []CheckLine
	for _, p := range sl.FilePaths() {
		s := sl.Files[p]
		d, ok := dl.Files[p]
		if !ok {
			lines = append(lines, CheckLine{Sym: SymMissingOnDst, Path: p})
			log.Log(LevelError, p, "file not in %s", dst)
			continue
		}
		pairs = append(pairs, pair{s, d})
	}
	if !o.OneWay {
		for _, p := range dl.FilePaths() {
			if _, ok := sl.Files[p]; !ok {
				lines = append(lines, CheckLine{Sym: SymMissingOnSrc, Path: p})
				log.Log(LevelError, p, "file not in %s", src)
			}
		}
	}
	ck := &checker{src: src, dst: dst, o: o, log: log}
	results := make([]CheckLine, len(pairs))
	workers := o.Checkers
	if workers <= 0 {
		workers = 8
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(pairs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = ck.compare(ctx, pairs[i].s, pairs[i].d)
			}
		}()
	}
feed:
	for i := range pairs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return CheckResult{}, err
	}
	lines = append(lines, results...)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Path < lines[j].Path })
	res.Lines = lines
	for _, l := range lines {
		switch l.Sym {
		case SymMatch:
			res.Matches++
		case SymDiffer:
			res.Differ++
		case SymMissingOnDst:
			res.MissingOnDst++
		case SymMissingOnSrc:
			res.MissingOnSrc++
		case SymError:
			res.Errors++
		}
	}
	res.Sampled = int(ck.sampled.Load())
	res.SampledBytes = ck.sampledBytes.Load()
	res.Downloaded = ck.downloaded.Load()
	res.Fixed = int(ck.fixed.Load())
	if res.MissingOnDst > 0 {
		log.Log(LevelNotice, dst.String(), "%d files missing", res.MissingOnDst)
	}
	if res.MissingOnSrc > 0 {
		log.Log(LevelNotice, src.String(), "%d files missing", res.MissingOnSrc)
	}
	log.Log(LevelNotice, dst.String(), "%d differences found", res.Differences())
	if res.Errors > 0 {
		log.Log(LevelNotice, dst.String(), "%d errors while checking", res.Errors)
	}
	if res.Sampled > 0 {
		log.Log(LevelNotice, "", "%d files had no fingerprint: computed from %d bytes of samples", res.Sampled, res.SampledBytes)
	}
	if res.Fixed > 0 {
		log.Log(LevelNotice, "", "stored the fingerprint of %d files", res.Fixed)
	}
	if o.Download {
		log.Log(LevelInfo, "", "%d bytes downloaded to compare", res.Downloaded)
	}
	if res.Matches > 0 {
		log.Log(LevelNotice, dst.String(), "%d matching files", res.Matches)
	}
	return res, nil
}

type checker struct {
	src, dst     Fs
	o            CheckOptions
	log          Logger
	sampled      atomic.Int64
	sampledBytes atomic.Int64
	downloaded   atomic.Int64
	fixed        atomic.Int64
}

func (ck *checker) compare(ctx context.Context, s, d Object) CheckLine {
	line := func(sym byte, reason string) CheckLine {
		switch sym {
		case SymMatch:
			ck.log.Log(LevelDebug, s.Path, "OK")
		case SymDiffer, SymError:
			ck.log.Log(LevelError, s.Path, "%s", reason)
		}
		return CheckLine{Sym: sym, Path: s.Path, Reason: reason}
	}
	if s.Entry.Size != d.Entry.Size {
		return line(SymDiffer, "sizes differ")
	}
	if ck.o.SizeOnly {
		return line(SymMatch, "")
	}
	if ck.o.Download {
		same, err := ck.sameContent(ctx, s.Entry, d.Entry)
		switch {
		case err != nil:
			return line(SymError, "failed to compare: "+err.Error())
		case !same:
			return line(SymDiffer, "contents differ")
		}
		return line(SymMatch, "")
	}
	sfp, sStored, err := ck.fingerprint(ctx, ck.src, s)
	if err != nil {
		return line(SymError, "failed to fingerprint the source: "+err.Error())
	}
	dfp, dStored, err := ck.fingerprint(ctx, ck.dst, d)
	if err != nil {
		return line(SymError, "failed to fingerprint the destination: "+err.Error())
	}
	same := sfp.SameContent(dfp)
	if ck.o.FixFingerprints {
		ck.fix(ctx, ck.src, s, sfp, sStored, d, same)
		ck.fix(ctx, ck.dst, d, dfp, dStored, s, same)
	}
	if !same {
		return line(SymDiffer, "fingerprints differ")
	}
	if s.Entry.ModTimeKnown && d.Entry.ModTimeKnown && !sameSecond(s.Entry.ModTime, d.Entry.ModTime) {
		return line(SymDiffer, "modification times differ (fingerprints match: --download compares the content)")
	}
	return line(SymMatch, "")
}

func (ck *checker) fingerprint(ctx context.Context, f Fs, o Object) (model.Fingerprint, bool, error) {
	fp, stored, fetched, err := f.Fingerprint(ctx, o.Entry)
	if f.Remote() && !stored {
		ck.sampled.Add(1)
		ck.sampledBytes.Add(fetched)
		if err == nil {
			ck.log.Log(LevelInfo, o.Path, "no fingerprint stored: computed from %d bytes of samples", fetched)
		}
	}
	return fp, stored, err
}

// fix stores a computed fingerprint on a MEGA file that had none. Its
// modification time is the other side's when the content matched (the
// best knowledge of the original time), else the upload time.
func (ck *checker) fix(ctx context.Context, f Fs, o Object, fp model.Fingerprint, stored bool, other Object, same bool) {
	if stored || !f.Remote() {
		return
	}
	if same && other.Entry.ModTimeKnown {
		fp.ModTime = other.Entry.ModTime
	}
	if err := f.SetModTime(ctx, o.Entry, fp); err != nil {
		ck.log.Log(LevelError, o.Path, "failed to store the fingerprint: %v", err)
		return
	}
	ck.fixed.Add(1)
	ck.log.Log(LevelInfo, o.Path, "fingerprint stored")
}

// sameContent compares two files byte for byte: one side is streamed
// (a MEGA side when there is one, so its MAC is verified) and compared
// with reads of the other at the same offsets.
func (ck *checker) sameContent(ctx context.Context, s, d model.Entry) (bool, error) {
	streamer, se, other, oe := ck.src, s, ck.dst, d
	if !streamer.Remote() && other.Remote() {
		streamer, se, other, oe = other, oe, streamer, se
	}
	r, err := other.Open(ctx, oe)
	if err != nil {
		return false, err
	}
	defer r.Close()
	w := &compareWriter{other: r}
	err = streamer.Stream(ctx, se, w)
	ck.downloaded.Add(w.bytes.Load())
	if w.differ.Load() {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

var errContentDiffers = errors.New("content differs")

// compareWriter is an io.WriterAt that compares what is written with
// the other file at the same offset (chunks may come in any order).
type compareWriter struct {
	other  io.ReaderAt
	bytes  atomic.Int64
	differ atomic.Bool
}

func (w *compareWriter) WriteAt(p []byte, off int64) (int, error) {
	w.bytes.Add(int64(len(p)))
	buf := make([]byte, len(p))
	n, err := w.other.ReadAt(buf, off)
	if n != len(p) || !bytes.Equal(buf, p) {
		w.differ.Store(true)
		return 0, fmt.Errorf("at offset %d: %w", off, errContentDiffers)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	return len(p), nil
}
