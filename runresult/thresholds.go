package runresult

// Thresholds are the limit definition a level is judged by (the spec's "System at Limit
// Definition"): a level passes when both traffic kinds stay within every one of them. The suite
// (package suite) defines them and writes the ones it used into each scenario's result.json
// (ScenarioResult.Thresholds); the report states them from there.
type Thresholds struct {
	MaxErrorRate   float64 `json:"max_error_rate"`   // failed calls, 0..1 (API, events, E2E probes)
	MaxAPIP95ms    float64 `json:"max_api_p95_ms"`   // API request p95
	MaxEventP95ms  float64 `json:"max_event_p95_ms"` // OnMessage call p95
	MinAchievedPct float64 `json:"min_achieved_pct"` // completed iterations, % of the target rate
	MaxDroppedPct  float64 `json:"max_dropped_pct"`  // iterations the generator could not start, % of offered
}
