package loadgen

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPoolForFollowsLittlesLaw(t *testing.T) {
	assert.Equal(t, DefaultHTTPPool, PoolFor(5000, 2, 1000), "fast GETs keep the measured default")
	assert.Equal(t, 246, PoolFor(2000, 41, 1000), "2,000/s × 41 ms × 3")
	assert.Equal(t, 200, PoolFor(2000, 41, 200), "never more than the VUs that could use it")
	assert.Equal(t, MaxHTTPPool, PoolFor(20000, 100, 5000), "never more than the host holds open")
	assert.Equal(t, 50, PoolFor(100, 1, 50), "the default is bounded by the VUs too")
}

func TestPeakRate(t *testing.T) {
	s := Scenario{Rate: 120, TimeUnit: Duration(time.Minute)}
	assert.InDelta(t, 2, s.PeakRate(), 1e-9)
	s = Scenario{StartRate: 10, Stages: []Stage{{Target: 500}, {Target: 50}}, TimeUnit: Duration(time.Second)}
	assert.InDelta(t, 500, s.PeakRate(), 1e-9)
}

func TestPlanRefusesANegativeConnHold(t *testing.T) {
	_, err := ParsePlan([]byte(`{"scenarios":{"get":{"executor":"constant-arrival-rate","rate":1,"duration":"1s",
		"preAllocatedVUs":1,"exec":"httpGet","connHoldMs":-5,"env":{"path":"/x"}}},"target":{"baseURL":"http://127.0.0.1:1"}}`))
	require.ErrorContains(t, err, "connHoldMs")
}

func TestJudgePoolWaitIsTheGenerators(t *testing.T) {
	var r SelfReport
	r.judge(200, []string{"api"}, []poolWait{{scenario: "api", pool: 128, blockedP95Ms: 635, requestMeanMs: 60}})
	assert.True(t, r.GeneratorLimited)
	assert.Equal(t, []string{"api"}, r.PoolLimited)
	assert.Contains(t, r.Reason, "HTTP pool of 128 connections in api: http_req_blocked p95 635.0 ms > 6.0 ms")
	assert.NotContains(t, r.Reason, "target-side")

	r = SelfReport{}
	r.judge(200, nil, []poolWait{{scenario: "api", pool: 128, blockedP95Ms: 12, requestMeanMs: 150}})
	assert.False(t, r.GeneratorLimited, "a wait under 10% of a slow request is noise: %s", r.Reason)
	assert.Equal(t, 12.0, r.HTTPBlockedP95Ms["api"])
}

// At 300 iterations/s against a server that answers after 150 ms, 45 requests are in flight on
// average (Little's law). A pool of 8 connections makes VUs queue for a connection: the generator
// must say so, naming its pool, and never call the target slow.
func TestASmallPoolIsReportedAsTheGeneratorsLimit(t *testing.T) {
	srv := newHTTPServer(t, 150*time.Millisecond)
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"get":{"executor":"constant-arrival-rate","rate":300,"duration":"3s",
		"preAllocatedVUs":50,"maxVUs":200,"exec":"httpGet","env":{"path":"/v1/challenges"}}},"target":{"baseURL":%q},"httpPool":8}`, srv.URL))
	lg := res.Summary.Loadgen
	assert.True(t, lg.GeneratorLimited)
	assert.Equal(t, []string{"get"}, lg.PoolLimited)
	assert.Contains(t, lg.Reason, "HTTP pool of 8 connections in get")
	assert.NotContains(t, lg.Reason, "target-side")
	assert.Greater(t, lg.HTTPBlockedP95Ms["get"], 100.0)
}

// The same work with the pool sized from it (connHoldMs 150): 300/s × 150 ms × 3 = 135 connections.
func TestAPoolSizedFromTheWorkDoesNotQueue(t *testing.T) {
	srv := newHTTPServer(t, 150*time.Millisecond)
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"get":{"executor":"constant-arrival-rate","rate":300,"duration":"3s",
		"preAllocatedVUs":50,"maxVUs":200,"connHoldMs":150,"exec":"httpGet","env":{"path":"/v1/challenges"}}},"target":{"baseURL":%q}}`, srv.URL))
	lg := res.Summary.Loadgen
	assert.Equal(t, 135, lg.HTTPPool["get"])
	assert.Empty(t, lg.PoolLimited, lg.Reason)
}
