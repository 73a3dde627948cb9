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
	writeResults(t, dir, withTuning)
	return dir
}

// writeResults writes the synthetic run into dir.
func writeResults(t *testing.T, dir string, withTuning bool) {
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

// The documents' names, for golden cases.
const (
	baselineDoc = "PERFORMANCE_BASELINE.md"
	capacityDoc = "CAPACITY_PLANNING.md"
	tuningDoc   = "PERFORMANCE_TUNING.md"
)

// writeSmoke is one smoke level of scenario1 and nothing else.
func writeSmoke(t *testing.T, dir string) {
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "manifest.json"), manifest())
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "result.json"), runresult.ScenarioResult{Scenario: ScenarioAPI, Profile: "smoke", MaxSustainable: "200 RPS", MaxRPS: 200,
		Levels: []runresult.LevelResult{{Level: "200 RPS", RPS: 200, API: side(200, 200, 1.72), Resources: res(9.5, 0.4, 2.9), Verdict: runresult.VerdictPass}}})
}

// writeCut is scenario1 interrupted after two levels (level.json files, no result.json).
func writeCut(t *testing.T, dir string) {
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "manifest.json"), manifest())
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "rps-50", "level.json"), runresult.LevelResult{Level: "50 RPS", RPS: 50, API: side(50, 50, 4.56), Verdict: runresult.VerdictPass})
	writeJSON(t, filepath.Join(dir, ScenarioAPI, "rps-100", "level.json"), runresult.LevelResult{Level: "100 RPS", RPS: 100, API: side(100, 60, 3000), Verdict: runresult.VerdictLimit, Reasons: []string{"api p95 3000 ms > 2000 ms"}})
}

// writeFaults adds scenario 6: one fault recovered with every event stored, one that never
// recovered and lost three events.
func writeFaults(t *testing.T, dir string) {
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
}

// makeNoisy makes the current configuration's repeats disagree: the BUFFER_FLUSH_INTERVAL=1s run
// reaches one level less than the DB_MAX_OPEN_CONNS=40 run.
func makeNoisy(t *testing.T, dir string) {
	var f runresult.TuningFile
	data, err := os.ReadFile(filepath.Join(dir, "tuning", "result.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &f))
	f.Rows[2].MaxSustainable, f.Rows[2].MaxRPS, f.Rows[2].MaxEPS = "200 RPS + 1000 EPS", 200, 1000
	writeJSON(t, filepath.Join(dir, "tuning", "result.json"), f)
}

// writeFlushSweep is a BUFFER_FLUSH_INTERVAL sweep of 100ms and 1s at which PostgreSQL used
// pgShort and pgLong % CPU.
func writeFlushSweep(t *testing.T, dir string, pgShort, pgLong float64) {
	var rows []runresult.TuningRow
	for i, v := range []struct {
		value string
		pg    float64
	}{{"100ms", pgShort}, {"1s", pgLong}} {
		l := runresult.LevelResult{Level: "200 RPS + 1000 EPS + 2 probes/s", RPS: 200, EPS: 1000, Verdict: runresult.VerdictPass,
			E2E: &runresult.E2EStats{Probes: 120, P50ms: float64(100 + 500*i), P95ms: float64(150 + 900*i)}, Resources: res(20, 30, v.pg)}
		writeJSON(t, filepath.Join(dir, "tuning", "BUFFER_FLUSH_INTERVAL-"+v.value, "result.json"),
			runresult.ScenarioResult{Profile: "nightly", Levels: []runresult.LevelResult{l}, MaxSustainable: l.Level, MaxRPS: 200, MaxEPS: 1000})
		rows = append(rows, runresult.TuningRow{Param: "BUFFER_FLUSH_INTERVAL", Value: v.value, MaxSustainable: l.Level, MaxRPS: 200, MaxEPS: 1000})
	}
	writeJSON(t, filepath.Join(dir, "tuning", "result.json"), runresult.TuningFile{Profile: "nightly", Rows: rows})
}

// goldenCase is one fixed results directory and the documents compared with testdata/golden.
type goldenCase struct {
	name  string
	write func(t *testing.T, dir string)
	opts  Options
	docs  []string
}

var goldenCases = []goldenCase{
	{"full", func(t *testing.T, dir string) { writeResults(t, dir, false) }, defaults, []string{baselineDoc, capacityDoc, tuningDoc}},
	{"price", func(t *testing.T, dir string) { writeResults(t, dir, false) }, Options{Headroom: 0.7, PricePerVCPUHour: 0.05}, []string{capacityDoc}},
	{"sweep", func(t *testing.T, dir string) { writeResults(t, dir, true) }, defaults, []string{tuningDoc}},
	{"sweep_interrupted", func(t *testing.T, dir string) { writeResults(t, dir, false); writeTuningSettings(t, dir) }, defaults, []string{tuningDoc}},
	{"sweep_noisy", func(t *testing.T, dir string) { writeResults(t, dir, true); makeNoisy(t, dir) }, defaults, []string{tuningDoc}},
	{"flush_cheap", func(t *testing.T, dir string) { writeResults(t, dir, false); writeFlushSweep(t, dir, 20, 21) }, defaults, []string{tuningDoc}},
	{"flush_costly", func(t *testing.T, dir string) { writeResults(t, dir, false); writeFlushSweep(t, dir, 60, 20) }, defaults, []string{tuningDoc}},
	{"smoke", writeSmoke, defaults, []string{baselineDoc, capacityDoc}},
	{"interrupted_scenario", writeCut, defaults, []string{baselineDoc}},
	{"faults", func(t *testing.T, dir string) { writeResults(t, dir, false); writeFaults(t, dir) }, defaults, []string{baselineDoc}},
}

// goldenResults is where every golden case's results live, relative to the test's working
// directory, so the documents name the same directory on every machine.
const goldenResults = "perf/results/run-1"

// renderCase writes a case's results under a fresh directory, changes into it and generates the
// documents from the relative path goldenResults.
func renderCase(t *testing.T, c goldenCase) map[string]string {
	t.Helper()
	root := t.TempDir()
	c.write(t, filepath.Join(root, filepath.FromSlash(goldenResults)))
	t.Chdir(root)
	_, docs := generate(t, goldenResults, c.opts)
	return docs
}

// TestGolden compares the documents with testdata/golden/<case>_<document>; go test -run
// TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			docs := renderCase(t, c)
			for _, name := range c.docs {
				checkGolden(t, c.name+"_"+name, docs[name])
			}
		})
	}
}

func TestDocumentsHaveNoTemplateOrFormatLeftovers(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			for name, d := range renderCase(t, c) {
				if !strings.HasSuffix(name, ".md") {
					continue
				}
				for _, bad := range []string{"TBD", "XXX", "TODO", "NaN", "+Inf", "%!", "<no value>", "{{", "\n\n\n", " \n"} {
					assert.NotContains(t, d, bad, "%s of case %s", name, c.name)
				}
			}
		})
	}
}

// Targeted rules: what a reader must be told whatever the wording.

func TestSmokeClaimsNoMaximum(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "smoke")
	writeSmoke(t, dir)
	docs := mustGenerate(t, dir, defaults)
	assert.NotContains(t, docs[baselineDoc], "maximum sustainable (")
	r, err := Load(dir)
	require.NoError(t, err)
	m := r.maxOf(ScenarioAPI)
	assert.True(t, m.LowerBound)
	assert.Equal(t, 200, m.Rate)
}

func TestNoAmountWithoutAPrice(t *testing.T) {
	docs := mustGenerate(t, buildResults(t, false), defaults)
	assert.NotContains(t, docs[capacityDoc], "$")
}

func TestTuningSweepIsReported(t *testing.T) {
	docs := mustGenerate(t, buildResults(t, true), defaults)
	assert.NotContains(t, docs[tuningDoc], NotMeasuredTuning)
	docs = mustGenerate(t, buildResults(t, false), defaults)
	assert.Contains(t, docs[tuningDoc], NotMeasuredTuning)
}

// When the current configuration's repeats disagree, a one-level difference between values is
// not reported as an effect.
func TestNoisySweepClaimsNoEffect(t *testing.T) {
	dir := buildResults(t, true)
	makeNoisy(t, dir)
	r, err := Load(dir)
	require.NoError(t, err)
	assert.True(t, r.noisy())
	tun := mustGenerate(t, dir, defaults)[tuningDoc]
	for _, claim := range []string{"**DB_MAX_OPEN_CONNS = 40**", "moves the maximum"} {
		assert.NotContains(t, tun, claim)
	}
}

func TestFaultLossIsFlagged(t *testing.T) {
	dir := buildResults(t, false)
	writeFaults(t, dir)
	base := mustGenerate(t, dir, defaults)[baselineDoc]
	assert.Contains(t, base, "**FAILED: 3 lost, 0 extra**")
	assert.Contains(t, base, "**1 fault level(s) lost or double-counted acknowledged events**")
}

func mustGenerate(t *testing.T, dir string, o Options) map[string]string {
	t.Helper()
	_, docs := generate(t, dir, o)
	return docs
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
		"cpu_scenario1.svg", "cpu_scenario2.svg", "cpu_scenario3.svg", "e2e_scenario5.svg", "e2e_timeline_scenario5.svg",
		// memory vs load, scenario 3's cells and frontier, the database's connections over time, and
		// the one level with a timeseries.ndjson over time
		"memory_scenario1.svg", "memory_scenario2.svg", "frontier_scenario3.svg", "db_connections_scenario4.svg", "timeline_scenario5_eps-1000_e2e.svg"}
	for _, w := range want {
		if _, ok := docs["charts/"+w]; !ok {
			t.Errorf("chart %s not generated", w)
		}
	}
	if n != len(want) {
		t.Errorf("%d charts, want %d", n, len(want))
	}
	assert.Contains(t, docs["charts/cpu_scenario1.svg"], "host (all containers + generator)")
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

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing directory: no error")
	}
	empty := t.TempDir()
	if _, err := Load(empty); err == nil || !strings.Contains(err.Error(), "no scenario results") {
		t.Errorf("empty directory: %v", err)
	}
	bad := t.TempDir()
	if err := os.MkdirAll(filepath.Join(bad, ScenarioAPI), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, ScenarioAPI, "result.json"), []byte("{"), 0o644); err != nil {
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
	runs, _ := filepath.Glob("../perf/results/*/scenario*/result.json")
	if len(runs) == 0 {
		t.Skip("no example results in perf/results")
	}
	dir := filepath.Dir(filepath.Dir(runs[0]))
	_, docs := generate(t, dir, defaults)
	if !bytes.Contains([]byte(docs[baselineDoc]), []byte("## Executive Summary")) {
		t.Error("no executive summary")
	}
}

func TestFailingLevelIsFlagged(t *testing.T) {
	r, err := Load(buildResults(t, false))
	require.NoError(t, err)
	o := r.Get(ScenarioAPI).outcome()
	require.NotNil(t, o.Best)
	require.NotNil(t, o.Failed)
	assert.Equal(t, "100 RPS", o.Best.Level)
	assert.Equal(t, "200 RPS", o.Failed.Level)
	b := r.Get(ScenarioAPI).bottleneckOf(o.Failed)
	assert.Equal(t, "cpu", b.Kind, "challenge-service at 97.5%% of its limit is the bottleneck")
	assert.Equal(t, "challenge-service", b.Top.Container)
	base := mustGenerate(t, buildResults(t, false), defaults)[baselineDoc]
	assert.Contains(t, base, "the next level, 200 RPS, failed: api p95 2345 ms > 2000 ms")
}

func TestConcurrencyCapIsExplained(t *testing.T) {
	s := &Scenario{MaxVUs: map[string]map[string]int{"eps-15000": {"events": 500}}}
	l := &runresult.LevelResult{Level: "15000 EPS", EPS: 15000, Dir: "x/eps-15000", Verdict: runresult.VerdictLimit,
		Events:  &runresult.Side{TargetRate: 15000, P95ms: 18.8, P99ms: 34.2, MaxMs: 84.7},
		Loadgen: runresult.Generator{VUsExhausted: []string{"events"}}}
	c := s.concurrencyCap(l)
	require.NotNil(t, c)
	assert.Equal(t, 500, c.MaxVUs)
	assert.Equal(t, "events", c.Name)
	assert.InDelta(t, 33.3, c.BudgetMs, 0.1)
	got, err := render("concurrencyCap", c)
	require.NoError(t, err)
	assert.Contains(t, got, "500 ÷ 15,000 = 33.3 ms")
	l.Loadgen.VUsExhausted = nil
	assert.Nil(t, s.concurrencyCap(l))
}
