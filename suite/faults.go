package suite

import "github.com/challenge-perf/challenge-perf/runresult"

// Sample is one second of one of the generator's scenarios (a line of its timeseries.ndjson).
type Sample struct {
	T        float64 // seconds since the generator's start, end of the second
	Scenario string  // "api" and "events" count; the others (e2e, the run's "_all") are ignored
	Reqs     float64 // requests completed
	Errors   float64 // requests failed
	P95      float64 // ms
}

// AnalyzeFault fills a fault's error rates and recovery time from its level's per-second samples:
// during = from the fault's start (r.StartSec) to 5 s after its end (r.EndSec), after = from then
// to the end of the level. A second is not yet recovered while th.MaxErrorRate or more of its
// calls failed or its p95 is above th's limit (a paused service answers late, not wrongly);
// r.RecoverySec stays as it is (-1: never) when that lasted to the last second.
func AnalyzeFault(r *runresult.FaultResult, samples []Sample, th runresult.Thresholds) {
	type sums struct{ reqs, errs, p95 float64 }
	add := func(m map[string]*sums, k string, reqs, errs, p95 float64) {
		if m[k] == nil {
			m[k] = &sums{}
		}
		m[k].reqs += reqs
		m[k].errs += errs
		m[k].p95 = max(m[k].p95, p95)
	}
	during, after := map[string]*sums{}, map[string]*sums{}
	perSec := map[int]map[string]*sums{}
	last := 0
	for _, l := range samples {
		if l.Scenario != "api" && l.Scenario != "events" {
			continue
		}
		switch {
		case l.T <= r.StartSec:
			continue
		case l.T <= r.EndSec+5:
			add(during, l.Scenario, l.Reqs, l.Errors, l.P95)
		default:
			add(after, l.Scenario, l.Reqs, l.Errors, l.P95)
		}
		sec := int(l.T - r.StartSec)
		if perSec[sec] == nil {
			perSec[sec] = map[string]*sums{}
		}
		add(perSec[sec], l.Scenario, l.Reqs, l.Errors, l.P95)
		last = max(last, sec)
	}
	rate := func(s *sums) float64 {
		if s == nil || s.reqs == 0 {
			return 0
		}
		return s.errs / s.reqs
	}
	r.APIErrorRateDuring, r.APIErrorRateAfter = rate(during["api"]), rate(after["api"])
	r.EventErrorRateDuring, r.EventErrorRateAfter = rate(during["events"]), rate(after["events"])
	limit := map[string]float64{"api": th.MaxAPIP95ms, "events": th.MaxEventP95ms}
	bad := 0
	for sec, m := range perSec {
		for k, s := range m {
			if rate(s) >= th.MaxErrorRate || s.p95 > limit[k] {
				bad = max(bad, sec+1)
			}
		}
	}
	if bad <= last {
		r.RecoverySec = float64(bad)
	}
}
