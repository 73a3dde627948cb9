//go:build perf

package perf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/loadgen"
)

// Side is one traffic kind's outcome at a level (the rows of the spec's report tables).
type Side struct {
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"` // completed iterations per second
	Offered      int64   `json:"offered"`
	Completed    int64   `json:"completed"`
	Dropped      int64   `json:"dropped"`
	Requests     int64   `json:"requests"`
	P50ms        float64 `json:"p50_ms"`
	P95ms        float64 `json:"p95_ms"`
	P99ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	ErrorRate    float64 `json:"error_rate"`
}

// E2EStats is scenario 5's measurement: event acknowledged → visible in the API.
type E2EStats struct {
	Probes        int64   `json:"probes"`
	Failed        float64 `json:"failed_rate"`
	P50ms         float64 `json:"p50_ms"`
	P95ms         float64 `json:"p95_ms"`
	P99ms         float64 `json:"p99_ms"`
	MaxMs         float64 `json:"max_ms"`
	FlushInterval string  `json:"flush_interval"`
}

// FlushStats come from the handler's metrics, as deltas over the level.
type FlushStats struct {
	Flushes       uint64  `json:"flushes"`
	AvgMs         float64 `json:"avg_ms"`
	AvgEntries    float64 `json:"avg_entries"`
	Errors        float64 `json:"errors"`
	MaxBufferSeen float64 `json:"max_buffer_entries_seen"`
}

// ResourceRow is a container's CPU and memory during the level.
type ResourceRow struct {
	CPUAvgPct   float64 `json:"cpu_avg_pct"`
	CPUMaxPct   float64 `json:"cpu_max_pct"`
	MemMaxMiB   float64 `json:"mem_max_mib"`
	MemLimitMiB float64 `json:"mem_limit_mib"`
	Throttled   uint64  `json:"throttled_periods"`
}

// LevelResult is everything measured at one level, and its verdict.
type LevelResult struct {
	Level       string                       `json:"level"`
	RPS         int                          `json:"rps,omitempty"`
	EPS         int                          `json:"eps,omitempty"`
	DurationSec float64                      `json:"duration_sec"`
	API         *Side                        `json:"api,omitempty"`
	Events      *Side                        `json:"events,omitempty"`
	E2E         *E2EStats                    `json:"e2e,omitempty"`
	Resources   map[string]ResourceRow       `json:"resources"`
	Flush       *FlushStats                  `json:"flush,omitempty"`
	Loadgen     loadgen.SelfReport           `json:"loadgen"`
	Integrity   *Integrity                   `json:"integrity,omitempty"`
	TopCPU      map[string][]harness.TopFunc `json:"top_cpu,omitempty"`
	TopAlloc    map[string][]harness.TopFunc `json:"top_alloc,omitempty"`
	TopMutex    map[string][]harness.TopFunc `json:"top_mutex,omitempty"`
	DB          *harness.DBAnalysis          `json:"db,omitempty"`
	Verdict     string                       `json:"verdict"` // pass | limit | generator_limited
	Reasons     []string                     `json:"reasons,omitempty"`
	Dir         string                       `json:"dir"`
}

// Verdicts.
const (
	VerdictPass      = "pass"
	VerdictLimit     = "limit"
	VerdictGenerator = "generator_limited"
)

// ScenarioResult is a scenario's result.json.
type ScenarioResult struct {
	Scenario       string        `json:"scenario"`
	Profile        string        `json:"profile"`
	Levels         []LevelResult `json:"levels"`
	MaxSustainable string        `json:"max_sustainable"`
	MaxRPS         int           `json:"max_rps,omitempty"`
	MaxEPS         int           `json:"max_eps,omitempty"`
	StoppedAt      string        `json:"stopped_at,omitempty"`
	StopReasons    []string      `json:"stop_reasons,omitempty"`
}

func readSummary(dir string) (*loadgen.Summary, error) {
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return nil, err
	}
	var s loadgen.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("summary.json: %w", err)
	}
	return &s, nil
}

func metricVal(s *loadgen.Summary, metric, key string) float64 {
	m, ok := s.Metrics[metric]
	if !ok {
		return 0
	}
	switch v := m[key].(type) {
	case float64:
		return v
	case int64:
		return float64(v)
	}
	return 0
}

// scenarioTotals adds up timeseries.ndjson per scenario name.
func scenarioTotals(dir string) (map[string]*Side, error) {
	f, err := os.Open(filepath.Join(dir, "timeseries.ndjson"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*Side{}
	prevT := map[string]float64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l loadgen.TimeseriesLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("timeseries.ndjson: %w", err)
		}
		s := out[l.Scenario]
		if s == nil {
			s = &Side{}
			out[l.Scenario] = s
		}
		// Lines carry per-second rates over their interval (the last one is partial): weight by it.
		dt := l.T - prevT[l.Scenario]
		prevT[l.Scenario] = l.T
		s.Offered += int64(math.Round(l.Offered * dt))
		s.Completed += int64(math.Round(l.Achieved * dt))
		s.Requests += int64(math.Round(l.Reqs * dt))
		s.Dropped += l.Dropped
	}
	return out, sc.Err()
}
