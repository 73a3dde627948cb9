package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a workload package can add to the engine, exercised by a stand-in
// package: a plan field, a metric, user reservations, run state and an artifact.

var (
	extWait = RegisterMetric(MetricSpec{Name: "test_ext_wait", Kind: KindTrend, Time: true, Series: true})
	extHits = RegisterMetric(MetricSpec{Name: "test_ext_hits", Kind: KindCounter, Tagged: true})
)

// extLog is the stand-in's run state and artifact: every user its VUs picked.
type extLog struct {
	mu     sync.Mutex
	picked map[string]int
	label  string
}

func (l *extLog) WriteArtifact(w io.Writer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return json.NewEncoder(w).Encode(map[string]any{"label": l.label, "picked": l.picked})
}

type extLogKey struct{}

func init() {
	RegisterPlanField("testExtLabel", func(raw json.RawMessage) error {
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			return errors.New("want a non-empty string")
		}
		return nil
	})
	RegisterWorkload("testExtension", func(sc *ScenarioContext) (Iteration, error) {
		label := "default"
		if _, err := sc.Plan.Field("testExtLabel", &label); err != nil {
			return nil, err
		}
		sc.ReserveUsers(sc.Env("reserve", "user-000001"))
		var err error
		log := sc.RunState(extLogKey{}, func() any {
			l := &extLog{picked: map[string]int{}, label: label}
			err = sc.AddArtifact("ext.json", l)
			return l
		}).(*extLog)
		if err != nil {
			return nil, err
		}
		sc.SetMainMetric("test_ext_wait")
		return func(ctx context.Context, vu *VU) error {
			u := vu.PickUser()
			log.mu.Lock()
			log.picked[u]++
			log.mu.Unlock()
			vu.Add(extHits, 1, u)
			vu.AddDuration(extWait, 2*time.Millisecond, "")
			return nil
		}, nil
	})
}

func TestWorkloadExtensions(t *testing.T) {
	res := runPlan(t, `{"scenarios":{
		"a":{"executor":"constant-arrival-rate","rate":100,"duration":"1s","preAllocatedVUs":5,"exec":"testExtension"},
		"b":{"executor":"constant-arrival-rate","rate":100,"duration":"1s","preAllocatedVUs":5,"exec":"testExtension","env":{"reserve":"user-000002"}}},
		"fixtures":{"generateUsers":3},"testExtLabel":"from the plan","thresholds":{"test_ext_wait":["p(95)<3"],"test_ext_hits{name:user-000003}":["count>0"]}}`)
	assert.False(t, res.ThresholdsFailed)
	n := metric(t, res, "iterations", "count")
	assert.InDelta(t, 200, n, 10)
	assert.Equal(t, n, metric(t, res, "test_ext_hits", "count"))
	assert.Equal(t, n, metric(t, res, "test_ext_hits{name:user-000003}", "count"), "both scenarios' reservations apply to every scenario")
	assert.InDelta(t, 2.0, metric(t, res, "test_ext_wait", "med"), 0.01)
	var series bool
	for _, l := range res.Timeseries {
		if l.Scenario == "a" && l.Metric == "test_ext_wait" {
			_, series = l.Latency["test_ext_wait"]
		}
	}
	assert.True(t, series, "a Series metric is in the time series")

	require.Contains(t, res.Artifacts, "ext.json")
	dir := t.TempDir()
	require.NoError(t, res.WriteDir(dir))
	b, err := os.ReadFile(filepath.Join(dir, "ext.json"))
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"label":"from the plan","picked":{"user-000003":%v}}`, n), string(b), "one log shared by both scenarios")
}

func TestRegisteredPlanFieldIsChecked(t *testing.T) {
	plan := func(label string) string {
		return fmt.Sprintf(`{"scenarios":{"a":{"executor":"constant-arrival-rate","rate":1,"duration":"1s","maxVUs":1,"exec":"testExtension"}},"testExtLabel":%s}`, label)
	}
	_, err := ParsePlan([]byte(plan(`""`)))
	var pe *PlanError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, err.Error(), "testExtLabel: want a non-empty string")
	_, err = ParsePlan([]byte(plan(`"x"} {`)))
	assert.ErrorContains(t, err, "trailing data")
	p, err := ParsePlan([]byte(plan(`"x"`)))
	require.NoError(t, err)
	var got string
	ok, err := p.Field("testExtLabel", &got)
	assert.True(t, ok)
	assert.NoError(t, err)
	assert.Equal(t, "x", got)
	ok, _ = p.Field("unregistered", &got)
	assert.False(t, ok)
	assert.Panics(t, func() { RegisterPlanField("httpPool", nil) }, "the engine's own fields cannot be taken")
	assert.Panics(t, func() { RegisterMetric(MetricSpec{Name: "http_reqs", Kind: KindCounter}) })
}
