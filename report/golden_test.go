package report

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// goldenDir holds the documents the golden cases must render, byte for byte. The test changes
// directory (t.Chdir) before rendering, so the path is made absolute when the package loads.
var goldenDir = mustAbs(filepath.Join("testdata", "golden"))

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}

var update = flag.Bool("update", false, "rewrite testdata/golden from the documents the tests render")

// checkGolden compares a rendered document with testdata/golden/<name> (or rewrites it under
// -update). A difference is reported with the first line that differs.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run TestGolden -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := splitLines(got), splitLines(string(want))
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from the golden file at line %d (go test ./report -run TestGolden -update rewrites it):\n got: %q\nwant: %q", name, i+1, g, w)
			return
		}
	}
	t.Errorf("%s differs from the golden file (line endings)", name)
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		out = append(out, s[:i])
		if i < len(s) {
			i++
		}
		s = s[i:]
	}
	return out
}
