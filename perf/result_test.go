//go:build perf

package perf

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/runresult"
)

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
func scenarioTotals(dir string) (map[string]*runresult.Side, error) {
	f, err := os.Open(filepath.Join(dir, "timeseries.ndjson"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]*runresult.Side{}
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
			s = &runresult.Side{}
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
