package report

import (
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// baselineView is what templates/baseline.md.tmpl shows.
type baselineView struct {
	Header      headerView
	Summary     summaryView
	API         isolatedView
	Events      isolatedView
	Combined    scenarioView
	Database    scenarioView
	E2E         scenarioView
	Faults      faultView
	Flush       tableView
	Integrity   integrityView
	Loadgen     tableView
	Bottlenecks bottleneckSummary
	Conclusions conclusionsView
	Limits      limitsView // the limit definition the levels were judged by
	Timelines   []Chart    // one over-time chart per level (Appendix B)
}

// Baseline renders docs/PERFORMANCE_BASELINE.md.
func (r *Results) Baseline(charts []Chart) (string, error) {
	v := baselineView{
		Header:      r.headerView(),
		Summary:     r.summaryView(),
		API:         r.isolatedView(ScenarioAPI, charts, func(l *runresult.LevelResult) *runresult.Side { return l.API }, "challenge-service"),
		Events:      r.isolatedView(ScenarioEvents, charts, func(l *runresult.LevelResult) *runresult.Side { return l.Events }, "event-handler"),
		Combined:    r.combinedView(ScenarioCombined, charts),
		Database:    r.databaseView(charts),
		E2E:         r.e2eView(charts),
		Faults:      r.faultView(),
		Flush:       flushTable(r),
		Integrity:   integrityTable(r),
		Loadgen:     loadgenTable(r),
		Bottlenecks: r.bottleneckSummary(),
		Conclusions: r.conclusionsView(),
		Limits:      r.limitsView(),
		Timelines:   chartsPrefixed(charts, "timeline_"),
	}
	return renderDoc("baseline", v)
}

// chartsPrefixed are the rendered charts whose names start with prefix, in render order.
func chartsPrefixed(charts []Chart, prefix string) []Chart {
	var out []Chart
	for _, c := range charts {
		if strings.HasPrefix(c.Name, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// chartsNamed are the charts of the given names that were rendered, in that order.
func chartsNamed(charts []Chart, names ...string) []Chart {
	var out []Chart
	for _, n := range names {
		for _, c := range charts {
			if c.Name == n {
				out = append(out, c)
			}
		}
	}
	return out
}

// decisiveView is a scenario's decisive level and what limited it.
type decisiveView struct {
	Name       string
	Level      *runresult.LevelResult
	Stopped    bool // the level stepping stopped at (else: the highest level run)
	Bottleneck bottleneckView
}

func (s *Scenario) decisiveView() *decisiveView {
	l := s.outcome().decisive()
	if l == nil {
		return nil
	}
	return &decisiveView{Name: s.Name, Level: l, Stopped: s.outcome().Failed != nil, Bottleneck: s.bottleneckOf(l)}
}

// maxItem is a scenario's maximum with its conditions (Max nil: not measured).
type maxItem struct {
	Name string
	Max  *headlineView
}

func (r *Results) maxItem(name string) maxItem {
	it := maxItem{Name: name}
	if s := r.Get(name); s != nil {
		h := s.headline()
		it.Max = &h
	}
	return it
}

type summaryView struct {
	API, Events, Combined maxItem
	DB                    *dbLevelView
	E2E                   []*runresult.LevelResult
	E2EName               string
	Checked, Failed       int // integrity checks
	Findings              []*finding
	More                  int // findings beyond the top three (in the Bottleneck Summary)
	Sources               []string
}

type dbLevelView struct {
	Name  string
	Level *runresult.LevelResult
}

func (r *Results) summaryView() summaryView {
	var v summaryView
	v.API, v.Events, v.Combined = r.maxItem(ScenarioAPI), r.maxItem(ScenarioEvents), r.maxItem(ScenarioCombined)
	for _, n := range []string{ScenarioAPI, ScenarioEvents, ScenarioCombined} {
		if r.Get(n) != nil {
			v.Sources = append(v.Sources, r.src(n, "result.json"), r.src(n, "manifest.json"))
		}
	}
	if s, l := r.dbLevel(); l != nil {
		v.DB = &dbLevelView{Name: s.Name, Level: l}
		v.Sources = append(v.Sources, r.src(s.Name, "result.json"))
	}
	if s := r.Get(ScenarioE2E); s != nil {
		v.E2EName = s.Name
		for i := range s.Result.Levels {
			if l := &s.Result.Levels[i]; l.E2E != nil {
				v.E2E = append(v.E2E, l)
			}
		}
		v.Sources = append(v.Sources, r.src(ScenarioE2E, "result.json"))
	}
	in := integrityTable(r)
	v.Checked, v.Failed = in.Checked, in.Failed
	all := r.findings()
	v.Findings = topFindings(all, 3)
	v.More = len(all) - len(v.Findings)
	for _, f := range v.Findings {
		v.Sources = append(v.Sources, f.Sources...)
	}
	v.Sources = dedupe(v.Sources)
	return v
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// evidenceView is a scenario's maximum and the evidence at its decisive level.
type evidenceView struct {
	Headline headlineView
	Max      maxView
	Decisive *decisiveView // nil: no level
	CPU      []cpuUse      // containers with a known CPU limit, highest use of it first
	HostUsed float64
	// HostAvail is the host's CPUs × 100 (0: unknown).
	HostAvail float64
	Busiest   *cpuUse
	Top       *runresult.TopFunc // the busiest program's top CPU function (nil: no profile)
	Sources   []string
}

func (r *Results) evidenceView(s *Scenario) evidenceView {
	v := evidenceView{Headline: s.headline(), Max: s.maxView(), Decisive: s.decisiveView(), Sources: []string{r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json")}}
	if v.Decisive == nil {
		return v
	}
	l := v.Decisive.Level
	for _, u := range s.cpuUses(l) {
		if u.Limit > 0 {
			v.CPU = append(v.CPU, u)
		}
	}
	v.HostUsed, v.HostAvail = s.hostUse(l)
	if u, ok := s.busiestProgram(l); ok {
		v.Busiest = &u
		if top, ok := topByFlat(l.TopCPU[u.Container]); ok {
			v.Top = &top
		}
	}
	return v
}

// scenarioView is one scenario's section: its level table, charts, evidence and resources.
type scenarioView struct {
	Name      string
	Measured  bool
	Search    string // how the cells were chosen (scenario 3)
	Cells     int
	Levels    [][]string
	Frontier  [][]string
	Charts    []Chart
	Evidence  evidenceView
	Resources [][]string
	DB        *dbView // scenario 4
	Result    string  // the result.json, manifest.json and frontier.json Source entries
	Manifest  string
	FrontierF string
	// Target is the implementation measured and what of it was not, when the result records
	// another implementation or anything unmeasured (nil: this repository's, fully measured).
	Target *runresult.TargetInfo
}

func (r *Results) scenarioBase(name string, charts []Chart, chartNames ...string) (scenarioView, *Scenario) {
	s := r.Get(name)
	v := scenarioView{Name: name, Measured: s != nil}
	if s == nil {
		return v, nil
	}
	v.Result, v.Manifest, v.FrontierF = r.src(name, "result.json"), r.src(name, "manifest.json"), r.src(name, "frontier.json")
	v.Charts = chartsNamed(charts, chartNames...)
	v.Evidence = r.evidenceView(s)
	v.Resources = resourceTable(s)
	if t := s.Result.Target; t != nil && (t.Impl != "ours" || t.External || len(t.NotMeasured) > 0 || len(t.Quirks) > 0) {
		v.Target = t
	}
	return v, s
}

// isolatedView is a one-traffic-kind scenario (1 or 2): the per-level table has a CPU column per
// container and the program's memory.
type isolatedView struct {
	scenarioView
	Containers []string
	MemOf      string
}

func (r *Results) isolatedView(name string, charts []Chart, side func(*runresult.LevelResult) *runresult.Side, program string) isolatedView {
	base, s := r.scenarioBase(name, charts, "latency_"+name+".svg", "rate_"+name+".svg", "cpu_"+name+".svg", "memory_"+name+".svg")
	v := isolatedView{scenarioView: base, MemOf: program}
	if s != nil {
		v.Containers = levelContainers(s.Result.Levels)
		v.Levels = sideTable(s, side, program)
	}
	return v
}

func (r *Results) combinedView(name string, charts []Chart) scenarioView {
	v, s := r.scenarioBase(name, charts, "frontier_"+name+".svg", "latency_"+name+".svg", "cpu_"+name+".svg")
	if s == nil {
		return v
	}
	v.Search, v.Cells = s.Result.Search, len(s.Result.Levels)
	v.Levels = combinedTable(s)
	for _, k := range sortedNumericKeys(s.Frontier) {
		v.Frontier = append(v.Frontier, []string{k, num(float64(s.Frontier[k]), 0)})
	}
	return v
}

func (r *Results) databaseView(charts []Chart) scenarioView {
	v, s := r.scenarioBase(ScenarioDatabase, charts, "db_connections_"+ScenarioDatabase+".svg")
	if s == nil {
		return v
	}
	v.Levels = combinedTable(s)
	if ds, l := r.dbLevel(); l != nil && ds == s {
		v.DB = r.dbView(s, l)
	}
	return v
}

// e2eView is scenario 5: Levels has a row per level with E2E probes.
func (r *Results) e2eView(charts []Chart) scenarioView {
	v, s := r.scenarioBase(ScenarioE2E, charts, "e2e_"+ScenarioE2E+".svg", "e2e_timeline_"+ScenarioE2E+".svg")
	if s == nil {
		return v
	}
	for i := range s.Result.Levels {
		l := &s.Result.Levels[i]
		if l.E2E == nil {
			continue
		}
		ev, evp := "–", "–"
		if l.Events != nil {
			ev, evp = num(l.Events.AchievedRate, 1), ms(l.Events.P95ms)
		}
		e := l.E2E
		v.Levels = append(v.Levels, []string{l.Level, inum(e.Probes), ratePct(e.Failed), ms(e.P50ms), ms(e.P95ms), ms(e.P99ms), ms(e.MaxMs), e.FlushInterval, ev, evp, verdictCell(l)})
	}
	return v
}
