package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/megatui/megatui"

// The root holds the command and nothing else: what it does lives in the
// packages below it (see ARCHITECTURE.md).
func TestRootHoldsOnlyMain(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			code = append(code, f)
		}
	}
	if !slices.Equal(code, []string{"main.go"}) {
		t.Errorf("non-test Go files in the root: %v, want only main.go", code)
	}
	data, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n > 40 {
		t.Errorf("main.go has %d lines: it only wires the CLI (signal context, cli.New, exit code)", n)
	}
}

// pkgInfo is what go list says of one package.
type pkgInfo struct {
	standard bool
	imports  []string
	deps     []string // every package it depends on, transitively
}

// listPackages runs go list over the module with every dependency.
func listPackages(t *testing.T) map[string]pkgInfo {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		`{{.ImportPath}}|{{.Standard}}|{{join .Imports ","}}|{{join .Deps ","}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkgInfo{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		split := func(s string) []string {
			if s == "" {
				return nil
			}
			return strings.Split(s, ",")
		}
		pkgs[f[0]] = pkgInfo{standard: f[1] == "true", imports: split(f[2]), deps: split(f[3])}
	}
	if _, ok := pkgs[module+"/model"]; !ok {
		t.Fatalf("go list did not list %s/model", module)
	}
	return pkgs
}

// Dependencies point one way: main → cli → app/account → the services
// (ui, megaclient, keyring, transfer, …) → model.
func TestDependencyArrows(t *testing.T) {
	t.Parallel()
	pkgs := listPackages(t)
	internal := func(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }
	short := func(p string) string {
		if p == module {
			return "(root)"
		}
		return strings.TrimPrefix(p, module+"/")
	}
	under := func(p string, roots ...string) bool {
		for _, r := range roots {
			if p == module+"/"+r || strings.HasPrefix(p, module+"/"+r+"/") {
				return true
			}
		}
		return false
	}
	// nonStd lists the packages of list that are outside the standard library.
	nonStd := func(list []string) []string {
		var out []string
		for _, d := range list {
			if !pkgs[d].standard {
				out = append(out, d)
			}
		}
		return out
	}
	for path, p := range pkgs {
		if !internal(path) {
			continue
		}
		name := short(path)
		switch {
		case name == "model", name == "megaclient/megasim":
			if deps := nonStd(p.deps); len(deps) > 0 {
				t.Errorf("%s depends on %v: it must use the standard library only", name, deps)
			}
		case under(path, "ui"):
			for _, d := range p.deps {
				if d == "github.com/t3rm1n4l/go-mega" || d == "github.com/zalando/go-keyring" ||
					(internal(d) && !under(d, "ui", "model")) {
					t.Errorf("%s depends on %s: ui sees the world through its own interfaces (model only)", name, short(d))
				}
			}
		case name == "localfs":
			for _, d := range p.deps {
				if internal(d) && !under(d, "model") {
					t.Errorf("localfs depends on %s: it needs model only", short(d))
				}
			}
		case name == "(root)":
			for _, d := range p.imports {
				if internal(d) && d != module+"/cli" {
					t.Errorf("main imports %s: it only builds the CLI", short(d))
				}
			}
		}
		// Nothing reaches back up the arrows.
		for _, d := range p.deps {
			switch {
			case d == module+"/cli" && path != module:
				t.Errorf("%s depends on cli: only main does", name)
			case d == module+"/app" && !under(path, "cli") && path != module:
				t.Errorf("%s depends on app: only cli does", name)
			case d == module+"/account" && !under(path, "cli", "app") && path != module:
				t.Errorf("%s depends on account: only cli and app do", name)
			}
		}
		if slices.Contains(p.imports, "github.com/t3rm1n4l/go-mega") && !under(path, "megaclient") {
			t.Errorf("%s imports go-mega: only megaclient wraps it", name)
		}
	}
}
