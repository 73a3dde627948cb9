//go:build perf

package perf

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// The combined ladder each setting climbs (API RPS, events EPS), E2E probes at 2/s throughout.
var tuningLadder = [][2]int{{200, 1000}, {500, 2000}, {1000, 5000}, {2000, 10000}, {3000, 15000}}

// TestTuningSweep measures the effect of DB_MAX_OPEN_CONNS (10, 25, 50, 100) and
// BUFFER_FLUSH_INTERVAL (durable mode's batch window: 1ms, 2ms, 5ms, 20ms) on capacity and E2E latency: a fresh stack per
// setting, the combined ladder until the limit. It runs with the nightly and full profiles (or
// PERF_TUNING=true); its results feed docs/PERFORMANCE_TUNING.md.
func TestTuningSweep(t *testing.T) {
	p := settings.Profile()
	if !p.Step && !settings.Tuning {
		t.Skip("the tuning sweep runs with PERF_PROFILE=nightly or full, or PERF_TUNING=true")
	}
	type setting struct {
		param, value string
		apply        func(*harness.StackConfig)
	}
	var settings []setting
	for _, n := range []int{10, 25, 50, 100} {
		settings = append(settings, setting{"DB_MAX_OPEN_CONNS", strconv.Itoa(n), func(c *harness.StackConfig) { c.DBMaxOpenConns = n }})
	}
	for _, d := range []time.Duration{time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		settings = append(settings, setting{"BUFFER_FLUSH_INTERVAL", d.String(), func(c *harness.StackConfig) { c.FlushInterval = d }})
	}
	ladder := tuningLadder
	if !p.Step {
		ladder = ladder[:1]
	}
	var rows []runresult.TuningRow
	for _, s := range settings {
		name := runresult.TuningDir + "/" + runresult.TuningRunDir(s.param, s.value)
		t.Run(s.param+"="+s.value, func(t *testing.T) {
			e := startScenario(t, name, s.apply)
			var specs []runner.LevelSpec
			for _, l := range ladder {
				specs = append(specs, runner.LevelSpec{Name: suite.LevelName(l[0], l[1]) + "_e2e", RPS: l[0], EPS: l[1], E2ERate: 2})
			}
			res := &runresult.ScenarioResult{Scenario: name, Profile: p.Name}
			row := runresult.TuningRow{Param: s.param, Value: s.value, Dir: e.dir}
			if best := e.stepLevels(res, specs); best != nil {
				res.MaxSustainable, res.MaxRPS, res.MaxEPS = best.Level, best.RPS, best.EPS
				row.MaxSustainable, row.MaxRPS, row.MaxEPS = best.Level, best.RPS, best.EPS
			}
			first := res.Levels[0]
			if first.E2E != nil {
				row.E2EP50ms, row.E2EP95ms, row.E2EP99ms = first.E2E.P50ms, first.E2E.P95ms, first.E2E.P99ms
			}
			if first.API != nil {
				row.APIP95ms = first.API.P95ms
			}
			if first.Events != nil {
				row.EventsP95ms = first.Events.P95ms
			}
			row.VerdictReasons = res.StopReasons
			e.writeResult(res)
			rows = append(rows, row)
		})
	}
	writeJSON(t, filepath.Join(runDir, "tuning", "result.json"), runresult.TuningFile{Profile: p.Name, DurationPerLevel: p.Duration.String(), Rows: rows})
}
