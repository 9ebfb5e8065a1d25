package localfs

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/megatui/megatui/model"
)

// Translate is the translation other packages (the transfer engine) use on
// errors of their own OS calls: the sentinel is added, the OS error kept.
func TestTranslate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, notExist := os.Open(filepath.Join(dir, "missing"))
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, notDir := os.Open(filepath.Join(file, "below"))
	exist := os.Mkdir(dir, 0o700)
	notEmpty := &os.PathError{Op: "rmdir", Path: dir, Err: syscall.ENOTEMPTY}
	readOnly := &os.PathError{Op: "open", Path: dir, Err: syscall.EROFS}
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"not found", notExist, model.ErrNotFound},
		{"exists", exist, model.ErrExists},
		{"not empty", notEmpty, model.ErrExists},
		{"read-only", readOnly, model.ErrPermission},
		{"not a folder", notDir, model.ErrNotDir},
		{"cancelled", context.Canceled, model.ErrCancelled},
		{"disk full", &os.PathError{Op: "write", Path: file, Err: syscall.ENOSPC}, model.ErrDiskFull},
		{"over disk quota", &os.PathError{Op: "write", Path: file, Err: syscall.EDQUOT}, model.ErrDiskFull},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Translate(tc.err)
			if !errors.Is(got, tc.want) || !errors.Is(got, tc.err) {
				t.Errorf("Translate(%v) = %v, want it to wrap %v and the OS error", tc.err, got, tc.want)
			}
		})
	}
	if got := Translate(nil); got != nil {
		t.Errorf("Translate(nil) = %v, want nil", got)
	}
	if got := Translate(io.ErrUnexpectedEOF); got != io.ErrUnexpectedEOF {
		t.Errorf("Translate(an error of no known kind) = %v, want it unchanged", got)
	}
	if got := Translate(model.ErrNotFound); got != model.ErrNotFound {
		t.Errorf("Translate(a sentinel) = %v, want it unchanged", got)
	}
}
