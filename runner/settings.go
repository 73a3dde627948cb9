// Package runner holds what runs the perf suite that needs no Docker: its settings, read once
// from the environment and validated together before any container starts, its profiles and
// level ladders, and what a level needs besides containers — its spec (LevelSpec), the
// generator's plan (BuildPlan), the reading of the generator's results into the level's figures
// (FillLoadResult, AnalyzeFault, Resources, FlushDelta) and its log line (Describe).
package runner

import (
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

// Settings is every PERF_* variable the perf package reads, typed. The stack's own (limits,
// images, auth mode, the programs' extra env) are harness.StackConfigFromEnv's and containers';
// the suite validates those too at start. Zero counts mean "the scenario's or profile's own".
type Settings struct {
	ProfileName string        // PERF_PROFILE: smoke (default), nightly or full
	Duration    time.Duration // PERF_DURATION: per-level duration, at least 5s; 0: the profile's
	Repeats     int           // PERF_REPEATS: runs in all the maximum must hold, 1 to 9; 0: the profile's
	Levels      []int         // PERF_LEVELS: comma-separated positive levels; nil: the profile's

	Bisect     bool   // PERF_BISECT (true): bisect between the last level held and the first failed
	Matrix     string // PERF_MATRIX: scenario 3's search, frontier (default) or full
	APIGetOnly bool   // PERF_API_GET_ONLY (false): scenario 3's GET-only API mix

	DBRPS, DBEPS int // PERF_DB_RPS / PERF_DB_EPS: scenario 4's level; 0: 500 + 2000 (smoke: the target's)
	E2EEPS       int // PERF_E2E_EPS: scenario 5's background events; 0: 1000 (smoke 200)

	MinRPS, MinEPS int // PERF_MIN_RPS / PERF_MIN_EPS: floors under which the test fails; 0: none

	SeedProgress bool // PERF_SEED_PROGRESS (true): realistic user state before API load

	Loadgen runresult.Limits // PERF_LOADGEN_CPUS / PERF_LOADGEN_MEMORY; zero: unlimited

	Namespace  string // PERF_NAMESPACE (test): the namespace tokens are signed for
	ResultsDir string // PERF_RESULTS_DIR; default results/<UTC time>, under perf/ where go test runs

	// userSetup is PERF_USER_SETUP's call (nil: none); userSetupSet says it was given (SetupCall).
	userSetup    *targets.Call
	userSetupSet bool
	// UserSetupConcurrency is PERF_USER_SETUP_CONCURRENCY (256): the most users set up at a time;
	// the set-up starts at 8 and doubles while the target's throughput grows (suite.Ramp).
	UserSetupConcurrency int

	// Impl is PERF_IMPL as given ("" unset: an external target is then of unknown implementation).
	// harness.StackConfigFromEnv checks the name.
	Impl string

	Target External // PERF_TARGET_*: an existing deployment instead of the suite's stack

	APICheckUsers int    // PERF_API_CHECK_USERS: users the public-API check reads; 0 (all): every touched user
	BaselineFile  string // PERF_BASELINE_FILE: the baseline to gate against; "": the target's own
	Tuning        bool   // PERF_TUNING (false): run the tuning sweep with the smoke profile too
}

// External is a deployment the suite loads instead of starting its stack (PERF_TARGET_*). BaseURL
// and GRPCAddr go together; the rest is optional and enables more measurements.
type External struct {
	BaseURL       string // PERF_TARGET_BASE_URL, with the base path, without a trailing /
	GRPCAddr      string // PERF_TARGET_GRPC_ADDR
	ServiceOpsURL string // PERF_TARGET_SERVICE_OPS_URL: profiles
	HandlerOpsURL string // PERF_TARGET_HANDLER_OPS_URL: profiles, flush statistics
	PostgresDSN   string // PERF_TARGET_POSTGRES_DSN: database analysis
	RedisAddr     string // PERF_TARGET_REDIS_ADDR: Redis memory
	TokensFile    string // PERF_TARGET_TOKENS_FILE: JSON array of tokens aligned with the fixture users
	AllowReset    bool   // PERF_TARGET_ALLOW_RESET (false): truncate its database between levels
	// Containers are PERF_TARGET_CONTAINERS ("service=name,handler=name,..."): the stack's
	// container role (harness.Alias*) → the container's name or id on this Docker engine.
	Containers map[string]string
}

// Set reports whether an external target was given.
func (e External) Set() bool { return e.BaseURL != "" || e.GRPCAddr != "" }

// SetupCall is the per-user set-up call: PERF_USER_SETUP's when given (nil for none), else the
// target's own (def).
func (s Settings) SetupCall(def *targets.Call) *targets.Call {
	if s.userSetupSet {
		return s.userSetup
	}
	return def
}

// WithSetupCall returns s with the per-user set-up call set as PERF_USER_SETUP would (c nil: none).
func (s Settings) WithSetupCall(c *targets.Call) Settings {
	s.userSetup, s.userSetupSet = c, true
	return s
}

// FromEnv reads the settings from the process environment.
func FromEnv() (Settings, error) { return Load(envconf.New()) }

// Load reads the settings from r and reports every bad value, and every PERF_* name that is no
// setting of the suite, in one error.
func Load(r *envconf.Reader) (Settings, error) {
	const maxRate = 10_000_000 // per second: far above anything one machine sends
	s := Settings{
		ProfileName: r.OneOf("PERF_PROFILE", "smoke", ProfileNames...),
		Duration:    r.Duration("PERF_DURATION", 0, 5*time.Second),
		Repeats:     r.Int("PERF_REPEATS", 0, 1, 9),
		Levels:      r.Ints("PERF_LEVELS", nil, 1, maxRate),
		Bisect:      r.Bool("PERF_BISECT", true),
		Matrix:      r.OneOf("PERF_MATRIX", "frontier", "frontier", "full"),
		APIGetOnly:  r.Bool("PERF_API_GET_ONLY", false),
		DBRPS:       r.Int("PERF_DB_RPS", 0, 0, maxRate),
		DBEPS:       r.Int("PERF_DB_EPS", 0, 0, maxRate),
		E2EEPS:      r.Int("PERF_E2E_EPS", 0, 0, maxRate),
		MinRPS:      r.Int("PERF_MIN_RPS", 0, 0, maxRate),
		MinEPS:      r.Int("PERF_MIN_EPS", 0, 0, maxRate),

		SeedProgress: r.Bool("PERF_SEED_PROGRESS", true),
		Namespace:    r.String("PERF_NAMESPACE", "test"),
		ResultsDir:   r.String("PERF_RESULTS_DIR", filepath.Join("results", time.Now().UTC().Format("20060102-150405"))),

		UserSetupConcurrency: r.Int("PERF_USER_SETUP_CONCURRENCY", 0, 0, 10_000),
		Impl:                 r.String("PERF_IMPL", ""),
		BaselineFile:         r.String("PERF_BASELINE_FILE", ""),
		Tuning:               r.Bool("PERF_TUNING", false),
	}
	if s.UserSetupConcurrency == 0 {
		s.UserSetupConcurrency = 256 // 0 has always meant the default
	}
	s.Loadgen.CPUs = r.Float("PERF_LOADGEN_CPUS", 0, 0.01, 64)
	if v, ok := r.Lookup("PERF_LOADGEN_MEMORY"); ok {
		if n, err := harness.ParseBytes(v); err != nil {
			r.Invalid("PERF_LOADGEN_MEMORY", v, "a size like 512M or 1G")
		} else {
			s.Loadgen.MemoryBytes = n
		}
	}
	if v, ok := r.Lookup("PERF_USER_SETUP"); ok {
		c, err := targets.ParseCall(v)
		if err != nil {
			r.Errorf("%v", err)
		}
		s = s.WithSetupCall(c)
	}
	s.APICheckUsers = apiCheckUsers(r)
	s.Target = external(r)
	for _, msg := range Unknown(r.Names()) {
		r.Errorf("%s", msg)
	}
	return s, r.Err()
}

// apiCheckUsers reads PERF_API_CHECK_USERS: "all" (default) or a number of users (0 is all too).
func apiCheckUsers(r *envconf.Reader) int {
	v, ok := r.Lookup("PERF_API_CHECK_USERS")
	if !ok || v == "all" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.Invalid("PERF_API_CHECK_USERS", v, "a number of users, or all")
		return 0
	}
	return n
}

func external(r *envconf.Reader) External {
	e := External{
		BaseURL:       strings.TrimRight(r.String("PERF_TARGET_BASE_URL", ""), "/"),
		GRPCAddr:      r.String("PERF_TARGET_GRPC_ADDR", ""),
		ServiceOpsURL: strings.TrimRight(r.String("PERF_TARGET_SERVICE_OPS_URL", ""), "/"),
		HandlerOpsURL: strings.TrimRight(r.String("PERF_TARGET_HANDLER_OPS_URL", ""), "/"),
		PostgresDSN:   r.String("PERF_TARGET_POSTGRES_DSN", ""),
		RedisAddr:     r.String("PERF_TARGET_REDIS_ADDR", ""),
		TokensFile:    r.String("PERF_TARGET_TOKENS_FILE", ""),
		AllowReset:    r.Bool("PERF_TARGET_ALLOW_RESET", false),
		Containers:    targetContainers(r),
	}
	if (e.BaseURL == "") != (e.GRPCAddr == "") {
		r.Errorf("PERF_TARGET_BASE_URL and PERF_TARGET_GRPC_ADDR go together (an external target needs both)")
	}
	return e
}

// targetContainers reads PERF_TARGET_CONTAINERS, mapping the roles users name to the stack's.
func targetContainers(r *envconf.Reader) map[string]string {
	v, ok := r.Lookup("PERF_TARGET_CONTAINERS")
	if !ok {
		return nil
	}
	roles := map[string]string{"service": harness.AliasService, "handler": harness.AliasHandler,
		"postgres": harness.AliasPostgres, "redis": harness.AliasRedis}
	named := map[string]string{}
	for _, kv := range strings.Split(v, ",") {
		k, name, ok := strings.Cut(strings.TrimSpace(kv), "=")
		role, known := roles[k]
		if !ok || !known || name == "" {
			r.Errorf("PERF_TARGET_CONTAINERS: %q: want role=container with role service, handler, postgres or redis", kv)
			return nil
		}
		named[role] = name
	}
	return named
}
