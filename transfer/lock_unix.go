//go:build unix

package transfer

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockJournal takes an exclusive advisory lock on the journal's lock file,
// so that two megatui processes never run (and duplicate) the same queue.
// The lock goes away with the process, even after kill -9.
func lockJournal(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock journal: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("transfer journal %s is in use by another megatui process: %w", path, ErrJournalBusy)
		}
		return nil, fmt.Errorf("lock journal: %w", err)
	}
	return f, nil
}
