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

// The workloads' metrics (besides the engine's http_*, grpc_*, iterations, checks, ...).
var (
	// claim_outcomes{name:200|409|...|error}: the achieved mix of claims.
	claimOutcomes = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "claim_outcomes", Kind: loadgen.KindCounter, Tagged: true})

	eventsAcked       = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "events_acked", Kind: loadgen.KindCounter, Tagged: true})
	eventsRejected    = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "events_rejected", Kind: loadgen.KindCounter, Tagged: true})
	eventsRedelivered = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "events_redelivered", Kind: loadgen.KindCounter, Tagged: true})

	// e2e_latency: gRPC ack of a probe event → first GET that shows the value.
	e2eLatency = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "e2e_latency", Kind: loadgen.KindTrend, Time: true, Series: true})
	e2eFailed  = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "e2e_failed", Kind: loadgen.KindRate})
	e2ePolls   = loadgen.RegisterMetric(loadgen.MetricSpec{Name: "e2e_polls", Kind: loadgen.KindTrend})
)

// The plan fields the event workloads own (top level, as before the split).
const (
	fieldEventValues = "eventValues"
	fieldStatCodes   = "statCodes"
)

func init() {
	loadgen.RegisterWorkload("apiLoad", apiLoadFactory)
	loadgen.RegisterWorkload("eventLoad", eventLoadFactory)
	loadgen.RegisterWorkload("e2eProbe", e2eFactory)
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
