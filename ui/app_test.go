package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

func TestInitialListing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	want := []string{"docs", "photos", "a.txt", "b.txt", "c.jpg", "evil\x1b[31mred.txt", "日本語ファイル.txt"}
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Errorf("left: got %q, want %q", got, want)
	}
	if got := h.rows(1); !slices.Equal(got, []string{"notes.md", "report.pdf"}) {
		t.Errorf("right: got %q", got)
	}
}

func TestNavigation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	steps := []struct {
		keys    []string
		wantDir string
		wantCur string
	}{
		{[]string{"down"}, "/home/u", "photos"},
		{[]string{"j", "j"}, "/home/u", "b.txt"},
		{[]string{"k"}, "/home/u", "a.txt"},
		{[]string{"end"}, "/home/u", "日本語ファイル.txt"},
		{[]string{"home"}, "/home/u", "docs"},
		{[]string{"G"}, "/home/u", "日本語ファイル.txt"},
		{[]string{"g"}, "/home/u", "docs"},
		{[]string{"pgdown"}, "/home/u", "日本語ファイル.txt"},
		{[]string{"pgup"}, "/home/u", "docs"},
		{[]string{"enter"}, "/home/u/docs", "inner.txt"},
		{[]string{"backspace"}, "/home/u", "docs"}, // cursor lands on the folder we left
		{[]string{"down", "l"}, "/home/u/photos", ""},
		{[]string{"h"}, "/home/u", "photos"},
		{[]string{"left"}, "/home", "u"},
		{[]string{"right"}, "/home/u", "photos"},        // cursor remembered per folder
		{[]string{"down", "enter"}, "/home/u", "a.txt"}, // enter on a file stays
	}
	for i, s := range steps {
		h.press(s.keys...)
		l := h.app.Pane(0)
		if l.Dir() != s.wantDir || h.current() != s.wantCur {
			t.Fatalf("step %d %v: got %s %q, want %s %q", i, s.keys, l.Dir(), h.current(), s.wantDir, s.wantCur)
		}
	}
	if !strings.Contains(h.app.Message(), "not a folder") {
		t.Errorf("got message %q, want a not-a-folder note", h.app.Message())
	}
}

func TestSwitchPaneAndGoTo(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab")
	if h.app.Focus() != 1 || h.current() != "notes.md" {
		t.Fatalf("got focus %d on %q, want 1 on notes.md", h.app.Focus(), h.current())
	}
	h.press(":")
	for range len("/Cloud") {
		h.press("backspace")
	}
	h.typeText("/")
	h.press("enter")
	if got := h.app.Pane(1).Dir(); got != "/" {
		t.Errorf("go to: got %s, want /", got)
	}
	h.press("tab")
	if h.app.Focus() != 0 {
		t.Errorf("got focus %d, want 0", h.app.Focus())
	}
}

func TestListingErrorKeepsOldListing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.local.failList["/home/u/docs"] = model.ErrPermission
	h.press("enter")
	if got := h.app.Pane(0).Dir(); got != "/home/u" {
		t.Errorf("got dir %s, want /home/u kept", got)
	}
	if !strings.Contains(h.app.Message(), "permission denied") {
		t.Errorf("got message %q, want permission denied", h.app.Message())
	}
}

func TestStaleListingDropped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	// An old answer for pane 0 arrives after a newer request was made.
	old := h.app.seq[0]
	h.press("enter") // newer request: /home/u/docs
	h.send(listingMsg{pane: 0, seq: old, dir: "/stale", entries: []model.Entry{{Name: "zzz"}}})
	if got := h.app.Pane(0).Dir(); got != "/home/u/docs" {
		t.Errorf("got dir %s, want the newer listing", got)
	}
}

func TestSlowListingNeverOverwritesNewer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	gate := make(chan struct{})
	h.local.block["/home/u/docs"] = gate
	// Start the slow listing by hand so the test controls when it returns.
	_, slow := h.app.Update(keyMsg("enter"))
	h.press("down", "down") // still in /home/u: the listing has not arrived
	h.press("tab", "tab")
	h.app.Update(keyMsg("ctrl+r")) // a newer request for the same pane, not run yet
	close(gate)
	msg := slow()
	h.send(msg)
	if got := h.app.Pane(0).Dir(); got != "/home/u" {
		t.Errorf("got dir %s, want /home/u (the slow answer is stale)", got)
	}
}

func TestSelection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		keys  []string
		text  string // typed into a dialog, then enter
		want  []string
		count int
	}{
		{"space marks and moves down", []string{"down", "down", "space", "space"}, "", []string{"a.txt", "b.txt"}, 2},
		{"insert marks", []string{"down", "down", "insert"}, "", []string{"a.txt"}, 1},
		{"select all", []string{"ctrl+a"}, "", []string{"docs", "photos", "a.txt", "b.txt", "c.jpg", "evil\x1b[31mred.txt", "日本語ファイル.txt"}, 7},
		{"invert", []string{"space", "*"}, "", []string{"photos", "a.txt", "b.txt", "c.jpg", "evil\x1b[31mred.txt", "日本語ファイル.txt"}, 6},
		{"esc clears", []string{"ctrl+a", "esc"}, "", nil, 0},
		{"select by pattern", []string{"+", "backspace"}, "*.txt", []string{"a.txt", "b.txt", "evil\x1b[31mred.txt", "日本語ファイル.txt"}, 4},
		{"unselect by pattern", []string{"ctrl+a", "-", "backspace"}, "*.txt", []string{"docs", "photos", "c.jpg"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 120, 30)
			h.press(tc.keys...)
			if tc.text != "" {
				h.typeText(tc.text)
				h.press("enter")
			}
			var got []string
			for _, e := range h.app.Pane(0).Marked() {
				got = append(got, e.Name)
			}
			if !slices.Equal(got, tc.want) || h.app.Pane(0).MarkCount() != tc.count {
				t.Errorf("got %q (%d), want %q (%d)", got, h.app.Pane(0).MarkCount(), tc.want, tc.count)
			}
		})
	}
}

func TestSelectionSummaryShown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("down", "down", "space", "space")
	if v := h.app.render(); !strings.Contains(v, "2 selected, 1.5 KiB") {
		t.Errorf("got view without the selection summary:\n%s", stripANSI(v))
	}
}

func TestSortAndHidden(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("s") // size
	want := []string{"docs", "photos", "evil\x1b[31mred.txt", "b.txt", "a.txt", "日本語ファイル.txt", "c.jpg"}
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Errorf("by size: got %q, want %q", got, want)
	}
	h.press("S")
	slices.Reverse(want[2:])
	want[0], want[1] = "photos", "docs"
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Errorf("by size reversed: got %q, want %q", got, want)
	}
	h.press("s", "s", "S") // back to name, ascending
	h.press(".")
	if got := h.rows(0); !slices.Contains(got, ".hidden") {
		t.Errorf("hidden shown: got %q", got)
	}
	h.press(".")
	if got := h.rows(0); slices.Contains(got, ".hidden") {
		t.Errorf("hidden hidden: got %q", got)
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("/")
	h.typeText("txt")
	want := []string{"a.txt", "b.txt", "evil\x1b[31mred.txt", "日本語ファイル.txt"}
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Fatalf("filter txt: got %q, want %q", got, want)
	}
	// j and k are typed, not motions, while the filter has focus.
	h.typeText("j")
	if got := h.rows(0); len(got) != 0 {
		t.Errorf("filter txtj: got %q, want nothing", got)
	}
	h.press("backspace", "down")
	if h.current() != "b.txt" {
		t.Errorf("down in filter: got %q, want b.txt", h.current())
	}
	h.press("enter") // keep the filter, back to browsing
	h.press("j")
	if h.current() != "evil\x1b[31mred.txt" || h.app.Pane(0).Filter() != "txt" {
		t.Errorf("after enter: got %q filter %q", h.current(), h.app.Pane(0).Filter())
	}
	h.press("esc")
	if h.app.Pane(0).Filter() != "" || h.app.Pane(0).Len() != 7 {
		t.Errorf("esc: got filter %q and %d rows", h.app.Pane(0).Filter(), h.app.Pane(0).Len())
	}
	h.press("/")
	h.typeText("jpg")
	h.press("esc")
	if h.app.Pane(0).Len() != 7 {
		t.Errorf("esc in input: got %d rows, want 7", h.app.Pane(0).Len())
	}
}

func TestFuzzyFilter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("/")
	h.typeText("btx")
	if got := h.rows(0); !slices.Equal(got, []string{"b.txt"}) {
		t.Errorf("got %q, want [b.txt]", got)
	}
}

func TestCopyFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keys     []string
		wantOp   model.Op
		wantSrc  []string
		conflict model.Conflict
		wantNone bool
	}{
		{"F5 copies the cursor entry", []string{"down", "down", "f5", "enter"}, model.OpCopy, []string{"a.txt"}, model.ConflictSkip, false},
		{"c copies the selection", []string{"down", "down", "space", "space", "c", "enter"}, model.OpCopy, []string{"a.txt", "b.txt"}, model.ConflictSkip, false},
		{"conflict policy cycles", []string{"down", "down", "c", "tab", "tab", "enter"}, model.OpCopy, []string{"a.txt"}, model.ConflictRename, false},
		{"conflict policy backwards", []string{"down", "down", "c", "shift+tab", "enter"}, model.OpCopy, []string{"a.txt"}, model.ConflictAsk, false},
		{"F6 moves", []string{"f6", "enter"}, model.OpMove, []string{"docs"}, model.ConflictSkip, false},
		{"m moves", []string{"end", "m", "enter"}, model.OpMove, []string{"日本語ファイル.txt"}, model.ConflictSkip, false},
		{"esc cancels", []string{"c", "esc"}, model.OpCopy, nil, 0, true},
		{"esc cancels a move", []string{"f6", "esc"}, model.OpCopy, nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 120, 30)
			h.press(tc.keys...)
			if tc.wantNone {
				if len(h.tr.reqs) != 0 {
					t.Errorf("got %d requests, want none", len(h.tr.reqs))
				}
				return
			}
			if len(h.tr.reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(h.tr.reqs))
			}
			r := h.tr.reqs[0]
			var src []string
			for _, e := range r.Sources {
				src = append(src, e.Name)
			}
			if r.Op != tc.wantOp || !slices.Equal(src, tc.wantSrc) || r.Conflict != tc.conflict {
				t.Errorf("got %v %q %v, want %v %q %v", r.Op, src, r.Conflict, tc.wantOp, tc.wantSrc, tc.conflict)
			}
			if r.SrcFS != h.local || r.SrcDir != "/home/u" || r.DstFS != h.mega || r.DstDir != "/Cloud" {
				t.Errorf("got %s:%s -> %s:%s", r.SrcFS.Label(), r.SrcDir, r.DstFS.Label(), r.DstDir)
			}
			if !strings.Contains(h.app.Message(), "queued") {
				t.Errorf("got message %q, want queued", h.app.Message())
			}
			if h.app.Pane(0).MarkCount() != 0 {
				t.Errorf("got %d marks left, want the selection cleared", h.app.Pane(0).MarkCount())
			}
		})
	}
}

func TestCopyDialogShowsSourceDestinationPolicy(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("down", "down", "f5")
	v := stripANSI(h.app.render())
	for _, want := range []string{"Copy \"a.txt\"", "from: local:/home/u", "to: mega:me@example.com:/Cloud", "skip"} {
		if !strings.Contains(v, want) {
			t.Errorf("dialog lacks %q:\n%s", want, v)
		}
	}
}

func TestCopySameFolderRefused(t *testing.T) {
	t.Parallel()
	local, _ := fixture()
	tr := &fakeTransfers{}
	h := &harness{t: t, local: local, tr: tr}
	h.app = New(Options{Left: local, Right: local, LeftDir: "/home/u", RightDir: "/home/u", Transfers: tr})
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(h.app.Init())
	h.press("c")
	if len(h.app.dialogs()) != 0 || !strings.Contains(h.app.Message(), "same folder") {
		t.Errorf("got %d dialogs, message %q", len(h.app.dialogs()), h.app.Message())
	}
}

func TestNoTransfersDisablesCopy(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	h := &harness{t: t, local: local, mega: mega}
	h.app = New(Options{Left: local, Right: mega, LeftDir: "/home/u"})
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(h.app.Init())
	if h.app.Keys().Browse.Actions.Copy.Enabled() || h.app.Keys().Browse.Actions.Move.Enabled() {
		t.Errorf("got copy/move enabled without a queue")
	}
	h.press("c")
	if len(h.app.dialogs()) != 0 {
		t.Errorf("got a dialog, want none")
	}
}

func TestRenameFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		keys    []string
		text    string
		want    []string
		wantErr string
	}{
		{"F2 renames", []string{"down", "down", "f2"}, "z.txt", []string{"rename /home/u/a.txt a.txtz.txt"}, ""},
		{"r renames after clearing", append([]string{"down", "down", "r"}, strings.Split(strings.Repeat("backspace ", 5), " ")[:5]...), "new.txt", []string{"rename /home/u/a.txt new.txt"}, ""},
		{"existing name fails", append([]string{"down", "down", "r"}, strings.Split(strings.Repeat("backspace ", 5), " ")[:5]...), "b.txt", []string{"rename /home/u/a.txt b.txt"}, "already exists"},
		{"slash refused", []string{"down", "down", "r"}, "/x", nil, "unsafe name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 120, 30)
			h.press(tc.keys...)
			h.typeText(tc.text)
			h.press("enter")
			var got []string
			for _, c := range h.local.callLog() {
				if strings.HasPrefix(c, "rename") {
					got = append(got, c)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got calls %q, want %q", got, tc.want)
			}
			if tc.wantErr != "" && !strings.Contains(h.app.Message(), tc.wantErr) {
				t.Errorf("got message %q, want %q", h.app.Message(), tc.wantErr)
			}
			if tc.wantErr == "" {
				newName := strings.TrimPrefix(tc.want[0], "rename /home/u/a.txt ")
				if h.current() != newName {
					t.Errorf("got cursor on %q, want the renamed %q", h.current(), newName)
				}
			}
		})
	}
}

func TestMkdirFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("f7")
	h.typeText("new folder")
	h.press("enter")
	if !slices.Contains(h.local.names("/home/u"), "new folder") {
		t.Fatalf("folder not created: %q", h.local.names("/home/u"))
	}
	if h.current() != "new folder" {
		t.Errorf("got cursor on %q, want the new folder", h.current())
	}
	h.press("f7")
	h.typeText("docs")
	h.press("enter")
	if !strings.Contains(h.app.Message(), "already exists") {
		t.Errorf("got message %q, want already exists", h.app.Message())
	}
	h.press("f7", "esc")
	if len(h.app.dialogs()) != 0 {
		t.Errorf("esc left %d dialogs", len(h.app.dialogs()))
	}
}

func TestDeleteFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pane      int
		keys      []string
		wantCalls []string
		wantTitle string
		wantBin   []string
	}{
		{"F8 to the rubbish bin", 1, []string{"f8"}, []string{"remove /Cloud/notes.md permanent=false"}, "Rubbish Bin", []string{"notes.md"}},
		{"delete key", 1, []string{"down", "delete"}, []string{"remove /Cloud/report.pdf permanent=false"}, "Rubbish Bin", []string{"report.pdf"}},
		{"selection", 1, []string{"ctrl+a", "f8"}, []string{"remove /Cloud/notes.md permanent=false", "remove /Cloud/report.pdf permanent=false"}, "2 items", []string{"notes.md", "report.pdf"}},
		{"permanent", 1, []string{"D"}, []string{"remove /Cloud/notes.md permanent=true"}, "PERMANENTLY", nil},
		{"local", 0, []string{"down", "down", "f8"}, []string{"remove /home/u/a.txt permanent=false"}, "Delete", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 120, 30)
			if tc.pane == 1 {
				h.press("tab")
			}
			h.press(tc.keys...)
			if v := stripANSI(h.app.render()); !strings.Contains(v, tc.wantTitle) {
				t.Errorf("dialog lacks %q:\n%s", tc.wantTitle, v)
			}
			h.press("y")
			var fs interface{ callLog() []string } = h.local
			if tc.pane == 1 {
				fs = h.mega
			}
			var got []string
			for _, c := range fs.callLog() {
				if strings.HasPrefix(c, "remove") {
					got = append(got, c)
				}
			}
			if !slices.Equal(got, tc.wantCalls) {
				t.Errorf("got %q, want %q", got, tc.wantCalls)
			}
			if tc.pane == 1 && !slices.Equal(h.mega.names(binPath), tc.wantBin) {
				t.Errorf("bin: got %q, want %q", h.mega.names(binPath), tc.wantBin)
			}
			for _, c := range tc.wantCalls {
				name := c[strings.LastIndex(c[:strings.Index(c, " permanent")], "/")+1 : strings.Index(c, " permanent")]
				if slices.Contains(h.rows(tc.pane), name) {
					t.Errorf("%s still listed after delete", name)
				}
			}
		})
	}
}

func TestDeleteCancelled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("f8", "n", "delete", "esc")
	for _, c := range h.local.callLog() {
		if strings.HasPrefix(c, "remove") {
			t.Errorf("got %q after cancel", c)
		}
	}
}

func TestRubbishBinAndRestore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab")
	if !h.app.Keys().Browse.Actions.Rubbish.Enabled() || h.app.Keys().Browse.Actions.Restore.Enabled() {
		t.Fatalf("got rubbish %v restore %v, want true false", h.app.Keys().Browse.Actions.Rubbish.Enabled(), h.app.Keys().Browse.Actions.Restore.Enabled())
	}
	h.press("f8", "y", "b")
	if got := h.app.Pane(1).Dir(); got != binPath || h.current() != "notes.md" {
		t.Fatalf("got %s %q, want the bin with notes.md", got, h.current())
	}
	h.press("u", "y")
	if !slices.Contains(h.mega.names("/Cloud"), "notes.md") || len(h.mega.names(binPath)) != 0 {
		t.Errorf("restore: cloud %q bin %q", h.mega.names("/Cloud"), h.mega.names(binPath))
	}
	h.press("tab")
	if h.app.Keys().Browse.Actions.Rubbish.Enabled() {
		t.Errorf("got rubbish bin key enabled on the local pane")
	}
}

func TestExportLink(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("e") // local pane: no exporter
	if len(h.app.dialogs()) != 0 {
		t.Fatalf("got a dialog on the local pane")
	}
	h.press("tab", "e")
	if v := stripANSI(h.app.render()); !strings.Contains(v, "https://mega.nz/file/notes.md#key") {
		t.Fatalf("link not shown:\n%s", v)
	}
	_, cmd := h.app.Update(keyMsg("y"))
	msg := cmd()
	_, cmd = h.app.Update(msg)
	if cmd == nil || !strings.Contains(h.app.Message(), "copied") {
		t.Errorf("got cmd %v message %q, want a clipboard command", cmd, h.app.Message())
	}
}

func TestQuit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		active   int
		keys     []string
		wantQuit bool
	}{
		{"idle q quits", 0, []string{"q"}, true},
		{"idle F10 quits", 0, []string{"f10"}, true},
		{"busy asks, n stays", 2, []string{"q", "n"}, false},
		{"busy asks, y quits", 2, []string{"f10", "y"}, true},
		{"ctrl+c always quits", 2, []string{"ctrl+c"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, 120, 30)
			h.tr.active = tc.active
			h.press(tc.keys[0])
			if tc.active > 0 && tc.keys[0] != "ctrl+c" {
				if v := stripANSI(h.app.render()); !strings.Contains(v, "2 transfer(s) are still running") {
					t.Errorf("quit dialog missing:\n%s", v)
				}
			}
			h.press(tc.keys[1:]...)
			if h.quit() != tc.wantQuit {
				t.Errorf("got quit %v, want %v", h.quit(), tc.wantQuit)
			}
		})
	}
}

func TestHelpOverlay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 40)
	h.press("?")
	v := ""
	for range len(h.app.helpPages()) {
		v += stripANSI(h.app.render())
		h.press("tab")
	}
	for _, want := range []string{"megatui keys", "F5/c", "Copy", "filter", "delete PERMANENTLY",
		"pause/resume (panel)"} {
		if !strings.Contains(v, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	// Keys that work elsewhere are listed with where they work.
	if !strings.Contains(v, "restore from bin (in the bin)") {
		t.Errorf("help lacks restore with its note")
	}
	h.press("x")
	if h.app.help() != nil {
		t.Errorf("help still open after a key")
	}
	h.press("f1")
	if h.app.help() == nil {
		t.Errorf("F1 did not open help")
	}
}

func TestFKeyBarFollowsKeyMap(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	footer := stripANSI(h.app.renderFooter())
	for _, want := range []string{"1Help", "2Rename", "5Copy", "6Move", "7Mkdir", "8Delete", "10Quit"} {
		if !strings.Contains(footer, want) {
			t.Errorf("footer %q lacks %q", footer, want)
		}
	}
	// An empty folder: rename, copy, move and delete no longer apply.
	h.press("f7")
	h.typeText("empty")
	h.press("enter", "enter")
	footer = stripANSI(h.app.renderFooter())
	for _, gone := range []string{"2Rename", "5Copy", "8Delete"} {
		if strings.Contains(footer, gone) {
			t.Errorf("footer %q still shows %q in an empty folder", footer, gone)
		}
	}
}

func TestMouse(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	right := h.app.lay.Panes[1]
	// Row 0 of a pane is at y = pane.Y + 2 (frame, column heading).
	h.send(tea.MouseClickMsg{X: right.X + 3, Y: right.Y + 3, Button: tea.MouseLeft})
	if h.app.Focus() != 1 || h.current() != "report.pdf" {
		t.Errorf("click: got focus %d on %q, want 1 on report.pdf", h.app.Focus(), h.current())
	}
	h.send(tea.MouseClickMsg{X: right.X + 3, Y: right.Y + 2, Button: tea.MouseRight})
	if h.app.Pane(1).MarkCount() != 1 {
		t.Errorf("right click: got %d marks, want 1", h.app.Pane(1).MarkCount())
	}
	left := h.app.lay.Panes[0]
	h.send(tea.MouseWheelMsg{X: left.X + 3, Y: left.Y + 5, Button: tea.MouseWheelDown})
	if e, _ := h.app.Pane(0).Current(); e.Name != "b.txt" {
		t.Errorf("wheel: got %q, want b.txt", e.Name)
	}
	if h.app.Focus() != 1 {
		t.Errorf("wheel changed focus")
	}
}

func TestWatcherRefreshes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.mega.add("/Cloud/new.bin", 1)
	ch := make(chan string)
	close(ch) // the re-armed watch then ends at once
	h.send(fsChangedMsg{fs: h.mega, dir: "/Cloud", ch: ch, ok: true})
	if !slices.Contains(h.rows(1), "new.bin") {
		t.Errorf("got %q, want new.bin after a change event", h.rows(1))
	}
}

func TestQuotaInHeader(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	if got := stripANSI(h.app.renderHeader()); !strings.Contains(got, "5.0 GiB / 20 GiB (25%)") {
		t.Errorf("got header %q", got)
	}
}

func TestEscapeSequencesNeverReachTheTerminal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	v := h.app.render()
	if strings.Contains(v, "\x1b[31m") {
		t.Errorf("raw escape sequence from a file name reached the view")
	}
	if !strings.Contains(stripANSI(v), `evil\x1b[31mred.txt`) {
		t.Errorf("escaped name not shown")
	}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"", " ", ".", "..", "a/b"} {
		if err := checkName(n); !errors.Is(err, model.ErrUnsafeName) {
			t.Errorf("checkName(%q): got %v, want ErrUnsafeName", n, err)
		}
	}
	if err := checkName("ok name"); err != nil {
		t.Errorf("got %v, want nil", err)
	}
}

func TestAsyncFilterDropsStaleResults(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	st := theme.New(true, false)
	h := &harness{t: t, local: local, mega: mega}
	h.app = New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Styles: &st, AsyncFilterAbove: 1})
	h.send(windowSize(100, 30))
	h.run(h.app.Init())
	h.press("/")
	_, slow := h.app.Update(keyMsg("t")) // matching "t" in a Cmd, not run yet
	if !h.app.Pane(0).FilterPending() || h.app.Pane(0).Len() != 7 {
		t.Fatalf("got pending %v with %d rows, want the old rows while matching", h.app.Pane(0).FilterPending(), h.app.Pane(0).Len())
	}
	if !strings.Contains(stripANSI(h.app.render()), "matching…") {
		t.Errorf("no matching indicator while pending")
	}
	h.press("x") // "tx": its own Cmd runs at once
	want := []string{"a.txt", "b.txt", "evil\x1b[31mred.txt", "日本語ファイル.txt"}
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	h.run(slow) // the late result for "t" must not replace "tx"
	if got := h.rows(0); !slices.Equal(got, want) {
		t.Errorf("after the stale result: got %q, want %q", got, want)
	}
}

func TestRenameInPlaceCancelAndEscapedNames(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("f2")
	h.typeText("zzz")
	h.press("esc")
	// The escaped name is edited in its escaped form; enter without a
	// change renames nothing.
	h.press("end", "up", "r", "enter")
	for _, c := range h.local.callLog() {
		if strings.HasPrefix(c, "rename") {
			t.Errorf("got %q, want no rename", c)
		}
	}
	h.press("r")
	if v := h.app.render(); strings.Contains(v, "\x1b[31m") {
		t.Errorf("raw escape in the rename input")
	}
	for range len("red.txt") {
		h.press("backspace")
	}
	h.typeText("x")
	h.press("enter")
	if !slices.Contains(h.local.names("/home/u"), `evil\x1b[31mx`) {
		t.Errorf("got %q, want the escaped text as the new name", h.local.names("/home/u"))
	}
}

// TestExportMessageNotStale: once the link is shown, the message line no
// longer says "exporting…", whether or not the link is copied.
func TestExportMessageNotStale(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab", "e", "n")
	if len(h.app.dialogs()) != 0 {
		t.Fatalf("got %d dialog(s) open, want the link dialog closed", len(h.app.dialogs()))
	}
	if m := h.app.Message(); strings.Contains(m, "exporting") || !strings.Contains(m, "notes.md") {
		t.Errorf("got message %q, want one saying the link for notes.md was created", m)
	}
}

// TestNoMkdirInRubbishBin: F7 does nothing in the Rubbish Bin and is not
// offered there.
func TestNoMkdirInRubbishBin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab", "b")
	if got := h.app.Pane(1).Dir(); got != binPath {
		t.Fatalf("got pane dir %q, want %q", got, binPath)
	}
	if h.app.Keys().Browse.Actions.Mkdir.Enabled() {
		t.Errorf("got F7 enabled in the Rubbish Bin")
	}
	h.press("f7")
	if len(h.app.dialogs()) != 0 {
		t.Errorf("got a dialog after F7 in the Rubbish Bin")
	}
	if v := stripANSI(h.app.render()); strings.Contains(v, "7Mkdir") {
		t.Errorf("got 7Mkdir in the footer of the Rubbish Bin:\n%s", v)
	}
}

// TestDescribeSelectionWithFolders: the copy and delete dialogs never
// call a selection of full folders "(0 B)".
func TestDescribeSelectionWithFolders(t *testing.T) {
	t.Parallel()
	dir := func(n string) model.Entry { return model.Entry{Name: n, Kind: model.KindDir} }
	file := func(n string, size int64) model.Entry { return model.Entry{Name: n, Size: size} }
	tests := []struct {
		name string
		es   []model.Entry
		want string
	}{
		{"one", []model.Entry{dir("data")}, `"data"`},
		{"files", []model.Entry{file("a", 1024), file("b", 1024)}, "2 items (2.0 KiB)"},
		{"folders", []model.Entry{dir("data"), dir("images")}, "2 items (2 folders)"},
		{"mixed", []model.Entry{dir("data"), file("a", 2048)}, "2 items (1 folder(s) and 2.0 KiB in files)"},
	}
	for _, tc := range tests {
		if got := describe(tc.es); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestDialogsWarnAboutUnseenSelection: marks survive the filter (as in
// Midnight Commander), so a delete or copy after filtering says how many
// selected entries are not on screen.
func TestDialogsWarnAboutUnseenSelection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("space", "space") // docs/ and photos/
	h.press("/")
	h.typeText("txt")
	h.press("enter", "ctrl+a") // a.txt, b.txt and the other .txt files
	h.press("f8")
	v := stripANSI(h.app.render())
	if !strings.Contains(v, "2 of them not shown now") {
		t.Errorf("delete dialog: got no note about the 2 filtered-out folders:\n%s", v)
	}
	h.press("esc", "f5")
	if v := stripANSI(h.app.render()); !strings.Contains(v, "2 of them not shown now") {
		t.Errorf("copy dialog: got no note about the 2 filtered-out folders:\n%s", v)
	}
	h.press("esc", "esc", "esc") // close, clear the filter, clear the marks
	h.press("space", "f8")
	if v := stripANSI(h.app.render()); strings.Contains(v, "not shown now") {
		t.Errorf("got the note with every selected entry on screen:\n%s", v)
	}
}

// TestLinkDialogShowsWholeLink: a real-length link in a narrow terminal is
// wrapped in the dialog, never cut; the dialog can also remove the link.
func TestLinkDialogShowsWholeLink(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 60, 30)
	h.mega.linkKey = "x8D3kq-_Lm0pQ7rS2tUvW9yZaBcDeFgHiJkLmNoPqRs"
	h.press("tab", "e")
	v := stripANSI(h.app.render())
	want := "https://mega.nz/file/notes.md#" + h.mega.linkKey
	flat := strings.Map(func(r rune) rune {
		if strings.ContainsRune("│╭╮╰╯─ \n", r) {
			return -1
		}
		return r
	}, v)
	if !strings.Contains(flat, want) {
		t.Fatalf("the whole link %s is not in the dialog:\n%s", want, v)
	}
	// Choose "remove the public link" and confirm.
	h.press("right", "enter")
	if len(h.mega.removed) != 1 || !strings.HasSuffix(h.mega.removed[0], "notes.md") {
		t.Fatalf("removed %v, want notes.md", h.mega.removed)
	}
	if m := h.app.Message(); !strings.Contains(m, "removed") {
		t.Errorf("message %q, want the removal confirmed", m)
	}
}
