package transfer

import (
	"context"
	"strings"

	"github.com/megatui/megatui/model"
)

// dirOnce is one remote folder being looked up or created; every job that
// needs it waits for the same result, so racing workers create it once.
type dirOnce struct {
	done chan struct{}
	id   string
	err  error
}

// remoteDir returns the handle of the folder rel below the request's
// destination, creating missing folders (each exactly once).
func (e *Engine) remoteDir(ctx context.Context, r *reqRun, rel string) (string, error) {
	id := r.req.DstDir.Entry.ID
	if rel == "" || id == "" { // no id: a dry run into a folder still to create
		return id, nil
	}
	for _, part := range strings.Split(rel, "/") {
		var err error
		id, err = e.childDir(ctx, id, part)
		if err != nil || id == "" { // "" in a dry run: not there yet
			return "", err
		}
	}
	return id, nil
}

func (e *Engine) childDir(ctx context.Context, parent, name string) (string, error) {
	key := parent + "\x00" + name
	e.dirMu.Lock()
	if d, ok := e.dirs[key]; ok {
		e.dirMu.Unlock()
		select {
		case <-d.done:
			return d.id, d.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	d := &dirOnce{done: make(chan struct{})}
	e.dirs[key] = d
	e.dirMu.Unlock()

	d.id, d.err = e.findOrMkdir(ctx, parent, name)
	if d.err != nil {
		// Let a later attempt try again.
		e.dirMu.Lock()
		delete(e.dirs, key)
		e.dirMu.Unlock()
	}
	close(d.done)
	return d.id, d.err
}

// findOrMkdir reuses an existing folder called name (merging, as rclone
// does) or creates it. Transient failures are retried here; a create whose
// reply was lost is found by the lookup of the next attempt, so the folder
// is never created twice.
func (e *Engine) findOrMkdir(ctx context.Context, parent, name string) (string, error) {
	var id string
	err := e.retryCall(ctx, func() error {
		ents, err := e.opts.Remote.Lookup(ctx, parent, name)
		if err != nil {
			return err
		}
		for _, en := range ents {
			if en.Kind == model.KindDir {
				id = en.ID
				return nil
			}
		}
		if e.opts.DryRun {
			return nil
		}
		en, err := e.opts.Remote.Mkdir(ctx, parent, name)
		if err != nil {
			return err
		}
		id = en.ID
		return nil
	})
	return id, err
}

// retryCall runs f, retrying transient failures with backoff.
func (e *Engine) retryCall(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c := classify(err)
		if c == classIntegrity || !e.retry.retryable(attempt, c) {
			return err
		}
		if err := sleepCtx(ctx, e.retry.delay(attempt, c)); err != nil {
			return err
		}
	}
}
