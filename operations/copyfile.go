package operations

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/megatui/megatui/model"
)

// CopyFile copies the one file s of src into folder dir of dst under
// name (rclone's copyto), with Sync's rules: an identical file is left
// alone, a copy with only a different time gets its time set, a
// different one is replaced. With a JournalPath an interrupted copy of
// the same file is finished first (chunks already sent are kept).
func CopyFile(ctx context.Context, src Fs, s Object, dst Fs, dir model.Entry, name string, o SyncOptions) (SyncResult, error) {
	log := logger(o.Log)
	var res SyncResult
	eng, err := startEngine(ctx, o)
	if err != nil {
		return res, err
	}
	defer eng.stop()
	if n := eng.e.Resumed(); n > 0 {
		log.Log(LevelNotice, "", "resuming: finishing %d interrupted transfers first", n)
		res.Resumed = n
		if err := eng.wait(ctx, o.Progress); err != nil {
			return res, err
		}
	}
	existing, err := findChild(ctx, dst, dir, name)
	if err != nil && !(o.DryRun && errors.Is(err, model.ErrNotFound)) {
		return res, err
	}
	a := action{kind: "new", path: name, src: s, name: name}
	if existing != nil {
		if existing.Entry.IsDir() {
			return res, fmt.Errorf("%s: a folder has the target's name: %w", model.DisplayName(name), model.ErrExists)
		}
		got, fetched, err := compareForCopy(ctx, src, dst, s, *existing, o)
		res.SampledBytes = fetched
		if err != nil {
			return res, err
		}
		switch got.kind {
		case "identical":
			res.Identical++
			log.Log(LevelInfo, name, "Unchanged skipping")
			return res, finishJournal(eng, o, res)
		case "skip":
			res.Skipped++
			log.Log(LevelInfo, name, "%s", got.path)
			return res, finishJournal(eng, o, res)
		}
		got.path, got.name = name, name
		a = got
	}
	x := &executor{ctx: ctx, src: src, dst: dst, o: o, log: log, res: &res, dirs: map[string]model.Entry{"": dir}, eng: eng}
	err = x.run([]action{a})
	if err == nil && res.Failed > 0 {
		err = errors.New("copy failed")
	}
	if err == nil {
		err = finishJournal(eng, o, res)
	}
	return res, err
}

// findChild returns the entry called name in folder dir, if any (the
// first of same-name entries: a folder, else the oldest).
func findChild(ctx context.Context, f Fs, dir model.Entry, name string) (*Object, error) {
	es, err := f.List(ctx, dir.ID)
	if err != nil {
		return nil, err
	}
	var match []model.Entry
	for _, e := range es {
		if e.Name == name {
			match = append(match, e)
		}
	}
	if len(match) == 0 {
		return nil, nil
	}
	first := pickFirst(match, func(model.Entry) {})[0]
	return &Object{Path: name, Entry: first, Raw: name}, nil
}

// finishJournal removes the journal of a run that left nothing to resume.
func finishJournal(eng *engine, o SyncOptions, res SyncResult) error {
	if o.JournalPath == "" || o.DryRun || res.Failed > 0 {
		return nil
	}
	eng.stop()
	_ = os.Remove(o.JournalPath)
	_ = os.Remove(o.JournalPath + ".lock")
	return nil
}
