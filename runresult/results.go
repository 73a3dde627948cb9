// Package results is the result model of the perf suite: the JSON the suite (package perf,
// test-only) writes under perf/results/<run-id> and the report generator (internal/report,
// cmd/perfreport) reads back. The JSON field names are the files' format: changing one breaks
// the decoding of every results run already recorded.
package runresult

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names inside a results run.
const (
	ResultFile = "result.json" // a scenario's ScenarioResult, or tuning/result.json's TuningFile
	LevelFile  = "level.json"  // a level directory's LevelResult
	TuningDir  = "tuning"      // the tuning sweep's directory inside the run
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
	// API only: the achieved mix — list requests, and claim answers by status ("error": no answer).
	Gets   int64            `json:"gets,omitempty"`
	Claims map[string]int64 `json:"claims,omitempty"`
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

// Integrity is the comparison of the database with the ground truth after the buffer drained.
type Integrity struct {
	EventsAcked     int64 `json:"events_acked"`
	EventsUncertain int64 `json:"events_uncertain"`
	UsersChecked    int   `json:"users_checked"`
	ValuesChecked   int   `json:"values_checked"`
	Lost            int   `json:"lost"`  // stored value below what acknowledged events imply
	Extra           int   `json:"extra"` // a value no acknowledged event implies and no uncertain event of its own (user, stat) explains
	// Explained: values that differ from what the acknowledged events imply but equal what an
	// uncertain event of the same user and stat would leave (attribution, not a count).
	Explained      int  `json:"explained_by_own_uncertain_event"`
	ExtraExplained bool `json:"extra_explained_by_uncertain_events"` // Extra == 0
	CompletionsOK  bool `json:"completions_consistent"`
	APIChecked     int  `json:"api_users_checked"`
	// Method says how the state was read: "sql+api" (this repository's schema, every value, and
	// the API for a few users) or "api" (the public API only, for APIChecked users of UsersChecked).
	Method string `json:"method,omitempty"`
	// SettledSec: for the API method, how long after the load the sampled users' state matched
	// (the drain time as the public API shows it).
	SettledSec float64  `json:"settled_sec,omitempty"`
	Problems   []string `json:"problems,omitempty"`
	// ObservableEvents: acknowledged events whose loss the end state the check read would show (an
	// absolute stat's earlier events are overwritten by later ones); ObservableShare of EventsAcked;
	// DetectableLossRate: the smallest loss rate the check detects with 95% confidence.
	ObservableEvents   int64   `json:"observable_events"`
	ObservableShare    float64 `json:"observable_share"`
	DetectableLossRate float64 `json:"detectable_loss_rate"`
	// Unproven is why the check could not prove integrity although it found nothing wrong (e.g. a
	// sample too small to detect the loss rate the suite promises to catch): such a level is never
	// a pass ("" = proven, or failed).
	Unproven string `json:"unproven,omitempty"`
	OK       bool   `json:"ok"`
}

// Verdicts of a level.
const (
	VerdictPass      = "pass"
	VerdictLimit     = "limit"
	VerdictGenerator = "generator_limited"
	// VerdictHost: the level failed while the containers and the generator together used most of
	// the host's CPUs and no container was near its own limit: the shared host, not the service,
	// ran out (the generator runs on the same machine).
	VerdictHost = "host_limited"
	// VerdictIntegrity: acknowledged events are missing from the target's state, or applied twice.
	// It decides before every other reason: such a level is never a maximum nor a baseline.
	VerdictIntegrity = "fail_integrity"
	// VerdictUnproven: the level met every limit, but its integrity check could not prove that no
	// acknowledged event was lost (Integrity.Unproven says why): not a pass.
	VerdictUnproven = "integrity_not_proven"
)

// RedisStats is the de-duplication store after an event level: one key per event id, kept for
// DEDUPE_TTL, and the memory they took (Redis' used_memory after the level minus before it).
type RedisStats struct {
	Keys        int64   `json:"keys"`
	UsedBytes   int64   `json:"used_memory_bytes"`
	BaseBytes   int64   `json:"base_memory_bytes"` // used_memory before the level, on an empty database
	BytesPerKey float64 `json:"bytes_per_key"`
}

// SeedStats is the realistic state a level started from (API levels): stat values sent through
// the event handler, claims made through the API, and how long that took — or, with RestoredFrom,
// the same state restored from the database snapshot taken after that level seeded it.
type SeedStats struct {
	StatValues   int     `json:"stat_values"`
	Claims       int     `json:"claims"`
	Seconds      float64 `json:"seconds"`
	RestoredFrom string  `json:"restored_from,omitempty"`
}

// SetupStats is the per-user set-up call the target needed before the level (targets.Call).
type SetupStats struct {
	Call    string  `json:"call"`
	Users   int     `json:"users"`
	Errors  int     `json:"errors"`
	Seconds float64 `json:"seconds"`
	// Concurrency is the calls in flight the set-up settled at (suite.Ramp), Ramp its decisions.
	Concurrency int      `json:"concurrency"`
	Ramp        []string `json:"ramp,omitempty"`
}

// TargetInfo is the implementation a scenario measured and what of it could not be measured.
type TargetInfo struct {
	Impl        string   `json:"impl"` // targets profile: ours, reference, external
	Description string   `json:"description,omitempty"`
	External    bool     `json:"external,omitempty"` // reached by address, outside the suite's stack
	NotMeasured []string `json:"not_measured,omitempty"`
	Quirks      []string `json:"quirks,omitempty"`
}

// FaultResult is one injected fault and how the stack came through it (scenario 6). Times are
// seconds since the load generator's start, to the generator's 1-second resolution.
type FaultResult struct {
	Name     string  `json:"name"`
	StartSec float64 `json:"start_sec"`
	EndSec   float64 `json:"end_sec"` // when the injection returned (container back, or pause over)
	Error    string  `json:"error,omitempty"`
	// Error rates of the API and of event calls (refusals, before redelivery) from the fault's
	// start to 5 s after its end, and from then to the end of the level.
	APIErrorRateDuring   float64 `json:"api_error_rate_during"`
	APIErrorRateAfter    float64 `json:"api_error_rate_after"`
	EventErrorRateDuring float64 `json:"event_error_rate_during"`
	EventErrorRateAfter  float64 `json:"event_error_rate_after"`
	EventsRedelivered    int64   `json:"events_redelivered"`
	// RecoverySec: from the fault's start to the end of the last second in which the API or the
	// event calls had an error rate at or above the limit or a p95 above it (the scenario's
	// Thresholds); -1 when that lasted to the end of the level.
	RecoverySec float64 `json:"recovery_sec"`
}

// LevelResult is everything measured at one level, and its verdict (a level's level.json).
type LevelResult struct {
	Level       string                 `json:"level"`
	RPS         int                    `json:"rps,omitempty"`
	EPS         int                    `json:"eps,omitempty"`
	DurationSec float64                `json:"duration_sec"`
	API         *Side                  `json:"api,omitempty"`
	Events      *Side                  `json:"events,omitempty"`
	E2E         *E2EStats              `json:"e2e,omitempty"`
	Resources   map[string]ResourceRow `json:"resources"`
	Flush       *FlushStats            `json:"flush,omitempty"`
	Redis       *RedisStats            `json:"redis,omitempty"`
	Loadgen     Generator              `json:"loadgen"`
	Integrity   *Integrity             `json:"integrity,omitempty"`
	TopCPU      map[string][]TopFunc   `json:"top_cpu,omitempty"`
	TopAlloc    map[string][]TopFunc   `json:"top_alloc,omitempty"`
	TopMutex    map[string][]TopFunc   `json:"top_mutex,omitempty"`
	DB          *DBAnalysis            `json:"db,omitempty"`
	Fault       *FaultResult           `json:"fault,omitempty"`
	Seed        *SeedStats             `json:"seed,omitempty"`
	Setup       *SetupStats            `json:"user_setup,omitempty"`
	Retry       bool                   `json:"retry,omitempty"` // a re-run: the previous run of this level failed although the baseline held it
	Verdict     string                 `json:"verdict"`         // pass | limit | fail_integrity | integrity_not_proven | generator_limited | host_limited
	Reasons     []string               `json:"reasons,omitempty"`
	// UtilizationBounds: per resource (each container's role, "loadgen", "host"), the CPU demand per
	// unit of the level's work and the rate at which it would saturate (DemandUnit: "request" for
	// API iterations, "event" for events; only for levels of one kind of work).
	UtilizationBounds map[string]Demand `json:"utilization_bounds,omitempty"`
	DemandUnit        string            `json:"demand_unit,omitempty"`
	// Saturated names what else gave out while the target failed by its own signals (its verdict is
	// then limit, the target's reason first): "host", "generator" or "" (nothing, or not known).
	Saturated string `json:"saturated,omitempty"`
	Dir       string `json:"dir"`
}

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
	Search         string        `json:"search,omitempty"` // how the levels were chosen, when not a plain ladder
	Bracket        *Bracket      `json:"bracket,omitempty"`
	// Thresholds: the limit definition the levels were judged by (absent in results written
	// before the suite recorded it: those were judged by the suite's unchanged numbers).
	Thresholds *Thresholds `json:"thresholds,omitempty"`
	// Target: which implementation was measured (absent before the suite measured others: ours).
	Target *TargetInfo `json:"target,omitempty"`
	// Repeats: the nightly profile's confirmation of the maximum (MaxSustainable is the highest
	// level that held in every run of it).
	Repeats *Repeats `json:"repeats,omitempty"`
	// BottleneckBound: the rate the busiest resource allows, projected from the service demand
	// measured at the levels that held (operational laws; a projection, not a measurement).
	BottleneckBound *BottleneckBound `json:"bottleneck_bound,omitempty"`
}

// Demand is one resource's service demand at a level, by the utilization law D = U / X.
type Demand struct {
	DemandMs      float64 `json:"demand_ms"`      // CPU-milliseconds per unit of work
	CapacityCores float64 `json:"capacity_cores"` // the resource's CPUs (its limit; the host's for "host")
	BoundRate     float64 `json:"bound_rate"`     // capacity / demand: the rate it cannot exceed
}

// BottleneckBound is the rate the target's busiest resource allows (X ≤ (capacity − background)
// / demand), projected from the levels that held: a projection, not a measured maximum. Bounds
// holds every resource's projection, the instrument's ("loadgen", "host") included.
type BottleneckBound struct {
	Resource        string  `json:"resource"`
	Unit            string  `json:"unit"` // RPS or EPS
	Rate            float64 `json:"rate"`
	DemandMs        float64 `json:"demand_ms"`
	BackgroundCores float64 `json:"background_cores"` // CPU used at no load (the fit's intercept; 0 for one level)
	CapacityCores   float64 `json:"capacity_cores"`
	Method          string  `json:"method"` // "fit over N levels" or "one level"
	// UsedLevels: how many of FromLevels the resource was unsaturated at (the fit's points).
	UsedLevels int `json:"used_levels"`
	// DemandLowRateMs / DemandHighRateMs: U / X at the lowest and the highest rate used; a fall says
	// the cost per unit drops with load and the linear bound is conservative (Note).
	DemandLowRateMs  float64            `json:"demand_low_rate_ms"`
	DemandHighRateMs float64            `json:"demand_high_rate_ms"`
	Note             string             `json:"note,omitempty"`
	FromLevels       []string           `json:"from_levels"`
	Bounds           map[string]float64 `json:"bounds"`
}

// Repeats is how the maximum was confirmed: each candidate (highest first) ran Required times in
// all; the first that held every time is the maximum.
type Repeats struct {
	Required   int               `json:"required"`
	Confirmed  string            `json:"confirmed"` // the level that held every run ("" = none did)
	Candidates []RepeatCandidate `json:"candidates"`
}

// RepeatCandidate is one level's runs: their names (the first is the original), how many held,
// and the spread of what they achieved.
type RepeatCandidate struct {
	Level  string   `json:"level"`
	Runs   []string `json:"runs"`
	Held   int      `json:"held"`
	API    *Spread  `json:"api,omitempty"`
	Events *Spread  `json:"events,omitempty"`
}

// Spread is the minimum, median and maximum over repeated runs of a level.
type Spread struct {
	AchievedMin    float64 `json:"achieved_min"`
	AchievedMedian float64 `json:"achieved_median"`
	AchievedMax    float64 `json:"achieved_max"`
	P95MinMs       float64 `json:"p95_min_ms"`
	P95MedianMs    float64 `json:"p95_median_ms"`
	P95MaxMs       float64 `json:"p95_max_ms"`
}

// Bracket is where bisection placed the maximum: Held held, Failed failed, WithinPct apart.
type Bracket struct {
	Unit            string  `json:"unit"` // RPS or EPS
	Held            int     `json:"held"`
	Failed          int     `json:"failed"`
	WithinPct       float64 `json:"within_pct"`
	ExtraLevels     int     `json:"extra_levels"`
	Repeat          string  `json:"repeat,omitempty"` // the nightly profile's second run of the maximum: level and verdict
	RepeatDisagrees bool    `json:"repeat_disagrees,omitempty"`
}

// TuningRow is one setting value's measured capacity and latency (a row of tuning/result.json).
type TuningRow struct {
	Param          string   `json:"param"`           // e.g. DB_MAX_OPEN_CONNS
	Value          string   `json:"value"`           // e.g. "10"
	MaxSustainable string   `json:"max_sustainable"` // e.g. "500 RPS + 2000 EPS" ("" = no level passed)
	MaxRPS         int      `json:"max_rps"`
	MaxEPS         int      `json:"max_eps"`
	E2EP50ms       float64  `json:"e2e_p50_ms"`
	E2EP95ms       float64  `json:"e2e_p95_ms"`
	E2EP99ms       float64  `json:"e2e_p99_ms"`
	APIP95ms       float64  `json:"api_p95_ms"`
	EventsP95ms    float64  `json:"events_p95_ms"`
	VerdictReasons []string `json:"verdict_reasons,omitempty"` // why the next level failed (the run's stop reasons)
	Dir            string   `json:"dir"`                       // the run's scenario directory
}

// TuningRunDir is the directory of one (setting, value) run inside the sweep's directory.
func TuningRunDir(param, value string) string { return param + "-" + value }

// TuningFile is tuning/result.json: the sweep's rows, one per (setting, value) run.
type TuningFile struct {
	Profile          string      `json:"profile"`
	DurationPerLevel string      `json:"duration_per_level,omitempty"`
	Rows             []TuningRow `json:"rows"`
}

// ReadJSON decodes path into v; a missing file is not an error (found = false).
func ReadJSON(path string, v any) (found bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("%s: invalid JSON: %w", path, err)
	}
	return true, nil
}

// ReadScenarioResult reads a scenario directory's result.json (found = false when it is missing).
func ReadScenarioResult(scenarioDir string) (r ScenarioResult, found bool, err error) {
	found, err = ReadJSON(filepath.Join(scenarioDir, ResultFile), &r)
	return r, found, err
}

// ReadLevel reads a level directory's level.json (found = false when it is missing).
func ReadLevel(levelDir string) (l LevelResult, found bool, err error) {
	found, err = ReadJSON(filepath.Join(levelDir, LevelFile), &l)
	return l, found, err
}

// ReadTuning reads a run's tuning/result.json (nil when it is missing).
func ReadTuning(runDir string) (*TuningFile, error) {
	var t TuningFile
	found, err := ReadJSON(filepath.Join(runDir, TuningDir, ResultFile), &t)
	if err != nil || !found {
		return nil, err
	}
	return &t, nil
}
