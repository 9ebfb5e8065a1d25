package model

// JournalEntry records one applied action with the node's original
// parent and name.
type JournalEntry struct {
	Kind      ActionKind `json:"kind"`
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Parent    string     `json:"parent"`
	NewName   string     `json:"new_name,omitempty"`
	NewParent string     `json:"new_parent,omitempty"`
}

// Journal is the undo record of one dedupe run, in the order applied.
type Journal struct {
	Entries []JournalEntry `json:"entries"`
}

// Record appends an applied action.
func (j *Journal) Record(a Action) {
	j.Entries = append(j.Entries, JournalEntry{Kind: a.Kind, ID: a.ID, Name: a.Name, Parent: a.Parent,
		NewName: a.NewName, NewParent: a.NewParent})
}

// NewJournal records the actions that were applied.
func NewJournal(applied []Action) Journal {
	var j Journal
	for _, a := range applied {
		j.Record(a)
	}
	return j
}

// Undo returns the plan that reverses the journal, newest first: trashed
// nodes move back to their original folder (restoring a merged folder
// before its children move back into it), renamed nodes get their name
// back, moved nodes return to their original folder. It never trashes.
func (j Journal) Undo() Plan {
	var p Plan
	for i := len(j.Entries) - 1; i >= 0; i-- {
		e := j.Entries[i]
		a := Action{ID: e.ID, Name: e.Name, Group: -1}
		switch e.Kind {
		case ActionTrash:
			a.Kind, a.NewParent = ActionMove, e.Parent
			a.Reason = "restore from the Rubbish Bin to its original folder"
		case ActionRename:
			a.Kind, a.Name, a.Parent, a.NewName = ActionRename, e.NewName, e.Parent, e.Name
			a.Reason = "restore the original name"
		case ActionMove:
			a.Kind, a.Parent, a.NewParent = ActionMove, e.NewParent, e.Parent
			a.Reason = "move back to its original folder"
		default:
			continue
		}
		p.Actions = append(p.Actions, a)
	}
	return p
}
