package operations

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/megatui/megatui/model"
)

func TestLocalRemoveGoesToTheTrash(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	trash, err := DefaultTrash(func(k string) string { return map[string]string{"HOME": home}[k] })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"x y.txt": "one", "sub/x y.txt": "two"}, time.Unix(1700000000, 0))
	l, _ := NewLocal(dir, trash)
	for _, p := range []string{"x y.txt", "sub/x y.txt"} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := l.Remove(context.Background(), model.Entry{ID: full}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(full); !os.IsNotExist(err) {
			t.Errorf("%s still there", p)
		}
	}
	// Both in the trash under distinct names, with where they came from.
	files, _ := os.ReadDir(filepath.Join(home, ".local/share/Trash/files"))
	if len(files) != 2 {
		t.Fatalf("trash holds %d files, want 2", len(files))
	}
	info, err := os.ReadFile(filepath.Join(home, ".local/share/Trash/info", "x y.1.txt.trashinfo"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Path=" + strings.ReplaceAll(filepath.Join(dir, "sub", "x y.txt"), " ", "%20"); !strings.Contains(string(info), want) {
		t.Errorf("trash info %q lacks %q", info, want)
	}
	// --permanent deletes.
	writeTree(t, dir, map[string]string{"gone": "x"}, time.Now())
	if err := l.Remove(context.Background(), model.Entry{ID: filepath.Join(dir, "gone")}, true); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(filepath.Join(home, ".local/share/Trash/files")); len(files) != 2 {
		t.Errorf("a permanent removal went to the trash")
	}
}
