package report

import (
	"sort"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Thresholds the report uses to call a resource saturated (they label evidence, they are not
// measurements).
const (
	nearCPULimitPct = 80.0 // container CPU average, % of its own limit
	hostBusyPct     = 85.0 // containers + generator, % of the host's CPUs
	nearMemLimitPct = 90.0
	// idleCPUPct: a program under this share of its CPU limit was not busy; its CPU profile shows
	// where little CPU went, not what limits it.
	idleCPUPct = 50.0
)

// programs are the two Go programs under test (they have profiles).
var programs = []string{"challenge-service", "event-handler"}

// outcome is what a scenario's levels say about its maximum.
type outcome struct {
	Best    *runresult.LevelResult // the maximum sustainable level (nil: none passed)
	Failed  *runresult.LevelResult // the level stepping stopped at (nil: none failed)
	Highest *runresult.LevelResult // the last level run
	Smoke   bool                   // the profile does not step (one smoke level)
	Single  bool                   // only one level was run
}

func (s *Scenario) outcome() outcome {
	var o outcome
	lv := s.Result.Levels
	if len(lv) == 0 {
		return o
	}
	o.Highest = &lv[len(lv)-1]
	o.Smoke = s.Result.Profile == "smoke"
	o.Single = len(lv) == 1
	for i := range lv {
		l := &lv[i]
		// A level can run more than once (a retry, the repeat of the maximum): the maximum is a run
		// of it that passed, the stop a run of it that did not.
		if s.Result.MaxSustainable != "" && l.Level == s.Result.MaxSustainable && (o.Best == nil || l.Verdict == runresult.VerdictPass) {
			if o.Best == nil || o.Best.Verdict != runresult.VerdictPass || l.Verdict == runresult.VerdictPass {
				o.Best = l
			}
		}
		if s.Result.StoppedAt != "" && l.Level == s.Result.StoppedAt && (o.Failed == nil || l.Verdict != runresult.VerdictPass) {
			o.Failed = l
		}
	}
	if s.Incomplete { // no result.json: derive from the verdicts
		for i := range lv {
			if lv[i].Verdict == runresult.VerdictPass && o.Failed == nil {
				o.Best = &lv[i]
			} else if lv[i].Verdict != runresult.VerdictPass && o.Failed == nil {
				o.Failed = &lv[i]
			}
		}
	}
	return o
}

// decisive is the level that tells where the limit is: the failed one, else the highest run.
func (o outcome) decisive() *runresult.LevelResult {
	if o.Failed != nil {
		return o.Failed
	}
	return o.Highest
}

// maxView is what a scenario's levels say about its maximum, for the maxStatement phrase.
type maxView struct {
	Kind                  string // none, single, bounded, allPassed, nonePassed, unknown
	Smoke                 bool
	Best, Failed, Highest *runresult.LevelResult
	StopReasons           []string
	Levels                int
	Bracket               *runresult.Bracket
}

func (s *Scenario) maxView() maxView {
	o := s.outcome()
	v := maxView{Smoke: o.Smoke, Best: o.Best, Failed: o.Failed, Highest: o.Highest, StopReasons: s.Result.StopReasons,
		Levels: len(s.Result.Levels), Bracket: s.Result.Bracket}
	switch {
	case o.Highest == nil:
		v.Kind = "none"
	case o.Smoke || (o.Single && o.Best != nil):
		v.Kind = "single"
	case o.Best != nil && o.Failed != nil:
		v.Kind = "bounded"
	case o.Best != nil:
		v.Kind = "allPassed"
	case o.Failed != nil:
		v.Kind = "nonePassed"
	default:
		v.Kind = "unknown"
	}
	return v
}

// cpuUse is a container's CPU at a level relative to its limit.
type cpuUse struct {
	Container string
	Row       runresult.ResourceRow
	Limit     float64 // cores (0: unknown)
	UtilPct   float64 // average as % of the limit
}

// cpuUses sorts the level's containers by CPU use relative to their limits, highest first.
func (s *Scenario) cpuUses(l *runresult.LevelResult) []cpuUse {
	var out []cpuUse
	for c, row := range l.Resources {
		u := cpuUse{Container: c, Row: row, Limit: s.cpuLimit(c)}
		if u.Limit > 0 {
			u.UtilPct = row.CPUAvgPct / u.Limit
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].UtilPct != out[j].UtilPct {
			return out[i].UtilPct > out[j].UtilPct
		}
		return out[i].Container < out[j].Container
	})
	return out
}

// hostUse is the containers' plus the generator's CPU as % of the host (host CPUs × 100).
func (s *Scenario) hostUse(l *runresult.LevelResult) (usedPct, availPct float64) {
	for _, c := range levelContainers([]runresult.LevelResult{*l}) { // sorted: the same sum every run
		usedPct += l.Resources[c].CPUAvgPct
	}
	usedPct += 100 * l.Loadgen.CPUCores
	if s.Manifest != nil {
		availPct = 100 * float64(s.Manifest.HostCPUs)
	}
	return usedPct, availPct
}

// programUse is a program's CPU at a level against its limit (nil when the limit is unknown), and
// whether it was idle there (under idleCPUPct of the limit).
func (s *Scenario) programUse(l *runresult.LevelResult, prog string) (*cpuUse, bool) {
	for _, u := range s.cpuUses(l) {
		if u.Container == prog && u.Limit > 0 {
			return &u, u.UtilPct < idleCPUPct
		}
	}
	return nil, false
}

// busiestProgram is the program under test using the most of its CPU limit at the level.
func (s *Scenario) busiestProgram(l *runresult.LevelResult) (cpuUse, bool) {
	for _, u := range s.cpuUses(l) {
		for _, p := range programs {
			if u.Container == p {
				return u, true
			}
		}
	}
	return cpuUse{}, false
}

// bottleneckView classifies what limited (or would limit) a level, for the bottleneck phrase.
type bottleneckView struct {
	Kind               string // generator, cpu, host, memory, concurrency, limit, none
	Level              *runresult.LevelResult
	Top                cpuUse  // cpu: the container nearest its limit; memory: the one near its memory limit
	Busiest            *cpuUse // the container using most of its CPU limit (nil: none)
	HostUsed           float64 // containers + generator, % (100 = one core)
	HostAvail, HostPct float64 // the host's CPUs × 100; HostUsed as % of it
	NearCPU            float64
	Cap                *capView
}

func (s *Scenario) bottleneckOf(l *runresult.LevelResult) bottleneckView {
	b := bottleneckView{Level: l, NearCPU: nearCPULimitPct}
	if l.Verdict == runresult.VerdictGenerator {
		b.Kind = "generator"
		return b
	}
	uses := s.cpuUses(l)
	if len(uses) > 0 {
		b.Busiest = &uses[0]
	}
	if len(uses) > 0 && uses[0].UtilPct >= nearCPULimitPct {
		b.Kind, b.Top = "cpu", uses[0]
		return b
	}
	b.HostUsed, b.HostAvail = s.hostUse(l)
	if b.HostAvail > 0 {
		b.HostPct = 100 * b.HostUsed / b.HostAvail
		if b.HostPct >= hostBusyPct {
			b.Kind = "host"
			return b
		}
	}
	for _, u := range uses {
		if u.Row.MemLimitMiB > 0 && 100*u.Row.MemMaxMiB/u.Row.MemLimitMiB >= nearMemLimitPct {
			b.Kind, b.Top = "memory", u
			return b
		}
	}
	switch {
	case l.Verdict != runresult.VerdictLimit:
		b.Kind = "none"
	case s.concurrencyCap(l) != nil:
		b.Kind, b.Cap = "concurrency", s.concurrencyCap(l)
	default:
		b.Kind = "limit"
	}
	return b
}

// capView is a level whose generator ran out of VUs: with at most MaxVUs calls in flight at the
// side's rate, any stall longer than BudgetMs fills every slot, so stalls in the latency tail, not
// average throughput, stopped the level.
type capView struct {
	Name     string // the generator's scenario (api, events)
	MaxVUs   int
	Side     *runresult.Side
	BudgetMs float64
}

func (s *Scenario) concurrencyCap(l *runresult.LevelResult) *capView {
	for _, name := range l.Loadgen.VUsExhausted {
		side := map[string]*runresult.Side{"api": l.API, "events": l.Events}[name]
		maxVUs := s.MaxVUs[LevelDirName(*l)][name]
		if side == nil || maxVUs == 0 || side.TargetRate <= 0 {
			continue
		}
		return &capView{Name: name, MaxVUs: maxVUs, Side: side, BudgetMs: 1000 * float64(maxVUs) / side.TargetRate}
	}
	return nil
}

// appShare sums the flat % of a profile's top functions by category.
func appShare(funcs []runresult.TopFunc) (app, runtime, other float64) {
	for _, f := range funcs {
		switch {
		case strings.HasPrefix(f.Function, "github.com/challenge-perf/"):
			app += f.FlatPct
		case strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "internal/runtime/") ||
			strings.HasPrefix(f.Function, "syscall.") || strings.HasPrefix(f.Function, "internal/sync."):
			runtime += f.FlatPct
		default:
			other += f.FlatPct
		}
	}
	return
}

// topByFlat returns the first function of a profile table with the highest flat value.
func topByFlat(funcs []runresult.TopFunc) (runresult.TopFunc, bool) {
	if len(funcs) == 0 {
		return runresult.TopFunc{}, false
	}
	best := funcs[0]
	for _, f := range funcs[1:] {
		if f.Flat > best.Flat {
			best = f
		}
	}
	return best, true
}

// measuredMax is the per-instance capacity figure a scenario supports.
type measuredMax struct {
	Rate       int    // per second (0: none)
	Unit       string // RPS or EPS
	Level      string
	LowerBound bool   // the scenario did not find a limit (smoke, single level, all passed, generator-limited)
	Why        string // how the figure was obtained
	Source     string
	Figure     string // the figure as every document states it (maxFigure)
	Headline   *headlineView
}

func (r *Results) maxOf(name string) measuredMax {
	unit := "RPS"
	if name == ScenarioEvents {
		unit = "EPS"
	}
	m := measuredMax{Unit: unit}
	s := r.Get(name)
	if s == nil {
		m.Why = name + " is not in these results"
		return m
	}
	m.Source = r.src(name, "result.json")
	h := s.headline()
	m.Figure, m.Headline = h.Figure, &h
	o := s.outcome()
	if o.Best == nil {
		m.Why = "no level passed in " + name
		return m
	}
	m.Level = o.Best.Level
	m.Rate = o.Best.RPS
	if unit == "EPS" {
		m.Rate = o.Best.EPS
	}
	switch {
	case o.Smoke || o.Single:
		m.LowerBound, m.Why = true, "only one level was run ("+s.Result.Profile+" profile): a lower bound, not a maximum"
	case o.Failed == nil:
		m.LowerBound, m.Why = true, "every level passed: a lower bound"
	case runresult.LowerBound(o.Failed.Verdict):
		m.LowerBound, m.Why = true, "the next level was "+strings.ReplaceAll(o.Failed.Verdict, "_", "-")+": a lower bound"
	default:
		m.Why = "maximum sustainable level; the next level, " + o.Failed.Level + ", failed"
	}
	return m
}
