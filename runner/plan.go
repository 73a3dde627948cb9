package runner

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/loadgen/challenge"
	"github.com/challenge-perf/challenge-perf/suite"
)

// The plan's scenario names: the generator's time series and summary name each side's figures by them.
const (
	ScenarioAPI    = "api"
	ScenarioEvents = "events"
	ScenarioE2E    = "e2e"
)

// PlanConfig is what every level's plan shares on one target.
type PlanConfig struct {
	Duration time.Duration // per level
	// APIURL and GRPCAddr are the target as the generator's container reaches it
	// (harness.Endpoints.InternalAPIURL, InternalGRPCAddr).
	APIURL, GRPCAddr string
	Namespace        string
	Auth             string // bearer | mock-header
	// HoldMs is how long an API iteration holds an HTTP connection (the generator's connHoldMs,
	// which sizes the API scenario's pool: loadgen.PoolFor).
	HoldMs float64
}

// summaryTrendStats are the columns the suite reads of every trend (count for the E2E probes).
var summaryTrendStats = []string{loadgen.StatAvg, loadgen.StatMin, loadgen.StatMed, loadgen.StatMax,
	loadgen.StatP90, loadgen.StatP95, loadgen.StatP99, loadgen.StatCount}

// BuildPlan is the load generator's plan (k6 options shape) for one level.
func BuildPlan(l LevelSpec, c PlanConfig) *loadgen.Plan {
	dur, sec := loadgen.Duration(c.Duration), loadgen.Duration(time.Second)
	p := &loadgen.Plan{
		Scenarios:         map[string]*loadgen.Scenario{},
		Thresholds:        map[string]loadgen.ThresholdList{},
		SummaryTrendStats: summaryTrendStats,
		Target:            loadgen.Target{BaseURL: c.APIURL, GRPCAddr: c.GRPCAddr, Namespace: c.Namespace},
		Fixtures:          loadgen.Fixtures{Users: harness.LoadUsers, Tokens: harness.LoadTokens},
		Auth:              c.Auth,
		HTTPPool:          l.HTTPPool,
	}
	limits := suite.Thresholds
	if l.RPS > 0 {
		p.Scenarios[ScenarioAPI] = &loadgen.Scenario{
			Executor: loadgen.ExecutorConstant, Rate: float64(l.RPS), TimeUnit: sec, Duration: dur,
			// The spec's VU sizing; VUs are goroutines here, and the HTTP pool is capped separately.
			PreAllocatedVUs: min(l.RPS, 500), MaxVUs: suite.APIMaxVUs(l.RPS),
			Exec: challenge.WorkloadAPILoad, Env: challenge.APILoadEnv{GetOnly: l.APIGetOnly}.Env(),
			ConnHoldMs: c.HoldMs,
		}
		p.Thresholds[loadgen.MetricHTTPReqDuration] = threshold(loadgen.StatP95, limits.MaxAPIP95ms)
		p.Thresholds[loadgen.MetricHTTPReqFailed] = threshold(loadgen.StatRate, limits.MaxErrorRate)
	}
	if l.EPS > 0 {
		ev := &loadgen.Scenario{
			Executor: loadgen.ExecutorConstant, Rate: float64(l.EPS), TimeUnit: sec, Duration: dur,
			// The platform's limit: at most 500 concurrent OnMessage calls on one connection.
			PreAllocatedVUs: 500, MaxVUs: 500,
			Exec: challenge.WorkloadEventLoad, Env: challenge.EventLoadEnv{Redeliver: l.Redeliver, OrderProbes: l.OrderProbes}.Env(),
		}
		if l.Redeliver {
			// Iterations still redelivering at the end get time to be answered (the ground truth
			// is exact only for answered events).
			grace := loadgen.Duration(60 * time.Second)
			ev.GracefulStop = &grace
		}
		p.Scenarios[ScenarioEvents] = ev
		p.Thresholds[loadgen.MetricGRPCReqDuration] = threshold(loadgen.StatP95, limits.MaxEventP95ms)
		p.Thresholds[loadgen.MetricGRPCReqFailed] = threshold(loadgen.StatRate, limits.MaxErrorRate)
	}
	if l.E2ERate > 0 {
		p.Scenarios[ScenarioE2E] = &loadgen.Scenario{
			Executor: loadgen.ExecutorConstant, Rate: l.E2ERate, TimeUnit: sec, Duration: dur,
			PreAllocatedVUs: 10, MaxVUs: 50,
			Exec: challenge.WorkloadE2EProbe, Env: challenge.E2EProbeEnv{Timeout: 10 * time.Second, PollInterval: 20 * time.Millisecond}.Env(),
		}
	}
	return p
}

// threshold is one "stat < limit" threshold (the generator exits 99 when it is crossed).
func threshold(stat string, limit float64) loadgen.ThresholdList {
	return loadgen.ThresholdList{{Expr: fmt.Sprintf("%s<%g", stat, limit)}}
}

// EncodePlan is the plan as the generator's container receives it (plan.json).
func EncodePlan(p *loadgen.Plan) ([]byte, error) { return json.MarshalIndent(p, "", "  ") }
