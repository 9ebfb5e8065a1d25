package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/megatui/megatui/model"
)

func TestCLIListTooDeepFailsLoudly(t *testing.T) {
	t.Parallel()
	s := startCLISim(t)
	mustCLI(t, s, "mkdir", "mega:/top/"+strings.Repeat("d/", model.MaxTreeDepth+3))
	out, err := runCLI(t, s, "ls", "-R", "mega:/top")
	if !errors.Is(err, model.ErrTooDeep) {
		t.Fatalf("ls -R of a %d-level tree: got %v, want %v", model.MaxTreeDepth+3, err, model.ErrTooDeep)
	}
	wantPath := strings.TrimSuffix(strings.Repeat("d/", model.MaxTreeDepth), "/")
	if !strings.Contains(err.Error(), "ls "+wantPath+": folder tree too deep: more than 256 levels") {
		t.Fatalf("error %q does not name the path", err)
	}
	if n := strings.Count(out, "\n"); n != model.MaxTreeDepth {
		t.Fatalf("listed %d lines before failing, want %d", n, model.MaxTreeDepth)
	}
}
