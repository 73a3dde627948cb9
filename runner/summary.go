package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/challenge-perf/challenge-perf/loadgen"
	"github.com/challenge-perf/challenge-perf/loadgen/challenge"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// The generator's result files in a level's directory.
const (
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.ndjson"
)

// ReadSummary reads a level's summary.json.
func ReadSummary(dir string) (*loadgen.Summary, error) {
	data, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var s loadgen.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", SummaryFile, err)
	}
	return &s, nil
}

// ScenarioTotals adds up a level's timeseries.ndjson per scenario name: iterations offered,
// completed and dropped, and requests.
func ScenarioTotals(dir string) (map[string]*runresult.Side, error) {
	f, err := os.Open(filepath.Join(dir, TimeseriesFile))
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
			return nil, fmt.Errorf("%s: %w", TimeseriesFile, err)
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

// FillLoadResult puts what the generator measured of level l (its summary s and its time series'
// totals, d long) into out: each side's rates, latencies and errors, the API's achieved mix, the
// E2E probes (flush is the handler's, reported beside them) and the generator's self-report. It
// returns how long an API iteration held an HTTP connection (0: not measured), which sizes the
// next level's pool.
func FillLoadResult(out *runresult.LevelResult, l LevelSpec, s *loadgen.Summary, totals map[string]*runresult.Side, d, flush time.Duration) (apiHoldMs float64) {
	out.Loadgen = runresult.Generator(s.Loadgen)
	secs := d.Seconds()
	side := func(scenario, durMetric, failMetric string, target int) *runresult.Side {
		sd := totals[scenario]
		if sd == nil {
			sd = &runresult.Side{}
		}
		sd.TargetRate = float64(target)
		sd.AchievedRate = float64(sd.Completed) / secs
		sd.P50ms = s.Value(durMetric, loadgen.StatMed)
		sd.P95ms = s.Value(durMetric, loadgen.StatP95)
		sd.P99ms = s.Value(durMetric, loadgen.StatP99)
		sd.MaxMs = s.Value(durMetric, loadgen.StatMax)
		sd.ErrorRate = s.Value(failMetric, loadgen.StatValue)
		return sd
	}
	if l.RPS > 0 {
		out.API = side(ScenarioAPI, loadgen.MetricHTTPReqDuration, loadgen.MetricHTTPReqFailed, l.RPS)
		out.API.Gets = int64(s.Value(loadgen.Submetric(loadgen.MetricHTTPReqs, loadgen.TagName, challenge.NameGetChallenges), loadgen.StatCount))
		for _, status := range s.TagValues(challenge.MetricClaimOutcomes, loadgen.TagName) {
			if out.API.Claims == nil {
				out.API.Claims = map[string]int64{}
			}
			out.API.Claims[status] = int64(s.Value(loadgen.Submetric(challenge.MetricClaimOutcomes, loadgen.TagName, status), loadgen.StatCount))
		}
		// Connection time per iteration: requests × mean request time (E2E probes' polls are in
		// the same metric; they are few and only over-size the pool).
		if it := float64(out.API.Completed); it > 0 {
			apiHoldMs = max(0, s.Value(loadgen.MetricHTTPReqs, loadgen.StatCount)*s.Value(loadgen.MetricHTTPReqDuration, loadgen.StatAvg)/it)
		}
	}
	if l.EPS > 0 {
		out.Events = side(ScenarioEvents, loadgen.MetricGRPCReqDuration, loadgen.MetricGRPCReqFailed, l.EPS)
	}
	if l.E2ERate > 0 {
		m := challenge.MetricE2ELatency
		out.E2E = &runresult.E2EStats{
			Probes: int64(s.Value(m, loadgen.StatCount)), Failed: s.Value(challenge.MetricE2EFailed, loadgen.StatValue),
			P50ms: s.Value(m, loadgen.StatMed), P95ms: s.Value(m, loadgen.StatP95),
			P99ms: s.Value(m, loadgen.StatP99), MaxMs: s.Value(m, loadgen.StatMax),
			FlushInterval: flush.String(),
		}
	}
	return apiHoldMs
}

// EventsRedelivered is how many event calls the generator sent again after a refusal.
func EventsRedelivered(s *loadgen.Summary) int64 {
	return int64(s.Value(challenge.MetricEventsRedelivered, loadgen.StatCount))
}
