package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

// Cmd builders. Each performs its I/O when Bubble Tea runs it, off the UI
// goroutine, and reports through a typed message; none touches App.

// listCmd lists dir and, off the UI goroutine, sorts it by the pane's sort
// key and finds its duplicate groups.
func listCmd(ctx context.Context, fs FS, pane int, seq uint64, dir, focus string, fold func(string) string,
	key model.SortKey, reverse bool) tea.Cmd {
	return func() tea.Msg {
		es, err := fs.List(ctx, dir)
		m := listingMsg{pane: pane, seq: seq, dir: dir, entries: es, err: err, focus: focus}
		if err == nil {
			s := model.SortEntries(es, key, reverse)
			m.sorted = &s
			m.dups = findDups(es, fold)
		}
		return m
	}
}

func quotaCmd(ctx context.Context, fs FS, q QuotaReporter) tea.Cmd {
	return func() tea.Msg {
		used, total, err := q.Quota(ctx)
		return quotaMsg{fs: fs, used: used, total: total, err: err}
	}
}

// watchCmd waits for the next change notification; App re-arms it.
// startWatchCmd starts watching fs inside the Cmd (a local watch sets up
// inotify: I/O that does not belong in Update), then waits for its first
// change.
func startWatchCmd(ctx context.Context, fs FS, w Watcher) tea.Cmd {
	return func() tea.Msg {
		ch := w.Watch(ctx)
		dir, ok := <-ch
		return fsChangedMsg{fs: fs, dir: dir, ch: ch, ok: ok}
	}
}

func watchCmd(fs FS, ch <-chan string) tea.Cmd {
	return func() tea.Msg {
		dir, ok := <-ch
		return fsChangedMsg{fs: fs, dir: dir, ch: ch, ok: ok}
	}
}

func mkdirCmd(ctx context.Context, fs FS, dir, name string) tea.Cmd {
	return func() tea.Msg {
		err := fs.Mkdir(ctx, dir, name)
		if err != nil {
			err = fmt.Errorf("create folder %q: %w", name, err)
		}
		return opResultMsg{what: "created folder " + name, err: err, refresh: []paneDir{{fs, dir}}, focus: name}
	}
}

func renameCmd(ctx context.Context, fs FS, dir, path, oldName, newName string) tea.Cmd {
	return func() tea.Msg {
		err := fs.Rename(ctx, path, newName)
		if err != nil {
			err = fmt.Errorf("rename %q: %w", oldName, err)
		}
		return opResultMsg{what: "renamed " + oldName + " to " + newName, err: err, refresh: []paneDir{{fs, dir}}, focus: newName}
	}
}

func removeCmd(ctx context.Context, fs FS, dir string, paths []string, permanent bool) tea.Cmd {
	return func() tea.Msg {
		var errs []error
		done := 0
		for _, p := range paths {
			if err := ctx.Err(); err != nil {
				errs = append(errs, err)
				break
			}
			if err := fs.Remove(ctx, p, permanent); err != nil {
				errs = append(errs, fmt.Errorf("delete %q: %w", p, err))
				continue
			}
			done++
		}
		what := fmt.Sprintf("deleted %d item(s)", done)
		if permanent {
			what = fmt.Sprintf("permanently deleted %d item(s)", done)
		} else if _, ok := fs.(RubbishBin); ok {
			what = fmt.Sprintf("moved %d item(s) to the Rubbish Bin", done)
		}
		return opResultMsg{what: what, err: errors.Join(errs...), refresh: []paneDir{{fs, dir}}}
	}
}

func restoreCmd(ctx context.Context, fs FS, rb RubbishBin, dir string, paths []string) tea.Cmd {
	return func() tea.Msg {
		var errs []error
		refresh := []paneDir{{fs, dir}}
		for _, p := range paths {
			to, err := rb.Restore(ctx, p)
			if err != nil {
				errs = append(errs, fmt.Errorf("restore %q: %w", p, err))
				continue
			}
			refresh = append(refresh, paneDir{fs, to})
		}
		what := fmt.Sprintf("restored %d item(s)", len(paths)-len(errs))
		return opResultMsg{what: what, err: errors.Join(errs...), refresh: refresh}
	}
}

func enqueueCmd(ctx context.Context, t Transfers, req TransferRequest, pane int) tea.Cmd {
	return func() tea.Msg {
		err := t.Enqueue(ctx, req)
		if err != nil {
			err = fmt.Errorf("queue %s: %w", req.Op, err)
		}
		return enqueuedMsg{pane: pane, op: req.Op, n: len(req.Sources), fs: req.SrcFS, dir: req.SrcDir, sources: req.Sources, err: err}
	}
}

func exportCmd(ctx context.Context, fs FS, ex Exporter, path, name string) tea.Cmd {
	return func() tea.Msg {
		link, err := ex.ExportLink(ctx, path)
		if err != nil {
			err = fmt.Errorf("export %q: %w", name, err)
		}
		return linkMsg{fs: fs, path: path, name: name, link: link, err: err}
	}
}

func removeLinkCmd(ctx context.Context, lr LinkRemover, path, name string) tea.Cmd {
	return func() tea.Msg {
		err := lr.RemoveLink(ctx, path)
		if err != nil {
			err = fmt.Errorf("remove the link of %q: %w", name, err)
		}
		return linkRemovedMsg{name: name, err: err}
	}
}

func quitCheckCmd(t Transfers) tea.Cmd {
	return func() tea.Msg { return quitCheckMsg{active: t.Active()} }
}

// snapshotCmd waits for the next queue snapshot; App re-arms it.
func snapshotCmd(ch <-chan transfers.Snapshot) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		return snapshotMsg{snap: s, ch: ch, ok: ok}
	}
}

// jobCtlCmd applies a control (pause, resume, ...) to jobs; label names
// them for people ("report.pdf", "200 files of Photos"), never by number.
func jobCtlCmd(what, label string, ids []model.JobID, f func(model.JobID) error) tea.Cmd {
	if len(ids) == 0 {
		return nil
	}
	return func() tea.Msg {
		var errs []error
		for _, id := range ids {
			if err := f(id); err != nil {
				errs = append(errs, err)
			}
		}
		err := errors.Join(errs...)
		if err != nil {
			err = fmt.Errorf("%s %s: %d of %d not changed: %w", what, label, len(errs), len(ids), errs[0])
		}
		return opResultMsg{what: what + " " + label, err: err}
	}
}

// sortCmd re-sorts a big folder off the UI goroutine; Listing.ApplySort
// drops stale results.
func sortCmd(pane int, job model.SortJob) tea.Cmd {
	return func() tea.Msg { return sortResultMsg{pane: pane, res: job.Run()} }
}

func filterCmd(pane int, job model.FilterJob) tea.Cmd {
	return func() tea.Msg { return filterResultMsg{pane: pane, res: job.Run()} }
}
