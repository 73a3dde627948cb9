package suite

import (
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite/levelsearch"
)

// Load is what the stepping decides of a level: its name (its results directory), its rates, its
// HTTP pool and whether it is a confirming re-run.
type Load struct {
	Name     string
	RPS      int  // API iterations per second, 0 = none
	EPS      int  // events per second, 0 = none
	HTTPPool int  // a fixed HTTP pool (0: sized from the work); set when a re-run removes the pool as a limit
	Retry    bool // a second run of a level that failed although the baseline held it
}

// Level is a load level as the stepping sees it; the caller's level type L implements it and
// carries whatever else a level needs to run (probes, profiles, faults).
type Level[L any] interface {
	Load() Load
	// WithLoad is the level with another name, rates, pool or retry mark, the rest unchanged.
	WithLoad(Load) L
}

// Stepper runs a scenario's levels: the ladder up to the first failure, the re-runs that keep a
// level's failure from being misread (a generator pool too small, one noisy run at the baseline's
// maximum), bisection of the maximum, and its repeat. Running a level is the caller's (Run).
type Stepper[L Level[L]] struct {
	Scenario string                           // for the log
	Run      func(L) runresult.LevelResult    // runs and judges one level
	Cooldown func()                           // waits between two levels
	Logf     func(format string, args ...any) // the run's log
	Step     bool                             // the profile steps through levels (false: one level, no confirming re-run or bisection)
	Bisect   bool                             // narrow the maximum after the first failure (PERF_BISECT)
	// Repeats is how many runs in all the maximum must hold (stepping profiles; 0 or 1: the one run
	// that found it). With more, the highest held levels are confirmed in turn (see Confirm).
	Repeats int
	MaxPool int // the generator's largest HTTP pool
	// Baseline is the scenario's baseline entry (false: none); asked only when a level fails.
	Baseline func() (runresult.BaselineEntry, bool)
}

// Ladder runs levels in order until one fails the limit definition (stepping stops there: the
// previous level is the maximum sustainable one), appending every run to res, then narrows the
// maximum (see narrow) and, with Repeats, confirms it (see Confirm). It returns the highest level
// that held (every time, with Repeats), nil if none.
func (s *Stepper[L]) Ladder(res *runresult.ScenarioResult, levels []L) *runresult.LevelResult {
	var held []Held[L]
	for i, l := range levels {
		if i > 0 {
			s.Cooldown()
		}
		runs := s.Judged(l)
		res.Levels = append(res.Levels, runs...)
		r := runs[len(runs)-1]
		if r.Verdict != runresult.VerdictPass {
			res.StoppedAt = r.Level
			res.StopReasons = r.Reasons
			s.Logf("%s: stopped at %s: %v", s.Scenario, r.Level, r.Reasons)
			if len(held) > 0 {
				held = s.narrow(res, held, l, r)
			}
			break
		}
		held = append(held, Held[L]{Ran: s.ranAs(l, runs), Result: len(res.Levels) - 1})
	}
	if len(held) == 0 {
		return nil
	}
	if s.Step && s.Repeats > 1 {
		return s.Confirm(res, held)
	}
	return &res.Levels[held[len(held)-1].Result]
}

// Held is a level that held: as it ran (with its pool re-run's pool, if that decided; its own
// name) and its result's index in the scenario's levels.
type Held[L any] struct {
	Ran    L
	Result int
}

// HeldAs is l as Held: runs are what PoolJudged or Judged returned for it, the last at index
// result of the scenario's levels.
func (s *Stepper[L]) HeldAs(l L, runs []runresult.LevelResult, result int) Held[L] {
	return Held[L]{Ran: s.ranAs(l, runs), Result: result}
}

// ranAs is the level as its deciding run ran it: the pool re-run's fixed pool, the original name.
func (s *Stepper[L]) ranAs(l L, runs []runresult.LevelResult) L {
	ld := l.Load()
	pool, ok := PoolRerun(runs[0], ld, s.MaxPool)
	if len(runs) < 2 || !ok {
		return l
	}
	ld.HTTPPool = pool
	return l.WithLoad(ld)
}

// narrow bisects between the last level that held and the first that failed until the maximum is
// known within levelsearch.Tolerance (at most levelsearch.MaxExtraLevels levels), for stepping
// profiles and ladders of one rate; each bisection level gets the pool re-run (PoolJudged), so a
// bracket's end is never the generator's pool. A generator-limited failure is not bisected: the
// generator, not the service, would be measured. It returns held with the levels that held added.
func (s *Stepper[L]) narrow(res *runresult.ScenarioResult, held []Held[L], failed L, r runresult.LevelResult) []Held[L] {
	top := held[len(held)-1].Ran
	h := top.Load()
	if !s.Step || r.Verdict == runresult.VerdictGenerator || (h.RPS > 0) == (h.EPS > 0) || !s.Bisect {
		return held
	}
	unit, rate := "EPS", func(l Load) int { return l.EPS }
	at := func(l Load, n int) Load { l.EPS = n; l.Name = LevelName(0, n); return l }
	if h.RPS > 0 {
		unit, rate = "RPS", func(l Load) int { return l.RPS }
		at = func(l Load, n int) Load { l.RPS = n; l.Name = LevelName(n, 0); l.HTTPPool = 0; return l }
	}
	search := levelsearch.Search{Held: rate(h), Failed: rate(failed.Load())}
	for {
		n, ok := search.Next()
		if !ok {
			break
		}
		s.Cooldown()
		s.Logf("%s: bisecting between %d and %d %s: %d", s.Scenario, search.Held, search.Failed, unit, n)
		l := top.WithLoad(at(top.Load(), n))
		runs := s.PoolJudged(l)
		res.Levels = append(res.Levels, runs...)
		out := runs[len(runs)-1]
		search.Record(n, out.Verdict == runresult.VerdictPass)
		if out.Verdict == runresult.VerdictPass {
			held = append(held, Held[L]{Ran: s.ranAs(l, runs), Result: len(res.Levels) - 1})
		} else {
			res.StoppedAt, res.StopReasons = out.Level, out.Reasons
		}
	}
	res.Bracket = &runresult.Bracket{Unit: unit, Held: search.Held, Failed: search.Failed, WithinPct: search.WithinPct(), ExtraLevels: search.Extra}
	b := res.Bracket
	s.Logf("%s: maximum between %d (held) and %d (failed) %s: within %.1f%% after %d extra levels", s.Scenario, b.Held, b.Failed, unit, b.WithinPct, b.ExtraLevels)
	return held
}

// Judged runs a level, and runs it once more when its failure may not be the service's: when VUs
// waited for the generator's HTTP pool (PoolJudged), and, stepping, when it failed although the
// baseline held it, so that one noisy run at the boundary is not reported as a regression (a real
// regression fails twice). Every run is returned; the last decides.
func (s *Stepper[L]) Judged(l L) []runresult.LevelResult {
	runs := s.PoolJudged(l)
	r := runs[len(runs)-1]
	if len(runs) > 1 || r.Verdict == runresult.VerdictPass || !s.Step || s.Baseline == nil {
		return runs
	}
	ld := l.Load()
	ref, ok := s.Baseline()
	if !ok || !HeldByBaseline(ref, ld.RPS, ld.EPS) {
		return runs
	}
	s.Logf("%s: %s failed although the baseline held it (%s): running it once more to confirm", s.Scenario, r.Level, ref.Source)
	s.Cooldown()
	again := rerun(l, "_retry")
	ld = again.Load()
	ld.Retry = true
	return append(runs, s.Run(again.WithLoad(ld)))
}

// PoolJudged runs a level, and once more with the largest pool its VUs can use when they waited
// for the generator's HTTP pool (PoolRerun): what limits the second run is the service (or the
// host), not the generator. Both runs are returned; the last decides.
func (s *Stepper[L]) PoolJudged(l L) []runresult.LevelResult {
	r := s.Run(l)
	pool, ok := PoolRerun(r, l.Load(), s.MaxPool)
	if !ok {
		return []runresult.LevelResult{r}
	}
	s.Cooldown()
	again := rerun(l, "_pool")
	ld := again.Load()
	ld.HTTPPool = pool
	s.Logf("%s: %s waited for the generator's HTTP pool (%v): running it again with %d connections", s.Scenario, r.Level, r.Loadgen.PoolLimited, pool)
	return []runresult.LevelResult{r, s.Run(again.WithLoad(ld))}
}

// PoolRerun decides whether a level runs again with a larger HTTP pool, and with how many
// connections: its VUs queued for the generator's HTTP pool, sized from the previous level's
// request time (the requests got slower than that), so the generator, not the service, limited
// it. The re-run gets the largest pool its VUs can use (at most maxPool), so that what limits it
// is the service (or the host). A level that already had a fixed pool is not re-run.
func PoolRerun(r runresult.LevelResult, l Load, maxPool int) (pool int, ok bool) {
	if r.Verdict != runresult.VerdictGenerator || len(r.Loadgen.PoolLimited) == 0 || l.RPS <= 0 || l.HTTPPool != 0 {
		return 0, false
	}
	return min(APIMaxVUs(l.RPS), maxPool), true
}

// rerun is the level once more, under its name with suffix.
func rerun[L Level[L]](l L, suffix string) L {
	ld := l.Load()
	ld.Name += suffix
	return l.WithLoad(ld)
}
