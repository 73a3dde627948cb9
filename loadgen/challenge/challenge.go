// Package challenge holds the challenge service's workloads for the loadgen
// engine: the spec's scenarios as iterations (apiLoad, eventLoad, e2eProbe),
// the ground truth of acknowledged events, and the plan options and metrics
// only they use. Importing the package registers all of it with the engine
// (init functions): cmd/loadgen imports it; a program that links only loadgen
// gets the engine's generic workloads (httpGet, grpcEmpty) alone.
//
// What it registers:
//   - workloads apiLoad (GET /v1/challenges and claims), eventLoad (AGS
//     userLoggedIn / statItemUpdated over gRPC) and e2eProbe (event → visible in
//     the API); see each factory's doc for its env options;
//   - the top-level plan fields eventValues ("monotonic" default | "random") and
//     statCodes (default enemy_kills, games_played, headshots, wins), read by
//     the event workloads; target.namespace defaults to "test" for them;
//   - the metrics claim_outcomes, events_acked, events_rejected,
//     events_redelivered, e2e_latency, e2e_failed and e2e_polls;
//   - the artifact ground_truth.json (GroundTruth) of runs with event workloads.
//
// For the programs that write plans and read summaries it exports the workloads' names
// (Workload*), their env options as types (APILoadEnv, EventLoadEnv, E2EProbeEnv), and the names
// of their metrics (Metric*) and requests (Name*, the {name:...} tag of the http_* and grpc_* submetrics).
package challenge

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// Plan defaults of the event workloads.
var (
	defaultStatCodes = []string{"enemy_kills", "games_played", "headshots", "wins"}
	defaultNamespace = "test"
)

// The workloads' metric names (besides the engine's http_*, grpc_*, iterations, checks, ...), for
// the readers of a summary.
const (
	// MetricClaimOutcomes{name:200|409|...|error}: the achieved mix of claims.
	MetricClaimOutcomes     = "claim_outcomes"
	MetricEventsAcked       = "events_acked"
	MetricEventsRejected    = "events_rejected"
	MetricEventsRedelivered = "events_redelivered"
	// MetricE2ELatency: gRPC ack of a probe event → first GET that shows the value.
	MetricE2ELatency = "e2e_latency"
	MetricE2EFailed  = "e2e_failed"
	MetricE2EPolls   = "e2e_polls"
)

var (
	claimOutcomes = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricClaimOutcomes, Kind: loadgen.KindCounter, Tagged: true})

	eventsAcked       = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricEventsAcked, Kind: loadgen.KindCounter, Tagged: true})
	eventsRejected    = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricEventsRejected, Kind: loadgen.KindCounter, Tagged: true})
	eventsRedelivered = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricEventsRedelivered, Kind: loadgen.KindCounter, Tagged: true})

	e2eLatency = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricE2ELatency, Kind: loadgen.KindTrend, Time: true, Series: true})
	e2eFailed  = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricE2EFailed, Kind: loadgen.KindRate})
	e2ePolls   = loadgen.RegisterMetric(loadgen.MetricSpec{Name: MetricE2EPolls, Kind: loadgen.KindTrend})
)

// The workloads' names: a scenario's exec.
const (
	WorkloadAPILoad   = "apiLoad"
	WorkloadEventLoad = "eventLoad"
	WorkloadE2EProbe  = "e2eProbe"
)

// The plan fields the event workloads own (top level, as before the split).
const (
	fieldEventValues = "eventValues"
	fieldStatCodes   = "statCodes"
)

func init() {
	loadgen.RegisterWorkload(WorkloadAPILoad, apiLoadFactory)
	loadgen.RegisterWorkload(WorkloadEventLoad, eventLoadFactory)
	loadgen.RegisterWorkload(WorkloadE2EProbe, e2eFactory)
	loadgen.RegisterPlanField(fieldEventValues, func(raw json.RawMessage) error {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || (v != "" && v != ValuesMonotonic && v != ValuesRandom) {
			return fmt.Errorf("must be %q or %q, got %s", ValuesMonotonic, ValuesRandom, raw)
		}
		return nil
	})
	loadgen.RegisterPlanField(fieldStatCodes, func(raw json.RawMessage) error {
		var v []string
		if err := json.Unmarshal(raw, &v); err != nil {
			return errors.New("must be an array of stat codes")
		}
		return nil
	})
}

// options are the plan's settings for the event workloads, defaults applied.
type options struct {
	eventValues string
	statCodes   []string
	namespace   string
}

func planOptions(p *loadgen.Plan) (options, error) {
	o := options{eventValues: ValuesMonotonic, statCodes: defaultStatCodes, namespace: p.Target.Namespace}
	var values string
	if _, err := p.Field(fieldEventValues, &values); err != nil {
		return o, err
	}
	if values != "" {
		o.eventValues = values
	}
	var codes []string
	if _, err := p.Field(fieldStatCodes, &codes); err != nil {
		return o, err
	}
	if len(codes) > 0 {
		o.statCodes = codes
	}
	if o.namespace == "" {
		o.namespace = defaultNamespace
	}
	return o, nil
}

// TruthArtifact is the file name of the ground truth among the run's results.
const TruthArtifact = "ground_truth.json"

type truthKey struct{}

// runTruth returns the run's ground truth, shared by all its event scenarios
// (created, and added to the results, by the first).
func runTruth(sc *loadgen.ScenarioContext, o options) (*GroundTruth, error) {
	var err error
	g := sc.RunState(truthKey{}, func() any {
		g := newGroundTruth(o.namespace, o.eventValues, sc.Users.All())
		err = sc.AddArtifact(TruthArtifact, g)
		return g
	}).(*GroundTruth)
	return g, err
}

// TruthOf returns the ground truth of a finished run, nil when no event
// workload ran.
func TruthOf(r *loadgen.Result) *GroundTruth {
	g, _ := r.Artifacts[TruthArtifact].(*GroundTruth)
	return g
}
