package loadgen

import (
	"fmt"
	"math"
	"sort"
	"sync"
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
	Name   string
	Kind   MetricKind
	Time   bool // trend in µs, exported in ms
	Sub    bool // keep {name:..} and {scenario:..} submetrics
	Series bool // trend whose per-second percentiles go into the time series' latency map
}

// Built-in metrics (the protocols' and executors'); the order defines their ids. Workload
// packages add theirs with RegisterMetric.
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
	numBuiltin
)

var builtinMetrics = [numBuiltin]metricDef{
	mIterations:        {MetricIterations, KindCounter, false, true, false},
	mDropped:           {MetricDroppedIterations, KindCounter, false, true, false},
	mIterationDuration: {MetricIterationDuration, KindTrend, true, true, false},
	// iteration_lag: actual start − intended start of each iteration (coordinated omission made visible).
	mIterationLag:   {MetricIterationLag, KindTrend, true, true, false},
	mVUs:            {MetricVUs, KindGauge, false, false, false},
	mVUsMax:         {MetricVUsMax, KindGauge, false, false, false},
	mChecks:         {MetricChecks, KindRate, false, false, false},
	mHTTPReqs:       {MetricHTTPReqs, KindCounter, false, true, false},
	mHTTPFailed:     {MetricHTTPReqFailed, KindRate, false, true, false},
	mHTTPDuration:   {MetricHTTPReqDuration, KindTrend, true, true, true},
	mHTTPBlocked:    {MetricHTTPReqBlocked, KindTrend, true, false, true},
	mHTTPConnecting: {MetricHTTPReqConnecting, KindTrend, true, false, false},
	mHTTPSending:    {MetricHTTPReqSending, KindTrend, true, false, false},
	mHTTPWaiting:    {MetricHTTPReqWaiting, KindTrend, true, true, false},
	mHTTPReceiving:  {MetricHTTPReqReceiving, KindTrend, true, false, false},
	mGRPCReqs:       {MetricGRPCReqs, KindCounter, false, true, false},
	mGRPCFailed:     {MetricGRPCReqFailed, KindRate, false, true, false},
	mGRPCDuration:   {MetricGRPCReqDuration, KindTrend, true, true, true},
	mDataSent:       {MetricDataSent, KindCounter, false, false, false},
	mDataReceived:   {MetricDataReceived, KindCounter, false, false, false},
}

// metricRegistry holds the built-in metrics followed by the registered ones. A run copies it
// when it starts (metricDefs), so the hot path reads it without locking.
var metricRegistry = struct {
	mu   sync.RWMutex
	defs []metricDef
}{defs: append([]metricDef(nil), builtinMetrics[:]...)}

// MetricSpec describes a metric a workload package adds to the built-in ones.
type MetricSpec struct {
	Name string
	Kind MetricKind
	// Time marks a trend of durations: recorded with VU.AddDuration, exported in ms.
	Time bool
	// Tagged keeps {name:X} and {scenario:S} submetrics (thresholds may address them).
	Tagged bool
	// Series puts a Time trend's per-second p50/p95/p99 into timeseries.ndjson's latency map.
	Series bool
}

// Metric is a registered metric; VU.Add and VU.AddDuration record samples of it.
type Metric struct{ id metricID }

// RegisterMetric adds a metric to every later run's summary, thresholds and time series. Call it
// from an init function (before any Run); a name that is already defined panics.
func RegisterMetric(s MetricSpec) Metric {
	metricRegistry.mu.Lock()
	defer metricRegistry.mu.Unlock()
	for _, d := range metricRegistry.defs {
		if d.Name == s.Name {
			panic("loadgen: metric " + s.Name + " registered twice")
		}
	}
	if s.Name == "" || s.Kind < KindCounter || s.Kind > KindTrend || s.Time && s.Kind != KindTrend || s.Series && !s.Time {
		panic(fmt.Sprintf("loadgen: invalid metric spec %+v", s))
	}
	metricRegistry.defs = append(metricRegistry.defs, metricDef{Name: s.Name, Kind: s.Kind, Time: s.Time, Sub: s.Tagged, Series: s.Series})
	return Metric{id: metricID(len(metricRegistry.defs) - 1)}
}

// metricDefs is a copy of every metric defined so far, indexed by metricID.
func metricDefs() []metricDef {
	metricRegistry.mu.RLock()
	defer metricRegistry.mu.RUnlock()
	return append([]metricDef(nil), metricRegistry.defs...)
}

func metricByName(defs []metricDef, name string) (metricID, bool) {
	for i, d := range defs {
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
	defs  []metricDef
	total []*aggregate
	sub   map[subKey]*aggregate
	scen  []string
}

func newStore(defs []metricDef, scenarios []string) *store {
	s := &store{defs: defs, sub: map[subKey]*aggregate{}, scen: scenarios}
	for _, d := range defs {
		s.total = append(s.total, newAggregate(d))
	}
	return s
}

func (s *store) add(sm sample) {
	if int(sm.metric) >= len(s.total) {
		return // registered after the run started
	}
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
		a = newAggregate(s.defs[k.m])
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
	id, ok := metricByName(s.defs, name)
	if !ok {
		return nil
	}
	if tag == "" {
		return s.total[id]
	}
	t := byte('n')
	if tag == TagScenario {
		t = 's'
		if len(s.scen) == 1 && s.scen[0] == val {
			return s.total[id] // single-scenario runs keep no scenario submetrics
		}
	}
	if a := s.sub[subKey{id, t, val}]; a != nil {
		return a
	}
	return newAggregate(s.defs[id]) // defined but never observed
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
		tag := TagName
		if k.tag == 's' {
			tag = TagScenario
		}
		out[Submetric(s.defs[k.m].Name, tag, k.val)] = a
	}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, out
}
