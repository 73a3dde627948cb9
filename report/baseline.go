package report

import (
	"fmt"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Baseline renders docs/PERFORMANCE_BASELINE.md.
func (r *Results) Baseline(charts []Chart) string {
	d := &doc{}
	r.header(d, "Performance Baseline Report - M2")
	r.execSummary(d)
	r.scenario1(d, charts)
	r.scenario2(d, charts)
	r.scenario3(d, charts)
	r.scenario4(d)
	r.scenario5(d, charts)
	r.faultSection(d)
	r.flushSection(d)
	r.integritySection(d)
	r.loadgenSection(d)
	r.bottleneckSection(d)
	r.conclusions(d)
	return d.String()
}

func embed(d *doc, charts []Chart, names ...string) {
	for _, n := range names {
		for _, c := range charts {
			if c.Name == n {
				d.p("![%s](charts/%s)", c.Title, c.Name)
				d.p("<sub>Chart data: %s</sub>", c.Source)
				if c.Note != "" {
					d.p("%s", c.Note)
				}
			}
		}
	}
}

// primaryScenario is the scenario whose decisive level gives the primary bottleneck: the combined
// one when present (both programs, profiles), otherwise the first isolated one.
func (r *Results) primaryScenario() *Scenario {
	for _, n := range []string{"scenario3", "scenario1", "scenario2", "scenario4", "scenario5"} {
		if s := r.Get(n); s != nil && len(s.Result.Levels) > 0 {
			return s
		}
	}
	return nil
}

func (r *Results) execSummary(d *doc) {
	d.h(2, "Executive Summary")
	d.p("Maximum sustainable capacity under the container limits above (a level passes when error rate ≤ 1%%, API p95 ≤ 2 s, event p95 ≤ 500 ms, achieved ≥ 95%% of target and ≤ 1%% dropped iterations):")
	var items, srcs []string
	add := func(name, label string) {
		if s := r.Get(name); s != nil {
			items = append(items, fmt.Sprintf("**%s (%s):** %s.", label, name, s.maxStatement()))
			srcs = append(srcs, r.src(name, "result.json"))
		} else {
			items = append(items, fmt.Sprintf("**%s (%s):** not measured in these results.", label, name))
		}
	}
	add("scenario1", "API requests")
	add("scenario2", "Event processing")
	add("scenario3", "Combined load")
	if s, l := r.dbLevel(); l != nil {
		items = append(items, fmt.Sprintf("**Database (%s at %s):** cache hit %s, %s deadlocks, %s rollbacks; verdict %s.",
			s.Name, l.Level, pct(l.DB.CacheHitPct), inum(l.DB.Deadlocks), inum(l.DB.Rollbacks), verdictCell(l)))
		srcs = append(srcs, r.src(s.Name, "result.json"))
	}
	if s := r.Get("scenario5"); s != nil {
		for i := range s.Result.Levels {
			l := &s.Result.Levels[i]
			if e := l.E2E; e != nil {
				items = append(items, fmt.Sprintf("**E2E latency (scenario5, MEASURED at %s):** p50 %s, p95 %s, p99 %s over %d probes (%s failed) with a %s flush interval; verdict %s.",
					l.Level, ms(e.P50ms), ms(e.P95ms), ms(e.P99ms), e.Probes, ratePct(e.Failed), e.FlushInterval, verdictCell(l)))
			}
		}
		srcs = append(srcs, r.src("scenario5", "result.json"))
	}
	if _, _, checked, failed := integrityTable(r); checked > 0 {
		verdict := "every check matched exactly"
		if failed > 0 {
			verdict = fmt.Sprintf("**%d FAILED** (see Data Integrity)", failed)
		}
		levels := "levels"
		if checked == 1 {
			levels = "level"
		}
		items = append(items, fmt.Sprintf("**Data integrity:** %d event %s checked against the acknowledged events: %s.", checked, levels, verdict))
	}
	d.bullets(items...)
	if s := r.primaryScenario(); s != nil {
		l := s.outcome().decisive()
		d.p("**Primary bottleneck** (derived from %s at %s, the %s): %s.", s.Name, l.Level, decisiveWhy(s), s.bottleneck(l))
		srcs = append(srcs, r.src(s.Name, "manifest.json"))
		var others []string
		for _, n := range []string{"scenario1", "scenario2", "scenario3"} {
			if o := r.Get(n); o != nil && o != s && o.outcome().decisive() != nil {
				ol := o.outcome().decisive()
				others = append(others, fmt.Sprintf("%s at %s (%s): %s.", n, ol.Level, decisiveWhy(o), o.bottleneck(ol)))
				srcs = append(srcs, r.src(n, "manifest.json"))
			}
		}
		if len(others) > 0 {
			d.p("In isolation:")
			d.bullets(others...)
		}
	}
	d.source(dedupe(srcs)...)
}

func decisiveWhy(s *Scenario) string {
	o := s.outcome()
	if o.Failed != nil {
		return "level stepping stopped at"
	}
	return "highest level run"
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

// scenarioEvidence writes the maximum and the bottleneck evidence of a scenario.
func (r *Results) scenarioEvidence(d *doc, s *Scenario) {
	d.h(3, "Maximum Capacity")
	d.p("%s.", upperFirst(s.maxStatement()))
	l := s.outcome().decisive()
	if l == nil {
		return
	}
	d.h(3, "Bottleneck Analysis")
	var ev []string
	ev = append(ev, fmt.Sprintf("Level examined: **%s** (%s) — verdict %s.", l.Level, decisiveWhy(s), verdictCell(l)))
	ev = append(ev, "Classification: "+s.bottleneck(l)+".")
	for _, u := range s.cpuUses(l) {
		if u.Limit > 0 {
			ev = append(ev, fmt.Sprintf("%s: CPU avg %s / max %s of a %s-CPU limit (%s of limit), %s throttled periods, memory %s of %s.",
				u.Container, pct(u.Row.CPUAvgPct), pct(u.Row.CPUMaxPct), num(u.Limit, 2), pct(u.UtilPct), inum(int64(u.Row.Throttled)), mib(u.Row.MemMaxMiB), mib(u.Row.MemLimitMiB)))
		}
	}
	if used, avail := s.hostUse(l); avail > 0 {
		ev = append(ev, fmt.Sprintf("Host: containers + load generator used %s of %s%% (%s CPUs; the generator alone %s cores).",
			pct(used), num(avail, 0), num(avail/100, 0), num(l.Loadgen.CPUCores, 2)))
	}
	if u, ok := s.busiestProgram(l); ok {
		if top, ok := topByFlat(l.TopCPU[u.Container]); ok {
			ev = append(ev, fmt.Sprintf("Top CPU function of %s (busiest program): %s, %s flat.", u.Container, codeSpan(top.Function), pct(top.FlatPct)))
		} else {
			ev = append(ev, fmt.Sprintf("No CPU profile at this level for %s (profiles are taken in scenarios 3 and 4).", u.Container))
		}
	}
	d.bullets(ev...)
	d.source(r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json"))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (r *Results) notMeasured(d *doc, name string) bool {
	if r.Get(name) == nil {
		d.p("Not measured in these results (no `%s/result.json`).", name)
		return true
	}
	return false
}

func (r *Results) scenario1(d *doc, charts []Chart) {
	r.isolated(d, charts, "scenario1", "Scenario 1: API Load (Isolated)", "the challenge service",
		func(l *runresult.LevelResult) *runresult.Side { return l.API }, "challenge-service")
}

func (r *Results) scenario2(d *doc, charts []Chart) {
	r.isolated(d, charts, "scenario2", "Scenario 2: Event Load (Isolated)", "the event handler",
		func(l *runresult.LevelResult) *runresult.Side { return l.Events }, "event-handler")
}

// isolated renders a one-traffic-kind scenario: its level table, charts, evidence and resources.
func (r *Results) isolated(d *doc, charts []Chart, name, title, program string,
	side func(*runresult.LevelResult) *runresult.Side, role string) {
	d.h(2, title)
	if r.notMeasured(d, name) {
		return
	}
	s := r.Get(name)
	d.h(3, "Test Results")
	d.p("CPU %% is Docker's figure (100%% = one core); memory is %s's peak.", program)
	d.table(sideTable(s, side, role))
	d.source(r.src(s.Name, "result.json"))
	embed(d, charts, "latency_"+name+".svg", "rate_"+name+".svg", "cpu_"+name+".svg")
	r.scenarioEvidence(d, s)
	d.h(3, "Resources")
	d.table(resourceTable(s))
	d.source(r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json"))
}

func (r *Results) scenario3(d *doc, charts []Chart) {
	d.h(2, "Scenario 3: Combined Load")
	if r.notMeasured(d, "scenario3") {
		return
	}
	s := r.Get("scenario3")
	d.h(3, "Test Results")
	if s.Result.Search != "" {
		d.p("Cells run: %d, chosen by %s.", len(s.Result.Levels), s.Result.Search)
	}
	d.table(combinedTable(s))
	d.source(r.src(s.Name, "result.json"))
	if len(s.Frontier) > 0 {
		d.p("Frontier (for each API rate, the highest event rate held):")
		ft := newTable("API rate (RPS)", "Highest event rate held (EPS)")
		for _, k := range sortedNumericKeys(s.Frontier) {
			ft.add(k, num(float64(s.Frontier[k]), 0))
		}
		d.table(ft)
		d.source(r.src(s.Name, "frontier.json"))
	}
	embed(d, charts, "latency_scenario3.svg", "cpu_scenario3.svg")
	r.scenarioEvidence(d, s)
	d.h(3, "Resources")
	d.table(resourceTable(s))
	d.source(r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json"))
}

func (r *Results) scenario4(d *doc) {
	d.h(2, "Scenario 4: Database")
	if r.notMeasured(d, "scenario4") {
		return
	}
	s := r.Get("scenario4")
	d.h(3, "Test Results")
	d.table(combinedTable(s))
	d.source(r.src(s.Name, "result.json"))
	d.h(3, "Database Analysis")
	if ds, l := r.dbLevel(); l != nil && ds == s {
		r.writeDBAnalysis(d, s, l)
	} else {
		d.p("No database analysis was recorded in `%s/result.json`.", s.Name)
	}
}

func (r *Results) scenario5(d *doc, charts []Chart) {
	d.h(2, "Scenario 5: End-to-End Latency (MEASURED)")
	if r.notMeasured(d, "scenario5") {
		return
	}
	s := r.Get("scenario5")
	d.p("Each probe sends one event and polls `GET /v1/challenges` until the goal shows it: the latency is event acknowledged → visible in the API, measured, next to the handler's flush interval.")
	t := newTable("Level", "Probes", "Failed", "p50", "p95", "p99", "Max", "Flush interval", "Background events achieved /s", "Event p95", "Verdict")
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
		t.add(l.Level, inum(e.Probes), ratePct(e.Failed), ms(e.P50ms), ms(e.P95ms), ms(e.P99ms), ms(e.MaxMs), e.FlushInterval, ev, evp, verdictCell(l))
	}
	d.table(t)
	d.source(r.src(s.Name, "result.json"))
	embed(d, charts, "e2e_scenario5.svg", "e2e_timeline_scenario5.svg")
	r.scenarioEvidence(d, s)
}

func (r *Results) flushSection(d *doc) {
	d.h(2, "Buffer Flush Timings")
	t, srcs := flushTable(r)
	if len(t.rows) == 0 {
		d.p("No level in these results recorded a buffer flush.")
		return
	}
	d.table(t)
	d.source(srcs...)
}

func (r *Results) integritySection(d *doc) {
	d.h(2, "Data Integrity")
	t, srcs, _, _ := integrityTable(r)
	if len(t.rows) == 0 {
		d.p("No integrity check was recorded in these results.")
		return
	}
	d.p("After every event level the buffer is drained and the database is compared exactly with what the acknowledged events imply (lost = stored below, extra = stored above).")
	d.table(t)
	d.source(srcs...)
	for _, s := range r.scenarios() {
		for i := range s.Result.Levels {
			if in := s.Result.Levels[i].Integrity; in != nil && len(in.Problems) > 0 {
				d.p("Problems at %s %s:", s.Name, s.Result.Levels[i].Level)
				d.bullets(in.Problems...)
			}
		}
	}
}

func (r *Results) loadgenSection(d *doc) {
	d.h(2, "Load Generator Self-Report")
	d.p("The generator runs on the same host as the stack; a level it could not drive is marked `generator_limited`, never reported as the service's limit.")
	t, srcs := loadgenTable(r)
	d.table(t)
	d.source(srcs...)
}
