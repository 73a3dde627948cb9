package loadgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// Pcts are latency percentiles in ms.
type Pcts struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// TimeseriesLine is one line of timeseries.ndjson: one second of one
// scenario, or of the whole run (scenario "_all"). Rates are per second.
type TimeseriesLine struct {
	T          float64         `json:"t"` // seconds since the run started, end of the interval
	Scenario   string          `json:"scenario"`
	TargetRate float64         `json:"target_rate"` // configured arrival rate at t
	Offered    float64         `json:"offered"`     // iterations due: started + dropped
	Achieved   float64         `json:"achieved"`    // iterations completed
	Reqs       float64         `json:"reqs"`        // HTTP + gRPC requests completed
	Metric     string          `json:"metric,omitempty"`
	P50        float64         `json:"p50,omitempty"`
	P95        float64         `json:"p95,omitempty"`
	P99        float64         `json:"p99,omitempty"`
	Latency    map[string]Pcts `json:"latency,omitempty"` // every request metric seen in the interval
	Errors     int64           `json:"errors"`            // failed requests
	Dropped    int64           `json:"dropped"`
	VUs        int             `json:"vus"`  // allocated VUs
	Busy       int             `json:"busy"` // VUs inside an iteration at the tick
	LagP99     float64         `json:"lag_p99"`
	CPU        float64         `json:"cpu_cores,omitempty"` // "_all" only: generator CPU in cores
}

// interval accumulates one second of one scenario (or of the run).
type interval struct {
	defs                                      []metricDef
	started, completed, dropped, reqs, errors int64
	trends                                    map[metricID]*Trend
	lag                                       *Trend
}

func newInterval(defs []metricDef) *interval {
	return &interval{defs: defs, trends: map[metricID]*Trend{}, lag: newTrend()}
}

func (iv *interval) add(sm sample) {
	switch sm.metric {
	case mIterationLag:
		iv.started++
		iv.lag.Add(sm.value)
	case mIterations:
		iv.completed++
	case mDropped:
		iv.dropped++
	case mHTTPReqs, mGRPCReqs:
		iv.reqs++
	case mHTTPFailed, mGRPCFailed:
		if sm.value != 0 {
			iv.errors++
		}
	}
	if int(sm.metric) < len(iv.defs) && iv.defs[sm.metric].Series {
		t := iv.trends[sm.metric]
		if t == nil {
			t = newTrend()
			iv.trends[sm.metric] = t
		}
		t.Add(sm.value)
	}
}

func pcts(t *Trend) Pcts {
	return Pcts{t.Percentile(50) / 1000, t.Percentile(95) / 1000, t.Percentile(99) / 1000}
}

// line renders the interval and resets it.
func (iv *interval) line(t, secs float64, scen string, main metricID, target float64) TimeseriesLine {
	l := TimeseriesLine{T: round3(t), Scenario: scen, TargetRate: round3(target),
		Offered: round3(float64(iv.started+iv.dropped) / secs), Achieved: round3(float64(iv.completed) / secs),
		Reqs: round3(float64(iv.reqs) / secs), Errors: iv.errors, Dropped: iv.dropped, LagP99: round3(iv.lag.Percentile(99) / 1000)}
	for m, tr := range iv.trends {
		if tr.Count() > 0 {
			if l.Latency == nil {
				l.Latency = map[string]Pcts{}
			}
			p := pcts(tr)
			l.Latency[iv.defs[m].Name] = Pcts{round3(p.P50), round3(p.P95), round3(p.P99)}
		}
	}
	if main != 0 {
		l.Metric = iv.defs[main].Name
		if p, ok := l.Latency[l.Metric]; ok {
			l.P50, l.P95, l.P99 = p.P50, p.P95, p.P99
		}
	}
	iv.started, iv.completed, iv.dropped, iv.reqs, iv.errors = 0, 0, 0, 0, 0
	for _, tr := range iv.trends {
		tr.Reset()
	}
	iv.lag.Reset()
	return l
}

func round3(v float64) float64 {
	if v != v { // NaN
		return 0
	}
	return float64(int64(v*1000+0.5)) / 1000
}

// ReadTimeseries reads a timeseries.ndjson written by a run (one TimeseriesLine per line).
func ReadTimeseries(path string) ([]TimeseriesLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []TimeseriesLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var l TimeseriesLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}
