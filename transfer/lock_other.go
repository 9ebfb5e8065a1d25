//go:build !unix

package transfer

import (
	"fmt"
	"os"
)

// lockJournal creates the lock file exclusively where flock is missing; a
// stale lock file after a crash must then be removed by hand.
func lockJournal(path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return nil, fmt.Errorf("transfer journal %s is in use by another megatui process (or %s.lock is stale): %w", path, path, ErrJournalBusy)
	}
	return f, err
}
