//go:build perf

package perf

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/suite"
)

// levelSpec is one load level: an API rate, an event rate, or both, with optional E2E probes.
type levelSpec struct {
	Name       string
	RPS        int     // API iterations per second (scenario 1 mix), 0 = none
	EPS        int     // events per second, 0 = none
	E2ERate    float64 // E2E probes per second, 0 = none
	APIGetOnly bool    // the spec's GET-only variant of the combined scenario
	Profiles   bool    // collect CPU/heap/goroutine/mutex profiles of both programs
	DBSampling bool    // sample PostgreSQL every 5 s and analyse it afterwards
	Retry      bool    // a second run of a level that failed although the baseline held it
	Redeliver  bool    // the generator redelivers refused event calls until they are answered OK
	// OrderProbes: the generator sends order probes (the target declares the contract's order,
	// targets.Capabilities.EventOrder): equal-timestamp pairs out of order, timestamp-less streams.
	OrderProbes bool
	HTTPPool    int    // a fixed HTTP pool (0: sized from the work); set when a re-run removes the pool as a limit
	Fault       *fault // injected during the level (scenario 6)
	// NoIntegrity leaves the integrity check to the caller (a test that expects it to fail).
	NoIntegrity bool
}

func (l levelSpec) String() string {
	s := ""
	if l.RPS > 0 {
		s += fmt.Sprintf("%d RPS", l.RPS)
	}
	if l.EPS > 0 {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%d EPS", l.EPS)
	}
	if l.E2ERate > 0 {
		if s != "" {
			s += " + "
		}
		s += fmt.Sprintf("%.0f probes/s", l.E2ERate)
	}
	return s
}

// Load and WithLoad are what the stepping (suite.Stepper) reads and changes of a level.
func (l levelSpec) Load() suite.Load {
	return suite.Load{Name: l.Name, RPS: l.RPS, EPS: l.EPS, HTTPPool: l.HTTPPool, Retry: l.Retry}
}

func (l levelSpec) WithLoad(s suite.Load) levelSpec {
	l.Name, l.RPS, l.EPS, l.HTTPPool, l.Retry = s.Name, s.RPS, s.EPS, s.HTTPPool, s.Retry
	return l
}

// buildPlan renders the load generator's plan (k6 options shape) for one level.
// holdMs sizes the API scenario's HTTP pool (the generator's connHoldMs: see loadgen.PoolFor).
func buildPlan(l levelSpec, d time.Duration, e harness.Endpoints, authMode, ns string, holdMs float64) ([]byte, error) {
	dur := d.String()
	scen := map[string]any{}
	if l.RPS > 0 {
		env := map[string]string{}
		if l.APIGetOnly {
			env["getOnly"] = "true"
		}
		scen["api"] = map[string]any{
			"executor": "constant-arrival-rate", "rate": l.RPS, "timeUnit": "1s", "duration": dur,
			// The spec's VU sizing; VUs are goroutines here, and the HTTP pool is capped separately.
			"preAllocatedVUs": min(l.RPS, 500), "maxVUs": suite.APIMaxVUs(l.RPS), "exec": "apiLoad", "env": env,
			"connHoldMs": holdMs,
		}
	}
	if l.EPS > 0 {
		ev := map[string]any{
			"executor": "constant-arrival-rate", "rate": l.EPS, "timeUnit": "1s", "duration": dur,
			// The platform's limit: at most 500 concurrent OnMessage calls on one connection.
			"preAllocatedVUs": 500, "maxVUs": 500, "exec": "eventLoad",
		}
		env := map[string]string{}
		if l.OrderProbes {
			env["orderProbes"] = "true"
		}
		ev["env"] = env
		if l.Redeliver {
			env["redeliver"] = "true"
			// Iterations still redelivering at the end get time to be answered (the ground truth
			// is exact only for answered events).
			ev["gracefulStop"] = "60s"
		}
		scen["events"] = ev
	}
	if l.E2ERate > 0 {
		scen["e2e"] = map[string]any{
			"executor": "constant-arrival-rate", "rate": l.E2ERate, "timeUnit": "1s", "duration": dur,
			"preAllocatedVUs": 10, "maxVUs": 50, "exec": "e2eProbe",
			"env": map[string]string{"timeout": "10s", "pollInterval": "20ms"},
		}
	}
	limits := suite.Thresholds
	th := map[string][]string{}
	if l.RPS > 0 {
		th["http_req_duration"] = []string{fmt.Sprintf("p(95)<%g", limits.MaxAPIP95ms)}
		th["http_req_failed"] = []string{fmt.Sprintf("rate<%g", limits.MaxErrorRate)}
	}
	if l.EPS > 0 {
		th["grpc_req_duration"] = []string{fmt.Sprintf("p(95)<%g", limits.MaxEventP95ms)}
		th["grpc_req_failed"] = []string{fmt.Sprintf("rate<%g", limits.MaxErrorRate)}
	}
	plan := map[string]any{
		"httpPool":          l.HTTPPool,
		"scenarios":         scen,
		"thresholds":        th,
		"summaryTrendStats": []string{"avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"},
		"target":            map[string]string{"baseURL": e.InternalAPIURL, "grpcAddr": e.InternalGRPCAddr, "namespace": ns},
		"fixtures":          map[string]string{"users": harness.LoadUsers, "tokens": harness.LoadTokens},
		"auth":              authMode,
	}
	return json.MarshalIndent(plan, "", "  ")
}
