package abtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadRunReadsTheGETTrendBesideResultJSON(t *testing.T) {
	dir := t.TempDir()
	// The level's directory was recorded where the run wrote it, not where it lies now.
	write(t, filepath.Join(dir, "scenario1", runresult.ResultFile),
		`{"scenario":"scenario1","profile":"smoke","levels":[{"level":"200 RPS","rps":200,"api":{"p50_ms":1.7,"p95_ms":160},"verdict":"pass","dir":"/gone/scenario1/rps-200"}]}`)
	write(t, filepath.Join(dir, "scenario1", "rps-200", "summary.json"),
		`{"metrics":{"http_req_duration":{"med":1.7,"p(95)":160},"`+GETMetric+`":{"count":3000,"med":1.62,"p(95)":3.12}}}`)
	r, err := LoadRun("A1", dir, []string{"scenario1", "scenario2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Scenarios["scenario2"]; ok {
		t.Error("scenario2 wrote nothing but is loaded")
	}
	got := r.Scenarios["scenario1"].GET["200 RPS"]
	if got != (Trend{Count: 3000, P50ms: 1.62, P95ms: 3.12}) {
		t.Errorf("GET trend %+v, want the list request's, not all requests'", got)
	}
}

func TestLoadRunRefusesABrokenTrend(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "scenario1", runresult.ResultFile),
		`{"scenario":"scenario1","levels":[{"level":"200 RPS","api":{},"verdict":"pass","dir":"rps-200"}]}`)
	write(t, filepath.Join(dir, "scenario1", "rps-200", "summary.json"), `{"metrics":{"`+GETMetric+`":{"avg":1}}}`)
	if _, err := LoadRun("A1", dir, []string{"scenario1"}); err == nil {
		t.Error("a GET trend without med and p(95) is accepted")
	}
}
