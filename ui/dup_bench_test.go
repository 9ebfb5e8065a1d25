package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// dupEntries is a MEGA folder of n files where every tenth name is held
// three times and every hundredth differs from another only in case.
func dupEntries(n int) []model.Entry {
	es := make([]model.Entry, n)
	for i := range es {
		name := fmt.Sprintf("IMG_%07d.jpg", i)
		switch {
		case i%10 == 1 || i%10 == 2:
			name = fmt.Sprintf("IMG_%07d.jpg", i-i%10)
		case i%100 == 5:
			name = fmt.Sprintf("img_%07d.JPG", i-5)
		}
		es[i] = model.Entry{ID: fmt.Sprintf("h%07d", i), ParentID: "hBig", Name: name, Size: int64(1000 + i%10),
			UploadTime: testTime.Add(time.Duration(i) * time.Second), ModTime: testTime}
	}
	return es
}

// BenchmarkFindDupsPerListing: the duplicate groups of one folder, as
// computed once per listing load (in the listing's Cmd), at 100 entries
// (baseline) and 100,000.
func BenchmarkFindDupsPerListing(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		es := dupEntries(n)
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			for b.Loop() {
				d := findDups(es, nil)
				if d.groups == 0 {
					b.Fatal("no groups")
				}
			}
		})
	}
}

// BenchmarkKeystrokeWithBadges: one cursor keystroke (Update + View) and
// one jump to the next duplicate in a folder full of duplicates, 100
// entries (baseline) and 100,000.
func BenchmarkKeystrokeWithBadges(b *testing.B) {
	for _, n := range []int{100, 100_000} {
		mega := newMegaFS()
		mega.dirs["/big"] = dupEntries(n)
		local := newMemFS("local")
		st := theme.New(true, false)
		app := New(Options{Left: local, Right: mega, RightDir: "/big", Styles: &st, Location: time.UTC})
		h := &harness{t: b, app: app, local: local, mega: mega}
		h.send(windowSize(120, 40))
		h.run(app.Init())
		h.press("tab")
		if app.dups[1].groups == 0 {
			b.Fatal("no duplicate groups")
		}
		for _, k := range []string{"down", "n"} {
			msg := keyMsg(k)
			b.Run(fmt.Sprintf("key=%s/entries=%d", k, n), func(b *testing.B) {
				for b.Loop() {
					if app.Pane(1).Cursor() >= n-3 {
						app.Pane(1).Home()
					}
					app.Update(msg)
					_ = app.View()
				}
			})
		}
	}
}
