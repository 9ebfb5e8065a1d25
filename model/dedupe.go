package model

import (
	"fmt"
	"strings"
)

// Mode is a dedupe strategy. The rclone modes keep rclone's meanings:
// every mode except list and identical first removes copies that are
// identical (equal size and fingerprint, or equal verified hash), keeping
// one, and then:
//
//	skip      leaves the remaining different copies alone
//	first     keeps the first copy (oldest upload; see DupGroup.Members)
//	newest    keeps the newest by original mtime, else upload time
//	oldest    keeps the oldest, likewise
//	largest   keeps the largest
//	smallest  keeps the smallest
//	rename    renames every remaining copy to name-1.ext, name-2.ext, …
//	list      changes nothing
//
// identical removes only copies whose content is verified identical
// (SHA-256; fingerprints too with PlanOptions.TrustFingerprints), keeping
// one, and nothing else. keep keeps the copy Choice.Keep names and removes
// the others.
//
// Duplicate folders are merged (children moved into the folder with most
// entries, or the kept one) in every mode except list and identical
// (which leaves folders alone), as rclone's dedupe does.
type Mode int

const (
	ModeSkip Mode = iota
	ModeFirst
	ModeNewest
	ModeOldest
	ModeLargest
	ModeSmallest
	ModeRename
	ModeList
	ModeIdentical
	ModeKeep
)

const numModes = ModeKeep + 1

func (m Mode) name() string {
	switch m {
	case ModeSkip:
		return "skip"
	case ModeFirst:
		return "first"
	case ModeNewest:
		return "newest"
	case ModeOldest:
		return "oldest"
	case ModeLargest:
		return "largest"
	case ModeSmallest:
		return "smallest"
	case ModeRename:
		return "rename"
	case ModeList:
		return "list"
	case ModeIdentical:
		return "identical"
	case ModeKeep:
		return "keep"
	}
	return ""
}

func (m Mode) String() string {
	if n := m.name(); n != "" {
		return n
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// ParseMode parses a mode name as used on the command line.
func ParseMode(s string) (Mode, error) {
	var all []string
	for m := range numModes {
		if m.name() == s {
			return m, nil
		}
		all = append(all, m.name())
	}
	return 0, fmt.Errorf("unknown dedupe mode %q (want one of %s)", s, strings.Join(all, ", "))
}

// MarshalText encodes the mode by name.
func (m Mode) MarshalText() ([]byte, error) {
	if m.name() == "" {
		return nil, fmt.Errorf("unknown dedupe mode %d", int(m))
	}
	return []byte(m.name()), nil
}

// UnmarshalText decodes a mode name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err == nil {
		*m = v
	}
	return err
}

// Choice is what to do with one group: a mode, and for ModeKeep the ID of
// the member to keep.
type Choice struct {
	Mode Mode   `json:"mode"`
	Keep string `json:"keep,omitempty"`
}

// Decision pairs a group with the choice made for it.
type Decision struct {
	Group  DupGroup
	Choice Choice
}

// ActionKind is what an action does to a node.
type ActionKind int

const (
	ActionTrash  ActionKind = iota // move to the Rubbish Bin
	ActionRename                   // rename in place to NewName
	ActionMove                     // move into NewParent, keeping the name
)

func (k ActionKind) name() string {
	switch k {
	case ActionTrash:
		return "trash"
	case ActionRename:
		return "rename"
	case ActionMove:
		return "move"
	}
	return ""
}

func (k ActionKind) String() string {
	if n := k.name(); n != "" {
		return n
	}
	return fmt.Sprintf("action(%d)", int(k))
}

// MarshalText encodes the action kind by name.
func (k ActionKind) MarshalText() ([]byte, error) {
	if k.name() == "" {
		return nil, fmt.Errorf("unknown action %d", int(k))
	}
	return []byte(k.name()), nil
}

// UnmarshalText decodes an action kind name.
func (k *ActionKind) UnmarshalText(b []byte) error {
	for v := ActionTrash; v <= ActionMove; v++ {
		if v.name() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}

// Action is one step of a plan. ID, Name and Parent describe the node as
// it was when planned.
type Action struct {
	Kind      ActionKind `json:"kind"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Parent    string     `json:"parent"`
	NewName   string     `json:"new_name,omitempty"`
	NewParent string     `json:"new_parent,omitempty"`
	// Group indexes Plan.Groups; -1 for actions outside any group (undo).
	Group  int    `json:"group"`
	Reason string `json:"reason"`
}

// String describes the action for a human, with names escaped.
func (a Action) String() string {
	var s string
	switch a.Kind {
	case ActionTrash:
		s = fmt.Sprintf("trash %q [%s]", DisplayName(a.Name), DisplayName(a.ID))
	case ActionRename:
		s = fmt.Sprintf("rename %q [%s] to %q", DisplayName(a.Name), DisplayName(a.ID), DisplayName(a.NewName))
	case ActionMove:
		s = fmt.Sprintf("move %q [%s] from [%s] to [%s]", DisplayName(a.Name), DisplayName(a.ID),
			DisplayName(a.Parent), DisplayName(a.NewParent))
	default:
		s = a.Kind.String()
	}
	if a.Reason != "" {
		s += ": " + a.Reason
	}
	return s
}
