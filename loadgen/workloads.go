package loadgen

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Iteration is one iteration of a VU (k6's exec function).
type Iteration func(ctx context.Context, vu *VU) error

// WorkloadFactory prepares a scenario once, before the clock starts, and
// returns its iteration. It declares the targets it needs via sc.HTTP() /
// sc.GRPC() so the engine can open connections before measuring.
type WorkloadFactory func(sc *ScenarioContext) (Iteration, error)

var (
	workloadsMu sync.RWMutex
	workloads   = map[string]WorkloadFactory{}
)

// RegisterWorkload adds an iteration to the registry by name (scenario `exec`).
func RegisterWorkload(name string, f WorkloadFactory) {
	workloadsMu.Lock()
	defer workloadsMu.Unlock()
	workloads[name] = f
}

func lookupWorkload(name string) WorkloadFactory {
	workloadsMu.RLock()
	defer workloadsMu.RUnlock()
	return workloads[name]
}

// WorkloadNames lists the registered iterations.
func WorkloadNames() []string {
	workloadsMu.RLock()
	defer workloadsMu.RUnlock()
	var n []string
	for k := range workloads {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// ScenarioContext is what a WorkloadFactory may use.
type ScenarioContext struct {
	Plan     *Plan
	Scenario *Scenario
	Users    *Users
	sr       *scenarioRun
}

// ReserveUsers takes users out of the random pool that VU.PickUser draws from, in every scenario
// of the run, so that no other scenario changes their state (a probe that waits for a value it
// set). Call it from the factory: the engine applies every scenario's reservations after setup,
// before the clock starts; when all users would be reserved the pool stays whole.
func (sc *ScenarioContext) ReserveUsers(ids ...string) {
	sc.sr.eng.reserved = append(sc.sr.eng.reserved, ids...)
}

// RunState returns the run-wide value stored under key, created by create on first use: state
// that several scenarios of one run share. Call it from the factory (setup is sequential, so
// neither needs locking); the iterations keep what it returned.
func (sc *ScenarioContext) RunState(key any, create func() any) any {
	e := sc.sr.eng
	if v, ok := e.state[key]; ok {
		return v
	}
	v := create()
	e.state[key] = v
	return v
}

// An Artifact is a document a workload adds to the run's results (Result.Artifacts); WriteDir
// writes it as a file of its own. It is written after the run, once no iteration runs.
type Artifact interface {
	WriteArtifact(w io.Writer) error
}

// AddArtifact adds a result file (a base name such as "log.json"), from the factory; a second
// artifact of the same name is a setup error.
func (sc *ScenarioContext) AddArtifact(name string, a Artifact) error {
	e := sc.sr.eng
	if name == "" || name != filepath.Base(name) || name == summaryFile || name == timeseriesFile {
		return fmt.Errorf("scenarios.%s: artifact name %q: want a file name other than %s and %s", sc.Name(), name, summaryFile, timeseriesFile)
	}
	if _, dup := e.artifacts[name]; dup {
		return fmt.Errorf("scenarios.%s: artifact %q added twice", sc.Name(), name)
	}
	e.artifacts[name] = a
	return nil
}

// Name is the scenario name.
func (sc *ScenarioContext) Name() string { return sc.Scenario.Name() }

// HTTP makes sure the scenario has an HTTP client for target.baseURL.
func (sc *ScenarioContext) HTTP() error {
	if sc.Plan.Target.BaseURL == "" {
		return planErr("target.baseURL: required by scenarios.%s (exec %s)", sc.Name(), sc.Scenario.Exec)
	}
	sc.ensureHTTP()
	return nil
}

func (sc *ScenarioContext) ensureHTTP() {
	if sc.sr.http == nil {
		sc.sr.http = newHTTPTarget(httpPoolFor(sc.Plan, sc.Scenario), sc.Plan.HTTPTimeout.D())
	}
}

// GRPC makes sure the scenario has a gRPC connection to target.grpcAddr.
func (sc *ScenarioContext) GRPC() error {
	if sc.Plan.Target.GRPCAddr == "" {
		return planErr("target.grpcAddr: required by scenarios.%s (exec %s)", sc.Name(), sc.Scenario.Exec)
	}
	if sc.sr.grpc == nil {
		t, err := newGRPCTarget(sc.Plan.Target.GRPCAddr, sc.Plan.GRPCTimeout.D())
		if err != nil {
			return err
		}
		sc.sr.grpc = t
	}
	return nil
}

// SetMainMetric picks the latency metric shown in progress and time series.
func (sc *ScenarioContext) SetMainMetric(name string) {
	if id, ok := metricByName(sc.sr.eng.defs, name); ok {
		sc.sr.main = id
	}
}

// Env returns an env string.
func (sc *ScenarioContext) Env(key, def string) string {
	if v, ok := sc.Scenario.Env[key]; ok {
		return v
	}
	return def
}

// EnvError is the plan error for an env value that is not what the workload wants.
func (sc *ScenarioContext) EnvError(key, want string) error {
	return planErr("scenarios.%s.env.%s: want %s, got %q", sc.Name(), key, want, sc.Scenario.Env[key])
}

// EnvFloat parses a float env value.
func (sc *ScenarioContext) EnvFloat(key string, def float64) (float64, error) {
	v, ok := sc.Scenario.Env[key]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, sc.EnvError(key, "a number")
	}
	return f, nil
}

// EnvBool parses a bool env value.
func (sc *ScenarioContext) EnvBool(key string, def bool) (bool, error) {
	v, ok := sc.Scenario.Env[key]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, sc.EnvError(key, "true or false")
	}
	return b, nil
}

// EnvDuration parses a duration env value ("250ms").
func (sc *ScenarioContext) EnvDuration(key string, def time.Duration) (time.Duration, error) {
	v, ok := sc.Scenario.Env[key]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, sc.EnvError(key, "a duration like 250ms")
	}
	return d, nil
}

// EnvList parses a comma-separated env value.
func (sc *ScenarioContext) EnvList(key string, def []string) []string {
	v, ok := sc.Scenario.Env[key]
	if !ok {
		return def
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CheckEnv refuses env keys other than allowed, so typos are caught like unknown plan fields.
func (sc *ScenarioContext) CheckEnv(allowed ...string) error {
	for k := range sc.Scenario.Env {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return planErr("scenarios.%s.env.%s: unknown option for exec %s (known: %s)", sc.Name(), k, sc.Scenario.Exec, strings.Join(allowed, ", "))
		}
	}
	return nil
}
