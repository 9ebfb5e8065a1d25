package dedupe

import (
	"testing"

	"github.com/megatui/megatui/model"
)

// TestFreshClient runs a mode with a client that logged in after the
// fixture was made, as the CLI does: its go-mega index holds only what
// megaclient hands over, so moving a child out of a folder first leaves
// an empty stand-in for that folder, which trashing it must not use.
func TestFreshClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.c = connect(t, e.srv)
	res, err := Run(t.Context(), e.c, "/Duplicates", RunOptions{Mode: model.ModeNewest, JournalDir: e.dir, Remote: "mega"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Passes {
		for _, f := range p.Report.Failed {
			t.Errorf("%s failed: %v", f.Action, f.Err)
		}
	}
	if !e.inTrash(t, e.fx.Folders[0]) {
		t.Errorf("the emptied Trip is not in the Rubbish Bin")
	}
	for _, id := range []string{e.fx.Identical[0], e.fx.Identical[2], e.fx.SameSize[1]} {
		if !e.inTrash(t, id) {
			t.Errorf("%s: want it in the Rubbish Bin", id)
		}
	}
}
