package megasim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// goMegaModule is the client whose own test suite must pass against megasim.
const goMegaModule = "github.com/t3rm1n4l/go-mega"

// goMegaTests lists the top-level tests in the _test.go files of the
// go-mega version in go.mod; every one must run and pass (a skip is a
// failure).
func goMegaTests(t *testing.T, goBin string) []string {
	t.Helper()
	out, err := exec.Command(goBin, "list", "-m", "-f", "{{.Dir}}", goMegaModule).Output()
	if err != nil {
		t.Fatalf("locate %s: %v", goMegaModule, err)
	}
	dir := strings.TrimSpace(string(out))
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s: %v", dir, err)
	}
	re := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	var names []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			names = append(names, m[1])
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d go-mega tests in %s", len(names), dir)
	}
	return names
}

func goTool(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("go tool not found: %v", err)
	}
	return p
}

// TestGoMegaConformance runs go-mega's own test suite as a subprocess
// against megasim, once with a v1 and once with a v2 account.
func TestGoMegaConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suite skipped in -short mode")
	}
	goBin := goTool(t)
	want := goMegaTests(t, goBin)
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			t.Parallel()
			email := fmt.Sprintf("conformance-v%d@example.com", version)
			password := fmt.Sprintf("pässwörd-%d-%d", version, time.Now().UnixNano())
			srv, err := Start(Options{
				Accounts: []Account{{Email: email, Password: password, Version: version}},
				Seed:     int64(version),
			})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 170*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, goBin, "test", "-count=1", "-json", "-timeout=160s", goMegaModule)
			cmd.Env = append(os.Environ(),
				"X_MEGA_API_URL="+srv.URL(),
				"X_MEGA_USER="+email,
				"X_MEGA_PASSWORD="+password,
				"SSL_CERT_FILE="+srv.CAFile(),
			)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, runErr := cmd.Output()

			results := map[string]string{}
			var output strings.Builder
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
			for sc.Scan() {
				var ev struct {
					Action, Test, Output string
				}
				if json.Unmarshal(sc.Bytes(), &ev) != nil {
					continue
				}
				if ev.Output != "" {
					output.WriteString(ev.Output)
				}
				if ev.Test != "" && !strings.Contains(ev.Test, "/") {
					switch ev.Action {
					case "pass", "fail", "skip":
						results[ev.Test] = ev.Action
					}
				}
			}
			var bad []string
			for name, res := range results {
				if res != "pass" {
					bad = append(bad, name+"="+res)
				}
			}
			for _, name := range want {
				if _, ok := results[name]; !ok {
					bad = append(bad, name+"=missing")
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 || runErr != nil {
				t.Fatalf("go-mega suite against megasim (v%d): %v, exit: %v\n%s\n%s", version, bad, runErr, output.String(), stderr.String())
			}
			t.Logf("go-mega suite (v%d): all %d tests passed", version, len(want))
		})
	}
}
