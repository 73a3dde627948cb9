package challenge

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAPILoadClaims(t *testing.T) {
	srv := newAPIServer(t)
	srv.body = []byte(`{"challenges":[{"challengeId":"c1","goals":[{"goalId":"g1","status":"claimed","claimedAt":"x"},{"goalId":"g2","status":"completed","claimedAt":null}]}]}`)
	res := runPlan(t, fmt.Sprintf(`{"scenarios":{"api":{"executor":"constant-arrival-rate","rate":100,"duration":"1s",
		"preAllocatedVUs":5,"exec":"apiLoad","env":{"claimRatio":"0.5"}}},"target":{"baseURL":%q},"seed":3}`, srv.URL))
	claims := metric(t, res, "http_reqs{name:"+NameClaim+"}", "count")
	assert.InDelta(t, 50, claims, 20)
	assert.Equal(t, float64(srv.claims.Load()), claims)
	// half the claims answer 409: expected, so no failures
	assert.Equal(t, 0.0, metric(t, res, "http_req_failed", "value"))
	assert.Equal(t, 100.0, metric(t, res, "http_reqs{name:GET /v1/challenges}", "count"))
	// The achieved mix: the test server answers every second claim 409.
	ok, conflict := metric(t, res, "claim_outcomes{name:200}", "count"), metric(t, res, "claim_outcomes{name:409}", "count")
	assert.Equal(t, claims, ok+conflict)
	assert.InDelta(t, ok, conflict, 1)
	ck := res.Summary.RootGroup.Checks["GET challenges: status 200"]
	assert.Equal(t, int64(100), ck.Passes)
	assert.Nil(t, TruthOf(res), "no ground truth for HTTP-only runs")
}

// The reference writes "" for an absent time and repeats "status": a completed, unclaimed goal is
// still found there.
func TestFirstCompletedReadsTheReferencesQuirks(t *testing.T) {
	c, g, ok := firstCompleted([]byte(`{"challenges":[{"challengeId":"c1","goals":[
		{"goalId":"g1","status":"claimed","claimedAt":"2026-12-01T00:00:00Z","status":"claimed"},
		{"goalId":"g2","status":"completed","claimedAt":"","status":"completed"}]}]}`))
	assert.True(t, ok)
	assert.Equal(t, "c1", c)
	assert.Equal(t, "g2", g)
}
