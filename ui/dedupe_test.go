package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/dedupe"
)

// badgeOf is the long badge text of the entry with id in pane p.
func badgeOf(h *harness, p int, id string) string {
	l := h.app.Pane(p)
	for i := range l.Len() {
		if e := l.Row(i); e.ID == id {
			b, ok := h.app.dupBadge(p, e)
			if !ok {
				return ""
			}
			return b.Long
		}
	}
	return "(missing)"
}

func TestDuplicateHighlight(t *testing.T) {
	t.Parallel()
	h, _ := newDupHarness(t, 120, 30)
	tests := []struct{ id, want string }{
		{"r1", "×3 identical"},
		{"r3", "×3 identical"},
		{"p1", "×2 same size"},
		{"n2", "×2 different"},
		{"a1", "×2 folders"},
		{"c1", "≈3 name clash"}, // Photo.JPG collides with both photo.jpg
		{"s1", ""},
	}
	for _, tc := range tests {
		if got := badgeOf(h, 1, tc.id); got != tc.want {
			t.Errorf("badge of %s: got %q, want %q", tc.id, got, tc.want)
		}
	}
	// Four same-name groups and one collision group; the account has 9.
	if got := h.app.dupHeader(); got != "⧉ 5 dup groups here, 9 in account" {
		t.Errorf("header: got %q", got)
	}
	v := stripANSI(h.app.render())
	for _, want := range []string{"×3 identical", "×2 different", "⧉ 5 dup groups here, 9 in account"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	// The local pane has no duplicates and no badges.
	if got := h.app.dups[0].groups; got != 0 {
		t.Errorf("local pane: got %d groups, want 0", got)
	}
}

func TestJumpToNextDuplicate(t *testing.T) {
	t.Parallel()
	h, _ := newDupHarness(t, 120, 30)
	// Sorted by name, folders first: album, album, notes.txt, notes.txt,
	// photo.jpg, photo.jpg, Photo.JPG, report.pdf ×3, single.txt.
	h.press("end") // single.txt, no duplicate
	if h.current() != "single.txt" {
		t.Fatalf("got %q, want single.txt", h.current())
	}
	h.press("n") // wraps to the first row
	if h.current() != "album" || h.app.Pane(1).Cursor() != 0 {
		t.Errorf("n from the last row: got %q at %d, want album at 0", h.current(), h.app.Pane(1).Cursor())
	}
	h.press("N") // backwards, wrapping past single.txt to report.pdf
	if h.current() != "report.pdf" {
		t.Errorf("N: got %q, want report.pdf", h.current())
	}
	// A filter that leaves no duplicate.
	h.press("/")
	h.typeText("single")
	h.press("enter", "n")
	if !strings.Contains(h.app.Message(), "no duplicates among the entries shown") {
		t.Errorf("got message %q", h.app.Message())
	}
	if !h.app.Keys().Browse.Dups.Next.Enabled() {
		t.Errorf("next-duplicate key disabled in a folder with duplicates")
	}
	h.press("tab") // the local pane has none: the key is off
	if h.app.Keys().Browse.Dups.Next.Enabled() {
		t.Errorf("next-duplicate key enabled in a folder without duplicates")
	}
}

// ddStep is the screen's step, -1 when it is closed.
func ddStep(h *harness) dedupe.Step {
	if h.app.dedupe() == nil {
		return -1
	}
	return h.app.dedupe().screen.Step()
}

func groupName(h *harness) string {
	g, _ := h.app.dedupe().screen.Current()
	return g.Name
}

// TestGuidedDedupeSession walks a whole session: scope, one decision of
// each kind, verify, the identical-copies confirmation, review, apply with
// progress, undo, close.
func TestGuidedDedupeSession(t *testing.T) {
	t.Parallel()
	h, fs := newDupHarness(t, 120, 40)
	h.press("d")
	if ddStep(h) != dedupe.StepScope {
		t.Fatalf("d did not open the scope step")
	}
	h.press("down", "enter") // this folder and below
	if len(fs.scans) != 1 || fs.scans[0] != ScopeTree || fs.scanDirs[0] != dupsDir {
		t.Fatalf("scans: got %v %v, want one ScopeTree of %s", fs.scans, fs.scanDirs, dupsDir)
	}
	if ddStep(h) != dedupe.StepGroup {
		t.Fatalf("after the scan: step %d, want the first group", ddStep(h))
	}
	steps := []struct {
		wantGroup string
		keys      []string
	}{
		{"album", []string{"down", "enter"}}, // keep the second (newer) folder: merge into a2
		{"notes.txt", []string{"n"}},         // keep the newest
		{"photo.jpg", []string{"x"}},         // skip
		{"report.pdf", []string{"v", "i", "y"}},
		{"photo.jpg", []string{"x"}}, // the collision group: noted
	}
	for i, s := range steps {
		if got := groupName(h); got != s.wantGroup {
			t.Fatalf("step %d: group %q, want %q", i, got, s.wantGroup)
		}
		h.press(s.keys...)
	}
	if len(fs.verified) != 1 || !slices.Equal(fs.verified[0], []string{"r1", "r2", "r3"}) {
		t.Errorf("verify: got %v, want r1 r2 r3", fs.verified)
	}
	if ddStep(h) != dedupe.StepReview {
		t.Fatalf("after the last group: step %d, want review", ddStep(h))
	}
	plan := h.app.dedupe().screen.Plan()
	got := map[string]string{}
	for _, a := range plan.Actions {
		got[a.ID] = a.Kind.String() + " " + a.NewParent + a.NewName
	}
	want := map[string]string{
		"x1": "move a2", // album a1's child moves into the kept a2
		"a1": "trash ",  // then the emptied folder goes
		"n1": "trash ",  // the older notes.txt
		"r2": "trash ",  // verified-identical copies
		"r3": "trash ",  //
	}
	if len(got) != len(want) {
		t.Errorf("plan: got %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("plan action for %s: got %q, want %q", id, got[id], w)
		}
	}
	if len(fs.applied()) != 0 {
		t.Fatalf("something was applied before the review was confirmed")
	}
	v := stripANSI(h.app.render())
	for _, w := range []string{"Review the plan", "to Rubbish Bin /Dups/report.pdf", "move /Dups/album/x.jpg", "note:"} {
		if !strings.Contains(v, w) {
			t.Errorf("review lacks %q:\n%s", w, v)
		}
	}
	h.press("y")
	if ap := fs.applied(); len(ap) != 1 || len(ap[0].Actions) != len(plan.Actions) {
		t.Fatalf("applied %v, want the reviewed plan once", ap)
	}
	if ddStep(h) != dedupe.StepDone || h.app.dedupe().screen.Result().Applied != len(plan.Actions) {
		t.Fatalf("after apply: step %d result %+v", ddStep(h), h.app.dedupe().screen.Result())
	}
	// The pane behind was reloaded: the trashed copies are gone.
	if got := badgeOf(h, 1, "r1"); got != "" {
		t.Errorf("r1 still badged %q after the dedupe", got)
	}
	if !h.app.Keys().Dedupe.Undo.Enabled() {
		t.Fatalf("undo not offered after apply")
	}
	h.press("u")
	if fs.undos != 1 || !strings.Contains(stripANSI(h.app.render()), "Undo: 5 action(s) reversed") {
		t.Errorf("undo: %d runs, view:\n%s", fs.undos, stripANSI(h.app.render()))
	}
	h.press("esc")
	if h.app.dedupe() != nil {
		t.Errorf("esc did not close the screen")
	}
}

func TestDedupeApplyToAllAndReviewCancel(t *testing.T) {
	t.Parallel()
	h, fs := newDupHarness(t, 120, 40)
	h.press("d", "enter") // this folder only
	h.press("a", "L")     // largest, for this and every remaining group
	if ddStep(h) != dedupe.StepReview {
		t.Fatalf("apply-to-all did not reach the review (step %d)", ddStep(h))
	}
	for _, d := range h.app.dedupe().screen.Choices() {
		if d.Group.Kind == model.Collision {
			if d.Choice.Mode != model.ModeList {
				t.Errorf("collision group: got %v, want a note", d.Choice.Mode)
			}
			continue
		}
		if d.Choice.Mode != model.ModeLargest {
			t.Errorf("group %q: got %v, want largest", d.Group.Name, d.Choice.Mode)
		}
	}
	// esc in the review goes back; nothing is applied.
	h.press("esc")
	if ddStep(h) != dedupe.StepGroup {
		t.Errorf("esc in review: step %d, want back to the groups", ddStep(h))
	}
	h.press("esc")
	if h.app.dedupe() != nil || len(fs.applied()) != 0 {
		t.Errorf("closing applied %d plan(s)", len(fs.applied()))
	}
}

func TestDedupeKeepThisOneCannotApplyToAll(t *testing.T) {
	t.Parallel()
	h, _ := newDupHarness(t, 120, 40)
	h.press("d", "enter", "a", "enter")
	if i, _ := h.app.dedupe().screen.Group(); i != 0 || ddStep(h) != dedupe.StepGroup {
		t.Errorf("keep-this-one with apply-to-all moved on to group %d", i)
	}
	if !strings.Contains(stripANSI(h.app.render()), "cannot apply to other groups") {
		t.Errorf("no explanation shown")
	}
}

func TestDedupeStaleAnswersDropped(t *testing.T) {
	t.Parallel()
	h, _ := newDupHarness(t, 120, 40)
	h.press("d")
	old := h.app.dedupe().seq
	h.press("esc", "d")
	h.send(ddScanMsg{seq: old, scan: DedupeScan{Groups: []model.DupGroup{{}}}})
	if ddStep(h) != dedupe.StepScope {
		t.Errorf("an answer to a closed screen changed the new one (step %d)", ddStep(h))
	}
}

func TestDedupeNoDuplicates(t *testing.T) {
	t.Parallel()
	h, fs := newDupHarness(t, 100, 30)
	fs.mu.Lock()
	fs.dirs[dupsDir] = fs.dirs[dupsDir][10:] // single.txt only
	fs.mu.Unlock()
	h.press("d", "enter")
	if ddStep(h) != dedupe.StepDone || !strings.Contains(stripANSI(h.app.render()), "No duplicates in /Dups") {
		t.Errorf("step %d:\n%s", ddStep(h), stripANSI(h.app.render()))
	}
	if h.app.Keys().Dedupe.Undo.Enabled() {
		t.Errorf("undo offered when nothing was applied")
	}
}

func TestUndoLastDedupeFromBrowser(t *testing.T) {
	t.Parallel()
	h, fs := newDupHarness(t, 100, 30)
	h.press("U", "y")
	if !strings.Contains(h.app.Message(), "no dedupe run") {
		t.Errorf("undo without a run: got %q", h.app.Message())
	}
	h.press("d", "enter", "a", "o", "y") // oldest everywhere, apply
	h.press("esc", "U", "y")
	if fs.undos != 1 || !strings.Contains(h.app.Message(), "reversed") {
		t.Errorf("undo: %d runs, message %q", fs.undos, h.app.Message())
	}
}

func TestDiskFold(t *testing.T) {
	t.Parallel()
	fold := DiskFold()
	tests := []struct{ a, b string }{
		{"Photo.JPG", "photo.jpg"},
		{"caf\u00e9.txt", "cafe\u0301.txt"}, // NFC vs NFD
		{"STRASSE", "straße"},               // full case folding
		{"Ünïcödé", "üNÏCÖDÉ"},
	}
	for _, tc := range tests {
		if fa, fb := fold(tc.a), fold(tc.b); fa != fb {
			t.Errorf("fold(%q) = %q, fold(%q) = %q: want equal", tc.a, fa, tc.b, fb)
		}
	}
	if fold("a.txt") == fold("b.txt") {
		t.Errorf("different names fold together")
	}
}

// TestDedupeHelpAtNarrowWidth: on a 60-column terminal the dedupe footer
// is cut, so ? opens the help with every key of the current step; the key
// that closes it does not also act on the group.
func TestDedupeHelpAtNarrowWidth(t *testing.T) {
	t.Parallel()
	h, _ := newDupHarness(t, 60, 20)
	h.press("d", "enter")
	if ddStep(h) != dedupe.StepGroup {
		t.Fatalf("got step %d, want the first group", ddStep(h))
	}
	first := groupName(h)
	h.press("?")
	if h.app.help() == nil {
		t.Fatalf("got no help after ? on the dedupe screen")
	}
	v := stripANSI(h.app.render())
	checkFrame(t, h.app.render(), 60, 20)
	for _, want := range []string{"Guided dedupe", "skip", "apply to all", "cancel"} {
		if !strings.Contains(v, want) {
			t.Errorf("got dedupe help without %q:\n%s", want, v)
		}
	}
	h.press("x") // closes the help only
	if h.app.help() != nil || ddStep(h) != dedupe.StepGroup || groupName(h) != first {
		t.Errorf("got help %v step %d group %q after x, want help closed on group %q", h.app.help() != nil, ddStep(h), groupName(h), first)
	}
	h.press("x") // now skips
	if groupName(h) == first && ddStep(h) == dedupe.StepGroup {
		t.Errorf("got x not skipping group %q once the help was closed", first)
	}
}
