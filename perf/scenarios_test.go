//go:build perf

package perf

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
	"github.com/challenge-perf/challenge-perf/suite/levelsearch"
)

// Scenario 1: API load in isolation. 80% GET /v1/challenges, 20% GET then claim the first
// completed-unclaimed goal (none exist on an empty database unless PERF_SEED_PROGRESS=true).
func TestScenario1_APILoad(t *testing.T) { scenario1(t, "scenario1") }

// scenario1 runs the scenario with its results in runDir/name.
func scenario1(t *testing.T, name string) {
	e := startScenario(t, name)
	levels := settings.LevelsFor(runner.APILevels, e.target.Smoke.RPS)
	var specs []runner.LevelSpec
	for _, n := range levels {
		specs = append(specs, runner.LevelSpec{Name: suite.LevelName(n, 0), RPS: n})
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	if best := e.stepLevels(res, specs); best != nil {
		res.MaxSustainable, res.MaxRPS = best.Level, best.RPS
	}
	e.finish(res)
}

// Scenario 2: event load in isolation: 20% logins, 80% stat updates, at most 500 concurrent calls
// on one persistent connection; every level ends with the exact ground-truth check.
func TestScenario2_EventLoad(t *testing.T) { scenario2(t, "scenario2") }

// scenario2 runs the scenario with its results in runDir/name.
func scenario2(t *testing.T, name string) {
	e := startScenario(t, name)
	levels := settings.LevelsFor(runner.EventLevels, e.target.Smoke.EPS)
	var specs []runner.LevelSpec
	for _, n := range levels {
		specs = append(specs, runner.LevelSpec{Name: suite.LevelName(0, n), EPS: n})
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	if best := e.stepLevels(res, specs); best != nil {
		res.MaxSustainable, res.MaxEPS = best.Level, best.EPS
	}
	e.finish(res)
}

// Scenario 3: API and events at once over the spec's matrix, profiling both programs at every
// level. By default a frontier search (suite.SearchFrontier) finds each API rate's highest event rate in
// few cells; PERF_MATRIX=full climbs every row from its first cell. A row where no cell holds ends
// the matrix. PERF_API_GET_ONLY=true runs the spec's GET-only API variant.
func TestScenario3_Combined(t *testing.T) {
	e := startScenario(t, "scenario3")
	getOnly, matrix := settings.APIGetOnly, settings.Matrix
	rows, cols := runner.CombinedAPI, runner.CombinedEvents
	if !e.profile.Step {
		rows, cols = []int{e.target.Smoke.CombinedRPS}, []int{e.target.Smoke.CombinedEPS}
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	levelOf := map[[2]int]string{} // (row, column) → the level's display name
	st := e.stepper()
	var held []suite.Held[runner.LevelSpec] // every cell that held: the candidates the repeats confirm
	cell := func(r, c int) bool {
		if len(res.Levels) > 0 {
			time.Sleep(e.profile.Cooldown)
		}
		spec := runner.LevelSpec{Name: suite.LevelName(rows[r], cols[c]), RPS: rows[r], EPS: cols[c], APIGetOnly: getOnly, Profiles: true}
		runs := st.Judged(spec)
		res.Levels = append(res.Levels, runs...)
		l := runs[len(runs)-1]
		levelOf[[2]int{r, c}] = l.Level
		if l.Verdict != runresult.VerdictPass {
			e.t.Logf("%s: %s failed: %v", e.name, l.Level, l.Reasons)
			res.StoppedAt, res.StopReasons = l.Level, l.Reasons
			return false
		}
		held = append(held, st.HeldAs(spec, runs, len(res.Levels)-1))
		return true
	}
	found := map[int]int{}
	if matrix == "full" {
		// Every row climbs from its first cell until a cell fails (len(rows)·len(cols) cells at most).
		for r := range rows {
			best := suite.Climb(r, len(cols)-1, cell)
			if best < 0 {
				break
			}
			found[r] = best
		}
		res.Search = "full matrix: every API rate climbs the event rates from the lowest until a cell fails"
	} else {
		found = suite.SearchFrontier(len(rows), len(cols), cell)
		res.Search = "frontier search: the lowest API rate climbs the event rates; each higher API rate starts at the previous rate's highest event rate held and steps down (a higher API rate cannot hold more events on the same stack), so cells above the frontier of a lower API rate are not run (PERF_MATRIX=full runs them)"
	}
	frontier := map[int]int{}
	maxRow := -1
	for r := range rows {
		c, ok := found[r]
		if !ok {
			if r > 0 {
				res.StopReasons = append(res.StopReasons, fmt.Sprintf("no event rate held at %d RPS: matrix ends", rows[r]))
			}
			break
		}
		frontier[rows[r]] = cols[c]
		// The maximum combined load: the highest API rate held with its highest event rate.
		res.MaxSustainable, res.MaxRPS, res.MaxEPS = levelOf[[2]int{r, c}], rows[r], cols[c]
		maxRow = r
	}
	// The matrix's columns are far apart (2×–2.5×): at the highest API rate held, bisect its event
	// rate between the column held and the next (failed there, or above a lower API rate's frontier)
	// to within levelsearch.Tolerance, like the ladders.
	if c, ok := found[maxRow]; ok && e.profile.Step && settings.Bisect && c+1 < len(cols) {
		rps := rows[maxRow]
		search := levelsearch.Search{Held: cols[c], Failed: cols[c+1]}
		for n, ok := search.Next(); ok; n, ok = search.Next() {
			t.Logf("%s: bisecting the event rate at %d RPS between %d and %d EPS: %d", e.name, rps, search.Held, search.Failed, n)
			time.Sleep(e.profile.Cooldown)
			// The pool re-run, not the baseline's retry: a bracket's end is never the generator's pool.
			spec := runner.LevelSpec{Name: suite.LevelName(rps, n), RPS: rps, EPS: n, APIGetOnly: getOnly}
			runs := st.PoolJudged(spec)
			res.Levels = append(res.Levels, runs...)
			l := runs[len(runs)-1]
			search.Record(n, l.Verdict == runresult.VerdictPass)
			if l.Verdict == runresult.VerdictPass {
				res.MaxSustainable, res.MaxEPS = l.Level, n
				frontier[rps] = n
				held = append(held, st.HeldAs(spec, runs, len(res.Levels)-1))
			} else {
				res.StoppedAt, res.StopReasons = l.Level, l.Reasons
			}
		}
		res.Bracket = &runresult.Bracket{Unit: "EPS", Held: search.Held, Failed: search.Failed, WithinPct: search.WithinPct(), ExtraLevels: search.Extra}
		res.Search += fmt.Sprintf("; then the event rate at %d RPS bisected between %d and %d EPS", rps, cols[c], cols[c+1])
	}
	if e.profile.Step && e.profile.Repeats > 1 && len(held) > 0 {
		res.MaxSustainable, res.MaxRPS, res.MaxEPS = "", 0, 0
		if best := st.Confirm(res, held); best != nil {
			res.MaxSustainable, res.MaxRPS, res.MaxEPS = best.Level, best.RPS, best.EPS
		}
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
		rps, eps = e.target.Smoke.CombinedRPS, e.target.Smoke.CombinedEPS
	}
	if settings.DBRPS > 0 {
		rps = settings.DBRPS
	}
	if settings.DBEPS > 0 {
		eps = settings.DBEPS
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	spec := runner.LevelSpec{Name: suite.LevelName(rps, eps), RPS: rps, EPS: eps, Profiles: true, DBSampling: true}
	if best := e.stepLevels(res, []runner.LevelSpec{spec}); best != nil {
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
func TestScenario5_E2ELatency(t *testing.T) { scenario5(t, "scenario5") }

// scenario5 runs the scenario with its results in runDir/name.
func scenario5(t *testing.T, name string) {
	e := startScenario(t, name)
	eps := 1000
	if !e.profile.Step {
		eps = 200
	}
	if settings.E2EEPS > 0 {
		eps = settings.E2EEPS
	}
	res := &runresult.ScenarioResult{Scenario: e.name, Profile: e.profile.Name}
	spec := runner.LevelSpec{Name: suite.LevelName(0, eps) + "_e2e", EPS: eps, E2ERate: 2}
	if best := e.stepLevels(res, []runner.LevelSpec{spec}); best != nil {
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
