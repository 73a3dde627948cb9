//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/fixtures"
	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runner"
	"github.com/challenge-perf/challenge-perf/suite"
	"github.com/challenge-perf/challenge-perf/targets"
)

func TestMain(m *testing.M) {
	// Every setting first, before anything touches Docker: a bad value or a misspelt name fails
	// in well under a second, all of them listed, instead of after a stack started with defaults.
	if err := loadSettings(); err != nil {
		fmt.Fprintf(os.Stderr, "perf: %v\n", err)
		os.Exit(2)
	}
	containers.Setup()
	ctx := context.Background()
	// Without ryuk, an interrupted earlier run may have left containers: sweep those of runs whose
	// process is gone (never a live run's, nor a `perfstack up` stack).
	if c, n, err := containers.CleanStale(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "perf: %v\n", err)
		os.Exit(1)
	} else if c+n > 0 {
		fmt.Fprintf(os.Stderr, "perf: removed %d containers and %d networks left by an earlier run\n", c, n)
	}
	code := m.Run()
	stopSharedStack()
	if _, _, err := containers.Clean(ctx, containers.RunID); err != nil {
		fmt.Fprintf(os.Stderr, "perf: cleanup: %v\n", err)
	}
	os.Exit(code)
}

// fixtureSet is the run's test data: the committed catalog and users, and tokens signed per run.
type fixtureSet struct {
	ChallengesJSON []byte
	UsersJSON      []byte
	TokensJSON     []byte
	PublicKeyPEM   []byte
	Users          []string
}

var (
	fixOnce sync.Once
	fix     *fixtureSet
	fixErr  error
)

func loadFixtures() (*fixtureSet, error) {
	fixOnce.Do(func() {
		f := &fixtureSet{}
		if f.ChallengesJSON, fixErr = os.ReadFile(filepath.Join("testdata", fixtures.ChallengesFile)); fixErr != nil {
			return
		}
		if f.UsersJSON, fixErr = os.ReadFile(filepath.Join("testdata", fixtures.UsersFile)); fixErr != nil {
			return
		}
		if fixErr = json.Unmarshal(f.UsersJSON, &f.Users); fixErr != nil {
			return
		}
		key, err := fixtures.NewSigningKey()
		if err != nil {
			fixErr = err
			return
		}
		if f.PublicKeyPEM, fixErr = key.PublicPEM(); fixErr != nil {
			return
		}
		toks, err := key.SignAll(f.Users, settings.Namespace, 24*time.Hour)
		if err != nil {
			fixErr = err
			return
		}
		f.TokensJSON, fixErr = json.Marshal(toks)
		fix = f
	})
	return fix, fixErr
}

// scenarioEnv is one scenario's running stack (or external target) and where its results go.
type scenarioEnv struct {
	t       *testing.T
	name    string
	dir     string
	profile runner.Profile
	cfg     harness.StackConfig
	ep      harness.Endpoints
	stack   *harness.Stack // nil for an external target
	db      *pgxpool.Pool  // nil when the target's database is not reachable
	redis   *redis.Client  // nil likewise
	// canReset: the suite may empty the database between levels (always for its own stack; for an
	// external target only with PERF_TARGET_ALLOW_RESET=true). Integrity checks need it.
	canReset bool
	fix      *fixtureSet
	// keyBytes is Redis memory per de-duplication key as measured at this scenario's largest
	// event level so far.
	keyBytes runner.KeyBytes
	// target is the implementation measured (PERF_IMPL) and what of it can be measured.
	target targets.Target
	// setup is the per-user set-up call (PERF_USER_SETUP or the target's), nil for none.
	setup *targets.Call
	// targetState is the target's current state as the suite knows it (shared with the scenarios
	// before and after this one on the same stack or external target).
	*targetState
	// integrityFailed reports a level whose integrity check failed (nil: the test fails, t.Error);
	// a test of the instrument that expects the failure records it instead.
	integrityFailed func(msg string)
	// statIDs are the containers measured (role → id): the stack's, or PERF_TARGET_CONTAINERS'.
	statIDs map[string]string
	// apiHoldMs is how long an API iteration held an HTTP connection at this scenario's last API
	// level (0 until one ran); the next level's pool is sized from it (loadgen.PoolFor).
	apiHoldMs float64
}

// hostCPUs is the CPUs of the host that runs the stack and the generator (0 for an external
// target: its host is not this one).
func (e *scenarioEnv) hostCPUs() int {
	if e.stack == nil && len(e.statIDs) == 0 {
		return 0
	}
	return runtime.NumCPU()
}

// cpuLimits are the measured containers' CPU limits by role (an external target's as the engine
// reports them).
func (e *scenarioEnv) cpuLimits() map[string]float64 {
	if e.stack == nil {
		out := map[string]float64{}
		for role, id := range e.statIDs {
			if l, err := harness.InspectLimits(context.Background(), id); err == nil {
				out[role] = l.CPUs
			}
		}
		return out
	}
	return limitsOf(e.cfg)
}

// limitsOf is a stack configuration's CPU limit by container role.
func limitsOf(c harness.StackConfig) map[string]float64 {
	return map[string]float64{
		harness.AliasPostgres: c.Postgres.CPUs, harness.AliasRedis: c.Redis.CPUs,
		harness.AliasService: c.Service.CPUs, harness.AliasHandler: c.Handler.CPUs,
	}
}

// capacities are the CPUs each resource may use, for the utilization law (suite.UtilizationBounds).
func (e *scenarioEnv) capacities() suite.Capacities {
	return suite.Capacities{Roles: e.cpuLimits(), Loadgen: settings.Loadgen.CPUs, HostCPUs: e.hostCPUs()}
}

// holdEstimateMs is an API iteration's connection time before any level measured it: a GET of
// about 10 ms, plus, in 20% of iterations, a claim waiting on the mock reward platform's mean
// latency. An over-estimate only opens more connections; an under-estimate shows as pool waits,
// which the generator attributes to itself (generator_limited), never to the service.
func (e *scenarioEnv) holdEstimateMs() float64 {
	if e.apiHoldMs > 0 {
		return e.apiHoldMs
	}
	return 10 + 0.2*(float64(e.cfg.MockLatencyMin+e.cfg.MockLatencyMax)/2+10)
}

// startScenario gives a scenario its stack: the run's, when the configuration is the same
// (acquireStack), else a new one; every level starts from a reset (or restored) state.
func startScenario(t *testing.T, name string, mods ...func(*harness.StackConfig)) *scenarioEnv {
	t.Helper()
	p := settings.Profile()
	f, err := loadFixtures()
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	cfg, err := harness.StackConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.ChallengesJSON, cfg.PublicKeyPEM = f.ChallengesJSON, f.PublicKeyPEM
	// Every scenario binds fixed host ports, not only the fault scenario that restarts containers:
	// so scenario 6's stack is the one the others reuse (a replacement costs ~16 s of start-up).
	cfg.FixedHostPorts = true
	for _, m := range mods {
		m(&cfg)
	}
	dir := filepath.Join(runDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	t.Logf("%s: profile %s, %s per level; results in %s", name, p.Name, p.Duration, dir)
	if ext, ok, err := externalTarget(); err != nil {
		t.Fatal(err)
	} else if ok {
		return startExternal(t, ctx, name, dir, p, cfg, f, ext)
	}
	sh, err := acquireStack(t, ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	stack := sh.stack
	man, err := harness.BuildManifest(ctx, stack, map[string]string{
		"profile": p.Name, "duration_per_level": p.Duration.String(), "auth_mode": cfg.AuthMode,
	})
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	writeJSON(t, filepath.Join(dir, "manifest.json"), man)
	e := &scenarioEnv{t: t, name: name, dir: dir, profile: p, cfg: stack.Config, ep: stack.Endpoints,
		stack: stack, db: sh.db, redis: sh.redis, fix: f, target: stack.Config.Target, targetState: sh.state, statIDs: map[string]string{}}
	if e.target.Name == "" {
		e.target, _ = targets.Lookup(targets.Ours)
	}
	// Only this repository's schema can be emptied between levels by the suite.
	e.canReset = e.target.Has.OurSchema
	for role, c := range stack.Containers() {
		e.statIDs[role] = c.GetContainerID()
	}
	e.initTarget()
	return e
}

// initTarget resolves the per-user set-up call and logs what cannot be measured of the target.
func (e *scenarioEnv) initTarget() {
	e.setup = settings.SetupCall(e.target.UserSetup)
	info := e.targetInfo()
	e.t.Logf("%s: target %s (%s)", e.name, info.Impl, orNone(info.Description))
	for _, q := range info.Quirks {
		e.t.Logf("%s: known quirk of %s: %s", e.name, info.Impl, q)
	}
	for _, m := range info.NotMeasured {
		e.t.Logf("%s: NOT MEASURED: %s", e.name, m)
	}
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := runner.WriteJSON(path, v); err != nil {
		t.Fatal(err)
	}
}
