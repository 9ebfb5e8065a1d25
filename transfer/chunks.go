package transfer

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"github.com/megatui/megatui/model"
)

// chunkRemote is implemented by remotes whose transfers can go on from
// their last finished chunk (megaclient.Client does). record receives
// the state to journal as it changes; see model.ChunkResume.
type chunkRemote interface {
	UploadResume(ctx context.Context, parentID, name string, src io.ReaderAt, size int64, mtime time.Time,
		prior model.ChunkResume, progress func(delta int64), record func(model.ChunkResume)) (model.Entry, error)
	DownloadResume(ctx context.Context, id string, dst io.WriterAt, prior model.ChunkResume,
		progress func(delta int64), record func(model.ChunkResume)) error
}

// chunkState is a job's chunk-level resume state, updated from the
// transfer's goroutines and journaled record by record.
type chunkState struct {
	mu  sync.Mutex
	cur model.ChunkResume
}

func (s *chunkState) get() model.ChunkResume {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cur
	c.Chunks = append([]model.ChunkDone(nil), c.Chunks...)
	return c
}

func (s *chunkState) merge(r model.ChunkResume) {
	s.mu.Lock()
	s.cur.Merge(r)
	s.mu.Unlock()
}

// hasChunks reports whether an earlier attempt left finished chunks.
func (s *chunkState) hasChunks() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.cur.Chunks) > 0
}

// recorder returns the record callback of one attempt of j: it keeps the
// state in memory (a retry in this run goes on from it) and journals it
// (a resume after a restart does).
func (e *Engine) recorder(j *job) func(model.ChunkResume) {
	return func(r model.ChunkResume) {
		j.chunks.merge(r)
		rr := r
		_ = e.journal.append(record{T: "chunks", Req: j.req.id, Key: j.key, Chunks: &rr})
	}
}

// resumableFile is the partial file of a download, throttled for
// writing when a bandwidth limit is set, and readable so that a resumed
// download can check the chunks it already holds.
type resumableFile struct {
	io.WriterAt
	f *os.File
}

func (r resumableFile) ReadAt(p []byte, off int64) (int, error) { return r.f.ReadAt(p, off) }

// sendFile uploads src for j, going on from j's finished chunks when the
// remote can.
func (e *Engine) sendFile(ctx context.Context, j *job, parent string, src io.ReaderAt, size int64, mtime time.Time) (model.Entry, error) {
	progress := func(n int64) { e.progress(j, n) }
	if cr, ok := e.opts.Remote.(chunkRemote); ok {
		return cr.UploadResume(ctx, parent, j.target, src, size, mtime, j.chunks.get(), progress, e.recorder(j))
	}
	return e.opts.Remote.Upload(ctx, parent, j.target, src, size, mtime, progress)
}

// fetchFile downloads file id for j into its partial file f (through w,
// which may throttle), going on from j's finished chunks when the remote
// can.
func (e *Engine) fetchFile(ctx context.Context, j *job, id string, f *os.File, w io.WriterAt) error {
	progress := func(n int64) { e.progress(j, n) }
	if cr, ok := e.opts.Remote.(chunkRemote); ok {
		return cr.DownloadResume(ctx, id, resumableFile{WriterAt: w, f: f}, j.chunks.get(), progress, e.recorder(j))
	}
	return e.opts.Remote.Download(ctx, id, w, progress)
}

// keepPartial reports whether a download's partial file should stay after
// an attempt failed with err: when it holds finished chunks a retry or a
// resume goes on from, unless the content failed its MAC or the job was
// cancelled.
func (e *Engine) keepPartial(j *job, err error) bool {
	if j.dir != model.Download || !j.chunks.hasChunks() || errors.Is(err, model.ErrIntegrity) {
		return false
	}
	e.mu.Lock()
	mj, _ := e.q.Get(j.id)
	e.mu.Unlock()
	return mj.State != model.StateCancelled
}
