package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/megatui/megatui/model"
)

// step runs cmd and feeds every message it makes to the app, except the
// probes it schedules, which it returns instead of running (they wait).
func step(t *testing.T, h *harness, cmd tea.Cmd) []tea.Cmd {
	t.Helper()
	if cmd == nil {
		return nil
	}
	var pending []tea.Cmd
	msg := cmd()
	switch m := msg.(type) {
	case tea.BatchMsg:
		for _, c := range m {
			pending = append(pending, step(t, h, c)...)
		}
	case probeMsg:
		_, next := h.app.Update(m)
		if next != nil {
			pending = append(pending, next)
		}
	case nil:
	default:
		_, next := h.app.Update(m)
		pending = append(pending, step(t, h, next)...)
	}
	return pending
}

func TestOfflineAndBackOnline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 120, 30)
	h.press("tab") // the MEGA pane
	h.mega.mu.Lock()
	h.mega.probeErr = fmt.Errorf("cannot reach the MEGA API at http://127.0.0.1:9: connection refused: %w", model.ErrUnreachable)
	h.mega.mu.Unlock()

	// Ctrl+R always answers: here the server is down.
	_, cmd := h.app.Update(keyMsg("ctrl+r"))
	pending := step(t, h, cmd)
	if m := h.app.Message(); !strings.Contains(m, "offline") || !strings.Contains(m, "connection refused") {
		t.Fatalf("message %q, want the offline state and its reason", m)
	}
	if hd := stripANSI(h.app.renderHeader()); !strings.Contains(hd, "offline, retrying") {
		t.Fatalf("header %q, want it to say offline", hd)
	}
	if len(pending) != 1 {
		t.Fatalf("%d probes scheduled, want one (with backoff)", len(pending))
	}
	// The panes stay usable offline.
	h.press("down", "up")
	if h.app.Pane(1).Len() == 0 {
		t.Fatal("the MEGA pane lost its listing offline")
	}
	// An operation failing with the same reason schedules no second probe.
	if c := h.app.noteUnreachable(h.mega.probeErr); c != nil {
		t.Fatal("a second probe was scheduled while one waits")
	}
	// The server comes back: the scheduled probe finds it.
	h.mega.mu.Lock()
	h.mega.probeErr = nil
	h.mega.mu.Unlock()
	step(t, h, pending[0])
	if m := h.app.Message(); !strings.Contains(m, "back online") {
		t.Fatalf("message %q, want back online", m)
	}
	if hd := stripANSI(h.app.renderHeader()); strings.Contains(hd, "offline") {
		t.Fatalf("header %q still says offline", hd)
	}
	// Online, Ctrl+R still says something.
	_, cmd = h.app.Update(keyMsg("ctrl+r"))
	step(t, h, cmd)
	if m := h.app.Message(); !strings.Contains(m, "refreshed") {
		t.Fatalf("message %q after Ctrl+R online, want it refreshed", m)
	}
	// On the local pane too.
	h.press("tab")
	_, cmd = h.app.Update(keyMsg("ctrl+r"))
	step(t, h, cmd)
	if m := h.app.Message(); !strings.Contains(m, "refreshed") {
		t.Fatalf("message %q after Ctrl+R on the local pane", m)
	}
}
