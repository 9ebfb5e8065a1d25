package ui

import (
	"fmt"
	"testing"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/transfers"
)

// BenchmarkPanelKeystroke: one cursor move (Update + View) in the focused
// transfer panel while the queue holds n jobs, 1% of them asking a
// conflict question (put off, so the dialog stays closed); 10 jobs is
// the baseline. The key map is re-derived from the queue on every Update.
func BenchmarkPanelKeystroke(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("jobs=%d", n), func(b *testing.B) {
			h := bigHarness(b, 100)
			s := transfers.Snapshot{Totals: model.Totals{Jobs: n}}
			for i := range n {
				j := model.Job{ID: model.JobID(i + 1), Size: 1000, State: model.StateQueued,
					Src: model.Location{Display: fmt.Sprintf("/src/f%06d", i)}, Dst: model.Location{Display: "mega:/dst"}}
				if i%100 == 0 {
					j.State = model.StateWaiting
					s.Questions = append(s.Questions, transfers.Question{JobID: j.ID, Name: "f", Group: "g"})
					h.app.ask.later[j.ID] = true
				}
				s.Jobs = append(s.Jobs, j)
			}
			h.snap(s)
			h.press("t")
			if !h.app.panelFocus || h.asking() != 0 {
				b.Fatalf("panel focus %v, asking %d", h.app.panelFocus, h.asking())
			}
			down, up := keyMsg("down"), keyMsg("up")
			i := 0
			for b.Loop() {
				k := down
				if (i/(n-1))%2 == 1 {
					k = up
				}
				i++
				h.app.Update(k)
				_ = h.app.View()
			}
		})
	}
}
