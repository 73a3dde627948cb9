package loadgen

import (
	"bytes"
	"math/rand/v2"
	"time"
)

// VU is one virtual user of a scenario. A VU runs one iteration at a time,
// so its fields need no locking; only its sample buffer is shared with the
// collector.
type VU struct {
	ID       int
	Scenario string
	Rand     *rand.Rand

	sr    *scenarioRun
	buf   *sampleBuf
	trace *reqTrace
	span  rpcSpan
	body  bytes.Buffer

	intended time.Time // scheduled start of the current iteration
}

func newVU(sr *scenarioRun, id int) *VU {
	vu := &VU{
		ID:       id,
		Scenario: sr.s.Name(),
		Rand:     rand.New(rand.NewPCG(uint64(sr.eng.seed), uint64(sr.idx)<<32|uint64(id))),
		sr:       sr,
		buf:      sr.eng.bufs.newBuf(),
	}
	vu.trace = newReqTrace()
	return vu
}

// PickUser returns a uniformly random user of the run's user pool.
func (vu *VU) PickUser() string { return vu.sr.eng.users.Pick(vu.Rand) }

// Env returns the scenario's env value or def.
func (vu *VU) Env(key, def string) string {
	if v, ok := vu.sr.s.Env[key]; ok {
		return v
	}
	return def
}

// Check records a k6 check outcome and returns ok.
func (vu *VU) Check(name string, ok bool) bool {
	v := 0.0
	if ok {
		v = 1
	}
	vu.buf.add(sample{metric: mChecks, scen: vu.sr.idx, value: v, name: name})
	return ok
}

// Add records a sample of a registered metric: a counter increment, a rate's
// outcome (non-zero counts as true), a gauge's value or a trend value. name is
// the {name:X} tag ("" for none).
func (vu *VU) Add(m Metric, v float64, name string) { vu.emit(m.id, v, name) }

// AddDuration records a duration sample of a registered Time trend.
func (vu *VU) AddDuration(m Metric, d time.Duration, name string) { vu.emit(m.id, micros(d), name) }

func (vu *VU) emit(m metricID, v float64, name string) {
	vu.buf.add(sample{metric: m, scen: vu.sr.idx, value: v, name: name})
}

func micros(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond)
}
