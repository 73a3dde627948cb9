package loadgen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A submetric key is what the thresholds parse and the summary writes.
func TestSubmetricIsTheKeyTheEngineParses(t *testing.T) {
	key := Submetric(MetricHTTPReqs, TagName, "GET /v1/challenges")
	assert.Equal(t, "http_reqs{name:GET /v1/challenges}", key)
	name, tag, value, err := parseMetricKey(key)
	require.NoError(t, err)
	assert.Equal(t, []string{MetricHTTPReqs, TagName, "GET /v1/challenges"}, []string{name, tag, value})
}

func TestSummaryValueAndTagValues(t *testing.T) {
	var s Summary
	require.NoError(t, json.Unmarshal([]byte(`{"metrics":{
		"claim_outcomes":{"count":5},
		"claim_outcomes{name:200}":{"count":3},
		"claim_outcomes{name:409}":{"count":2},
		"claim_outcomes{scenario:api}":{"count":5},
		"claim_outcomes_x{name:500}":{"count":1},
		"http_req_failed":{"value":0.25,"passes":1,"fails":3}}}`), &s))
	assert.Equal(t, []string{"200", "409"}, s.TagValues("claim_outcomes", TagName))
	assert.Equal(t, []string{"api"}, s.TagValues("claim_outcomes", TagScenario))
	assert.Empty(t, s.TagValues("events_acked", TagName))
	assert.Equal(t, 3.0, s.Value(Submetric("claim_outcomes", TagName, "200"), StatCount))
	assert.Equal(t, 0.25, s.Value(MetricHTTPReqFailed, StatValue))
	assert.Zero(t, s.Value(MetricHTTPReqFailed, StatP95), "a column the metric lacks")
	assert.Zero(t, s.Value(MetricGRPCReqs, StatCount), "a metric the run did not record")
	// A summary straight from a run holds int64 counts (a rate's passes and fails).
	s.Metrics[MetricChecks] = map[string]any{"passes": int64(7)}
	assert.Equal(t, 7.0, s.Value(MetricChecks, "passes"))
}
