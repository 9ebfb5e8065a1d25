package ui

import (
	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

// snapshotMsg carries a queue snapshot from the transfer engine.
type snapshotMsg struct {
	snap transfers.Snapshot
	ch   <-chan transfers.Snapshot
	ok   bool // false once the channel is closed
}

// Messages produced by App's Cmds. Results of filesystem calls carry the
// pane and the request sequence they answer, so stale results are dropped.

// listingMsg is the answer to a List call.
type listingMsg struct {
	pane    int
	seq     uint64
	dir     string
	entries []model.Entry
	err     error
	focus   string // name to put the cursor on (the folder we came from)
	// sorted is entries already ordered (in the Cmd) by the sort key the
	// pane had when the request was made; nil means sort on arrival.
	sorted *model.Sorted
	dups   dupIndex
}

// opResultMsg reports a finished mkdir/rename/delete/restore.
type opResultMsg struct {
	what    string // "created docs", "renamed a to b", ...
	err     error
	refresh []paneDir // panes to reload if they still show these folders
	focus   string    // name to select in the focused pane after reload
}

// paneDir names a folder of a filesystem to refresh.
type paneDir struct {
	fs  FS
	dir string
}

// enqueuedMsg reports that a copy/move request reached the queue. It
// names its sources (entries of dir on fs), whose marks it clears.
type enqueuedMsg struct {
	pane    int // the source pane
	op      model.Op
	n       int
	fs      FS
	dir     string
	sources []model.Entry
	err     error
}

// quotaMsg carries the storage quota of fs, asked for pane; it is dropped
// if the pane shows another filesystem by the time it arrives.
type quotaMsg struct {
	fs          FS
	used, total int64
	err         error
}

// fsChangedMsg reports that a watched filesystem changed.
type fsChangedMsg struct {
	fs  FS
	dir string
	ch  <-chan string
	ok  bool // false once the channel is closed
}

// linkMsg carries an exported public link and the filesystem it is of.
type linkMsg struct {
	fs               FS
	path, name, link string
	err              error
}

// linkRemovedMsg reports the removal of a public link.
type linkRemovedMsg struct {
	name string
	err  error
}

// quitCheckMsg answers "are transfers running?" when the user quits.
type quitCheckMsg struct{ active int }

// Dialog outcomes.
type (
	transferConfirmedMsg struct {
		reqs []TransferRequest // one per source folder
		pane int
	}
	deleteConfirmedMsg struct {
		pane      int
		paths     []string
		permanent bool
	}
	renameSubmitMsg struct {
		pane    int
		path    string
		oldName string
		newName string
	}
	mkdirSubmitMsg struct {
		pane int
		name string
	}
	gotoSubmitMsg    struct{ path string }
	patternSubmitMsg struct {
		pattern string
		on      bool
	}
	copyLinkMsg   struct{ link string }
	removeLinkMsg struct {
		fs         FS // where the link was made, whichever pane has focus now
		path, name string
	}
	switchFSMsg   struct{ pane, fs int }
	linkSubmitMsg struct {
		pane int
		link string
	}
	quitConfirmedMsg    struct{}
	restoreConfirmedMsg struct {
		pane  int
		paths []string
	}
)

// filterResultMsg carries the matches of a filter computed off the UI
// goroutine (big folders); Listing.ApplyFilter drops stale ones.
type filterResultMsg struct {
	pane int
	res  model.FilterResult
}

// sortResultMsg carries a big folder re-sorted off the UI goroutine;
// Listing.ApplySort drops stale ones.
type sortResultMsg struct {
	pane int
	res  model.SortResult
}
