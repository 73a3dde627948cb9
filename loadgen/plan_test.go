package loadgen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const okPlan = `{
 "scenarios": {"api": {"executor": "constant-arrival-rate", "rate": 10, "timeUnit": "1s", "duration": "2s",
   "preAllocatedVUs": 2, "maxVUs": 4, "exec": "httpGet", "tags": {"k": "v"}, "env": {"path": "/x"}}},
 "thresholds": {"http_req_duration": ["p(95)<500", {"threshold": "p(99)<1000", "abortOnFail": true, "delayAbortEval": "5s"}]},
 "target": {"baseURL": "http://127.0.0.1:1/", "namespace": "test"},
 "httpPool": 8, "seed": 7
}`

func TestParsePlanOK(t *testing.T) {
	p, err := ParsePlan([]byte(okPlan))
	require.NoError(t, err)
	s := p.Scenarios["api"]
	assert.Equal(t, "api", s.Name())
	assert.Equal(t, "http://127.0.0.1:1", p.Target.BaseURL)
	assert.Equal(t, AuthMockHeader, p.Auth)
	assert.Len(t, p.Thresholds["http_req_duration"], 2)
	assert.True(t, p.Thresholds["http_req_duration"][1].AbortOnFail)
}

func TestParsePlanErrors(t *testing.T) {
	cases := map[string]string{
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet"}},"bogus":1}`:                               `unknown field "bogus"`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet","vus":3}}}`:                                 `unknown field "vus"`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":0,"duration":"1s","maxVUs":1,"exec":"httpGet"}}}`:                                         `scenarios.a.rate`,
		`{"scenarios":{"a":{"executor":"constant-vus","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet"}}}`:                                                  `scenarios.a.executor`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1x","maxVUs":1,"exec":"httpGet"}}}`:                                         `duration`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"nope"}}}`:                                            `scenarios.a.exec`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","preAllocatedVUs":3,"maxVUs":1,"exec":"httpGet"}}}`:                     `scenarios.a.maxVUs`,
		`{"scenarios":{"a":{"executor":"ramping-arrival-rate","stages":[],"maxVUs":1,"exec":"httpGet"}}}`:                                                       `scenarios.a.stages`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet"}},"auth":"x"}`:                              `auth`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet"}},"statCodes":["wins"]}`:                    `unknown field "statCodes"`,
		`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"httpGet"}},"thresholds":{"http_reqs":["count>>1"]}}`: `thresholds.http_reqs`,
		`{"scenarios":{}}`: `scenarios`,
	}
	for in, want := range cases {
		_, err := ParsePlan([]byte(in))
		require.Error(t, err, in)
		var pe *PlanError
		assert.ErrorAs(t, err, &pe)
		assert.Contains(t, err.Error(), want, in)
		assert.NotContains(t, err.Error(), "\n")
	}
}
