package statstore

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"testing"
)

// Each mode's package holds only its own mode: the group committer (durable) and the buffer
// (buffered) share this package and reach each other neither directly nor through another package,
// tests included; this package depends on neither.
func TestModesShareOnlyStatstore(t *testing.T) {
	const internal = "github.com/challenge-perf/challenge-perf/service/internal/"
	cmd := exec.Command("go", "list", "-json", "../groupcommit", "../buffer", ".")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list: %v", err)
	}
	forbidden := map[string][]string{
		internal + "groupcommit": {internal + "buffer"},
		internal + "buffer":      {internal + "groupcommit"},
		internal + "statstore":   {internal + "buffer", internal + "groupcommit"},
	}
	seen := 0
	dec := json.NewDecoder(out)
	for {
		var p struct {
			ImportPath                      string
			Deps, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		seen++
		for _, bad := range forbidden[p.ImportPath] {
			if slices.Contains(p.Deps, bad) || slices.Contains(p.TestImports, bad) || slices.Contains(p.XTestImports, bad) {
				t.Errorf("%s depends on %s: the modes share only statstore", p.ImportPath, bad)
			}
		}
		if p.ImportPath != internal+"statstore" && !slices.Contains(p.Deps, internal+"statstore") {
			t.Errorf("%s does not use statstore: its rows are no longer the shared ones", p.ImportPath)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	if seen != 3 {
		t.Fatalf("go list returned %d packages, want 3", seen)
	}
}
