package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/megatui/megatui/account"
)

func TestExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"already reported", exitError{code: 130}, 130, ""},
		{"wrapped status", errors.Join(errors.New("copy"), exitError{code: 1}), 1, ""},
		{"an error", errors.New("remote \"x\" is not configured"), 1, "megatui: remote \"x\" is not configured\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := ExitCode(tc.err, &stderr); got != tc.code || stderr.String() != tc.stderr {
				t.Errorf("ExitCode(%v) = %d, stderr %q; want %d, %q", tc.err, got, stderr.String(), tc.code, tc.stderr)
			}
		})
	}
}

// Each command line reads the environment it was built with: two of them
// with different environments do not see each other's.
func TestCommandsReadTheirOwnEnv(t *testing.T) {
	t.Parallel()
	run := func(user string) error {
		vars := map[string]string{"MEGATUI_USER": user, "MEGATUI_KEYRING": "off", "HOME": t.TempDir()}
		root := New(Env{Env: account.Env{Getenv: func(k string) string { return vars[k] }}}, "test")
		root.SetArgs([]string{"ls", "work:"})
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		return root.Execute()
	}
	err := run("a@example.com")
	if err == nil || !strings.Contains(err.Error(), `remote "work" is not configured`) {
		t.Fatalf("ls work: with no config: got %v, want not configured", err)
	}
	if !strings.Contains(err.Error(), "configured: mega") {
		t.Errorf("the environment's remote is not listed: %v", err)
	}
	if err := run(""); err == nil || !strings.Contains(err.Error(), "none configured") {
		t.Errorf("without MEGATUI_USER: got %v, want none configured", err)
	}
}
