// The repository's two halves and the rules between them, checked on every `go test ./...`:
//   - service/ is the system under test. It imports nothing of the instrument (tests included):
//     only contract/ (the wire contract), envconf, and containers/ in its integration tests.
//   - The instrument (loadgen, harness, runresult, report, suite, runner, perf, fixtures, cmd)
//     reaches the service only through the contract: it never imports service/.
//   - runresult is the results schema: a leaf that imports nothing of this module, so the report
//     command links no Docker or testcontainers code.
package challengeperf_test

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/challenge-perf/challenge-perf"

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// listPackages runs `go list -json` with the given extra arguments (always with the perf tag, so
// the scenarios' imports are checked too).
func listPackages(t *testing.T, args ...string) []pkg {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-tags", "perf", "-json"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func under(r string, roots ...string) bool {
	for _, root := range roots {
		if r == root || strings.HasPrefix(r, root+"/") {
			return true
		}
	}
	return false
}

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t, "./...")
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages: run from the module root", len(pkgs))
	}
	for _, p := range pkgs {
		from, _ := rel(p.ImportPath)
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range all {
			to, ours := rel(imp)
			if !ours {
				continue
			}
			switch {
			case under(from, "service"):
				// The system under test may use the contract, the env reader, itself, and the
				// shared container helpers in tests.
				if !under(to, "service", "contract", "envconf", "containers") {
					t.Errorf("%s imports %s: the service must not depend on the instrument", from, to)
				}
			case under(from, "runner"):
				// The suite's runner is instrument: stated, not left to the default below, as the
				// scenarios' machinery moves into it from perf/.
				if under(to, "service") {
					t.Errorf("%s imports %s: the suite's runner reaches the service only through contract/", from, to)
				}
			case from == "runresult":
				t.Errorf("runresult imports %s: the results schema is a leaf", to)
			case from == ".":
			default:
				if under(to, "service") {
					t.Errorf("%s imports %s: the instrument reaches the service only through contract/", from, to)
				}
			}
		}
	}
}

func TestReportCommandLinksNoDocker(t *testing.T) {
	for _, p := range listPackages(t, "-deps", "./cmd/perfreport", "./cmd/perfbaseline", "./runresult") {
		if strings.Contains(p.ImportPath, "testcontainers") || strings.HasPrefix(p.ImportPath, "github.com/moby/") ||
			strings.HasPrefix(p.ImportPath, "github.com/docker/") {
			t.Errorf("the report tools link %s: results must be readable without Docker libraries", p.ImportPath)
		}
	}
}

// The README's Layout block names every top-level directory, and names none that is gone.
func TestReadmeLayoutMatchesTheTree(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Layout")
	if start < 0 {
		t.Fatal("README.md has no ## Layout section")
	}
	block := text[start:]
	if a := strings.Index(block, "```\n"); a >= 0 {
		block = block[a+4:]
		if b := strings.Index(block, "```"); b >= 0 {
			block = block[:b]
		}
	}
	named := map[string]bool{}
	for _, line := range strings.Split(block, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasSuffix(f[0], "/") && !strings.HasPrefix(line, " ") {
			named[strings.TrimSuffix(f[0], "/")] = true
		}
	}
	out, err := exec.Command("git", "ls-files").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	tracked := map[string]bool{}
	for _, f := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if dir, _, ok := strings.Cut(f, "/"); ok && !strings.HasPrefix(dir, ".") {
			tracked[dir] = true
		}
	}
	for dir := range tracked {
		if !named[dir] {
			t.Errorf("README Layout does not name %s/", dir)
		}
	}
	for dir := range named {
		if !tracked[dir] {
			t.Errorf("README Layout names %s/, which the tree does not have", dir)
		}
	}
}
