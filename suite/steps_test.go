package suite

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// level is a test level: a Load and something the stepping must carry through its re-runs.
type level struct {
	load   Load
	probes bool
}

func (l level) Load() Load             { return l.load }
func (l level) WithLoad(ld Load) level { l.load = ld; return l }
func rpsLevel(n int) level             { return level{load: Load{Name: LevelName(n, 0), RPS: n}, probes: true} }
func epsLevel(n int) level             { return level{load: Load{Name: LevelName(0, n), EPS: n}, probes: true} }
func ladder(f func(int) level, ns ...int) []level {
	var out []level
	for _, n := range ns {
		out = append(out, f(n))
	}
	return out
}

// service is a fake stack: it holds up to maxRPS and maxEPS; names in failOnce fail their first
// run, names in poolOnce wait for the generator's HTTP pool on theirs (generator-limited).
type service struct {
	maxRPS, maxEPS     int
	failOnce, poolOnce map[string]bool
	baseline           *runresult.BaselineEntry
	ran                []Load
	cooldowns          int
}

func (s *service) run(l level) runresult.LevelResult {
	ld := l.Load()
	if !l.probes {
		panic("the level lost its own fields in a re-run")
	}
	s.ran = append(s.ran, ld)
	r := runresult.LevelResult{Level: ld.Name, RPS: ld.RPS, EPS: ld.EPS, Retry: ld.Retry, Verdict: runresult.VerdictPass}
	switch {
	case s.poolOnce[ld.Name]:
		delete(s.poolOnce, ld.Name)
		r.Verdict, r.Reasons = runresult.VerdictGenerator, []string{"API achieved too little"}
		r.Loadgen.PoolLimited = []string{"api"}
	case s.failOnce[ld.Name]:
		delete(s.failOnce, ld.Name)
		r.Verdict, r.Reasons = runresult.VerdictLimit, []string{"noise"}
	case ld.RPS > s.maxRPS || ld.EPS > s.maxEPS:
		r.Verdict, r.Reasons = runresult.VerdictLimit, []string{"p95 too high"}
	}
	return r
}

func (s *service) names() []string {
	var out []string
	for _, l := range s.ran {
		out = append(out, l.Name)
	}
	return out
}

func (s *service) stepper(step bool, repeats int) *Stepper[level] {
	return &Stepper[level]{
		Scenario: "scenario2", Run: s.run, Cooldown: func() { s.cooldowns++ }, Logf: func(string, ...any) {},
		Step: step, Bisect: true, Repeats: repeats, MaxPool: 1000,
		Baseline: func() (runresult.BaselineEntry, bool) {
			if s.baseline == nil {
				return runresult.BaselineEntry{}, false
			}
			return *s.baseline, true
		},
	}
}

// The event ladder on a stack that holds 8,200 EPS: the ladder stops at 10,000, bisection runs
// 7,500 (held), 8,800 (failed), 8,200 (held), and the nightly repeats run 8,200 twice more.
func TestLadderBisectsTheMaximumAndRepeatsIt(t *testing.T) {
	svc := &service{maxRPS: 1e9, maxEPS: 8200}
	res := &runresult.ScenarioResult{}
	best := svc.stepper(true, 3).Ladder(res, ladder(epsLevel, 100, 500, 1000, 2000, 5000, 10000))
	require.NotNil(t, best)
	assert.Equal(t, "eps-8200", best.Level)
	assert.Equal(t, []string{"eps-100", "eps-500", "eps-1000", "eps-2000", "eps-5000", "eps-10000", "eps-7500", "eps-8800", "eps-8200",
		"eps-8200_repeat1", "eps-8200_repeat2"}, svc.names())
	assert.Equal(t, len(svc.ran)-1, svc.cooldowns, "a cooldown between every two levels")
	assert.Len(t, res.Levels, len(svc.ran))
	assert.Equal(t, "eps-8800", res.StoppedAt, "the lowest level that failed")
	require.NotNil(t, res.Bracket)
	b := *res.Bracket
	assert.InDelta(t, 7.3, b.WithinPct, 0.1)
	b.WithinPct = 0
	assert.Equal(t, runresult.Bracket{Unit: "EPS", Held: 8200, Failed: 8800, ExtraLevels: 3, Repeat: "eps-8200_repeat1: pass"}, b)
	require.NotNil(t, res.Repeats)
	assert.Equal(t, "eps-8200", res.Repeats.Confirmed)
	require.Len(t, res.Repeats.Candidates, 1)
	assert.Equal(t, runresult.RepeatCandidate{Level: "eps-8200", Runs: []string{"eps-8200", "eps-8200_repeat1", "eps-8200_repeat2"}, Held: 3}, res.Repeats.Candidates[0])
}

// A maximum that holds in one run of three is not the maximum: the next lower level that held is
// repeated in turn, and the first that holds every run is the maximum sustainable level.
func TestAMaximumThatDoesNotRepeatIsNotTheMaximum(t *testing.T) {
	svc := &service{maxRPS: 1e9, maxEPS: 8200, failOnce: map[string]bool{"eps-8200_repeat2": true}}
	res := &runresult.ScenarioResult{}
	best := svc.stepper(true, 3).Ladder(res, ladder(epsLevel, 1000, 5000, 10000))
	require.NotNil(t, best)
	assert.Equal(t, "eps-7500", best.Level)
	assert.Equal(t, []string{"eps-1000", "eps-5000", "eps-10000", "eps-7500", "eps-8800", "eps-8200",
		"eps-8200_repeat1", "eps-8200_repeat2", "eps-7500_repeat1", "eps-7500_repeat2"}, svc.names())
	require.NotNil(t, res.Repeats)
	assert.Equal(t, "eps-7500", res.Repeats.Confirmed)
	require.Len(t, res.Repeats.Candidates, 2)
	assert.Equal(t, 2, res.Repeats.Candidates[0].Held, "8,200 held two of three runs")
	assert.True(t, res.Bracket.RepeatDisagrees)

	// No candidate repeats: no confirmed maximum, after at most MaxRepeatCandidates candidates.
	svc = &service{maxRPS: 1e9, maxEPS: 8200, failOnce: map[string]bool{
		"eps-8200_repeat1": true, "eps-7500_repeat1": true, "eps-5000_repeat1": true, "eps-1000_repeat1": true}}
	res = &runresult.ScenarioResult{}
	assert.Nil(t, svc.stepper(true, 3).Ladder(res, ladder(epsLevel, 1000, 5000, 10000)))
	assert.Equal(t, "", res.Repeats.Confirmed)
	assert.Len(t, res.Repeats.Candidates, MaxRepeatCandidates)
	assert.NotContains(t, svc.names(), "eps-1000_repeat1")
}

// Every level of the ladder stepped and held: the top one is confirmed all the same.
func TestRepeatsConfirmATopThatNeverFailed(t *testing.T) {
	svc := &service{maxRPS: 1e9, maxEPS: 1e9}
	res := &runresult.ScenarioResult{}
	best := svc.stepper(true, 2).Ladder(res, ladder(epsLevel, 100, 500))
	require.NotNil(t, best)
	assert.Equal(t, []string{"eps-100", "eps-500", "eps-500_repeat1"}, svc.names())
	assert.Nil(t, res.Bracket)
	assert.Equal(t, "eps-500", res.Repeats.Confirmed)
}

// Bisection levels get the pool re-run too: a bracket's upper end is never the generator's pool.
func TestBisectionRerunsAPoolLimitedLevel(t *testing.T) {
	svc := &service{maxRPS: 800, maxEPS: 1e9, poolOnce: map[string]bool{"rps-750": true}}
	res := &runresult.ScenarioResult{}
	best := svc.stepper(true, 0).Ladder(res, ladder(rpsLevel, 500, 1000))
	require.NotNil(t, best)
	assert.Equal(t, []string{"rps-500", "rps-1000", "rps-750", "rps-750_pool", "rps-880", "rps-820"}, svc.names())
	assert.Equal(t, 750, res.Bracket.Held)
	assert.Equal(t, 1000, svc.ran[3].HTTPPool, "the re-run has the largest pool")
	assert.Zero(t, svc.ran[4].HTTPPool, "the next bisection level sizes its own pool")
}

func TestLadderNarrowsOnlyAStepOfOneRateThatTheServiceFailed(t *testing.T) {
	for _, c := range []struct {
		name   string
		levels []level
		step   bool
		gen    bool // the failing level is generator-limited
		want   []string
	}{
		{"smoke: one level", ladder(rpsLevel, 200), false, false, []string{"rps-200"}},
		{"no stepping profile", ladder(rpsLevel, 500, 1000), false, false, []string{"rps-500", "rps-1000"}},
		{"first level fails", ladder(rpsLevel, 1000, 2000), true, false, []string{"rps-1000"}},
		{"generator-limited", ladder(rpsLevel, 500, 1000), true, true, []string{"rps-500", "rps-1000"}},
		{"API and events at once", []level{
			{load: Load{Name: "rps-200_eps-1000", RPS: 200, EPS: 1000}, probes: true},
			{load: Load{Name: "rps-1000_eps-5000", RPS: 1000, EPS: 5000}, probes: true},
		}, true, false, []string{"rps-200_eps-1000", "rps-1000_eps-5000"}},
		{"API ladder", ladder(rpsLevel, 500, 1000), true, false, []string{"rps-500", "rps-1000", "rps-750", "rps-630", "rps-570"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := &service{maxRPS: 600, maxEPS: 4000}
			if c.gen {
				svc.poolOnce = map[string]bool{"rps-1000": true}
				fixPool(c.levels)
			}
			res := &runresult.ScenarioResult{}
			svc.stepper(c.step, 0).Ladder(res, c.levels)
			assert.Equal(t, c.want, svc.names())
			assert.Equal(t, c.name == "API ladder", res.Bracket != nil)
		})
	}
}

// fixPool gives the levels a fixed HTTP pool: a generator-limited failure is then not re-run with
// a larger one.
func fixPool(levels []level) {
	for i := range levels {
		levels[i].load.HTTPPool = 100
	}
}

func TestJudgedRerunsAPoolLimitedLevelWithTheLargestPool(t *testing.T) {
	svc := &service{maxRPS: 5000, maxEPS: 1e9, poolOnce: map[string]bool{"rps-2000": true}}
	runs := svc.stepper(true, 0).Judged(rpsLevel(2000))
	require.Len(t, runs, 2)
	assert.Equal(t, []Load{{Name: "rps-2000", RPS: 2000}, {Name: "rps-2000_pool", RPS: 2000, HTTPPool: 1000}}, svc.ran)
	assert.Equal(t, runresult.VerdictPass, runs[1].Verdict)
	assert.Equal(t, 1, svc.cooldowns)

	pool, ok := PoolRerun(runs[0], Load{RPS: 300}, 1000)
	assert.True(t, ok)
	assert.Equal(t, 600, pool, "2 VUs per iteration/s")
	_, ok = PoolRerun(runs[0], Load{RPS: 300, HTTPPool: 600}, 1000)
	assert.False(t, ok, "a fixed pool is not re-run")
	_, ok = PoolRerun(runs[0], Load{EPS: 300}, 1000)
	assert.False(t, ok, "no API traffic")
	_, ok = PoolRerun(runresult.LevelResult{Verdict: runresult.VerdictGenerator}, Load{RPS: 300}, 1000)
	assert.False(t, ok, "generator-limited, but not by its pool")
}

func TestJudgedConfirmsAFailureTheBaselineHeld(t *testing.T) {
	for _, c := range []struct {
		name     string
		baseline *runresult.BaselineEntry
		step     bool
		want     []Load
	}{
		{"held by the baseline", &runresult.BaselineEntry{MaxRPS: 1000}, true,
			[]Load{{Name: "rps-1000", RPS: 1000}, {Name: "rps-1000_retry", RPS: 1000, Retry: true}}},
		{"above the baseline", &runresult.BaselineEntry{MaxRPS: 500}, true, []Load{{Name: "rps-1000", RPS: 1000}}},
		{"no baseline", nil, true, []Load{{Name: "rps-1000", RPS: 1000}}},
		{"smoke profile", &runresult.BaselineEntry{MaxRPS: 1000}, false, []Load{{Name: "rps-1000", RPS: 1000}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := &service{maxRPS: 5000, maxEPS: 1e9, failOnce: map[string]bool{"rps-1000": true}, baseline: c.baseline}
			runs := svc.stepper(c.step, 0).Judged(rpsLevel(1000))
			assert.Equal(t, c.want, svc.ran)
			assert.Len(t, runs, len(c.want))
		})
	}
}

func TestLevelName(t *testing.T) {
	for want, rates := range map[string][2]int{"rps-500": {500, 0}, "eps-2000": {0, 2000}, "rps-500_eps-2000": {500, 2000}} {
		assert.Equal(t, want, LevelName(rates[0], rates[1]), fmt.Sprint(rates))
	}
	assert.Equal(t, 1000, APIMaxVUs(2000))
	assert.Equal(t, 100, APIMaxVUs(50))
}
