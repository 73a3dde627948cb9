package report

import (
	"fmt"
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
		if s.Result.MaxSustainable != "" && l.Level == s.Result.MaxSustainable {
			o.Best = l
		}
		if s.Result.StoppedAt != "" && l.Level == s.Result.StoppedAt {
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

// maxStatement is the executive-summary sentence for a scenario's maximum. unit is a short
// description of the rate ("API", "event", "combined").
func (s *Scenario) maxStatement() string {
	o := s.outcome()
	switch {
	case o.Highest == nil:
		return "no level was recorded"
	case o.Smoke || (o.Single && o.Best != nil):
		what := "only one level was run"
		if o.Smoke {
			what = "only the smoke level was run"
		}
		if o.Best != nil {
			return fmt.Sprintf("%s: %s passed (%s) — a single level is not a maximum", what, o.Best.Level, sideBrief(o.Best))
		}
		return fmt.Sprintf("%s: %s did not pass (%s)", what, o.Highest.Level, reasonsText(o.Highest))
	case o.Best != nil && o.Failed != nil:
		next := fmt.Sprintf("the next level, %s, failed: %s", o.Failed.Level, joinReasons(s.Result.StopReasons, o.Failed))
		switch o.Failed.Verdict {
		case runresult.VerdictGenerator:
			next = fmt.Sprintf("the next level, %s, was limited by the load generator (%s), so the service's own maximum is at least this", o.Failed.Level, joinReasons(s.Result.StopReasons, o.Failed))
		case runresult.VerdictHost:
			next = fmt.Sprintf("the next level, %s, was limited by the shared host's CPU (%s), so the service's own maximum is at least this", o.Failed.Level, joinReasons(s.Result.StopReasons, o.Failed))
		}
		return fmt.Sprintf("**%s** maximum sustainable (%s); %s%s", o.Best.Level, sideBrief(o.Best), next, bracketText(s.Result.Bracket))
	case o.Best != nil:
		return fmt.Sprintf("all %d levels passed up to **%s** (%s): no limit was reached, the maximum is at least this", len(s.Result.Levels), o.Best.Level, sideBrief(o.Best))
	case o.Failed != nil:
		return fmt.Sprintf("no level passed: the first level, %s, failed: %s", o.Failed.Level, joinReasons(s.Result.StopReasons, o.Failed))
	}
	return fmt.Sprintf("no maximum recorded; highest level %s: %s", o.Highest.Level, o.Highest.Verdict)
}

func joinReasons(stop []string, l *runresult.LevelResult) string {
	if len(stop) > 0 {
		return strings.Join(stop, "; ")
	}
	return reasonsText(l)
}

func reasonsText(l *runresult.LevelResult) string {
	if len(l.Reasons) == 0 {
		return "verdict " + l.Verdict + ", no reason recorded"
	}
	return strings.Join(l.Reasons, "; ")
}

// sideBrief is "API p95 1.72 ms, errors 0.0%" for each side measured at the level.
func sideBrief(l *runresult.LevelResult) string {
	var parts []string
	if l.API != nil {
		parts = append(parts, fmt.Sprintf("API p95 %s, errors %s", ms(l.API.P95ms), ratePct(l.API.ErrorRate)))
	}
	if l.Events != nil {
		parts = append(parts, fmt.Sprintf("events p95 %s, errors %s", ms(l.Events.P95ms), ratePct(l.Events.ErrorRate)))
	}
	if l.E2E != nil {
		parts = append(parts, fmt.Sprintf("E2E p95 %s over %d probes", ms(l.E2E.P95ms), l.E2E.Probes))
	}
	return strings.Join(parts, "; ")
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

// bottleneck is the one-line classification of what limited (or would limit) a level.
func (s *Scenario) bottleneck(l *runresult.LevelResult) string {
	if l.Verdict == runresult.VerdictGenerator {
		return fmt.Sprintf("the load generator, not the service (%s)", reasonsText(l))
	}
	uses := s.cpuUses(l)
	if len(uses) > 0 && (uses[0].UtilPct >= nearCPULimitPct) {
		u := uses[0]
		return fmt.Sprintf("CPU of %s: average %s of its %s-CPU limit (max %s, %s throttled periods)",
			u.Container, pct(u.UtilPct), num(u.Limit, 2), pct(u.Row.CPUMaxPct), num(float64(u.Row.Throttled), 0))
	}
	used, avail := s.hostUse(l)
	if avail > 0 && 100*used/avail >= hostBusyPct {
		return fmt.Sprintf("host CPU: the containers and the load generator used %s of the host's %s%% (%s of capacity) while no container reached %s of its own limit",
			pct(used), num(avail, 0), pct(100*used/avail), pct(nearCPULimitPct))
	}
	for _, u := range uses {
		if u.Row.MemLimitMiB > 0 && 100*u.Row.MemMaxMiB/u.Row.MemLimitMiB >= nearMemLimitPct {
			return fmt.Sprintf("memory of %s: %s of %s", u.Container, mib(u.Row.MemMaxMiB), mib(u.Row.MemLimitMiB))
		}
	}
	busiest := "no container"
	if len(uses) > 0 {
		busiest = fmt.Sprintf("the busiest container, %s, averaged %s of its %s-CPU limit", uses[0].Container, pct(uses[0].UtilPct), num(uses[0].Limit, 2))
	}
	if l.Verdict == runresult.VerdictLimit {
		if c := s.concurrencyCap(l); c != "" {
			return c + "; " + busiest
		}
		return fmt.Sprintf("not CPU or memory: the level failed on %s while %s — see the database analysis and profiles", reasonsText(l), busiest)
	}
	return fmt.Sprintf("none reached at %s (passed): %s, host CPU use %s of %s%%", l.Level, busiest, pct(used), num(avail, 0))
}

// concurrencyCap explains a level whose generator ran out of VUs: with at most maxVUs calls in
// flight at rate R, any stall longer than maxVUs ÷ R fills every slot, so stalls in the latency
// tail, not average throughput, stopped the level.
func (s *Scenario) concurrencyCap(l *runresult.LevelResult) string {
	for _, name := range l.Loadgen.VUsExhausted {
		side := map[string]*runresult.Side{"api": l.API, "events": l.Events}[name]
		maxVUs := s.MaxVUs[LevelDirName(*l)][name]
		if side == nil || maxVUs == 0 || side.TargetRate <= 0 {
			continue
		}
		budget := 1000 * float64(maxVUs) / side.TargetRate
		return fmt.Sprintf("concurrency: at times all %d in-flight %s calls the load allows were busy — at %s/s any stall longer than %d ÷ %s = %s fills them (the calls took p95 %s, p99 %s, max %s): stalls in the latency tail, not average throughput, hit the cap",
			maxVUs, name, num(side.TargetRate, 0), maxVUs, num(side.TargetRate, 0), ms(budget), ms(side.P95ms), ms(side.P99ms), ms(side.MaxMs))
	}
	return ""
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
}

func (r *Results) maxOf(name string) measuredMax {
	unit := "RPS"
	if name == "scenario2" {
		unit = "EPS"
	}
	m := measuredMax{Unit: unit}
	s := r.Get(name)
	if s == nil {
		m.Why = name + " is not in these results"
		return m
	}
	m.Source = r.src(name, "result.json")
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

// bracketText states where bisection placed the maximum, and whether the nightly repeat agreed.
func bracketText(b *runresult.Bracket) string {
	if b == nil {
		return ""
	}
	t := fmt.Sprintf("; bisection: the maximum lies between %d (held) and %d %s (failed), %.1f%% apart, after %d extra levels",
		b.Held, b.Failed, b.Unit, b.WithinPct, b.ExtraLevels)
	if b.Repeat != "" {
		if b.RepeatDisagrees {
			t += fmt.Sprintf("; **the repeat of the maximum did not hold (%s): the runs disagree by more than the interval**", b.Repeat)
		} else {
			t += fmt.Sprintf("; repeated once and held (%s)", b.Repeat)
		}
	}
	return t
}
