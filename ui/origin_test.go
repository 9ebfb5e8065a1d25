package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
	"github.com/megatui/megatui/ui/theme"
)

// The answer of a copy clears the marks of what it queued, in the pane it
// came from, even when the focus moved to the other pane (and its own
// marks) meanwhile.
func TestEnqueueResultUnmarksItsSource(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("down", "down", "space", "space") // a.txt and b.txt in the local pane
	req := TransferRequest{Op: model.OpCopy, SrcFS: h.local, SrcDir: "/home/u", Sources: h.app.Pane(0).Marked(),
		DstFS: h.mega, DstDir: "/Cloud", Conflict: model.ConflictSkip}
	answer := enqueueCmd(context.Background(), h.tr, req, 0) // on its way
	h.press("tab", "space")                                  // mark an entry of the MEGA pane
	if h.app.Pane(1).MarkCount() != 1 {
		t.Fatalf("MEGA pane: %d marks, want 1", h.app.Pane(1).MarkCount())
	}
	h.run(answer)
	if n := h.app.Pane(1).MarkCount(); n != 1 {
		t.Errorf("MEGA pane after the local copy was queued: %d marks, want its own mark kept", n)
	}
	if n := h.app.Pane(0).MarkCount(); n != 0 {
		t.Errorf("local pane after its copy was queued: %d marks, want none", n)
	}
}

// A quota reply that arrives after its pane switched filesystems is
// dropped instead of being shown for the new one.
func TestStaleQuotaIsDropped(t *testing.T) {
	t.Parallel()
	local, mega := fixture()
	other, _ := fixture()
	st := theme.New(true, false)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: "/Cloud", Styles: &st,
		Filesystems: []FS{local, mega, other}, Location: time.UTC})
	h := &harness{t: t, app: app, local: local, mega: mega}
	h.send(windowSize(120, 30))
	h.run(app.Init())
	late := quotaCmd(context.Background(), mega, mega) // asked for while pane 1 showed mega
	h.run(app.switchFS(1, 2))
	h.run(late)
	if q := app.quotas[app.fs[1]]; q != nil {
		t.Errorf("pane 1 shows %s with the quota %d/%d of %s", other.Label(), q.used, q.total, mega.Label())
	}
	if v := app.View().Content; strings.Contains(v, "20 GiB") {
		t.Errorf("the header shows MEGA's quota for the local disk:\n%s", v)
	}
}
