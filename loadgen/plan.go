package loadgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Plan is the run description, shaped like k6 options plus the targets and
// fixtures this suite needs. See README in cmd/loadgen for an example. Top-level
// fields that only a workload package understands are registered by that package
// (RegisterPlanField) and read with Field.
type Plan struct {
	Scenarios         map[string]*Scenario     `json:"scenarios"`
	Thresholds        map[string]ThresholdList `json:"thresholds,omitempty"`
	SummaryTrendStats []string                 `json:"summaryTrendStats,omitempty"`
	Target            Target                   `json:"target"`
	Fixtures          Fixtures                 `json:"fixtures,omitempty"`
	Auth              string                   `json:"auth,omitempty"`           // "bearer" | "mock-header"
	HTTPPool          int                      `json:"httpPool,omitempty"`       // connections per HTTP scenario; default from the scenario's connHoldMs, else min(maxVUs,128)
	HTTPPrewarm       *int                     `json:"httpPrewarm,omitempty"`    // connections opened before measuring; default = pool, 0 disables
	HTTPWarmupPath    string                   `json:"httpWarmupPath,omitempty"` // default "/healthz"
	HTTPTimeout       Duration                 `json:"httpTimeout,omitempty"`    // default 60s like k6
	GRPCTimeout       Duration                 `json:"grpcTimeout,omitempty"`    // default 60s like k6
	Seed              int64                    `json:"seed,omitempty"`           // 0: derived from the clock (reported in the summary)

	dir    string                     // plan file directory: fixture paths are relative to it
	fields map[string]json.RawMessage // registered workload fields present in the plan
}

// Target names the systems under test.
type Target struct {
	BaseURL  string `json:"baseURL,omitempty"`
	GRPCAddr string `json:"grpcAddr,omitempty"`
	// Namespace is the tenant the workloads address; the engine passes it on (no default here:
	// a workload package that needs one supplies its own).
	Namespace string `json:"namespace,omitempty"`
}

// Fixtures points at the users and tokens files.
type Fixtures struct {
	Users         string `json:"users,omitempty"`
	Tokens        string `json:"tokens,omitempty"`
	GenerateUsers int    `json:"generateUsers,omitempty"` // without a users file: user-000001..user-N (default 10000)
}

// Scenario is one k6 scenario with an arrival-rate executor.
type Scenario struct {
	Executor        string            `json:"executor"`
	Rate            float64           `json:"rate,omitempty"`
	StartRate       float64           `json:"startRate,omitempty"`
	TimeUnit        Duration          `json:"timeUnit,omitempty"`
	Duration        Duration          `json:"duration,omitempty"`
	Stages          []Stage           `json:"stages,omitempty"`
	StartTime       Duration          `json:"startTime,omitempty"`
	GracefulStop    *Duration         `json:"gracefulStop,omitempty"`
	PreAllocatedVUs int               `json:"preAllocatedVUs"`
	MaxVUs          int               `json:"maxVUs,omitempty"`
	Exec            string            `json:"exec"`
	Tags            map[string]string `json:"tags,omitempty"`
	Env             map[string]string `json:"env,omitempty"`
	// ConnHoldMs (an extension of k6's options) is the expected mean time one iteration holds an
	// HTTP connection, in ms; with it the scenario's pool is sized from the work (PoolFor) instead
	// of the fast-request default. The plan's httpPool, when set, wins.
	ConnHoldMs float64 `json:"connHoldMs,omitempty"`

	name string
}

// Stage is one piecewise-linear segment of ramping-arrival-rate.
type Stage struct {
	Target   float64  `json:"target"`
	Duration Duration `json:"duration"`
}

// Name returns the scenario's key in the plan.
func (s *Scenario) Name() string { return s.name }

// Active is how long the executor schedules iterations.
func (s *Scenario) Active() time.Duration {
	if s.Executor == ExecutorConstant {
		return s.Duration.D()
	}
	var d time.Duration
	for _, st := range s.Stages {
		d += st.Duration.D()
	}
	return d
}

// Graceful returns gracefulStop (k6 default 30s).
func (s *Scenario) Graceful() time.Duration {
	if s.GracefulStop == nil {
		return 30 * time.Second
	}
	return s.GracefulStop.D()
}

const (
	ExecutorConstant = "constant-arrival-rate"
	ExecutorRamping  = "ramping-arrival-rate"
)

// PlanError is a configuration error; the command exits with code 2.
type PlanError struct{ Msg string }

func (e *PlanError) Error() string { return "plan: " + e.Msg }

func planErr(format string, a ...any) error { return &PlanError{Msg: fmt.Sprintf(format, a...)} }

// LoadPlan reads and validates a plan file.
func LoadPlan(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, planErr("%v", err)
	}
	p, err := ParsePlan(b)
	if err != nil {
		return nil, err
	}
	p.dir = filepath.Dir(path)
	return p, nil
}

// ParsePlan decodes and validates plan JSON; unknown fields are errors, except
// the top-level fields workload packages registered (RegisterPlanField).
func ParsePlan(b []byte) (*Plan, error) {
	b, fields, err := splitPlanFields(b)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	p := Plan{fields: fields}
	if err := dec.Decode(&p); err != nil {
		return nil, planErr("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, planErr("trailing data after the plan object")
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// ScenarioNames returns the scenario names sorted (stable output order).
func (p *Plan) ScenarioNames() []string {
	names := make([]string, 0, len(p.Scenarios))
	for n := range p.Scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (p *Plan) validate() error {
	if len(p.Scenarios) == 0 {
		return planErr("scenarios: at least one scenario is required")
	}
	for _, name := range p.ScenarioNames() {
		s := p.Scenarios[name]
		if s == nil {
			return planErr("scenarios.%s: must be an object", name)
		}
		s.name = name
		if err := s.validate(); err != nil {
			return err
		}
	}
	switch p.Auth {
	case "":
		if p.Fixtures.Tokens != "" {
			p.Auth = AuthBearer
		} else {
			p.Auth = AuthMockHeader
		}
	case AuthBearer:
		if p.Fixtures.Tokens == "" {
			return planErr("auth: \"bearer\" needs fixtures.tokens")
		}
	case AuthMockHeader:
	default:
		return planErr("auth: must be \"bearer\" or \"mock-header\", got %q", p.Auth)
	}
	if p.HTTPPool < 0 {
		return planErr("httpPool: must be >= 0")
	}
	if p.HTTPPrewarm != nil && *p.HTTPPrewarm < 0 {
		return planErr("httpPrewarm: must be >= 0")
	}
	if p.HTTPTimeout < 0 || p.GRPCTimeout < 0 {
		return planErr("httpTimeout/grpcTimeout: must be >= 0")
	}
	if p.HTTPTimeout == 0 {
		p.HTTPTimeout = Duration(60 * time.Second)
	}
	if p.GRPCTimeout == 0 {
		p.GRPCTimeout = Duration(60 * time.Second)
	}
	if p.HTTPWarmupPath == "" {
		p.HTTPWarmupPath = "/healthz"
	}
	if p.Fixtures.GenerateUsers < 0 {
		return planErr("fixtures.generateUsers: must be >= 0")
	}
	if p.Target.BaseURL != "" {
		p.Target.BaseURL = strings.TrimRight(p.Target.BaseURL, "/")
		if !strings.HasPrefix(p.Target.BaseURL, "http://") && !strings.HasPrefix(p.Target.BaseURL, "https://") {
			return planErr("target.baseURL: must start with http:// or https://, got %q", p.Target.BaseURL)
		}
	}
	if err := checkPlanFields(p.fields); err != nil {
		return err
	}
	if err := validateTrendStats(p.SummaryTrendStats); err != nil {
		return err
	}
	for metric, list := range p.Thresholds {
		for _, t := range list {
			if _, err := ParseThreshold(t.Expr); err != nil {
				return planErr("thresholds.%s: %v", metric, err)
			}
		}
	}
	return nil
}

func (s *Scenario) validate() error {
	f := func(field, format string, a ...any) error {
		return planErr("scenarios.%s.%s: %s", s.name, field, fmt.Sprintf(format, a...))
	}
	if s.TimeUnit == 0 {
		s.TimeUnit = Duration(time.Second)
	}
	if s.TimeUnit < 0 {
		return f("timeUnit", "must be > 0")
	}
	switch s.Executor {
	case ExecutorConstant:
		if s.Rate <= 0 {
			return f("rate", "must be > 0")
		}
		if s.Duration <= 0 {
			return f("duration", "must be > 0")
		}
		if len(s.Stages) > 0 || s.StartRate != 0 {
			return f("stages", "only for ramping-arrival-rate")
		}
	case ExecutorRamping:
		if len(s.Stages) == 0 {
			return f("stages", "at least one stage is required")
		}
		if s.Rate != 0 || s.Duration != 0 {
			return f("rate", "rate/duration are for constant-arrival-rate; use startRate and stages")
		}
		if s.StartRate < 0 {
			return f("startRate", "must be >= 0")
		}
		for i, st := range s.Stages {
			if st.Target < 0 {
				return f(fmt.Sprintf("stages[%d].target", i), "must be >= 0")
			}
			if st.Duration < 0 {
				return f(fmt.Sprintf("stages[%d].duration", i), "must be >= 0")
			}
		}
	case "":
		return f("executor", "is required")
	default:
		return f("executor", "unsupported %q (constant-arrival-rate, ramping-arrival-rate)", s.Executor)
	}
	if s.StartTime < 0 {
		return f("startTime", "must be >= 0")
	}
	if s.GracefulStop != nil && *s.GracefulStop < 0 {
		return f("gracefulStop", "must be >= 0")
	}
	if s.PreAllocatedVUs < 0 {
		return f("preAllocatedVUs", "must be >= 0")
	}
	if s.ConnHoldMs < 0 || math.IsNaN(s.ConnHoldMs) || math.IsInf(s.ConnHoldMs, 0) {
		return f("connHoldMs", "must be a finite number of milliseconds >= 0")
	}
	if s.MaxVUs == 0 {
		s.MaxVUs = s.PreAllocatedVUs
	}
	if s.MaxVUs < s.PreAllocatedVUs {
		return f("maxVUs", "must be >= preAllocatedVUs")
	}
	if s.MaxVUs <= 0 {
		return f("maxVUs", "must be > 0")
	}
	if s.Exec == "" {
		return f("exec", "is required (one of: %s)", strings.Join(WorkloadNames(), ", "))
	}
	if lookupWorkload(s.Exec) == nil {
		return f("exec", "unknown iteration %q (known: %s)", s.Exec, strings.Join(WorkloadNames(), ", "))
	}
	return nil
}

// resolve makes a fixture path relative to the plan file.
func (p *Plan) resolve(path string) string {
	if path == "" || filepath.IsAbs(path) || p.dir == "" {
		return path
	}
	return filepath.Join(p.dir, path)
}
