package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The synthetic results: scenario1 steps 50 → 100 → 200 RPS and fails at 200 (nightly);
// scenario2 is a smoke run of one level; scenario3 has two cells; scenario4 carries the DB
// analysis and samples; scenario5 the E2E probes.

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func manifest() runresult.Manifest {
	env := func(extra ...string) []string {
		return append([]string{"DB_MAX_OPEN_CONNS=40", "DB_PASSWORD=<redacted>"}, extra...)
	}
	return runresult.Manifest{
		Date: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), GitRevision: "abc123def", GitDirty: true, GoVersion: "go1.26.8",
		HostCPUs: 2, HostMemory: 8 << 30, HostKernel: "Linux 6.1.0-test", DockerVersion: "24.0.7",
		Containers: map[string]runresult.ContainerManifest{
			"challenge-service": {Image: "cs:dev", ImageID: "sha256:0123456789abcdef0123", Limits: runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30}, Env: env("MOCK_AGS_LATENCY_MIN_MS=50")},
			"event-handler":     {Image: "eh:dev", Limits: runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30}, Env: env("BUFFER_FLUSH_INTERVAL=1s", "BUFFER_SIZE_LIMIT=100000")},
			"postgres":          {Image: "pg:dev", Limits: runresult.Limits{CPUs: 2, MemoryBytes: 4 << 30}, Cmd: []string{"postgres", "-c", "max_connections=200", "-c", "fsync=on"}},
		},
		Settings: map[string]string{"profile": "nightly", "duration_per_level": "2m0s"},
	}
}

func res(svc, handler, pg float64) map[string]runresult.ResourceRow {
	return map[string]runresult.ResourceRow{
		"challenge-service": {CPUAvgPct: svc, CPUMaxPct: svc + 5, MemMaxMiB: 40, MemLimitMiB: 1024},
		"event-handler":     {CPUAvgPct: handler, CPUMaxPct: handler + 5, MemMaxMiB: 30, MemLimitMiB: 1024},
		"postgres":          {CPUAvgPct: pg, CPUMaxPct: pg + 5, MemMaxMiB: 300, MemLimitMiB: 4096},
	}
}

func side(target, achieved, p95 float64) *runresult.Side {
	return &runresult.Side{TargetRate: target, AchievedRate: achieved, Offered: int64(target * 120), Completed: int64(achieved * 120),
		P50ms: p95 / 3, P95ms: p95, P99ms: p95 * 2, MaxMs: p95 * 4}
}

func buildResults(t *testing.T, withTuning bool) string {
	dir := filepath.Join(t.TempDir(), "run-1")
	m := manifest()
	for _, s := range ScenarioNames {
		writeJSON(t, filepath.Join(dir, s, "manifest.json"), m)
	}
	integrity := &runresult.Integrity{EventsAcked: 60000, UsersChecked: 5000, ValuesChecked: 7777, CompletionsOK: true, APIChecked: 5, OK: true, ExtraExplained: true}
	writeJSON(t, filepath.Join(dir, "scenario1", "result.json"), runresult.ScenarioResult{
		Scenario: "scenario1", Profile: "nightly", MaxSustainable: "100 RPS", MaxRPS: 100, StoppedAt: "200 RPS",
		StopReasons: []string{"api p95 2345 ms > 2000 ms"},
		Levels: []runresult.LevelResult{
			{Level: "50 RPS", RPS: 50, DurationSec: 120, API: side(50, 50, 12.3), Resources: res(30, 1, 5), Verdict: runresult.VerdictPass, Dir: "results/run-1/scenario1/rps-50", Loadgen: runresult.Generator{CPUCores: 0.2}},
			{Level: "100 RPS", RPS: 100, DurationSec: 120, API: side(100, 99.5, 45.6), Resources: res(60, 1, 9), Verdict: runresult.VerdictPass, Dir: "results/run-1/scenario1/rps-100", Loadgen: runresult.Generator{CPUCores: 0.3}},
			{Level: "200 RPS", RPS: 200, DurationSec: 120, API: side(200, 150, 2345), Resources: res(97.5, 1, 15), Verdict: runresult.VerdictLimit,
				Reasons: []string{"api p95 2345 ms > 2000 ms"}, Dir: "results/run-1/scenario1/rps-200", Loadgen: runresult.Generator{CPUCores: 0.4}},
		},
	})
	writeJSON(t, filepath.Join(dir, "scenario2", "result.json"), runresult.ScenarioResult{
		Scenario: "scenario2", Profile: "smoke", MaxSustainable: "1000 EPS", MaxEPS: 1000,
		Levels: []runresult.LevelResult{{Level: "1000 EPS", EPS: 1000, DurationSec: 20, Events: side(1000, 1000, 3.21), Resources: res(0, 21, 12),
			Flush: &runresult.FlushStats{Flushes: 18, AvgMs: 233.4, AvgEntries: 1097.3, MaxBufferSeen: 1585}, Integrity: integrity,
			Redis: &runresult.RedisStats{Keys: 20000, UsedBytes: 3000000, BaseBytes: 1000000, BytesPerKey: 100}, Verdict: runresult.VerdictPass, Dir: "results/run-1/scenario2/eps-1000"}},
	})
	top := map[string][]runresult.TopFunc{
		"challenge-service": {{Function: "github.com/challenge-perf/challenge-perf/service/internal/api.(*handler).handleList", Flat: 5, FlatPct: 41.5, CumPct: 60}},
		"event-handler":     {{Function: "runtime.futex", Flat: 9, FlatPct: 22.2, CumPct: 22.2}},
	}
	writeJSON(t, filepath.Join(dir, "scenario3", "result.json"), runresult.ScenarioResult{
		Scenario: "scenario3", Profile: "nightly", MaxSustainable: "100 RPS + 500 EPS", MaxRPS: 100, MaxEPS: 500, StoppedAt: "100 RPS + 1000 EPS",
		StopReasons: []string{"events p95 612 ms > 500 ms"},
		Levels: []runresult.LevelResult{
			{Level: "100 RPS + 500 EPS", RPS: 100, EPS: 500, API: side(100, 100, 9.87), Events: side(500, 500, 2.62), Resources: res(9, 26, 6), Verdict: runresult.VerdictPass,
				TopCPU: top, TopAlloc: top, TopMutex: map[string][]runresult.TopFunc{"challenge-service": {}}, Dir: "results/run-1/scenario3/rps-100_eps-500"},
			{Level: "100 RPS + 1000 EPS", RPS: 100, EPS: 1000, API: side(100, 100, 11), Events: side(1000, 990, 612), Resources: res(9, 55, 10), Verdict: runresult.VerdictLimit,
				Reasons: []string{"events p95 612 ms > 500 ms"}, TopCPU: top, Dir: "results/run-1/scenario3/rps-100_eps-1000"},
		},
	})
	writeJSON(t, filepath.Join(dir, "scenario3", "frontier.json"), map[string]int{"100": 500})
	writeJSON(t, filepath.Join(dir, "scenario4", "result.json"), runresult.ScenarioResult{
		Scenario: "scenario4", Profile: "nightly", MaxSustainable: "500 RPS + 2000 EPS", MaxRPS: 500, MaxEPS: 2000,
		Levels: []runresult.LevelResult{{Level: "500 RPS + 2000 EPS", RPS: 500, EPS: 2000, API: side(500, 500, 20), Events: side(2000, 2000, 4), Resources: res(40, 50, 30),
			Verdict: runresult.VerdictPass, Dir: "results/run-1/scenario4/rps-500_eps-2000", Integrity: integrity,
			DB: &runresult.DBAnalysis{CacheHitPct: 98.76, Commits: 4321, TopStatements: []runresult.StatementStat{{Query: "WITH input AS (SELECT 1)", Calls: 120, MeanMS: 35.1, MaxMS: 73.8, TotalSec: 4.2, Rows: 22290, CacheHitPct: 99.9}},
				Connections: []runresult.ConnState{{State: "idle", Count: 61, OldestSec: 26}},
				Tables:      []runresult.TableStat{{Table: "user_stats", LiveRows: 7471, DeadRows: 318, Updates: 806, HotUpdates: 553}},
				Indexes:     []runresult.IndexStat{{Table: "goal_definitions", Index: "goal_definitions_stat_key_target"}}}}},
	})
	writeJSON(t, filepath.Join(dir, "scenario4", "rps-500_eps-2000", "db_samples.json"), []runresult.DBSample{
		{Time: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC), Active: 3, Idle: 20},
		{Time: time.Date(2026, 11, 28, 10, 0, 5, 0, time.UTC), Active: 7, Idle: 50, Commits: 500},
	})
	writeJSON(t, filepath.Join(dir, "scenario5", "result.json"), runresult.ScenarioResult{
		Scenario: "scenario5", Profile: "nightly", MaxSustainable: "1000 EPS + 2 probes/s", MaxEPS: 1000,
		Levels: []runresult.LevelResult{{Level: "1000 EPS + 2 probes/s", EPS: 1000, Events: side(1000, 1000, 3),
			E2E: &runresult.E2EStats{Probes: 240, P50ms: 612.5, P95ms: 987.6, P99ms: 1003.2, MaxMs: 1100, FlushInterval: "1s"}, Resources: res(2, 20, 5),
			Verdict: runresult.VerdictPass, Dir: "results/run-1/scenario5/eps-1000_e2e"}},
	})
	if err := os.MkdirAll(filepath.Join(dir, "scenario5", "eps-1000_e2e"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "scenario5", "eps-1000_e2e", "timeseries.ndjson"), []byte(
		`{"t":1,"scenario":"e2e","latency":{"e2e_latency":{"p50":500,"p95":900,"p99":950}}}`+"\n"+
			`{"t":2,"scenario":"e2e","latency":{"http_req_duration":{"p50":1,"p95":2,"p99":3}}}`+"\n"+
			`{"t":2,"scenario":"events","latency":{}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if withTuning {
		writeTuningSettings(t, dir)
		writeJSON(t, filepath.Join(dir, "tuning", "result.json"), runresult.TuningFile{Profile: "nightly", Rows: []runresult.TuningRow{
			{Param: "DB_MAX_OPEN_CONNS", Value: "10", MaxSustainable: "200 RPS + 1000 EPS", MaxRPS: 200, MaxEPS: 1000, APIP95ms: 77.7, VerdictReasons: []string{"api p95 2100 ms > 2000 ms"}},
			{Param: "DB_MAX_OPEN_CONNS", Value: "40", MaxSustainable: "500 RPS + 2000 EPS", MaxRPS: 500, MaxEPS: 2000, APIP95ms: 33.3, E2EP95ms: 987.6},
			{Param: "BUFFER_FLUSH_INTERVAL", Value: "1s", MaxSustainable: "500 RPS + 2000 EPS", MaxRPS: 500, MaxEPS: 2000},
		}})
	}
	return dir
}

// writeTuningSettings writes the two DB_MAX_OPEN_CONNS runs' own directories: both hold
// 200 RPS + 1000 EPS; only 40 holds 500 RPS + 2000 EPS.
func writeTuningSettings(t *testing.T, dir string) {
	level := func(rps, eps int, apiP95, e2eP50 float64, pass bool) runresult.LevelResult {
		l := runresult.LevelResult{Level: fmt.Sprintf("%d RPS + %d EPS + 2 probes/s", rps, eps), RPS: rps, EPS: eps,
			API: side(float64(rps), float64(rps), apiP95), Events: side(float64(eps), float64(eps), 3),
			E2E:       &runresult.E2EStats{Probes: 120, P50ms: e2eP50, P95ms: e2eP50 * 2, P99ms: e2eP50 * 3, FlushInterval: "1s"},
			Flush:     &runresult.FlushStats{Flushes: 55, AvgMs: 12.5, AvgEntries: 432},
			Resources: res(20, 30, 40), Verdict: runresult.VerdictPass, Dir: fmt.Sprintf("/elsewhere/rps-%d_eps-%d_e2e", rps, eps)}
		if !pass {
			l.Verdict, l.Reasons = runresult.VerdictLimit, []string{"api p95 2100 ms > 2000 ms"}
		}
		return l
	}
	m := manifest()
	for _, v := range []struct {
		value  string
		levels []runresult.LevelResult
	}{
		{"10", []runresult.LevelResult{level(200, 1000, 77.7, 555.5, true), level(500, 2000, 2100, 600, false)}},
		{"40", []runresult.LevelResult{level(200, 1000, 33.3, 444.4, true), level(500, 2000, 40, 500, true)}},
	} {
		d := filepath.Join(dir, "tuning", "DB_MAX_OPEN_CONNS-"+v.value)
		writeJSON(t, filepath.Join(d, "manifest.json"), m)
		res := runresult.ScenarioResult{Scenario: "tuning/DB_MAX_OPEN_CONNS-" + v.value, Profile: "nightly", Levels: v.levels}
		res.MaxSustainable, res.MaxRPS, res.MaxEPS = v.levels[0].Level, 200, 1000
		if v.value == "40" {
			res.MaxSustainable, res.MaxRPS, res.MaxEPS = v.levels[1].Level, 500, 2000
		}
		writeJSON(t, filepath.Join(d, "result.json"), res)
	}
}

func generate(t *testing.T, results string, o Options) (string, map[string]string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "docs")
	files, err := Generate(results, out, o)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(out, f)
		got[filepath.ToSlash(rel)] = string(data)
	}
	return out, got
}

var defaults = Options{Headroom: 0.7}

func mustContain(t *testing.T, name, doc string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(doc, w) {
			t.Errorf("%s lacks %q", name, w)
		}
	}
}

func TestDocumentsCarryTheResultNumbers(t *testing.T) {
	_, docs := generate(t, buildResults(t, false), defaults)
	base := docs["PERFORMANCE_BASELINE.md"]
	mustContain(t, "baseline", base,
		// header: machine, revision, profile, limits
		"Linux 6.1.0-test", "24.0.7", "abc123def (dirty", "go1.26.8", "2m0s", "8 GiB", "| challenge-service | 1 CPU | 1 GiB | `cs:dev` | `0123456789ab` |", "run-1",
		// executive summary: maxima with the next level's reason, the smoke statement
		"**100 RPS** maximum sustainable", "the next level, 200 RPS, failed: api p95 2345 ms > 2000 ms",
		"only the smoke level was run: 1000 EPS passed", "**100 RPS + 500 EPS** maximum sustainable", "events p95 612 ms > 500 ms",
		// bottleneck derived from the failed level: challenge-service at 97.5% of its 1-CPU limit
		"CPU of challenge-service: average 97.5% of its 1-CPU limit",
		// tables
		"12.3 ms", "45.6 ms", "2,345 ms", "99.5", "3.21 ms", "9.87 ms", "612 ms",
		// E2E, flush, integrity, DB
		"p50 612 ms, p95 988 ms", "1s", "233 ms", "1,097.3", "1,585", "7,777", "98.8%", "35.1 ms", "at most **7 active**",
		"goal_definitions_stat_key_target", "Source: ", "charts/latency_scenario1.svg", "charts/e2e_scenario5.svg",
		"`github.com/challenge-perf/challenge-perf/service/internal/api.(*handler).handleList`", "41.5%")
	capd := docs["CAPACITY_PLANNING.md"]
	mustContain(t, "capacity", capd, "Projection", "⌈1,000 ÷ (100 × 0.7)⌉", "| 15 |", "≥ 1,000 EPS", "⌈50,000 ÷ (1,000 × 0.7)⌉", "| 72 |",
		"price per vCPU-hour", "R ≤ 70", "E ≤ 700", "max_connections 200")
	if strings.Contains(capd, "$") {
		t.Error("capacity planning states a $ amount without a user-supplied price")
	}
	tun := docs["PERFORMANCE_TUNING.md"]
	mustContain(t, "tuning", tun, NotMeasuredTuning, "| DB_MAX_OPEN_CONNS | challenge-service | 40 |", "| BUFFER_FLUSH_INTERVAL | event-handler | 1s |",
		"| max_connections | postgres (command line) | 200 |", "buffer_entries / buffer_size_limit", "http_request_duration_seconds_bucket",
		"db_pool_acquired_conns", "events_total", "> 70\n", "Evidence:", "go run ./cmd/loadgen run")
	for name, d := range docs {
		if !strings.HasSuffix(name, ".md") {
			continue
		}
		for _, bad := range []string{"TBD", "[Similar structure", "XXX", "TODO", "NaN", "+Inf", "%!"} {
			if strings.Contains(d, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestTuningSweepIsReported(t *testing.T) {
	_, docs := generate(t, buildResults(t, true), defaults)
	tun := docs["PERFORMANCE_TUNING.md"]
	if strings.Contains(tun, NotMeasuredTuning) {
		t.Error("tuning sweep present but the document says it was not measured")
	}
	mustContain(t, "tuning", tun, "### DB_MAX_OPEN_CONNS", "| 40 (current) | 500 RPS + 2000 EPS |", "api p95 2100 ms > 2000 ms",
		"**DB_MAX_OPEN_CONNS = 40**", "Side by side at **200 RPS + 1000 EPS + 2 probes/s**",
		"| 10 | 77.7 ms | 3.00 ms | 556 ms |", "| 40 (current) | 33.3 ms | 3.00 ms | 444 ms |",
		"tuning/DB_MAX_OPEN_CONNS-10/rps-200_eps-1000_e2e/level.json", "git abc123def",
		"**DB_MAX_OPEN_CONNS moves the maximum, in one direction", "BUFFER_FLUSH_INTERVAL=1s sets the measured E2E latency (p95 within 25% of the interval)",
		"Repeatability: the current configuration ran 2 times in the sweep (as DB_MAX_OPEN_CONNS=40: 500 RPS + 2000 EPS; as BUFFER_FLUSH_INTERVAL=1s: 500 RPS + 2000 EPS) and reached the same maximum each time", "10 → 200 RPS + 1000 EPS; 40 → 500 RPS + 2000 EPS")
}

func TestMonotone(t *testing.T) {
	rows := func(maxima ...int) []runresult.TuningRow {
		var out []runresult.TuningRow
		for _, m := range maxima {
			out = append(out, runresult.TuningRow{MaxRPS: m})
		}
		return out
	}
	assert.True(t, monotone(rows(1, 2, 2, 3)))
	assert.True(t, monotone(rows(3, 3, 1)))
	assert.False(t, monotone(rows(1, 3, 3, 1)), "the shape measured for DB_MAX_OPEN_CONNS 10/25/50/100")
}

// An interrupted sweep (no tuning/result.json) is still reported, from the values' directories.
func TestInterruptedTuningSweepIsReported(t *testing.T) {
	dir := buildResults(t, false)
	writeTuningSettings(t, dir)
	_, docs := generate(t, dir, defaults)
	mustContain(t, "tuning", docs["PERFORMANCE_TUNING.md"], "The sweep was interrupted", "| 10 | 200 RPS + 1000 EPS + 2 probes/s |",
		"Side by side at **200 RPS + 1000 EPS + 2 probes/s**")
}

func TestDedupeStoreIsProjectedFromTheMeasuredCost(t *testing.T) {
	_, docs := generate(t, buildResults(t, false), defaults)
	mustContain(t, "capacity", docs["CAPACITY_PLANNING.md"], "**100 bytes per event id**", "DEDUPE_TTL = 24h0m0s (the event handler's default",
		"1,000 × 86,400 s × 100 B = **8 GiB**", "scenario2/eps-1000/level.json")
}

func TestPriceIsUserSupplied(t *testing.T) {
	_, docs := generate(t, buildResults(t, false), Options{Headroom: 0.7, PricePerVCPUHour: 0.05})
	// small game: 1 service (⌈100/70⌉ = 2) ... 2 + 2 = 4 vCPUs × $0.05 = $0.2 per hour.
	mustContain(t, "capacity", docs["CAPACITY_PLANNING.md"], "user-supplied price", "4 vCPUs × $0.05 per vCPU-hour", "$0.2 per hour", "$146 per month")
}

func TestChartsAreValidSVG(t *testing.T) {
	_, docs := generate(t, buildResults(t, false), defaults)
	n := 0
	for name, body := range docs {
		if !strings.HasSuffix(name, ".svg") {
			continue
		}
		n++
		dec := xml.NewDecoder(strings.NewReader(body))
		root := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: invalid XML: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		if root != "svg" {
			t.Errorf("%s: root element %q, want svg", name, root)
		}
	}
	want := []string{"latency_scenario1.svg", "rate_scenario1.svg", "latency_scenario2.svg", "rate_scenario2.svg", "latency_scenario3.svg",
		"cpu_scenario1.svg", "cpu_scenario2.svg", "cpu_scenario3.svg", "e2e_scenario5.svg", "e2e_timeline_scenario5.svg"}
	for _, w := range want {
		if _, ok := docs["charts/"+w]; !ok {
			t.Errorf("chart %s not generated", w)
		}
	}
	if n != len(want) {
		t.Errorf("%d charts, want %d", n, len(want))
	}
	mustContain(t, "baseline", docs["PERFORMANCE_BASELINE.md"], "1 of 2 one-second intervals had no completed probe")
}

func TestDeterministic(t *testing.T) {
	dir := buildResults(t, true)
	_, a := generate(t, dir, defaults)
	_, b := generate(t, dir, defaults)
	for name := range a {
		if a[name] != b[name] {
			t.Errorf("%s differs between two runs on the same input", name)
		}
	}
}

func TestSmokeOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "smoke")
	m := manifest()
	writeJSON(t, filepath.Join(dir, "scenario1", "manifest.json"), m)
	writeJSON(t, filepath.Join(dir, "scenario1", "result.json"), runresult.ScenarioResult{Scenario: "scenario1", Profile: "smoke", MaxSustainable: "200 RPS", MaxRPS: 200,
		Levels: []runresult.LevelResult{{Level: "200 RPS", RPS: 200, API: side(200, 200, 1.72), Resources: res(9.5, 0.4, 2.9), Verdict: runresult.VerdictPass}}})
	_, docs := generate(t, dir, defaults)
	base := docs["PERFORMANCE_BASELINE.md"]
	mustContain(t, "baseline", base, "only the smoke level was run: 200 RPS passed", "Not measured in these results", "Not in these results: scenario2, scenario3, scenario4, scenario5")
	if strings.Contains(base, "maximum sustainable (") {
		t.Error("smoke run claims a maximum")
	}
	mustContain(t, "capacity", docs["CAPACITY_PLANNING.md"], "≥ 200 RPS", "cannot project: scenario2 is not in these results")
}

func TestInterruptedScenarioReadsLevelFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cut")
	writeJSON(t, filepath.Join(dir, "scenario1", "manifest.json"), manifest())
	writeJSON(t, filepath.Join(dir, "scenario1", "rps-50", "level.json"), runresult.LevelResult{Level: "50 RPS", RPS: 50, API: side(50, 50, 4.56), Verdict: runresult.VerdictPass})
	writeJSON(t, filepath.Join(dir, "scenario1", "rps-100", "level.json"), runresult.LevelResult{Level: "100 RPS", RPS: 100, API: side(100, 60, 3000), Verdict: runresult.VerdictLimit, Reasons: []string{"api p95 3000 ms > 2000 ms"}})
	_, docs := generate(t, dir, defaults)
	mustContain(t, "baseline", docs["PERFORMANCE_BASELINE.md"], "interrupted", "**50 RPS** maximum sustainable", "api p95 3000 ms > 2000 ms", "4.56 ms")
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing directory: no error")
	}
	empty := t.TempDir()
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), "no scenario results") {
		t.Errorf("empty directory: %v", err)
	}
	bad := t.TempDir()
	if err := os.MkdirAll(filepath.Join(bad, "scenario1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "scenario1", "result.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.Contains(err.Error(), "result.json: invalid JSON") {
		t.Errorf("invalid JSON: %v", err)
	}
	if _, err := Generate(bad, t.TempDir(), Options{Headroom: 0}); err == nil {
		t.Error("headroom 0 accepted")
	}
}

func TestStaleChartsAreRemoved(t *testing.T) {
	out, _ := generate(t, buildResults(t, false), defaults)
	stale := filepath.Join(out, "charts", "latency_scenario9.svg")
	mine := filepath.Join(out, "charts", "diagram.svg")
	for _, p := range []string{stale, mine} {
		if err := os.WriteFile(p, []byte("<svg/>"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Generate(buildResults(t, false), out, defaults); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale generated chart kept")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Error("a file the report does not own was removed")
	}
}

// TestExampleResults runs against the real results in perf/results when present.
func TestExampleResults(t *testing.T) {
	runs, _ := filepath.Glob("../../perf/results/*/scenario*/result.json")
	if len(runs) == 0 {
		t.Skip("no example results in perf/results")
	}
	dir := filepath.Dir(filepath.Dir(runs[0]))
	_, docs := generate(t, dir, defaults)
	if !bytes.Contains([]byte(docs["PERFORMANCE_BASELINE.md"]), []byte("## Executive Summary")) {
		t.Error("no executive summary")
	}
}

// When the current configuration's repeats disagree, a one-level difference between values is
// not reported as an effect.
func TestNoisySweepClaimsNoEffect(t *testing.T) {
	dir := buildResults(t, true)
	var f runresult.TuningFile
	data, err := os.ReadFile(filepath.Join(dir, "tuning", "result.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &f))
	f.Rows[2].MaxSustainable, f.Rows[2].MaxRPS, f.Rows[2].MaxEPS = "200 RPS + 1000 EPS", 200, 1000
	writeJSON(t, filepath.Join(dir, "tuning", "result.json"), f)
	_, docs := generate(t, dir, defaults)
	tun := docs["PERFORMANCE_TUNING.md"]
	mustContain(t, "tuning", tun, "**did not reach the same maximum**", "no effect on the maximum is established")
	for _, claim := range []string{"**DB_MAX_OPEN_CONNS = 40**", "moves the maximum"} {
		assert.NotContains(t, tun, claim)
	}
}

// The flush-interval advice follows PostgreSQL's CPU across the intervals at the common level.
func TestFlushIntervalAdviceFollowsDatabaseCost(t *testing.T) {
	for _, c := range []struct {
		pgShort, pgLong float64
		want            string
	}{
		{20, 21, "BUFFER_FLUSH_INTERVAL can be shorter than the current value where fresher progress matters"},
		{60, 20, "shorter intervals cost database CPU here"},
	} {
		dir := buildResults(t, false)
		var rows []runresult.TuningRow
		for i, v := range []struct {
			value string
			pg    float64
		}{{"100ms", c.pgShort}, {"1s", c.pgLong}} {
			l := runresult.LevelResult{Level: "200 RPS + 1000 EPS + 2 probes/s", RPS: 200, EPS: 1000, Verdict: runresult.VerdictPass,
				E2E: &runresult.E2EStats{Probes: 120, P50ms: float64(100 + 500*i), P95ms: float64(150 + 900*i)}, Resources: res(20, 30, v.pg)}
			writeJSON(t, filepath.Join(dir, "tuning", "BUFFER_FLUSH_INTERVAL-"+v.value, "result.json"),
				runresult.ScenarioResult{Profile: "nightly", Levels: []runresult.LevelResult{l}, MaxSustainable: l.Level, MaxRPS: 200, MaxEPS: 1000})
			rows = append(rows, runresult.TuningRow{Param: "BUFFER_FLUSH_INTERVAL", Value: v.value, MaxSustainable: l.Level, MaxRPS: 200, MaxEPS: 1000})
		}
		writeJSON(t, filepath.Join(dir, "tuning", "result.json"), runresult.TuningFile{Profile: "nightly", Rows: rows})
		_, docs := generate(t, dir, defaults)
		mustContain(t, "tuning", docs["PERFORMANCE_TUNING.md"], c.want, "100ms → p50 100 ms, p95 150 ms", "BUFFER_FLUSH_INTERVAL does not move the maximum")
	}
}

func TestConcurrencyCapIsExplained(t *testing.T) {
	s := &Scenario{MaxVUs: map[string]map[string]int{"eps-15000": {"events": 500}}}
	l := &runresult.LevelResult{Level: "15000 EPS", EPS: 15000, Dir: "x/eps-15000", Verdict: runresult.VerdictLimit,
		Events:  &runresult.Side{TargetRate: 15000, P95ms: 18.8, P99ms: 34.2, MaxMs: 84.7},
		Loadgen: runresult.Generator{VUsExhausted: []string{"events"}}}
	got := s.concurrencyCap(l)
	assert.Contains(t, got, "all 500 in-flight events calls")
	assert.Contains(t, got, "500 ÷ 15,000 = 33.3 ms")
	l.Loadgen.VUsExhausted = nil
	assert.Empty(t, s.concurrencyCap(l))
}

func TestFaultScenarioIsReportedInItsOwnSection(t *testing.T) {
	dir := buildResults(t, false)
	in := &runresult.Integrity{EventsAcked: 9031, OK: true}
	writeJSON(t, filepath.Join(dir, FaultScenario, "result.json"), runresult.ScenarioResult{
		Scenario: FaultScenario, Profile: "smoke", Search: "one level per fault",
		Levels: []runresult.LevelResult{
			{Level: "100 RPS + 500 EPS", RPS: 100, EPS: 500, DurationSec: 20, Integrity: in, Verdict: runresult.VerdictLimit,
				Fault: &runresult.FaultResult{Name: "event handler killed (kill -9) and started", StartSec: 6.7, EndSec: 8.5,
					EventErrorRateDuring: 0.5568, EventsRedelivered: 3184, RecoverySec: 4}},
			{Level: "100 RPS + 500 EPS", RPS: 100, EPS: 500, DurationSec: 20, Integrity: &runresult.Integrity{EventsAcked: 9000, Lost: 3}, Verdict: runresult.VerdictLimit,
				Fault: &runresult.FaultResult{Name: "PostgreSQL restarted", StartSec: 6.7, EndSec: 7.7, APIErrorRateDuring: 0.109, RecoverySec: -1}},
		},
	})
	_, docs := generate(t, dir, defaults)
	mustContain(t, "baseline", docs["PERFORMANCE_BASELINE.md"],
		"## Scenario 6: Faults Under Load",
		"| event handler killed (kill -9) and started | 100 RPS + 500 EPS | 6.7 s / 8.5 s | 0.0% / 0.0% | 55.7% / 0.0% | 3,184 | 4 s | 9,031 | exact |",
		"| PostgreSQL restarted | 100 RPS + 500 EPS | 6.7 s / 7.7 s | 10.9% / 0.0% |",
		"never within the level", "**FAILED: 3 lost, 0 extra**",
		"**1 fault level(s) lost or double-counted acknowledged events**")
}

func TestCPUChartShowsTheHost(t *testing.T) {
	_, docs := generate(t, buildResults(t, false), defaults)
	mustContain(t, "cpu chart", docs["charts/cpu_scenario1.svg"], "host (all containers + generator)")
}
