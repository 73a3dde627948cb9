package loadgen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseThreshold(t *testing.T) {
	ok := []struct {
		expr   string
		method string
		op     string
		value  float64
		p      float64
	}{
		{"p(95)<500", "p(95)", "<", 500, 95},
		{" p( 99.9 ) <= 1e3 ", "p(99.9)", "<=", 1000, 99.9},
		{"rate<0.01", "rate", "<", 0.01, 0},
		{"count>0", "count", ">", 0, 0},
		{"avg>=1.5", "avg", ">=", 1.5, 0},
		{"med!=3", "med", "!=", 3, 0},
		{"min===0", "min", "==", 0, 0},
		{"max==10", "max", "==", 10, 0},
		{"value>-1", "value", ">", -1, 0},
	}
	for _, c := range ok {
		th, err := ParseThreshold(c.expr)
		require.NoError(t, err, c.expr)
		assert.Equal(t, c.method, th.Method, c.expr)
		assert.Equal(t, c.op, th.Op, c.expr)
		assert.Equal(t, c.value, th.Value, c.expr)
		assert.Equal(t, c.p, th.P, c.expr)
	}
	for _, bad := range []string{"", "p95<500", "p(101)<1", "avg", "avg<", "avg<<1", "mean<1", "rate<abc", "p(95)=500", "count>0 extra"} {
		_, err := ParseThreshold(bad)
		assert.Error(t, err, bad)
	}
}

func TestThresholdPass(t *testing.T) {
	cases := []struct {
		expr string
		v    float64
		pass bool
	}{
		{"p(95)<500", 499.9, true}, {"p(95)<500", 500, false},
		{"rate<=0.01", 0.01, true}, {"rate<=0.01", 0.011, false},
		{"count>0", 1, true}, {"count>0", 0, false},
		{"avg>=2", 2, true}, {"avg>=2", 1.99, false},
		{"value==3", 3, true}, {"value!=3", 3, false},
	}
	for _, c := range cases {
		th, err := ParseThreshold(c.expr)
		require.NoError(t, err)
		assert.Equal(t, c.pass, th.Pass(c.v), "%s at %v", c.expr, c.v)
	}
}

func TestThresholdKinds(t *testing.T) {
	p := func(key, expr string) *Plan { return &Plan{Thresholds: map[string]ThresholdList{key: {{Expr: expr}}}} }
	kind := func(n string) (MetricKind, bool) {
		id, ok := metricByName(builtinMetrics[:], n)
		return builtinMetrics[id].Kind, ok
	}
	for _, c := range []struct {
		key, expr string
		ok        bool
	}{
		{"http_req_duration", "p(95)<500", true},
		{"http_req_duration{name:GET /v1/challenges}", "med<5", true},
		{"http_req_duration{scenario:api}", "max<5", true},
		{"http_req_failed", "rate<0.01", true},
		{"http_reqs", "count>0", true},
		{"http_reqs", "rate>100", true},
		{"vus", "value>0", true},
		{"http_req_failed", "p(95)<1", false},
		{"http_req_duration", "rate<1", false},
		{"vus", "count>1", false},
		{"nope", "count>1", false},
		{"http_req_duration{status:200}", "p(95)<1", false},
		{"http_req_duration{name}", "p(95)<1", false},
	} {
		_, err := bindThresholds(p(c.key, c.expr), kind)
		if c.ok {
			assert.NoError(t, err, c.key+" "+c.expr)
		} else {
			assert.Error(t, err, c.key+" "+c.expr)
		}
	}
}

// A threshold without options is written in k6's short form; one with options as the object, and
// both read back as written.
func TestThresholdSpecMarshalsItsShortForm(t *testing.T) {
	in := ThresholdList{{Expr: "p(95)<500"}, {Expr: "p(99)<1000", AbortOnFail: true, DelayAbortEval: Duration(5e9)}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `["p(95)<500",{"threshold":"p(99)<1000","abortOnFail":true,"delayAbortEval":"5s"}]`, string(b))
	var out ThresholdList
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)
}
