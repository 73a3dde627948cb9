package suite

import (
	"fmt"
	"slices"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// MaxRepeatCandidates bounds the confirmation's cost: at most this many held levels, highest
// first, are repeated before the scenario reports that no maximum repeated.
const MaxRepeatCandidates = 3

// Confirm makes the maximum one that repeats: the held levels, highest first (at most
// MaxRepeatCandidates), each run Repeats-1 more times until one holds every run; that one is the
// maximum sustainable level. A maximum that held once of three runs is noise, not a capacity to
// size on. res.Repeats records every candidate's runs and their spread; the bracket's Repeat
// fields record the first repeat of the highest. nil when no candidate held every run.
func (s *Stepper[L]) Confirm(res *runresult.ScenarioResult, held []Held[L]) *runresult.LevelResult {
	cands := slices.Clone(held)
	slices.SortStableFunc(cands, func(a, b Held[L]) int { return compareLoad(b.Ran.Load(), a.Ran.Load()) })
	cands = slices.CompactFunc(cands, func(a, b Held[L]) bool { return a.Ran.Load().Name == b.Ran.Load().Name })
	if len(cands) > MaxRepeatCandidates {
		cands = cands[:MaxRepeatCandidates]
	}
	rep := &runresult.Repeats{Required: s.Repeats}
	res.Repeats = rep
	var best *runresult.LevelResult
	for i, c := range cands {
		results := []int{c.Result}
		for n := 1; n < s.Repeats; n++ {
			s.Cooldown()
			s.Logf("%s: repeating %s (run %d of %d)", s.Scenario, c.Ran.Load().Name, n+1, s.Repeats)
			runs := s.PoolJudged(rerun(c.Ran, fmt.Sprintf("_repeat%d", n)))
			res.Levels = append(res.Levels, runs...)
			results = append(results, len(res.Levels)-1)
			if res.Levels[len(res.Levels)-1].Verdict != runresult.VerdictPass {
				break
			}
		}
		rc := candidate(res.Levels, results)
		rep.Candidates = append(rep.Candidates, rc)
		if i == 0 && res.Bracket != nil && len(results) > 1 {
			first := res.Levels[results[1]]
			res.Bracket.Repeat = first.Level + ": " + first.Verdict
			res.Bracket.RepeatDisagrees = rc.Held < s.Repeats
		}
		if rc.Held == s.Repeats {
			rep.Confirmed = rc.Level
			best = &res.Levels[c.Result]
			break
		}
		s.Logf("%s: %s held %d of %d runs: not a maximum to size on; trying the next lower level that held", s.Scenario, rc.Level, rc.Held, len(rc.Runs))
	}
	if best == nil {
		s.Logf("%s: none of the %d highest levels that held repeated %d times: no confirmed maximum", s.Scenario, len(cands), s.Repeats)
	}
	return best
}

// candidate summarises one level's runs (the original first): how many held, and the spread of
// what each side achieved and its p95.
func candidate(levels []runresult.LevelResult, idx []int) runresult.RepeatCandidate {
	c := runresult.RepeatCandidate{Level: levels[idx[0]].Level}
	var api, ev []*runresult.Side
	for _, i := range idx {
		l := levels[i]
		c.Runs = append(c.Runs, l.Level)
		if l.Verdict == runresult.VerdictPass {
			c.Held++
		}
		if l.API != nil {
			api = append(api, l.API)
		}
		if l.Events != nil {
			ev = append(ev, l.Events)
		}
	}
	c.API, c.Events = spread(api), spread(ev)
	return c
}

func spread(sides []*runresult.Side) *runresult.Spread {
	if len(sides) == 0 {
		return nil
	}
	var rate, p95 []float64
	for _, s := range sides {
		rate, p95 = append(rate, s.AchievedRate), append(p95, s.P95ms)
	}
	slices.Sort(rate)
	slices.Sort(p95)
	return &runresult.Spread{
		AchievedMin: rate[0], AchievedMedian: median(rate), AchievedMax: rate[len(rate)-1],
		P95MinMs: p95[0], P95MedianMs: median(p95), P95MaxMs: p95[len(p95)-1],
	}
}

// median of sorted values.
func median(v []float64) float64 {
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// compareLoad orders loads by API rate, then event rate (the ladders raise both together).
func compareLoad(a, b Load) int {
	if a.RPS != b.RPS {
		return a.RPS - b.RPS
	}
	return a.EPS - b.EPS
}
