package ui

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/pane"
)

// DuplicateCounter is implemented by filesystems that can count the
// duplicate groups of the whole account (the header shows it next to the
// current folder's count). It is called from a Cmd, never from Update.
type DuplicateCounter interface {
	CountDuplicateGroups(ctx context.Context) (int, error)
}

// dupInfo is what an entry's badge needs: the group it belongs to.
type dupInfo struct {
	count     int // members of the group
	class     model.Similarity
	dir       bool // a group of folders
	collision bool // a case/normalisation collision, not a same-name group
}

// dupIndex holds the duplicate groups of one listing. It is computed once
// per listing load, inside the listing's Cmd, so neither Update nor View
// ever walks the whole folder to draw badges.
type dupIndex struct {
	groups     int                // same-name and collision groups in the folder
	collisions int                // of which collision groups
	byKey      map[string]dupInfo // model.EntryKey → group
}

// member returns e's group, if any.
func (d dupIndex) member(e model.Entry) (dupInfo, bool) {
	if len(d.byKey) == 0 {
		return dupInfo{}, false
	}
	i, ok := d.byKey[model.EntryKey(e)]
	return i, ok
}

// DiskFold returns the folding function megatui uses for collision groups:
// Unicode NFC normalisation plus full case folding, as macOS and Windows
// disks compare names. The returned function must not be shared between
// goroutines (a cases.Caser keeps state).
func DiskFold() func(string) string {
	c := cases.Fold()
	return func(s string) string {
		if isASCII(s) {
			return strings.ToLower(s) // NFC is the identity on ASCII; folding is lower-casing
		}
		return norm.NFC.String(c.String(norm.NFC.String(s)))
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// findDups groups the entries of one folder. fold nil means DiskFold.
func findDups(entries []model.Entry, fold func(string) string) dupIndex {
	if len(entries) < 2 {
		return dupIndex{}
	}
	if fold == nil {
		fold = DiskFold()
	}
	groups := model.FindDuplicates(entries, model.DetectOptions{Fold: fold})
	d := dupIndex{groups: len(groups)}
	if len(groups) == 0 {
		return d
	}
	d.byKey = make(map[string]dupInfo)
	for _, g := range groups {
		info := dupInfo{count: len(g.Members), class: g.Class, dir: g.Dir, collision: g.Kind == model.Collision}
		if info.collision {
			d.collisions++
		}
		for _, e := range g.Members {
			k := model.EntryKey(e)
			if old, ok := d.byKey[k]; ok && !old.collision {
				continue // a same-name group says more than a collision
			}
			d.byKey[k] = info
		}
	}
	return d
}

// dupBadge is the badge of an entry in pane i.
func (a *App) dupBadge(i int, e model.Entry) (pane.Badge, bool) {
	info, ok := a.dups[i].member(e)
	if !ok {
		return pane.Badge{}, false
	}
	n := fmt.Sprintf("×%d", info.count)
	switch {
	case info.collision:
		return pane.Badge{Long: fmt.Sprintf("≈%d name clash", info.count), Short: fmt.Sprintf("≈%d", info.count), Style: a.st.DupCollision}, true
	case info.dir:
		return pane.Badge{Long: n + " folders", Short: n, Style: a.st.DupFolder}, true
	}
	switch info.class {
	case model.Identical:
		return pane.Badge{Long: n + " identical", Short: n + "=", Style: a.st.DupIdentical}, true
	case model.SameSizeUnknown:
		return pane.Badge{Long: n + " same size", Short: n + "~", Style: a.st.DupSameSize}, true
	default:
		return pane.Badge{Long: n + " different", Short: n + "≠", Style: a.st.DupDifferent}, true
	}
}

// jumpToDuplicate moves the focused pane's cursor to the next (dir 1) or
// previous (dir -1) row that belongs to a duplicate group, wrapping.
func (a *App) jumpToDuplicate(dir int) {
	d := a.dups[a.focus]
	l := a.cur().Listing
	n := l.Len()
	if d.groups == 0 || n == 0 {
		a.setMessage(msgInfo, "no duplicates in this folder")
		return
	}
	for step := 1; step <= n; step++ {
		r := ((l.Cursor()+dir*step)%n + n) % n
		if _, ok := d.member(l.Row(r)); ok {
			l.SetCursor(r)
			return
		}
	}
	a.setMessage(msgInfo, "no duplicates among the entries shown")
}

// dupHeader summarises the focused pane's duplicates for the header.
func (a *App) dupHeader() string {
	d := a.dups[a.focus]
	acct, known := a.accountDups[a.fs[a.focus]]
	if d.groups == 0 && (!known || acct == 0) {
		return ""
	}
	groups := func(n int) string {
		if n == 1 {
			return "1 dup group"
		}
		return fmt.Sprintf("%d dup groups", n)
	}
	if d.groups == 0 {
		return "⧉ " + groups(acct) + " in account"
	}
	s := "⧉ " + groups(d.groups) + " here"
	if known {
		s += fmt.Sprintf(", %d in account", acct)
	}
	return s
}

// accountDupsMsg carries a filesystem's account-wide duplicate count.
type accountDupsMsg struct {
	fs  FS
	n   int
	err error
}

func countDupsCmd(ctx context.Context, fs FS, c DuplicateCounter) tea.Cmd {
	return func() tea.Msg {
		n, err := c.CountDuplicateGroups(ctx)
		return accountDupsMsg{fs: fs, n: n, err: err}
	}
}
