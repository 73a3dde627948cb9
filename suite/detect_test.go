package suite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectableLossRate(t *testing.T) {
	assert.Equal(t, 1.0, DetectableLossRate(0))
	// 1,497 observed events detect 1 in 500 with 95% confidence; 200 only about 1.5%.
	assert.InDelta(t, 0.002, DetectableLossRate(1497), 0.00001)
	assert.InDelta(t, 0.0149, DetectableLossRate(200), 0.0001)
	_, d, why := DetectionPower(200, 613)
	assert.Greater(t, d, PromisedLossRate)
	assert.Contains(t, why, "200 of 613")
	_, _, why = DetectionPower(20000, 20000)
	assert.Empty(t, why)
}

// Only the deciding event of an absolute stat can show a loss, only while a goal of it is open
// (through the API); every login shows in SQL, through the API while login goals are open.
func TestObservableEvents(t *testing.T) {
	cat := truthCat(t) // logins-2, wins-5, wins-10
	gt := gtOf(t, `{"eventsAcked":14,"users":{
		"u1":{"logins":3,"stats":{"wins":{"acked":true,"value":4,"max":4},"kills":{"acked":true,"value":1,"max":1}}},
		"u2":{"logins":1,"stats":{"wins":{"acked":true,"value":12,"max":12}}},
		"u3":{"logins":0,"stats":{"wins":{"acked":false,"uncertain":[{"value":1,"id":"x"}]}}}}}`)
	require.EqualValues(t, 3+1+1+1, Observable(gt, nil, cat, false), "SQL: every login, one deciding event per stored stat")
	require.EqualValues(t, 1+1, Observable(gt, nil, cat, true), "API: u1's logins reached the target, u2's wins completed every goal")
	require.EqualValues(t, 3+1, Observable(gt, map[string]bool{"u1": true}, cat, false))
}
