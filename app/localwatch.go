package app

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// localWatch tells the UI which local folders changed (a file written,
// replaced, renamed or removed by megatui or any other program), so a
// pane shows the new size and time. It watches the folders listed last
// (the panes show them), not whole trees: a handful of inotify watches.
type localWatch struct {
	mu   sync.Mutex
	w    *fsnotify.Watcher // nil until Watch starts
	dirs []string          // followed folders, most recent last
}

// maxWatched bounds the folders watched at once.
const maxWatched = 8

// follow watches dir (just listed), dropping the least recent folder
// beyond maxWatched.
func (lw *localWatch) follow(dir string) {
	if lw == nil {
		return
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if i := slices.Index(lw.dirs, dir); i >= 0 {
		lw.dirs = slices.Delete(lw.dirs, i, i+1)
	} else if lw.w != nil {
		_ = lw.w.Add(dir) // a folder that cannot be watched is still listed
	}
	lw.dirs = append(lw.dirs, dir)
	if len(lw.dirs) > maxWatched {
		if lw.w != nil {
			_ = lw.w.Remove(lw.dirs[0])
		}
		lw.dirs = lw.dirs[1:]
	}
}

// watch starts watching and returns the changed folders, coalesced over
// a short quiet time so a burst of writes reloads a pane once. The channel
// closes when ctx ends (or at once when the system has no watcher).
func (lw *localWatch) watch(ctx context.Context) <-chan string {
	out := make(chan string, 8)
	if lw == nil {
		close(out)
		return out
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		close(out)
		return out
	}
	lw.mu.Lock()
	lw.w = w
	for _, d := range lw.dirs {
		_ = w.Add(d)
	}
	lw.mu.Unlock()
	go func() {
		defer close(out)
		defer func() {
			lw.mu.Lock()
			lw.w = nil
			lw.mu.Unlock()
			w.Close()
		}()
		const quiet = 250 * time.Millisecond
		pending := map[string]bool{}
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Op == fsnotify.Chmod {
					continue // atime and permission noise
				}
				pending[filepath.Dir(ev.Name)] = true
				timer.Reset(quiet)
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			case <-timer.C:
				for d := range pending {
					select {
					case out <- d:
					case <-ctx.Done():
						return
					}
				}
				clear(pending)
			}
		}
	}()
	return out
}
