package loadgen

import (
	"slices"
	"strings"
)

// The built-in metrics' names, as the summary, the thresholds and the time series spell them:
// readers of a summary use these instead of repeating the strings.
const (
	MetricIterations        = "iterations"
	MetricDroppedIterations = "dropped_iterations"
	MetricIterationDuration = "iteration_duration"
	MetricIterationLag      = "iteration_lag"
	MetricVUs               = "vus"
	MetricVUsMax            = "vus_max"
	MetricChecks            = "checks"
	MetricHTTPReqs          = "http_reqs"
	MetricHTTPReqFailed     = "http_req_failed"
	MetricHTTPReqDuration   = "http_req_duration"
	MetricHTTPReqBlocked    = "http_req_blocked"
	MetricHTTPReqConnecting = "http_req_connecting"
	MetricHTTPReqSending    = "http_req_sending"
	MetricHTTPReqWaiting    = "http_req_waiting"
	MetricHTTPReqReceiving  = "http_req_receiving"
	MetricGRPCReqs          = "grpc_reqs"
	MetricGRPCReqFailed     = "grpc_req_failed"
	MetricGRPCReqDuration   = "grpc_req_duration"
	MetricDataSent          = "data_sent"
	MetricDataReceived      = "data_received"
)

// The summary's columns of a metric (k6's names): a counter has count and rate, a rate value
// (and passes, fails), a gauge value, min and max, a trend the plan's summaryTrendStats.
const (
	StatCount = "count"
	StatRate  = "rate"
	StatValue = "value"
	StatAvg   = "avg"
	StatMin   = "min"
	StatMed   = "med"
	StatMax   = "max"
	StatP90   = "p(90)"
	StatP95   = "p(95)"
	StatP99   = "p(99)"
)

// The tags a submetric may select by (see Submetric).
const (
	TagName     = "name"     // the request's or sample's name (HTTPRequest.Name, VU.Add's tag)
	TagScenario = "scenario" // the plan's scenario (runs of more than one scenario only)
)

// Submetric is the key of metric's samples whose tag is value, as the summary and the thresholds
// name it: http_reqs{name:GET /v1/challenges}.
func Submetric(metric, tag, value string) string {
	return metric + "{" + tag + ":" + value + "}"
}

// TagValues lists the values of tag that metric has a submetric for in the summary, sorted:
// the outcomes a workload counted, for instance, without knowing them in advance.
func (s *Summary) TagValues(metric, tag string) []string {
	prefix := metric + "{" + tag + ":"
	var out []string
	for k := range s.Metrics {
		if v, ok := strings.CutPrefix(k, prefix); ok && strings.HasSuffix(v, "}") {
			out = append(out, strings.TrimSuffix(v, "}"))
		}
	}
	slices.Sort(out)
	return out
}

// Value is one number of the summary: column stat of metric (a Submetric key or a plain name),
// 0 when the run recorded none.
func (s *Summary) Value(metric, stat string) float64 {
	m, ok := s.Metrics[metric]
	if !ok {
		return 0
	}
	switch v := m[stat].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}
