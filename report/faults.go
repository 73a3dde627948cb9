package report

import "fmt"

// faultSection is the baseline report's table of injected faults (scenario 6): what each fault did
// to the error rates, how long the stack took to recover, and whether every acknowledged event
// was stored exactly once.
func (r *Results) faultSection(d *doc) {
	d.h(2, "Scenario 6: Faults Under Load")
	s := r.Faults
	if s == nil {
		d.p("Not measured in these results (`%s/result.json` is missing).", FaultScenario)
		return
	}
	d.p("One combined level per fault; the fault hits a third into the level. The load generator redelivers every event call not answered OK, like the platform's bus, so the database is then compared exactly with the acknowledged events. Error rates are before redelivery; during = from the fault to 5 s after it ended. Recovery = until the error rate is under 1%% and p95 under the spec's limits again.")
	t := newTable("Fault", "Level", "Fault at / back at", "API errors during / after", "Event refusals during / after", "Redelivered", "Recovered after", "Acknowledged events", "Data integrity")
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		f := l.Fault
		if f == nil {
			continue
		}
		name := f.Name
		if f.Error != "" {
			name += " (injection failed: " + f.Error + ")"
		}
		rec := "never within the level"
		if f.RecoverySec >= 0 {
			rec = num(f.RecoverySec, 0) + " s"
		}
		acked, integrity := "–", "not checked"
		if in := l.Integrity; in != nil {
			acked = inum(in.EventsAcked)
			integrity = "exact"
			if !in.OK {
				integrity = fmt.Sprintf("**FAILED: %d lost, %d extra**", in.Lost, in.Extra)
			}
		}
		t.add(name, l.Level, fmt.Sprintf("%s s / %s s", num(f.StartSec, 1), num(f.EndSec, 1)),
			ratePct(f.APIErrorRateDuring)+" / "+ratePct(f.APIErrorRateAfter),
			ratePct(f.EventErrorRateDuring)+" / "+ratePct(f.EventErrorRateAfter),
			inum(f.EventsRedelivered), rec, acked, integrity)
	}
	d.table(t)
	d.source(r.src(s.Name, "result.json"))
	lost := 0
	for i := range s.Result.Levels {
		if in := s.Result.Levels[i].Integrity; in != nil && !in.OK {
			lost++
		}
	}
	if lost == 0 {
		d.p("No acknowledged event was lost or counted twice under any fault.")
	} else {
		d.p("**%d fault level(s) lost or double-counted acknowledged events** — see Data Integrity.", lost)
	}
}
