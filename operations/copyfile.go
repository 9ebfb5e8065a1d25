package operations

import (
	"context"
	"errors"
	"fmt"

	"github.com/megatui/megatui/model"
)

// CopyFile copies the one file s of src into folder dir of dst under
// name (rclone's copyto), with Sync's rules: an identical file is left
// alone, a copy with only a different time gets its time set, a
// different one is replaced. existing is the file already at the target,
// if any.
func CopyFile(ctx context.Context, src Fs, s Object, dst Fs, dir model.Entry, name string, existing *Object, o SyncOptions) (SyncResult, error) {
	log := logger(o.Log)
	var res SyncResult
	a := action{kind: "new", path: name, src: s}
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
			return res, nil
		case "skip":
			res.Skipped++
			log.Log(LevelInfo, name, "%s", got.path)
			return res, nil
		}
		got.path = name
		a = got
	}
	eng, err := startEngine(ctx, o)
	if err != nil {
		return res, err
	}
	defer eng.stop()
	x := &executor{ctx: ctx, src: src, dst: dst, o: o, log: log, res: &res, dirs: map[string]model.Entry{"": dir}, eng: eng}
	err = x.run([]action{a})
	if err == nil && res.Failed > 0 {
		err = errors.New("copy failed")
	}
	return res, err
}
