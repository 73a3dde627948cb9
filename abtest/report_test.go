package abtest

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestReportRoundTripsAndPrints(t *testing.T) {
	pass := runresult.VerdictPass
	r := Compare([]Run{run("A1", 1.4, pass), run("A2", 1.5, pass), run("A3", 1.45, pass)},
		[]Run{run("B1", 3.4, pass), run("B2", 3.5, pass), run("B3", 3.45, pass)}, DefaultSettings())
	r.Base = Revision{Rev: "origin/main", SHA: "0123456789abcdef0123", Images: map[string]string{"challenge-service": "x:ab-base-0123"}}
	r.Head = Revision{Rev: "worktree", SHA: "fedcba9876543210fedc", Dirty: true}
	r.Runs = []RunRecord{{Label: "A1", Side: "base"}, {Label: "B1", Side: "head"}}
	path := filepath.Join(t.TempDir(), ReportFile)
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	back, found, err := ReadReport(path)
	if err != nil || !found {
		t.Fatalf("read back: %v %v", found, err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip changed the report:\n%+v\n%+v", back, r)
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"origin/main (0123456789ab)", "with uncommitted changes", "run order A1 B1", "api_get_p50_ms", "REGRESSION:", "p ≤ 0.05"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
