package abtest

import (
	"fmt"
	"path/filepath"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Run is one run of one side: the result of each scenario it measured, by scenario name.
type Run struct {
	Label     string                 // e.g. "A1", "B2"
	Scenarios map[string]ScenarioRun // a scenario that wrote no result.json is absent
}

// ScenarioRun is one scenario's result.json and, per level name, the latency of the list
// request from the level's summary.json (result.json's API side mixes GETs with claims, which
// wait 50–200 ms on the mock reward platform: their p95 is the mock's, not the service's).
type ScenarioRun struct {
	Result runresult.ScenarioResult
	GET    map[string]Trend
}

// Trend is one request name's latency over a level, in milliseconds.
type Trend struct {
	Count int64   `json:"count"`
	P50ms float64 `json:"p50_ms"`
	P95ms float64 `json:"p95_ms"`
}

// GETMetric is the generator's summary entry for the list request (k6 naming).
const GETMetric = "http_req_duration{name:GET /v1/challenges}"

// LoadRun reads the named scenarios of a results directory (PERF_RESULTS_DIR of one run). A
// missing result.json leaves the scenario out; a missing summary.json leaves out the GET trend.
func LoadRun(label, dir string, scenarios []string) (Run, error) {
	run := Run{Label: label, Scenarios: map[string]ScenarioRun{}}
	for _, name := range scenarios {
		sdir := filepath.Join(dir, name)
		res, found, err := runresult.ReadScenarioResult(sdir)
		if err != nil {
			return run, err
		}
		if !found {
			continue
		}
		sr := ScenarioRun{Result: res, GET: map[string]Trend{}}
		for _, l := range res.Levels {
			if l.API == nil || l.Dir == "" {
				continue
			}
			// Level directories are recorded as written; read them beside result.json so a
			// moved results directory still reads.
			t, ok, err := readGETTrend(filepath.Join(sdir, filepath.Base(l.Dir), "summary.json"))
			if err != nil {
				return run, fmt.Errorf("%s: %w", label, err)
			}
			if ok {
				sr.GET[l.Level] = t
			}
		}
		run.Scenarios[name] = sr
	}
	return run, nil
}

// summary is the part of the generator's summary.json (loadgen.Summary, k6's export format)
// read here: a trend's statistics by name.
type summary struct {
	Metrics map[string]map[string]any `json:"metrics"`
}

func readGETTrend(path string) (Trend, bool, error) {
	var s summary
	found, err := runresult.ReadJSON(path, &s)
	if err != nil || !found {
		return Trend{}, false, err
	}
	m, ok := s.Metrics[GETMetric]
	if !ok {
		return Trend{}, false, nil
	}
	num := func(k string) (float64, bool) { v, ok := m[k].(float64); return v, ok }
	med, ok1 := num("med")
	p95, ok2 := num("p(95)")
	if !ok1 || !ok2 {
		return Trend{}, false, fmt.Errorf("%s: %s lacks med or p(95)", path, GETMetric)
	}
	n, _ := num("count")
	return Trend{Count: int64(n), P50ms: med, P95ms: p95}, true, nil
}
