package report

import (
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/suite"
)

// thresholds is the limit definition the results' levels were judged by: the one the scenarios'
// result.json record (the first that does, in report order), else the suite's — results written
// before result.json recorded it were judged by those same numbers.
func (r *Results) thresholds() runresult.Thresholds {
	var all []*Scenario
	for _, n := range ScenarioNames {
		all = append(all, r.Get(n))
	}
	for _, s := range append(all, r.Faults) {
		if s != nil && s.Result.Thresholds != nil {
			return *s.Result.Thresholds
		}
	}
	return suite.Thresholds
}

// limitsView is the limit definition as the documents state it: "1%", "2 s", "500 ms", "95%".
type limitsView struct {
	ErrorRate, APIP95, EventP95, Achieved, Dropped string
	// For alert expressions: the error rate as a ratio ("0.01"), the p95s in seconds ("2", "0.5").
	ErrorRatio, APIP95Sec, EventP95Sec string
}

func (r *Results) limitsView() limitsView {
	th := r.thresholds()
	return limitsView{
		ErrorRate: num(100*th.MaxErrorRate, 2) + "%", APIP95: limitMs(th.MaxAPIP95ms), EventP95: limitMs(th.MaxEventP95ms),
		Achieved: num(th.MinAchievedPct, 2) + "%", Dropped: num(th.MaxDroppedPct, 2) + "%",
		ErrorRatio: plain(th.MaxErrorRate, 4), APIP95Sec: plain(th.MaxAPIP95ms/1000, 3), EventP95Sec: plain(th.MaxEventP95ms/1000, 3),
	}
}

// limitMs states a latency limit: in seconds from a second up ("2 s"), else in ms ("500 ms").
func limitMs(v float64) string {
	if v >= 1000 {
		return num(v/1000, 3) + " s"
	}
	return num(v, 0) + " ms"
}
