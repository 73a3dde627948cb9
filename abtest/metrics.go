package abtest

import "github.com/challenge-perf/challenge-perf/runresult"

// Metric names: what is compared per scenario and level.
const (
	MetricGETp50       = "api_get_p50_ms"
	MetricGETp95       = "api_get_p95_ms"
	MetricEventP95     = "event_p95_ms"
	MetricServiceCPU   = "service_cpu_ms_per_request"
	MetricHandlerCPU   = "handler_cpu_ms_per_event"
	kindLatency        = "latency"
	kindCPU            = "cpu"
	roleServiceDefault = "challenge-service"
	roleHandlerDefault = "event-handler"
)

// metricKind says which floor applies.
var metricKind = map[string]string{
	MetricGETp50: kindLatency, MetricGETp95: kindLatency, MetricEventP95: kindLatency,
	MetricServiceCPU: kindCPU, MetricHandlerCPU: kindCPU,
}

// metricOrder is the report's row order within a level.
var metricOrder = []string{MetricGETp50, MetricGETp95, MetricEventP95, MetricServiceCPU, MetricHandlerCPU}

// levelMetrics are the values one level of one run gives. CPU per unit is the program doing the
// level's work (the service per API request, the handler per event) by the utilization law, as
// the suite records it (utilization_bounds): only for levels of one kind of work, where the
// suite states a demand unit; the idle program's CPU per unit of the other's work is noise.
func levelMetrics(l runresult.LevelResult, get *Trend) map[string]float64 {
	m := map[string]float64{}
	if get != nil {
		m[MetricGETp50], m[MetricGETp95] = get.P50ms, get.P95ms
	}
	if l.Events != nil {
		m[MetricEventP95] = l.Events.P95ms
	}
	switch l.DemandUnit {
	case "request":
		if d, ok := l.UtilizationBounds[roleServiceDefault]; ok {
			m[MetricServiceCPU] = d.DemandMs
		}
	case "event":
		if d, ok := l.UtilizationBounds[roleHandlerDefault]; ok {
			m[MetricHandlerCPU] = d.DemandMs
		}
	}
	return m
}

// lastLevels is each level of a result once, in first-seen order: a level run again (the suite's
// retry, a repeat) counts by its last run, the one that decided.
func lastLevels(res runresult.ScenarioResult) []runresult.LevelResult {
	idx := map[string]int{}
	var out []runresult.LevelResult
	for _, l := range res.Levels {
		if i, ok := idx[l.Level]; ok {
			out[i] = l
			continue
		}
		idx[l.Level] = len(out)
		out = append(out, l)
	}
	return out
}
