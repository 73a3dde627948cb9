package runresult

// Generator is the load generator's account of itself (the summary's "loadgen" section): how far
// its numbers can be trusted. It has loadgen.SelfReport's fields so one converts to the other
// (runresult.Generator(summary.Loadgen)); a field added there and not here fails to compile at the
// conversion, which keeps the two in step without this package importing the engine.
type Generator struct {
	Version          string         `json:"version"`
	Seed             int64          `json:"seed"`
	GOMAXPROCS       int            `json:"gomaxprocs"`
	NumCPU           int            `json:"num_cpu"`
	WallSeconds      float64        `json:"wall_seconds"`
	CPUSeconds       float64        `json:"cpu_seconds"`
	CPUCores         float64        `json:"cpu_cores_used"` // cpu_seconds / wall_seconds
	LagP99Ms         float64        `json:"lag_p99_ms"`
	LagMaxMs         float64        `json:"lag_max_ms"`
	DroppedFraction  float64        `json:"dropped_fraction"`
	GeneratorLimited bool           `json:"generator_limited"`
	Reason           string         `json:"reason,omitempty"`
	VUsExhausted     []string       `json:"vus_exhausted,omitempty"`
	HTTPPool         map[string]int `json:"http_pool,omitempty"`
	HTTPPrewarmed    map[string]int `json:"http_prewarmed,omitempty"`
	// HTTPBlockedP95Ms is each HTTP scenario's p95 wait for a pooled connection (http_req_blocked).
	HTTPBlockedP95Ms map[string]float64 `json:"http_blocked_p95_ms,omitempty"`
	// PoolLimited names the scenarios whose VUs queued for the HTTP pool (see poolWait).
	PoolLimited     []string `json:"pool_limited,omitempty"`
	Interrupted     bool     `json:"interrupted,omitempty"`
	AbortedBy       string   `json:"aborted_by_threshold,omitempty"`
	IterationErrors int64    `json:"iteration_errors"`
}
