package dedupe

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// TestViewApplyingMoreDoneThanPlanned: a group re-planned while applying
// (a folder merge) can report more actions done than the plan listed; the
// progress bar must stay within its width instead of panicking.
func TestViewApplyingMoreDoneThanPlanned(t *testing.T) {
	for _, tc := range []struct {
		name        string
		done, total int
	}{
		{"half", 3, 6},
		{"all", 9, 9},
		{"more than planned", 12, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New("/Dups", Keys{})
			m.SetSize(80, 20)
			m.step, m.done, m.total = StepApplying, tc.done, tc.total
			view := m.View(theme.New(true, true))
			if !strings.Contains(view, "Applying the plan") {
				t.Errorf("view: got\n%s\nwant the applying screen", view)
			}
		})
	}
}

// scanned returns a screen in the group step over groups.
func scanned(t *testing.T, groups []model.DupGroup, entries []model.Entry) Model {
	t.Helper()
	m := New("/Dups", Keys{})
	m.SetSize(120, 34)
	m.step = StepScanning
	m.SetScan(Scan{Entries: entries, Groups: groups, Dirs: map[string]string{"p": "/Dups"}}, nil)
	return m
}

func fpEntry(id string, size int64) model.Entry {
	return model.Entry{ID: id, Name: "IMG.jpg", ParentID: "p", Kind: model.KindFile, Size: size}
}

// TestDifferentGroupSaysWhichCopiesMatch: a group that is different as a
// whole but holds copies with the same content labels them with the same
// letter and names them, instead of an unexplained "=".
func TestDifferentGroupSaysWhichCopiesMatch(t *testing.T) {
	t.Parallel()
	hashes := model.Hashes{"a": "h1", "b": "h2", "c": "h1", "d": "h3"}
	members := []model.Entry{fpEntry("a", 10), fpEntry("b", 11), fpEntry("c", 10), fpEntry("d", 12)}
	g := model.DupGroup{Kind: model.SameName, ParentID: "p", Name: "IMG.jpg", Members: members}
	g.Class, g.Verified = model.Classify(members, hashes)
	m := scanned(t, []model.DupGroup{g}, members)
	m.scan.Hashes = hashes
	labels, sets := m.contentLabels(g)
	if want := []string{"A sha", "B sha", "A sha", "C sha"}; !slices.Equal(labels, want) {
		t.Errorf("got labels %q, want %q", labels, want)
	}
	if got, want := matchText(sets), "same content: copies 1 = 3"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	view := ansi.Strip(m.View(theme.New(true, true)))
	if !strings.Contains(view, "4 files · different · same content: copies 1 = 3") {
		t.Errorf("view does not say which copies match:\n%s", view)
	}
}

// TestCollisionKindsAreNamed: NFC/NFD spellings are a normalisation clash,
// not a case clash.
func TestCollisionKindsAreNamed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"caf\u00e9.txt", "cafe\u0301.txt"}, "names differ only in Unicode normalisation (NFC/NFD)"},
		{[]string{"Photo.jpg", "photo.jpg"}, "names differ only in case"},
	} {
		var members []model.Entry
		for i, n := range tc.names {
			members = append(members, model.Entry{ID: string(rune('a' + i)), Name: n, ParentID: "p", Kind: model.KindFile})
		}
		g := model.DupGroup{Kind: model.Collision, ParentID: "p", Name: tc.names[0], Members: members}
		view := ansi.Strip(scanned(t, []model.DupGroup{g}, members).View(theme.New(true, true)))
		if !strings.Contains(view, tc.want) {
			t.Errorf("%q: view lacks %q:\n%s", tc.names, tc.want, view)
		}
		if tc.want != "names differ only in case" && strings.Contains(view, "only in case") {
			t.Errorf("%q: a normalisation clash called a case clash:\n%s", tc.names, view)
		}
	}
}

// TestDoneComparesWithTheReview: the summary after applying says how many
// of the reviewed actions were applied, and says so when a replanned group
// ran more than the review listed.
func TestDoneComparesWithTheReview(t *testing.T) {
	t.Parallel()
	m := New("/Dups", Keys{})
	m.plan = model.Plan{Actions: make([]model.Action, 9)}
	m.step = StepApplying
	m.SetResult(Result{Applied: 9}, nil)
	if want := "Applied 9 action(s), 0 failed, 0 dropped because their group changed (the review listed 9)."; m.note != want {
		t.Errorf("got %q, want it to start %q", m.note, want)
	}
	m.step = StepApplying
	m.SetResult(Result{Applied: 11}, nil)
	if !strings.Contains(m.note, "(the review listed 9)") || !strings.Contains(m.note, "2 more than reviewed: a group changed") {
		t.Errorf("got %q, want the 2 extra actions explained", m.note)
	}
}
