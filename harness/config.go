package harness

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

// StackConfig is the spec's test environment (TECH_SPEC_M2 "Test Environment"); every field has an
// environment override so the same suite can measure other limits, builds or implementations.
type StackConfig struct {
	Namespace string // AB_NAMESPACE of both programs (PERF_NAMESPACE, default test)
	BasePath  string // service base path (PERF_BASE_PATH, default /challenge)

	Postgres runresult.Limits // PERF_POSTGRES_CPUS / PERF_POSTGRES_MEMORY (2 / 4G)
	Redis    runresult.Limits // PERF_REDIS_CPUS / PERF_REDIS_MEMORY (1 / 1G: one 2-minute level of 30,000 EPS of de-duplication keys)
	Service  runresult.Limits // PERF_SERVICE_CPUS / PERF_SERVICE_MEMORY (1 / 1G)
	Handler  runresult.Limits // PERF_HANDLER_CPUS / PERF_HANDLER_MEMORY (1 / 1G)

	DBMaxOpenConns  int           // PERF_DB_MAX_OPEN_CONNS (50) → DB_MAX_OPEN_CONNS of both programs
	AckMode         string        // PERF_ACK_MODE (durable) → ACK_MODE: durable (OK after commit) or buffered (OK from memory)
	FlushInterval   time.Duration // PERF_BUFFER_FLUSH_INTERVAL: durable batch window (2ms; our handler refuses > 50ms) → COMMIT_WINDOW (and BUFFER_FLUSH_INTERVAL, for handler images older than COMMIT_WINDOW), buffered flush period (1s) → BUFFER_FLUSH_INTERVAL
	BufferSizeLimit int           // PERF_BUFFER_SIZE_LIMIT (100000) → BUFFER_SIZE_LIMIT
	MockLatencyMin  int           // PERF_MOCK_AGS_LATENCY_MIN_MS (50)
	MockLatencyMax  int           // PERF_MOCK_AGS_LATENCY_MAX_MS (200)

	// AuthMode is "bearer" (JWTs signed per run) or "mock-header" (X-Mock-User-Id, the reference's
	// PLUGIN_GRPC_SERVER_AUTH_ENABLED=false mode). PERF_AUTH_MODE.
	AuthMode string

	// FixedHostPorts binds every container port to a host port chosen at start, so that addresses
	// from the host survive a container restart (fault injection).
	FixedHostPorts bool

	ServiceEnv map[string]string // extra env, PERF_SERVICE_ENV="K=V,K=V"
	HandlerEnv map[string]string // extra env, PERF_HANDLER_ENV="K=V,K=V"

	// Files the programs read, set by the caller: the catalog and the JWT public key.
	ChallengesJSON []byte
	PublicKeyPEM   []byte

	// Target is the implementation the stack runs (PERF_IMPL: ours, reference): its env names,
	// catalog format, health checks and what of it can be measured. Zero value: ours.
	Target targets.Target

	// Logf receives progress lines (t.Logf in tests, stderr in perfstack).
	Logf func(format string, args ...any) `json:"-"`
}

// The event handler's acknowledgement modes (its ACK_MODE).
const (
	AckDurable  = "durable"
	AckBuffered = "buffered"
)

// DefaultStackConfig is the spec's environment.
func DefaultStackConfig() StackConfig {
	return StackConfig{
		Namespace:       "test",
		BasePath:        "/challenge",
		Postgres:        runresult.Limits{CPUs: 2, MemoryBytes: 4 << 30},
		Redis:           runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30},
		Service:         runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30},
		Handler:         runresult.Limits{CPUs: 1, MemoryBytes: 1 << 30},
		DBMaxOpenConns:  50,
		AckMode:         AckDurable,
		FlushInterval:   2 * time.Millisecond,
		BufferSizeLimit: 100_000,
		MockLatencyMin:  50,
		MockLatencyMax:  200,
		AuthMode:        "bearer",
	}
}

// StackConfigFromEnv applies the PERF_* overrides to the defaults and reports every bad value at once.
func StackConfigFromEnv() (StackConfig, error) {
	c := DefaultStackConfig()
	r := envconf.New()
	c.Namespace = r.String("PERF_NAMESPACE", c.Namespace)
	c.BasePath = r.String("PERF_BASE_PATH", c.BasePath)
	var errs []string
	limits := func(prefix string, l *runresult.Limits) {
		l.CPUs = r.Float("PERF_"+prefix+"_CPUS", l.CPUs, 0.01, 64)
		if v := os.Getenv("PERF_" + prefix + "_MEMORY"); v != "" {
			n, err := ParseBytes(v)
			if err != nil || n < 16<<20 {
				errs = append(errs, fmt.Sprintf("PERF_%s_MEMORY=%q: want a size of at least 16M, like 512M or 1G", prefix, v))
			} else {
				l.MemoryBytes = n
			}
		}
	}
	limits("POSTGRES", &c.Postgres)
	limits("REDIS", &c.Redis)
	limits("SERVICE", &c.Service)
	limits("HANDLER", &c.Handler)
	c.DBMaxOpenConns = r.Int("PERF_DB_MAX_OPEN_CONNS", c.DBMaxOpenConns, 1, 1000)
	c.AckMode = r.String("PERF_ACK_MODE", c.AckMode)
	if c.AckMode != AckDurable && c.AckMode != AckBuffered {
		errs = append(errs, fmt.Sprintf("PERF_ACK_MODE=%q: want %s or %s", c.AckMode, AckDurable, AckBuffered))
	}
	if c.AckMode == AckBuffered {
		c.FlushInterval = time.Second // the spec's flush period; durable mode's 2 ms is a batch window
	}
	c.FlushInterval = r.Duration("PERF_BUFFER_FLUSH_INTERVAL", c.FlushInterval, 100*time.Microsecond)
	c.BufferSizeLimit = r.Int("PERF_BUFFER_SIZE_LIMIT", c.BufferSizeLimit, 1, 100_000_000)
	c.MockLatencyMin = r.Int("PERF_MOCK_AGS_LATENCY_MIN_MS", c.MockLatencyMin, 0, 60_000)
	c.MockLatencyMax = r.Int("PERF_MOCK_AGS_LATENCY_MAX_MS", c.MockLatencyMax, 0, 60_000)
	impl, err := targets.Lookup(r.String("PERF_IMPL", targets.Ours))
	if err != nil {
		errs = append(errs, err.Error())
	}
	c.Target = impl
	if impl.RequiresAuthOff && os.Getenv("PERF_AUTH_MODE") == "" {
		c.AuthMode = "mock-header" // the only mode it can run in here; said, not silently: see below
	}
	c.AuthMode = r.String("PERF_AUTH_MODE", c.AuthMode)
	if impl.RequiresAuthOff && c.AuthMode != "mock-header" {
		errs = append(errs, fmt.Sprintf("PERF_IMPL=%s runs with auth off only (the stack cannot issue tokens it accepts): PERF_AUTH_MODE must be mock-header", impl.Name))
	}
	if impl.NeedsImages && (!containers.Overridden(containers.ImageService) || !containers.Overridden(containers.ImageHandler)) {
		errs = append(errs, fmt.Sprintf("PERF_IMPL=%s has no local build: set PERF_SERVICE_IMAGE and PERF_HANDLER_IMAGE to its images", impl.Name))
	}
	if c.AuthMode != "bearer" && c.AuthMode != "mock-header" {
		errs = append(errs, fmt.Sprintf("PERF_AUTH_MODE=%q: want bearer or mock-header", c.AuthMode))
	}
	if c.MockLatencyMax < c.MockLatencyMin {
		errs = append(errs, "PERF_MOCK_AGS_LATENCY_MAX_MS is below PERF_MOCK_AGS_LATENCY_MIN_MS")
	}
	if c.ServiceEnv, err = parseEnvList("PERF_SERVICE_ENV"); err != nil {
		errs = append(errs, err.Error())
	}
	if c.HandlerEnv, err = parseEnvList("PERF_HANDLER_ENV"); err != nil {
		errs = append(errs, err.Error())
	}
	if err := r.Err(); err != nil {
		errs = append([]string{err.Error()}, errs...)
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return c, nil
}

func parseEnvList(key string) (map[string]string, error) {
	out := map[string]string{}
	v := strings.TrimSpace(os.Getenv(key))
	if v == "" {
		return out, nil
	}
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s: %q is not KEY=value", key, kv)
		}
		out[k] = val
	}
	return out, nil
}
