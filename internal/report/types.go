package report

import "time"

// These structs mirror the JSON the perf suite writes (perf/result_test.go, perf/integrity_test.go,
// harness/manifest.go, harness/pgstats.go, harness/profiles.go, loadgen/selfcheck.go). The perf
// package is test-only, so the report decodes the files with its own copies of the field names.

// Side is one traffic kind's outcome at a level.
type Side struct {
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"`
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

// E2EStats is scenario 5's measured event → visible-in-API latency.
type E2EStats struct {
	Probes        int64   `json:"probes"`
	Failed        float64 `json:"failed_rate"`
	P50ms         float64 `json:"p50_ms"`
	P95ms         float64 `json:"p95_ms"`
	P99ms         float64 `json:"p99_ms"`
	MaxMs         float64 `json:"max_ms"`
	FlushInterval string  `json:"flush_interval"`
}

// FlushStats are the handler's buffer flushes during a level.
type FlushStats struct {
	Flushes       uint64  `json:"flushes"`
	AvgMs         float64 `json:"avg_ms"`
	AvgEntries    float64 `json:"avg_entries"`
	Errors        float64 `json:"errors"`
	MaxBufferSeen float64 `json:"max_buffer_entries_seen"`
}

// ResourceRow is one container's CPU and memory during a level.
type ResourceRow struct {
	CPUAvgPct   float64 `json:"cpu_avg_pct"`
	CPUMaxPct   float64 `json:"cpu_max_pct"`
	MemMaxMiB   float64 `json:"mem_max_mib"`
	MemLimitMiB float64 `json:"mem_limit_mib"`
	Throttled   uint64  `json:"throttled_periods"`
}

// SelfReport is the load generator's report on itself.
type SelfReport struct {
	Version          string   `json:"version"`
	GOMAXPROCS       int      `json:"gomaxprocs"`
	NumCPU           int      `json:"num_cpu"`
	WallSeconds      float64  `json:"wall_seconds"`
	CPUSeconds       float64  `json:"cpu_seconds"`
	CPUCores         float64  `json:"cpu_cores_used"`
	LagP99Ms         float64  `json:"lag_p99_ms"`
	LagMaxMs         float64  `json:"lag_max_ms"`
	DroppedFraction  float64  `json:"dropped_fraction"`
	GeneratorLimited bool     `json:"generator_limited"`
	Reason           string   `json:"reason,omitempty"`
	VUsExhausted     []string `json:"vus_exhausted,omitempty"`
	Interrupted      bool     `json:"interrupted,omitempty"`
	IterationErrors  int64    `json:"iteration_errors"`
}

// Integrity is the database-versus-ground-truth comparison after a level.
type Integrity struct {
	EventsAcked     int64    `json:"events_acked"`
	EventsUncertain int64    `json:"events_uncertain"`
	UsersChecked    int      `json:"users_checked"`
	ValuesChecked   int      `json:"values_checked"`
	Lost            int      `json:"lost"`
	Extra           int      `json:"extra"`
	ExtraExplained  bool     `json:"extra_explained_by_uncertain_events"`
	CompletionsOK   bool     `json:"completions_consistent"`
	APIChecked      int      `json:"api_users_checked"`
	Problems        []string `json:"problems,omitempty"`
	OK              bool     `json:"ok"`
}

// TopFunc is one row of a profile's top table.
type TopFunc struct {
	Function string  `json:"function"`
	Flat     int64   `json:"flat"`
	FlatPct  float64 `json:"flat_pct"`
	Cum      int64   `json:"cum"`
	CumPct   float64 `json:"cum_pct"`
}

// StatementStat is one pg_stat_statements row.
type StatementStat struct {
	Query       string  `json:"query"`
	Calls       int64   `json:"calls"`
	MeanMS      float64 `json:"mean_ms"`
	MaxMS       float64 `json:"max_ms"`
	TotalSec    float64 `json:"total_sec"`
	Rows        int64   `json:"rows"`
	CacheHitPct float64 `json:"cache_hit_pct"`
}

// TableStat is one pg_stat_user_tables row.
type TableStat struct {
	Table      string `json:"table"`
	TotalBytes int64  `json:"total_bytes"`
	LiveRows   int64  `json:"live_rows"`
	DeadRows   int64  `json:"dead_rows"`
	Inserts    int64  `json:"inserts"`
	Updates    int64  `json:"updates"`
	HotUpdates int64  `json:"hot_updates"`
	SeqScans   int64  `json:"seq_scans"`
	IdxScans   int64  `json:"idx_scans"`
}

// IndexStat is one pg_stat_user_indexes row.
type IndexStat struct {
	Table   string `json:"table"`
	Index   string `json:"index"`
	Scans   int64  `json:"scans"`
	TupRead int64  `json:"tuples_read"`
	Bytes   int64  `json:"bytes"`
}

// ConnState counts the database's connections in one state.
type ConnState struct {
	State     string  `json:"state"`
	Count     int64   `json:"count"`
	OldestSec float64 `json:"oldest_sec"`
}

// DBAnalysis is scenario 4's PostgreSQL analysis.
type DBAnalysis struct {
	TopStatements []StatementStat `json:"top_statements"`
	Connections   []ConnState     `json:"connections"`
	Tables        []TableStat     `json:"tables"`
	Indexes       []IndexStat     `json:"indexes"`
	CacheHitPct   float64         `json:"cache_hit_pct"`
	Commits       int64           `json:"commits"`
	Rollbacks     int64           `json:"rollbacks"`
	Deadlocks     int64           `json:"deadlocks"`
}

// DBSample is one db_samples.json entry (PostgreSQL sampled every few seconds in scenario 4).
type DBSample struct {
	T                 time.Time `json:"t"`
	Active            int64     `json:"active"`
	Idle              int64     `json:"idle"`
	IdleInTransaction int64     `json:"idle_in_transaction"`
	Commits           int64     `json:"commits"`
	TupInserted       int64     `json:"tup_inserted"`
	TupUpdated        int64     `json:"tup_updated"`
	Statements        int64     `json:"statements"`
}

// Verdicts of a level.
const (
	VerdictPass      = "pass"
	VerdictLimit     = "limit"
	VerdictGenerator = "generator_limited"
)

// LevelResult is everything measured at one level.
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
	Loadgen     SelfReport             `json:"loadgen"`
	Integrity   *Integrity             `json:"integrity,omitempty"`
	TopCPU      map[string][]TopFunc   `json:"top_cpu,omitempty"`
	TopAlloc    map[string][]TopFunc   `json:"top_alloc,omitempty"`
	TopMutex    map[string][]TopFunc   `json:"top_mutex,omitempty"`
	DB          *DBAnalysis            `json:"db,omitempty"`
	Verdict     string                 `json:"verdict"`
	Reasons     []string               `json:"reasons,omitempty"`
	Dir         string                 `json:"dir"`
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
}

// Limits are a container's limits as read back from the engine.
type Limits struct {
	CPUs        float64 `json:"CPUs"`
	MemoryBytes int64   `json:"MemoryBytes"`
}

// ContainerManifest is what the engine says a container ran with.
type ContainerManifest struct {
	Image   string   `json:"image"`
	ImageID string   `json:"image_id"`
	Limits  Limits   `json:"limits"`
	Env     []string `json:"env"`
	Cmd     []string `json:"cmd"`
}

// Manifest is a scenario's manifest.json.
type Manifest struct {
	Date          time.Time                    `json:"date"`
	GitRevision   string                       `json:"git_revision"`
	GitDirty      bool                         `json:"git_dirty"`
	GoVersion     string                       `json:"go_version"`
	HostCPUs      int                          `json:"host_cpus"`
	HostMemory    int64                        `json:"host_memory_bytes"`
	HostKernel    string                       `json:"host_kernel"`
	DockerVersion string                       `json:"docker_version"`
	Containers    map[string]ContainerManifest `json:"containers"`
	Settings      map[string]string            `json:"settings,omitempty"`
}
