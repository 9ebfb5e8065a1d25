package model

import (
	"slices"
	"testing"
)

func TestConflictTextForms(t *testing.T) {
	t.Parallel()
	for _, c := range ConflictChoices() {
		got, err := ParseConflict(c.String())
		if err != nil || got != c {
			t.Errorf("ParseConflict(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	for in, want := range map[string]Conflict{"Skip": ConflictSkip, " overwrite ": ConflictOverwrite,
		"keep-both": ConflictRename, "keep both": ConflictRename, "ASK": ConflictAsk} {
		if got, err := ParseConflict(in); err != nil || got != want {
			t.Errorf("ParseConflict(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "default", "merge", "skip!"} {
		if got, err := ParseConflict(in); err == nil {
			t.Errorf("ParseConflict(%q) = %v, want an error", in, got)
		}
	}
	if slices.Contains(ConflictChoices(), ConflictDefault) {
		t.Error("ConflictDefault is offered as a choice")
	}
	if got := Conflict(42).String(); got != "conflict(42)" {
		t.Errorf("an unknown policy prints as %q", got)
	}
}

// The numbers are in transfer journals written by earlier versions.
func TestConflictAndOpNumbersAreStable(t *testing.T) {
	t.Parallel()
	if ConflictDefault != 0 || ConflictSkip != 1 || ConflictOverwrite != 2 || ConflictRename != 3 || ConflictAsk != 4 {
		t.Error("the Conflict numbers changed: journals of earlier versions would resume with other policies")
	}
	if OpDefault != 0 || OpCopy != 1 || OpMove != 2 {
		t.Error("the Op numbers changed: journals of earlier versions would resume as other operations")
	}
}

func TestOpTextForms(t *testing.T) {
	t.Parallel()
	for _, o := range []Op{OpCopy, OpMove} {
		if got, err := ParseOp(o.String()); err != nil || got != o {
			t.Errorf("ParseOp(%q) = %v, %v; want %v", o.String(), got, err, o)
		}
	}
	for _, in := range []string{"", "default", "cp"} {
		if got, err := ParseOp(in); err == nil {
			t.Errorf("ParseOp(%q) = %v, want an error", in, got)
		}
	}
}
