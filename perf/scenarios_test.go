//go:build perf

package perf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/challenge-perf/challenge-perf/internal/runresult"
)

// Scenario 1: API load in isolation. 80% GET /v1/challenges, 20% GET then claim the first
// completed-unclaimed goal (none exist on an empty database unless PERF_SEED_PROGRESS=true).
func TestScenario1_APILoad(t *testing.T) {
	e := startScenario(t, "scenario1")
	levels, err := levelsFor(e.profile, apiLevels, smokeRPS)
	if err != nil {
		t.Fatal(err)
	}
	var specs []levelSpec
	for _, n := range levels {
		specs = append(specs, levelSpec{Name: levelName(n, 0), RPS: n})
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	if best := e.stepLevels(res, specs); best != nil {
		res.MaxSustainable, res.MaxRPS = best.Level, best.RPS
	}
	e.finish(res)
}

// Scenario 2: event load in isolation: 20% logins, 80% stat updates, at most 500 concurrent calls
// on one persistent connection; every level ends with the exact ground-truth check.
func TestScenario2_EventLoad(t *testing.T) {
	e := startScenario(t, "scenario2")
	levels, err := levelsFor(e.profile, eventLevels, smokeEPS)
	if err != nil {
		t.Fatal(err)
	}
	var specs []levelSpec
	for _, n := range levels {
		specs = append(specs, levelSpec{Name: levelName(0, n), EPS: n})
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	if best := e.stepLevels(res, specs); best != nil {
		res.MaxSustainable, res.MaxEPS = best.Level, best.EPS
	}
	e.finish(res)
}

// Scenario 3: API and events at once over the spec's matrix, profiling both programs at every
// level. Each API rate steps up the event rates until the limit; a row whose first cell fails ends
// the matrix. PERF_API_GET_ONLY=true runs the spec's GET-only API variant.
func TestScenario3_Combined(t *testing.T) {
	e := startScenario(t, "scenario3")
	getOnly := os.Getenv("PERF_API_GET_ONLY") == "true"
	rows, cols := combinedAPI, combinedEvents
	if !e.profile.Step {
		rows, cols = []int{smokeCombinedRPS}, []int{smokeCombinedEPS}
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	frontier := map[int]int{}
	for _, rps := range rows {
		var specs []levelSpec
		for _, eps := range cols {
			specs = append(specs, levelSpec{Name: levelName(rps, eps), RPS: rps, EPS: eps, APIGetOnly: getOnly, Profiles: true})
		}
		before := len(res.Levels)
		best := e.stepLevels(res, specs)
		if best == nil {
			if before > 0 {
				res.StopReasons = append(res.StopReasons, "the first cell of this API rate failed: matrix ends")
			}
			break
		}
		frontier[rps] = best.EPS
		// The maximum combined load: the highest API rate held with its highest event rate.
		res.MaxSustainable, res.MaxRPS, res.MaxEPS = best.Level, best.RPS, best.EPS
	}
	writeJSON(t, filepath.Join(e.dir, "frontier.json"), frontier)
	e.finish(res)
}

// Scenario 4: scenario 3 at one level with PostgreSQL sampled every 5 s and analysed afterwards
// (top statements, connection states, table and index statistics, cache hit ratio).
// PERF_DB_RPS / PERF_DB_EPS choose the level (default 500 + 2000; smoke 100 + 500).
func TestScenario4_Database(t *testing.T) {
	e := startScenario(t, "scenario4")
	rps, eps := 500, 2000
	if !e.profile.Step {
		rps, eps = smokeCombinedRPS, smokeCombinedEPS
	}
	if n, err := envInt("PERF_DB_RPS"); err != nil {
		t.Fatal(err)
	} else if n > 0 {
		rps = n
	}
	if n, err := envInt("PERF_DB_EPS"); err != nil {
		t.Fatal(err)
	} else if n > 0 {
		eps = n
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	spec := levelSpec{Name: levelName(rps, eps), RPS: rps, EPS: eps, Profiles: true, DBSampling: true}
	if best := e.stepLevels(res, []levelSpec{spec}); best != nil {
		res.MaxSustainable, res.MaxRPS, res.MaxEPS = best.Level, best.RPS, best.EPS
	}
	if db := res.Levels[0].DB; db != nil {
		writeJSON(t, filepath.Join(e.dir, "db_analysis.json"), db)
		for i, s := range db.TopStatements {
			if i == 5 {
				break
			}
			t.Logf("  top statement: %d calls, mean %.2f ms, max %.1f ms, total %.1f s: %s", s.Calls, s.MeanMS, s.MaxMS, s.TotalSec, s.Query)
		}
		t.Logf("  cache hit %.2f%%, commits %d, rollbacks %d, deadlocks %d", db.CacheHitPct, db.Commits, db.Rollbacks, db.Deadlocks)
		if db.Deadlocks > 0 {
			t.Errorf("scenario4: %d deadlocks during the level", db.Deadlocks)
		}
	} else {
		t.Error("scenario4: no database analysis")
	}
	e.finish(res)
}

// Scenario 5: MEASURED end-to-end latency, event acknowledged → visible in GET /v1/challenges,
// under background event load (PERF_E2E_EPS, default 1000; smoke 200), next to the flush interval.
func TestScenario5_E2ELatency(t *testing.T) {
	e := startScenario(t, "scenario5")
	eps := 1000
	if !e.profile.Step {
		eps = 200
	}
	if n, err := envInt("PERF_E2E_EPS"); err != nil {
		t.Fatal(err)
	} else if n > 0 {
		eps = n
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	spec := levelSpec{Name: levelName(0, eps) + "_e2e", EPS: eps, E2ERate: 2}
	if best := e.stepLevels(res, []levelSpec{spec}); best != nil {
		res.MaxSustainable, res.MaxEPS = best.Level, best.EPS
	}
	l := res.Levels[0]
	if l.E2E == nil || l.E2E.Probes == 0 {
		t.Fatal("scenario5: no E2E probe completed")
	}
	t.Logf("scenario5: E2E latency p50 %.0f ms, p95 %.0f ms, p99 %.0f ms over %d probes (flush interval %s)",
		l.E2E.P50ms, l.E2E.P95ms, l.E2E.P99ms, l.E2E.Probes, l.E2E.FlushInterval)
	e.finish(res)
}
