package report

import (
	"math"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The capacity plan's projections beyond instance counts: PostgreSQL's CPU, memory limits, the
// platform's cap on concurrent event calls, connection pools and the vertical option. Each is
// computed from one measured level and says which.

// pgCostView is PostgreSQL's CPU per 1,000 API requests and per 1,000 events per second, from the
// isolated scenarios' maxima (0: not measured).
type pgCostView struct {
	PerKRPS, PerKEPS     float64 // cores
	APILevel, EventLevel string
	APIRate, EventRate   float64 // achieved rates at those levels
	APICPU, EventCPU     float64 // PostgreSQL CPU % there
	Limit                float64 // the measured PostgreSQL's CPU limit (cores)
	Sources              []string
}

func (r *Results) pgCost() *pgCostView {
	v := &pgCostView{Limit: r.agreedLimit("postgres", func(l runresult.Limits) float64 { return l.CPUs })}
	at := func(name string, side func(*runresult.LevelResult) *runresult.Side) (level string, rate, cpu, perK float64) {
		s := r.Get(name)
		if s == nil || s.outcome().Best == nil {
			return
		}
		l := s.outcome().Best
		sd, pg := side(l), l.Resources["postgres"]
		if sd == nil || sd.AchievedRate <= 0 || pg.CPUAvgPct <= 0 {
			return
		}
		v.Sources = append(v.Sources, r.src(name, "result.json"))
		return l.Level, sd.AchievedRate, pg.CPUAvgPct, pg.CPUAvgPct / 100 / (sd.AchievedRate / 1000)
	}
	v.APILevel, v.APIRate, v.APICPU, v.PerKRPS = at(ScenarioAPI, func(l *runresult.LevelResult) *runresult.Side { return l.API })
	v.EventLevel, v.EventRate, v.EventCPU, v.PerKEPS = at(ScenarioEvents, func(l *runresult.LevelResult) *runresult.Side { return l.Events })
	if v.PerKRPS == 0 || v.PerKEPS == 0 {
		return nil
	}
	return v
}

// pgNeedView is one game size's projected PostgreSQL CPU.
type pgNeedView struct {
	RPS, EPS       int
	PerKRPS        float64
	PerKEPS, Cores float64
	Limit          float64
	Exceeds        bool
}

func (p *pgCostView) need(g gameSize) *pgNeedView {
	n := &pgNeedView{RPS: g.RPSHigh, EPS: g.EPSHigh, PerKRPS: p.PerKRPS, PerKEPS: p.PerKEPS, Limit: p.Limit}
	n.Cores = float64(g.RPSHigh)/1000*p.PerKRPS + float64(g.EPSHigh)/1000*p.PerKEPS
	n.Exceeds = p.Limit > 0 && n.Cores > p.Limit
	return n
}

// memoryView is one container's peak memory over every level against its limit, and the limit
// the plan proposes: ⌈peak ÷ headroom⌉ in memStepMiB steps.
type memoryView struct {
	Container, Name, Level string
	PeakMiB, LimitMiB      float64
	ProposedMiB            float64
	Step                   int
}

func (r *Results) memoryViews(o Options) ([]memoryView, []string) {
	var out []memoryView
	var srcs []string
	for _, c := range programs {
		var m *memoryView
		for _, s := range r.scenarios() {
			for i := range s.Result.Levels {
				l := &s.Result.Levels[i]
				if row, ok := l.Resources[c]; ok && (m == nil || row.MemMaxMiB > m.PeakMiB) {
					m = &memoryView{Container: c, Name: s.Name, Level: l.Level, PeakMiB: row.MemMaxMiB, LimitMiB: row.MemLimitMiB, Step: memStepMiB}
				}
			}
		}
		if m == nil || m.PeakMiB <= 0 {
			continue
		}
		m.ProposedMiB = math.Ceil(m.PeakMiB/o.Headroom/memStepMiB) * memStepMiB
		out = append(out, *m)
	}
	for _, s := range r.scenarios() {
		srcs = append(srcs, r.src(s.Name, "result.json"))
	}
	return out, srcs
}

// callCapView is the platform's cap on concurrent OnMessage calls, as the generator applied it
// (the events scenario's maxVUs), against the measured call latency: by Little's law the calls
// in flight are rate × latency, so a cap shared by every replica bounds the event rate at
// cap ÷ latency whatever the replica count.
type callCapView struct {
	Cap          int
	Level        string
	P95ms        float64
	Bound        float64 // cap ÷ p95, events per second
	PerReplica   int     // the measured per-instance maximum (EPS)
	Beyond       []gameSize
	Result, Plan string
}

func (r *Results) callCap() *callCapView {
	s := r.Get(ScenarioEvents)
	if s == nil || s.outcome().Best == nil {
		return nil
	}
	l := s.outcome().Best
	capN := s.MaxVUs[LevelDirName(*l)]["events"]
	if capN == 0 || l.Events == nil || l.Events.P95ms <= 0 {
		return nil
	}
	v := &callCapView{Cap: capN, Level: l.Level, P95ms: l.Events.P95ms, Bound: float64(capN) / (l.Events.P95ms / 1000), PerReplica: l.EPS,
		Result: r.src(s.Name, "result.json"), Plan: r.src(s.Name, LevelDirName(*l), "plan.json")}
	for _, g := range gameSizes {
		if float64(g.EPSHigh) > v.Bound {
			v.Beyond = append(v.Beyond, g)
		}
	}
	return v
}

// poolView is the connections the programs used against their pools (db_samples.json).
type poolView struct {
	Active            int64
	N                 int
	Level, Name       string
	Svc, Handler      string
	Total             int
	Proposed          int // ⌈peak active ÷ headroom⌉, at least 2
	UsedPct, Headroom float64
	Source            string
}

func (r *Results) poolUse() *poolView {
	s, l := r.dbLevel()
	if l == nil || len(s.DBSamples) == 0 {
		return nil
	}
	active, _, _ := samplesPeak(s.DBSamples)
	svc, handler, total := poolSize(s)
	if total == 0 {
		return nil
	}
	return &poolView{Active: active, N: len(s.DBSamples), Level: l.Level, Name: s.Name, Svc: svc, Handler: handler, Total: total,
		UsedPct: 100 * float64(active) / float64(total), Source: r.src(s.Name, s.SamplesLvl, "db_samples.json")}
}

// proposedPool is the per-instance pool the measured peak supports: ⌈peak ÷ headroom⌉, at least 2.
func (p *poolView) proposedPool(headroom float64) int {
	return max(2, int(math.Ceil(float64(p.Active)/headroom)))
}

// verticalView is one program's larger-instance option: projected only when its own CPU limited
// the decisive level (then capacity at most scales with cores); otherwise why not.
type verticalView struct {
	Program     string
	Scenario    *decisiveView
	CPU         float64 // current CPU limit
	LargerCPU   float64 // Factor × CPU
	Factor      float64 // the larger instance: Factor × the current CPU and memory
	Rate, Upper int     // measured maximum; its upper bound on the larger instance
	Unit        string
	CPUBound    bool
	Busiest     *cpuUse
	Source      string
}

func (r *Results) verticalViews(o Options) []verticalView {
	var out []verticalView
	for _, p := range []struct{ prog, scenario string }{{"challenge-service", ScenarioAPI}, {"event-handler", ScenarioEvents}} {
		s := r.Get(p.scenario)
		if s == nil {
			continue
		}
		d := s.decisiveView()
		if d == nil {
			continue
		}
		m := r.maxOf(p.scenario)
		v := verticalView{Program: p.prog, Scenario: d, CPU: s.cpuLimit(p.prog), Factor: 2, Rate: m.Rate, Unit: m.Unit, Source: r.src(s.Name, "result.json")}
		v.LargerCPU = v.Factor * v.CPU
		v.Busiest, _ = s.programUse(d.Level, p.prog)
		v.CPUBound = d.Bottleneck.Kind == "cpu" && d.Bottleneck.Top.Container == p.prog
		if v.CPUBound {
			v.Upper = int(v.Factor * float64(m.Rate))
		}
		out = append(out, v)
	}
	return out
}
