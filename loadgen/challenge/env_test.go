package challenge

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// Every option set renders every key its factory accepts, and no other: a key added to a
// factory without its typed field (or misspelt in Env) fails here.
func TestTypedEnvCoversTheFactoriesKeys(t *testing.T) {
	ratio := 0.5
	for _, c := range []struct {
		env  map[string]string
		keys []string
	}{
		{APILoadEnv{GetOnly: true, ClaimRatio: &ratio}.Env(), apiLoadEnvKeys},
		{EventLoadEnv{LoginRatio: &ratio, StatCodes: []string{"wins"}, Values: ValuesRandom, Redeliver: true, OrderProbes: true}.Env(), eventLoadEnvKeys},
		{E2EProbeEnv{User: "u", StatCode: "wins", GoalID: "g", PollInterval: time.Millisecond, Timeout: time.Second}.Env(), e2eProbeEnvKeys},
	} {
		assert.Equal(t, slices.Sorted(slices.Values(c.keys)), slices.Sorted(maps.Keys(c.env)))
	}
}

// Unset options are left out (the factory's default), set ones in the strings the factories parse.
func TestTypedEnvValues(t *testing.T) {
	assert.Empty(t, APILoadEnv{}.Env())
	assert.Empty(t, EventLoadEnv{}.Env())
	assert.Empty(t, E2EProbeEnv{}.Env())
	zero := 0.0
	assert.Equal(t, map[string]string{"claimRatio": "0"}, APILoadEnv{ClaimRatio: &zero}.Env())
	assert.Equal(t, map[string]string{"statCodes": "wins,headshots", "redeliver": "true"},
		EventLoadEnv{StatCodes: []string{"wins", "headshots"}, Redeliver: true}.Env())
	assert.Equal(t, map[string]string{"timeout": "10s", "pollInterval": "20ms"},
		E2EProbeEnv{Timeout: 10 * time.Second, PollInterval: 20 * time.Millisecond}.Env())
}

// The rendered env runs: GET-only sends no claim although one is there to take, and events with
// no logins and one stat code send only that code.
func TestTypedEnvRunsInTheWorkloads(t *testing.T) {
	hs := newAPIServer(t)
	hs.body = []byte(`{"challenges":[{"challengeId":"c1","goals":[{"goalId":"g2","status":"completed","claimedAt":null}]}]}`)
	gs := newGRPCServer(t, 0, 0)
	noLogins := 0.0
	apiEnv, _ := json.Marshal(APILoadEnv{GetOnly: true}.Env())
	evEnv, _ := json.Marshal(EventLoadEnv{LoginRatio: &noLogins, StatCodes: []string{"wins"}, Values: ValuesMonotonic, Redeliver: true, OrderProbes: true}.Env())
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{
		"api":{"executor":"constant-arrival-rate","rate":50,"duration":"1s","preAllocatedVUs":5,"exec":%q,"env":%s},
		"events":{"executor":"constant-arrival-rate","rate":50,"duration":"1s","preAllocatedVUs":5,"exec":%q,"env":%s}},
		"target":{"baseURL":%q,"grpcAddr":%q},"fixtures":{"generateUsers":5}}`,
		WorkloadAPILoad, apiEnv, WorkloadEventLoad, evEnv, hs.URL, gs.addr))
	assert.Zero(t, hs.claims.Load(), "getOnly: no claim")
	events := gs.snapshot()
	require.NotEmpty(t, events)
	for _, e := range events {
		assert.False(t, e.login)
		assert.Equal(t, "wins", e.code)
	}
	assert.Positive(t, metric(t, res, MetricEventsAcked, loadgen.StatCount))
}
