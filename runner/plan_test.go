package runner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/loadgen"
)

// planCases are representative levels; testdata/plans/<name>.json is what the suite's plan
// builder wrote for each before plans were typed (perf's buildPlan, a map marshalled as JSON).
var planCases = map[string]struct {
	l    LevelSpec
	d    time.Duration
	auth string
	hold float64
}{
	"api":          {LevelSpec{Name: "rps-200", RPS: 200}, 20 * time.Second, "bearer", 37},
	"api-large":    {LevelSpec{Name: "rps-2000", RPS: 2000, HTTPPool: 512, Retry: true}, 2 * time.Minute, "bearer", 12.5},
	"events":       {LevelSpec{Name: "eps-1000", EPS: 1000}, 20 * time.Second, "bearer", 37},
	"combined":     {LevelSpec{Name: "rps-100_eps-500", RPS: 100, EPS: 500, Profiles: true, DBSampling: true}, 20 * time.Second, "bearer", 37},
	"e2e":          {LevelSpec{Name: "eps-200_e2e", EPS: 200, E2ERate: 2}, 20 * time.Second, "bearer", 37},
	"redeliver":    {LevelSpec{Name: "fault-1", RPS: 100, EPS: 500, Redeliver: true}, 20 * time.Second, "bearer", 37},
	"order-probes": {LevelSpec{Name: "rps-50_eps-100", RPS: 50, EPS: 100, OrderProbes: true, Redeliver: true}, 20 * time.Second, "mock-header", 37},
	"get-only":     {LevelSpec{Name: "rps-100_eps-500", RPS: 100, EPS: 500, APIGetOnly: true}, 30 * time.Minute, "bearer", 20},
	"e2e-combined": {LevelSpec{Name: "rps-200_eps-1000_e2e", RPS: 200, EPS: 1000, E2ERate: 2, OrderProbes: true}, time.Minute, "mock-header", 37},
}

// The typed plan is the plan the generator received before: the same JSON, and the same plan as
// the generator parses it.
func TestBuildPlanMatchesThePlansBefore(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "plans", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, len(planCases), "one case per golden plan")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			c, ok := planCases[name]
			require.True(t, ok, "no case for %s", f)
			want, err := os.ReadFile(f)
			require.NoError(t, err)
			got, err := EncodePlan(BuildPlan(c.l, PlanConfig{Duration: c.d, APIURL: "http://challenge-service:8000/challenge",
				GRPCAddr: "event-handler:6565", Namespace: "test", Auth: c.auth, HoldMs: c.hold}))
			require.NoError(t, err)
			assert.Equal(t, canonical(t, want), canonical(t, got))
			assert.Equal(t, parsed(t, want), parsed(t, got), "as the generator reads them")
		})
	}
}

// canonical decodes a plan as JSON, drops the fields whose value is JSON's zero (0, "", false,
// {}, [], null) at any depth and writes every duration in one form. The old plan wrote
// "httpPool": 0 and "env": {}, the typed one leaves them out, and the generator reads an absent
// field as its zero; the old one wrote "60s" where the typed one writes "1m0s", and the generator
// parses both with time.ParseDuration. (A zero that differs from absent, such as httpPrewarm's,
// shows in the comparison of the parsed plans.)
func canonical(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if e = walk(e); isZero(e) {
					delete(x, k)
				} else {
					x[k] = e
				}
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		case string:
			if d, err := time.ParseDuration(x); err == nil {
				return d.String()
			}
		}
		return v
	}
	return walk(v)
}

// parsed is the plan as the generator parses it, a scenario's empty env as none (the workloads
// look keys up: nil and empty read the same).
func parsed(t *testing.T, b []byte) *loadgen.Plan {
	t.Helper()
	p, err := loadgen.ParsePlan(b)
	require.NoError(t, err)
	for _, s := range p.Scenarios {
		if len(s.Env) == 0 {
			s.Env = nil
		}
	}
	return p
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case float64:
		return x == 0
	case string:
		return x == ""
	case bool:
		return !x
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return false
}

// The canonical form is no blanket: a field that is set, or another duration, differs.
func TestCanonicalKeepsWhatIsSet(t *testing.T) {
	a := canonical(t, []byte(`{"httpPool":0,"scenarios":{"api":{"env":{},"rate":1,"gracefulStop":"60s"}}}`))
	assert.Equal(t, map[string]any{"scenarios": map[string]any{"api": map[string]any{"rate": 1.0, "gracefulStop": "1m0s"}}}, a)
	assert.NotEqual(t, a, canonical(t, []byte(`{"httpPool":8,"scenarios":{"api":{"rate":1,"gracefulStop":"60s"}}}`)))
	assert.NotEqual(t, a, canonical(t, []byte(`{"scenarios":{"api":{"env":{"getOnly":"true"},"rate":1,"gracefulStop":"60s"}}}`)))
	assert.NotEqual(t, a, canonical(t, []byte(`{"scenarios":{"api":{"rate":1,"gracefulStop":"30s"}}}`)))
}
