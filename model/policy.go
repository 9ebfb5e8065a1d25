package model

import (
	"fmt"
	"strings"
)

// Conflict says what a transfer does when the target name already exists
// and the existing item is not identical to the new one (identical files,
// same size and same fingerprint or modification time, are always
// skipped). The same policy is read from the config file, chosen in the
// copy dialog, given to the CLI's --conflict and applied by the engine.
//
// The numbers are stored in transfer journals: never reorder them.
type Conflict int

const (
	// ConflictDefault means "whatever the default is where it is used"
	// (the engine's configured policy, for a request).
	ConflictDefault Conflict = iota
	// ConflictSkip leaves the existing item alone and skips the job.
	ConflictSkip
	// ConflictOverwrite replaces the existing item. On MEGA the new file
	// is stored first and the old one then moved to the Rubbish Bin, so
	// there is never a moment with zero copies.
	ConflictOverwrite
	// ConflictRename keeps both, giving the new item a free name
	// ("name (1).ext").
	ConflictRename
	// ConflictAsk parks the job until the user answers with one of the
	// other three.
	ConflictAsk
)

// ConflictChoices are the policies a user picks from, in the order they
// are offered.
func ConflictChoices() []Conflict {
	return []Conflict{ConflictSkip, ConflictOverwrite, ConflictRename, ConflictAsk}
}

func (c Conflict) String() string {
	switch c {
	case ConflictDefault:
		return "default"
	case ConflictSkip:
		return "skip"
	case ConflictOverwrite:
		return "overwrite"
	case ConflictRename:
		return "rename"
	case ConflictAsk:
		return "ask"
	}
	return fmt.Sprintf("conflict(%d)", int(c))
}

// ParseConflict parses "skip", "overwrite", "rename" (or "keep-both") or
// "ask", in any case.
func ParseConflict(s string) (Conflict, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "skip":
		return ConflictSkip, nil
	case "overwrite":
		return ConflictOverwrite, nil
	case "rename", "keep-both", "keep both":
		return ConflictRename, nil
	case "ask":
		return ConflictAsk, nil
	}
	return ConflictDefault, fmt.Errorf("unknown conflict policy %q (want skip, overwrite, rename or ask)", s)
}

// Op says whether a transfer copies or moves.
//
// The numbers are stored in transfer journals: never reorder them.
type Op int

const (
	// OpDefault is what a journaled request meant before Op existed: MEGA
	// to MEGA a server-side move, every other pair of sides a copy.
	OpDefault Op = iota
	// OpCopy copies.
	OpCopy
	// OpMove copies, then removes each source once its copy is done and
	// verified (MEGA to MEGA on one account: a server-side move).
	OpMove
)

func (o Op) String() string {
	switch o {
	case OpDefault:
		return "default"
	case OpCopy:
		return "copy"
	case OpMove:
		return "move"
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// ParseOp parses "copy" or "move", in any case.
func ParseOp(s string) (Op, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "copy":
		return OpCopy, nil
	case "move":
		return OpMove, nil
	}
	return OpDefault, fmt.Errorf("unknown operation %q (want copy or move)", s)
}
