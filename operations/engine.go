package operations

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/transfer"
)

// engine runs a run's transfers on the transfer engine.
type engine struct {
	e      *transfer.Engine
	cancel context.CancelFunc
	done   bool
}

func startEngine(ctx context.Context, o SyncOptions) (*engine, error) {
	workers := o.Transfers
	if workers <= 0 {
		workers = 4
	}
	opts := transfer.Options{Workers: workers, Conflict: model.ConflictOverwrite, BandwidthLimit: o.BandwidthLimit, BandwidthSchedule: o.BandwidthSchedule, Remote: o.Remote}
	if !o.DryRun {
		opts.JournalPath = o.JournalPath
	}
	ectx, cancel := context.WithCancel(ctx)
	e := transfer.New(opts)
	if err := e.Start(ectx); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		for range e.Events() {
		}
	}()
	return &engine{e: e, cancel: cancel}, nil
}

func (g *engine) stop() {
	if g == nil || g.done {
		return
	}
	g.done = true
	g.cancel()
	_ = g.e.Wait()
}

// wait returns once no job is left, calling progress about twice a
// second meanwhile.
func (g *engine) wait(ctx context.Context, progress func(model.Totals, []model.Job)) error {
	idle := make(chan error, 1)
	go func() { idle <- g.e.WaitIdle(ctx) }()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-idle:
			if progress != nil {
				progress(g.e.Totals(), nil)
			}
			return err
		case <-tick.C:
			if progress != nil {
				var running []model.Job
				for _, j := range g.e.Snapshot() {
					// Waiting jobs too: the caller shows a transfer-quota
					// countdown from them.
					if j.State == model.StateRunning || j.State == model.StateWaiting {
						running = append(running, j)
					}
				}
				progress(g.e.Totals(), running)
			}
		}
	}
}

// display names a path of a tree for the transfer list.
func display(f Fs, rel string) string {
	switch t := f.(type) {
	case *Mega:
		root := t.root
		if rel != "" {
			root = join(trimSlash(root), rel)
		}
		return t.remote + ":" + root
	case *Local:
		return filepath.Join(t.root, filepath.FromSlash(rel))
	}
	return rel
}

func trimSlash(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	if s == "/" {
		return ""
	}
	return s
}

func endpoint(f Fs, rel string, e model.Entry) transfer.Endpoint {
	if f.Remote() {
		return transfer.Endpoint{Remote: true, Path: display(f, rel), Entry: e}
	}
	return transfer.Endpoint{Path: e.ID}
}

// transfer copies the queued files, each as its own request replacing a
// different existing file, and counts the outcome of each.
func (x *executor) transfer(queued []action) error {
	byGroup := map[string]action{}
	for _, a := range queued {
		dir, err := x.dir(parentRel(a.path))
		if err != nil {
			return err
		}
		req := transfer.Request{
			Src:      endpoint(x.src, a.path, a.src.Entry),
			DstDir:   endpoint(x.dst, parentRel(a.path), dir),
			Op:       model.OpCopy,
			Name:     a.targetName(),
			Conflict: model.ConflictOverwrite,
		}
		id, err := x.eng.e.Enqueue(req)
		if err != nil {
			x.log.Log(LevelError, a.path, "failed to queue: %v", err)
			x.res.Failed++
			continue
		}
		byGroup[id] = a
	}
	if err := x.eng.wait(x.ctx, x.o.Progress); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, j := range x.eng.e.Snapshot() {
		a, ok := byGroup[j.Group]
		if !ok || seen[j.Group] {
			continue
		}
		seen[j.Group] = true
		switch j.State {
		case model.StateDone:
			x.count(a)
			if a.kind == "new" {
				x.log.Log(LevelInfo, a.path, "Copied (new)")
			} else {
				x.log.Log(LevelInfo, a.path, "Copied (replaced existing)")
			}
		case model.StateSkipped:
			x.res.Identical++
			x.log.Log(LevelDebug, a.path, "%s", j.Reason)
		default:
			x.res.Failed++
			reason := j.Err
			if reason == "" {
				reason = fmt.Sprint(j.State)
			}
			x.log.Log(LevelError, a.path, "failed to copy: %s", reason)
		}
	}
	for id, a := range byGroup {
		if !seen[id] {
			x.res.Failed++
			x.log.Log(LevelError, a.path, "failed to copy: the transfer did not run")
		}
	}
	x.eng.e.RemoveFinished()
	return nil
}
