package loadgen

import (
	"fmt"
	"math"
	"sort"
)

// MetricKind is k6's metric type.
type MetricKind int

const (
	KindCounter MetricKind = iota
	KindGauge
	KindRate
	KindTrend
)

func (k MetricKind) String() string {
	return [...]string{"counter", "gauge", "rate", "trend"}[k]
}

type metricID uint16

type metricDef struct {
	Name string
	Kind MetricKind
	Time bool // trend in µs, exported in ms
	Sub  bool // keep {name:..} and {scenario:..} submetrics
}

// Built-in metrics; the order defines their ids.
const (
	mIterations metricID = iota
	mDropped
	mIterationDuration
	mIterationLag
	mVUs
	mVUsMax
	mChecks
	mHTTPReqs
	mHTTPFailed
	mHTTPDuration
	mHTTPBlocked
	mHTTPConnecting
	mHTTPSending
	mHTTPWaiting
	mHTTPReceiving
	mGRPCReqs
	mGRPCFailed
	mGRPCDuration
	mDataSent
	mDataReceived
	mE2ELatency
	mE2EFailed
	mE2EPolls
	mEventsAcked
	mEventsRejected
	mEventsRedelivered
	mClaimOutcomes
	numBuiltin
)

var builtinMetrics = [numBuiltin]metricDef{
	mIterations:        {"iterations", KindCounter, false, true},
	mDropped:           {"dropped_iterations", KindCounter, false, true},
	mIterationDuration: {"iteration_duration", KindTrend, true, true},
	// iteration_lag: actual start − intended start of each iteration (coordinated omission made visible).
	mIterationLag:   {"iteration_lag", KindTrend, true, true},
	mVUs:            {"vus", KindGauge, false, false},
	mVUsMax:         {"vus_max", KindGauge, false, false},
	mChecks:         {"checks", KindRate, false, false},
	mHTTPReqs:       {"http_reqs", KindCounter, false, true},
	mHTTPFailed:     {"http_req_failed", KindRate, false, true},
	mHTTPDuration:   {"http_req_duration", KindTrend, true, true},
	mHTTPBlocked:    {"http_req_blocked", KindTrend, true, false},
	mHTTPConnecting: {"http_req_connecting", KindTrend, true, false},
	mHTTPSending:    {"http_req_sending", KindTrend, true, false},
	mHTTPWaiting:    {"http_req_waiting", KindTrend, true, true},
	mHTTPReceiving:  {"http_req_receiving", KindTrend, true, false},
	mGRPCReqs:       {"grpc_reqs", KindCounter, false, true},
	mGRPCFailed:     {"grpc_req_failed", KindRate, false, true},
	mGRPCDuration:   {"grpc_req_duration", KindTrend, true, true},
	mDataSent:       {"data_sent", KindCounter, false, false},
	mDataReceived:   {"data_received", KindCounter, false, false},
	// e2e_latency: gRPC ack of a probe event → first GET that shows the value.
	mE2ELatency:        {"e2e_latency", KindTrend, true, false},
	mE2EFailed:         {"e2e_failed", KindRate, false, false},
	mE2EPolls:          {"e2e_polls", KindTrend, false, false},
	mEventsAcked:       {"events_acked", KindCounter, false, true},
	mEventsRejected:    {"events_rejected", KindCounter, false, true},
	mEventsRedelivered: {"events_redelivered", KindCounter, false, true},
	mClaimOutcomes:     {"claim_outcomes", KindCounter, false, true},
}

func metricByName(name string) (metricID, bool) {
	for i, d := range builtinMetrics {
		if d.Name == name {
			return metricID(i), true
		}
	}
	return 0, false
}

// aggregate is the running value of one metric or submetric.
type aggregate struct {
	def      metricDef
	trend    *Trend
	sum      float64 // counter
	nonZero  int64   // rate
	total    int64   // rate
	gauge    float64
	gaugeMin float64
	gaugeMax float64
	gaugeSet bool
	n        int64 // samples seen
}

func newAggregate(d metricDef) *aggregate {
	a := &aggregate{def: d}
	if d.Kind == KindTrend {
		a.trend = newTrend()
	}
	return a
}

func (a *aggregate) add(v float64) {
	a.n++
	switch a.def.Kind {
	case KindCounter:
		a.sum += v
	case KindRate:
		a.total++
		if v != 0 {
			a.nonZero++
		}
	case KindGauge:
		if !a.gaugeSet {
			a.gaugeMin, a.gaugeMax, a.gaugeSet = v, v, true
		}
		a.gauge = v
		a.gaugeMin = math.Min(a.gaugeMin, v)
		a.gaugeMax = math.Max(a.gaugeMax, v)
	case KindTrend:
		a.trend.Add(v)
	}
}

func (a *aggregate) empty() bool { return a.n == 0 }

// scale converts micro-units to the export unit (ms for times).
func (a *aggregate) scale(v float64) float64 {
	if a.def.Time {
		return v / 1000
	}
	return v
}

// value evaluates a threshold method on the aggregate in export units.
func (a *aggregate) value(t Threshold, elapsedSec float64) float64 {
	switch a.def.Kind {
	case KindCounter:
		if t.Method == "rate" {
			if elapsedSec <= 0 {
				return 0
			}
			return a.sum / elapsedSec
		}
		return a.sum
	case KindGauge:
		return a.gauge
	case KindRate:
		if a.total == 0 {
			return 0
		}
		return float64(a.nonZero) / float64(a.total)
	}
	return a.scale(a.trend.Stat(t.Method, t.P))
}

type subKey struct {
	m   metricID
	tag byte // 'n' name, 's' scenario
	val string
}

// store holds every aggregate of a run; owned by the collector goroutine.
type store struct {
	total []*aggregate
	sub   map[subKey]*aggregate
	scen  []string
}

func newStore(scenarios []string) *store {
	s := &store{sub: map[subKey]*aggregate{}, scen: scenarios}
	for _, d := range builtinMetrics {
		s.total = append(s.total, newAggregate(d))
	}
	return s
}

func (s *store) add(sm sample) {
	a := s.total[sm.metric]
	a.add(sm.value)
	if !a.def.Sub {
		return
	}
	if sm.name != "" {
		s.subAgg(subKey{sm.metric, 'n', sm.name}).add(sm.value)
	}
	if len(s.scen) > 1 {
		s.subAgg(subKey{sm.metric, 's', s.scen[sm.scen]}).add(sm.value)
	}
}

func (s *store) subAgg(k subKey) *aggregate {
	a := s.sub[k]
	if a == nil {
		a = newAggregate(builtinMetrics[k.m])
		s.sub[k] = a
	}
	return a
}

// lookup finds the aggregate for a metric key such as `m{name:X}`.
func (s *store) lookup(key string) *aggregate {
	name, tag, val, err := parseMetricKey(key)
	if err != nil {
		return nil
	}
	id, ok := metricByName(name)
	if !ok {
		return nil
	}
	if tag == "" {
		return s.total[id]
	}
	t := byte('n')
	if tag == "scenario" {
		t = 's'
		if len(s.scen) == 1 && s.scen[0] == val {
			return s.total[id] // single-scenario runs keep no scenario submetrics
		}
	}
	if a := s.sub[subKey{id, t, val}]; a != nil {
		return a
	}
	return newAggregate(builtinMetrics[id]) // defined but never observed
}

// keys lists every non-empty aggregate with its export key, sorted.
func (s *store) keys() ([]string, map[string]*aggregate) {
	out := map[string]*aggregate{}
	for _, a := range s.total {
		if !a.empty() {
			out[a.def.Name] = a
		}
	}
	for k, a := range s.sub {
		if a.empty() {
			continue
		}
		tag := "name"
		if k.tag == 's' {
			tag = "scenario"
		}
		out[fmt.Sprintf("%s{%s:%s}", builtinMetrics[k.m].Name, tag, k.val)] = a
	}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, out
}
