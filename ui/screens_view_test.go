package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/megatui/megatui/ui/theme"
)

// checkFrame fails unless v is exactly w × h cells.
func checkFrame(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("got %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, stripANSI(l))
		}
	}
}

// TestGoldenDuplicateScreens: the highlight, every step of the guided
// dedupe and the review, at a normal and a narrow size.
func TestGoldenDuplicateScreens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w, h int
		keys []string
	}{
		{"dup-highlight", 120, 30, nil},
		{"dup-highlight-narrow", 60, 24, nil},
		{"dedupe-scope", 100, 30, []string{"d", "down"}},
		{"dedupe-folder", 120, 34, []string{"d", "down", "enter"}},
		{"dedupe-group", 120, 34, []string{"d", "down", "enter", "x", "down"}},
		{"dedupe-group-narrow", 60, 24, []string{"d", "down", "enter", "x"}},
		{"dedupe-identical-confirm", 120, 34, []string{"d", "enter", "x", "x", "x", "v", "i"}},
		{"dedupe-collision", 100, 30, []string{"d", "enter", "x", "x", "x", "x"}},
		{"dedupe-review", 120, 34, []string{"d", "down", "enter", "down", "enter", "n", "x", "v", "i", "y", "x"}},
		{"dedupe-review-narrow", 60, 24, []string{"d", "down", "enter", "down", "enter", "n", "x", "v", "i", "y", "x"}},
		{"dedupe-done", 100, 30, []string{"d", "enter", "a", "o", "y"}},
		{"dup-help", 120, 34, []string{"?"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, _ := newDupHarness(t, tc.w, tc.h)
			h.press(tc.keys...)
			v := h.app.render()
			checkFrame(t, v, tc.w, tc.h)
			golden(t, tc.name+".txt", stripANSI(v))
			golden(t, tc.name+".ansi256", downsample(t, v, colorprofile.ANSI256))
		})
	}
}

// TestGoldenLoginForm: the form, its 2FA step with an error, and a narrow
// terminal.
func TestGoldenLoginForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w, h int
		run  func(h *harness)
	}{
		{"login", 100, 30, func(h *harness) { h.typeText(testPassword) }},
		{"login-narrow", 44, 20, func(h *harness) { h.typeText(testPassword) }},
		{"login-wrong-password", 100, 30, func(h *harness) { h.typeText("nope"); h.press("enter") }},
		{"login-2fa", 100, 30, func(h *harness) {
			h.typeText(testPassword)
			h.press("enter")
			h.typeText("999999")
			h.press("enter")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newLoginHarness(t, tc.w, tc.h, newLockedFS("me@example.com", testPassword, "123456"))
			tc.run(h)
			v := h.app.render()
			checkFrame(t, v, tc.w, tc.h)
			noSecret(t, h)
			golden(t, tc.name+".txt", stripANSI(v))
			golden(t, tc.name+".ansi256", downsample(t, v, colorprofile.ANSI256))
		})
	}
}

// TestScreensAtManySizes draws every step of the dedupe screen and the
// login form from the minimum size up: always exactly the terminal's size.
func TestScreensAtManySizes(t *testing.T) {
	t.Parallel()
	steps := [][]string{
		{"d"},
		{"d", "down", "enter"},
		{"d", "down", "enter", "x"},
		{"d", "enter", "x", "x", "x", "v", "i"},
		{"d", "enter", "x", "x", "x", "x"},
		{"d", "down", "enter", "a", "n"},
		{"d", "enter", "a", "o", "y"},
	}
	sizes := [][2]int{{minWidth, minHeight}, {45, 14}, {60, 20}, {80, 24}, {200, 60}}
	for _, sz := range sizes {
		for _, keys := range steps {
			h, _ := newDupHarness(t, sz[0], sz[1])
			h.press(keys...)
			checkFrame(t, h.app.render(), sz[0], sz[1])
		}
		lh := newLoginHarness(t, sz[0], sz[1], newLockedFS("me@example.com", testPassword, "123456"))
		lh.typeText(testPassword)
		lh.press("enter")
		checkFrame(t, lh.app.render(), sz[0], sz[1])
	}
}

// TestGoldenDedupeNoColor: without colour the classes and the selection
// stay readable (text and attributes only).
func TestGoldenDedupeNoColor(t *testing.T) {
	t.Parallel()
	local, _ := fixture()
	mega := newDupFS(t)
	st := theme.New(true, true)
	app := New(Options{Left: local, Right: mega, LeftDir: "/home/u", RightDir: dupsDir, Styles: &st, Location: time.UTC})
	h := &harness{t: t, app: app, local: local, mega: mega.megaFS}
	h.send(windowSize(100, 30))
	h.run(app.Init())
	h.press("tab")
	browse := app.render()
	h.press("d", "enter", "x")
	v := app.render()
	for _, s := range []string{browse, v} {
		if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
			t.Errorf("NO_COLOR view holds colour sequences")
		}
	}
	golden(t, "dup-highlight-nocolor.ansi", browse)
	golden(t, "dedupe-group-nocolor.ansi", v)
}
