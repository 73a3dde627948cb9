package report

import "github.com/challenge-perf/challenge-perf/runresult"

// faultView is scenario 6: what each injected fault did to the error rates, how long the stack
// took to recover, and whether every acknowledged event was stored exactly once.
type faultView struct {
	Name     string
	Measured bool
	Levels   []*runresult.LevelResult // the levels with a fault
	Lost     int                      // levels whose integrity check failed
	Source   string
}

func (r *Results) faultView() faultView {
	v := faultView{Name: FaultScenario}
	s := r.Faults
	if s == nil {
		return v
	}
	v.Measured, v.Source = true, r.src(s.Name, "result.json")
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		if l.Fault != nil {
			v.Levels = append(v.Levels, l)
		}
		if l.Integrity != nil && !l.Integrity.OK {
			v.Lost++
		}
	}
	return v
}
