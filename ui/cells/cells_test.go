package cells

import "testing"

func TestFit(t *testing.T) {
	tests := []struct {
		name, in string
		w        int
		pad      string
		padLeft  string
		keepEnd  string
	}{
		{"fits", "abc", 5, "abc  ", "  abc", "abc  "},
		{"exact", "abcde", 5, "abcde", "abcde", "abcde"},
		{"cut", "abcdefgh", 5, "abcd…", "abcd…", "…efgh"},
		{"wide runes count two", "日本語", 5, "日本…", "日本…", "…本語"},
		{"zero width", "abc", 0, "", "", ""},
		{"negative width", "abc", -3, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Pad(tt.in, tt.w); got != tt.pad {
				t.Errorf("Pad: got %q, want %q", got, tt.pad)
			}
			if got := PadLeft(tt.in, tt.w); got != tt.padLeft {
				t.Errorf("PadLeft: got %q, want %q", got, tt.padLeft)
			}
			if got := PadKeepEnd(tt.in, tt.w); got != tt.keepEnd {
				t.Errorf("PadKeepEnd: got %q, want %q", got, tt.keepEnd)
			}
		})
	}
}
