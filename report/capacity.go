package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// gameSize is one of the spec's deployment scenarios with its expected load.
type gameSize struct {
	Name            string
	DAU             string
	RPSLow, RPSHigh int
	EPSLow, EPSHigh int
	PeakUsers       int // peak concurrent users
}

// gameSizes are the spec's expected loads (TECH_SPEC_M2, Capacity Planning Guide).
var gameSizes = []gameSize{
	{"Small game", "< 10,000 DAU", 50, 100, 500, 1000, 500},
	{"Medium game", "100,000 DAU", 500, 1000, 5000, 10000, 5000},
	{"Large game", "1,000,000 DAU", 2000, 5000, 20000, 50000, 50000},
}

// Planning inputs that are not measurements; the document states each where it is used.
const (
	hoursPerMonth = 730  // the usual cloud-billing month
	surgeFraction = 0.25 // a rolling deploy's extra instances: Kubernetes' default maxSurge (25%, rounded up)
	memStepMiB    = 64   // memory limits are proposed in steps of this size
)

// instances is the projection formula: ceil(peak / (measured max × headroom)).
func instances(peak, measured int, headroom float64) int {
	if measured <= 0 {
		return 0
	}
	return int(math.Ceil(float64(peak) / (float64(measured) * headroom)))
}

// surge is the extra instances of a rolling deploy: ceil(surgeFraction × n).
func surge(n int) int { return int(math.Ceil(surgeFraction * float64(n))) }

// capacityView is what templates/capacity.md.tmpl shows.
type capacityView struct {
	Header              headerView
	Headroom            float64
	API, Events         measuredMax
	SvcSize, HSize      string // the programs' limits
	Sources             []string
	Combined            *maxItem
	CombinedSource      string
	Dedupe              []dedupeView
	LowerBound          bool
	Games               []gameView
	Derivable           bool   // both programs have a measured maximum
	Missing             string // which scenarios lack one
	TreeAPI, TreeEvents string // planned per-instance rates (measured × headroom)
	TreeSources         []string
	Trade               [][]string
	Price               float64
	PriceSource         string
	HoursPerMonth       int
	SurgePct            float64
	HostCPUs, LimitsSum string
	PG                  *pgCostView
	Memory              []memoryView
	MemSources          []string
	Cap                 *callCapView
	Vertical            []verticalView
	Pool                *poolView
	PoolProposed        int
}

// gameView is one deployment scenario's projection.
type gameView struct {
	gameSize
	Rows   [][]string
	Cost   costView
	DB     *dbNoteView
	PG     *pgNeedView
	Dedupe []dedupeProjection
}

// Capacity renders docs/CAPACITY_PLANNING.md.
func (r *Results) Capacity(o Options) (string, error) {
	api, ev := r.maxOf(ScenarioAPI), r.maxOf(ScenarioEvents)
	svcCPU, hCPU := r.progCPU("challenge-service"), r.progCPU("event-handler")
	v := capacityView{Header: r.headerView(), Headroom: o.Headroom, API: api, Events: ev,
		SvcSize: r.sizeOf("challenge-service"), HSize: r.sizeOf("event-handler"), Sources: nonEmpty(api.Source, ev.Source, r.manifests()),
		LowerBound: api.LowerBound || ev.LowerBound, Derivable: api.Rate != 0 && ev.Rate != 0, Price: o.PricePerVCPUHour, PriceSource: o.PriceSource,
		HoursPerMonth: hoursPerMonth, SurgePct: 100 * surgeFraction,
		Missing: strings.Join(nonEmpty(missingIf(api.Rate == 0, ScenarioAPI), missingIf(ev.Rate == 0, ScenarioEvents)), " and ")}
	if s := r.Get(ScenarioCombined); s != nil {
		h := s.headline()
		v.Combined, v.CombinedSource = &maxItem{Name: s.Name, Max: &h}, r.src(s.Name, "result.json")
	}
	v.Dedupe = r.dedupeViews()
	v.PG = r.pgCost()
	v.Memory, v.MemSources = r.memoryViews(o)
	v.Cap = r.callCap()
	if v.Pool = r.poolUse(); v.Pool != nil {
		v.PoolProposed = v.Pool.proposedPool(o.Headroom)
	}
	v.Vertical = r.verticalViews(o)
	for _, g := range gameSizes {
		gv := gameView{gameSize: g, DB: r.dbNote(g, api, ev, o), Dedupe: r.dedupeProjections(g)}
		if v.PG != nil {
			gv.PG = v.PG.need(g)
		}
		gv.Cost = costOf(g, api, ev, svcCPU, hCPU, gv.PG, o)
		gv.Rows = append(gv.Rows, projRow("challenge-service", g.RPSHigh, api, svcCPU, o), projRow("event-handler", g.EPSHigh, ev, hCPU, o))
		v.Games = append(v.Games, gv)
	}
	if v.Derivable {
		v.TreeAPI, v.TreeEvents = num(float64(api.Rate)*o.Headroom, 0), num(float64(ev.Rate)*o.Headroom, 0)
		v.TreeSources = []string{api.Source, ev.Source, r.manifests()}
		for _, n := range []int{1, 2, 3, 5, 10} {
			vcpus := float64(n+1) * (svcCPU + hCPU)
			cost := num(vcpus, 2) + " vCPUs × price per vCPU-hour"
			if o.PricePerVCPUHour > 0 {
				cost = "$" + num(vcpus*o.PricePerVCPUHour, 2) + " per hour"
			}
			v.Trade = append(v.Trade, []string{inum(int64(n)) + " + 1", num(float64(n)*float64(api.Rate)*o.Headroom, 0), num(float64(n)*float64(ev.Rate)*o.Headroom, 0), num(vcpus, 2), cost})
		}
	}
	v.HostCPUs = r.distinct(manifestFact(func(m *runresult.Manifest) string { return inum(int64(m.HostCPUs)) }))
	v.LimitsSum = r.distinct(manifestFact(func(m *runresult.Manifest) string {
		t := 0.0
		for _, c := range m.Containers {
			t += c.Limits.CPUs
		}
		return num(t, 2)
	}))
	return renderDoc("capacity", v)
}

func nonEmpty(in ...string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// progCPU is a program's CPU limit when every manifest agrees (0 otherwise).
func (r *Results) progCPU(container string) float64 {
	return r.agreedLimit(container, func(l runresult.Limits) float64 { return l.CPUs })
}

// agreedLimit is one of a container's limits (as get reads it) when every manifest that sets it
// agrees, 0 otherwise.
func (r *Results) agreedLimit(container string, get func(runresult.Limits) float64) float64 {
	var v float64
	for _, s := range r.scenarios() {
		if s.Manifest == nil {
			continue
		}
		if c := get(s.Manifest.Containers[container].Limits); c > 0 {
			if v != 0 && v != c {
				return 0
			}
			v = c
		}
	}
	return v
}

func (r *Results) sizeOf(container string) string {
	return r.distinct(manifestFact(func(m *runresult.Manifest) string {
		c, ok := m.Containers[container]
		if !ok {
			return ""
		}
		return num(c.Limits.CPUs, 2) + " CPU, " + bytesIEC(c.Limits.MemoryBytes)
	}))
}

// projRow is one program's projection: instances for the peak, plus one (N+1), and their vCPUs.
func projRow(prog string, peak int, m measuredMax, cpu float64, o Options) []string {
	if m.Rate == 0 {
		return []string{prog, inum(int64(peak)) + " " + m.Unit, "none", num(o.Headroom, 2), "–", "cannot project: " + m.Why, "–", "–"}
	}
	n := instances(peak, m.Rate, o.Headroom)
	vcpu := "–"
	if cpu > 0 {
		vcpu = num(float64(n+1)*cpu, 2)
	}
	return []string{prog, inum(int64(peak)) + " " + m.Unit, m.Figure, num(o.Headroom, 2),
		fmt.Sprintf("⌈%s ÷ (%s × %s)⌉", inum(int64(peak)), inum(int64(m.Rate)), num(o.Headroom, 2)), inum(int64(n)), inum(int64(n + 1)), vcpu}
}

// costView is one game size's cost (Computable false: a maximum or a CPU limit is missing; Price
// 0: no price given). VCPUs are the programs' N+1 instances plus PostgreSQL's projected cores.
type costView struct {
	Computable             bool
	ProgVCPUs, PGCores     float64
	VCPUs, Price           float64
	Hour, Month, PerKUsers float64
	PeakUsers              int
	HoursPerMonth          int
}

func costOf(g gameSize, api, ev measuredMax, svcCPU, hCPU float64, pg *pgNeedView, o Options) costView {
	if api.Rate == 0 || ev.Rate == 0 || svcCPU == 0 || hCPU == 0 {
		return costView{}
	}
	c := costView{Computable: true, Price: o.PricePerVCPUHour, HoursPerMonth: hoursPerMonth, PeakUsers: g.PeakUsers}
	c.ProgVCPUs = float64(instances(g.RPSHigh, api.Rate, o.Headroom)+1)*svcCPU + float64(instances(g.EPSHigh, ev.Rate, o.Headroom)+1)*hCPU
	if pg != nil {
		c.PGCores = math.Ceil(pg.Cores)
	}
	c.VCPUs = c.ProgVCPUs + c.PGCores
	c.Hour = c.VCPUs * c.Price
	c.Month = c.Hour * hoursPerMonth
	if g.PeakUsers > 0 {
		c.PerKUsers = c.Hour / (float64(g.PeakUsers) / 1000)
	}
	return c
}

// dbNoteView is the connection arithmetic of a projection: the instances (N+1, plus a rolling
// deploy's surge) × each program's pool against PostgreSQL's max_connections.
type dbNoteView struct {
	Svc, Handler           int // N+1 instances
	SvcSurge, HSurge       int // extra instances during a rolling deploy
	SvcPool, HPool         int
	Steady, During         int // connections at rest and during a deploy
	MaxConns               int
	Exceeds, ExceedsSteady bool
	Source                 string
}

// dbNote is the connection arithmetic of one game size's projection.
func (r *Results) dbNote(g gameSize, api, ev measuredMax, o Options) *dbNoteView {
	s := r.Get(ScenarioAPI)
	if s == nil {
		s = r.Get(ScenarioEvents)
	}
	if s == nil || s.Manifest == nil || api.Rate == 0 || ev.Rate == 0 {
		return nil
	}
	mc := maxConnections(s.Manifest)
	svc, handler, _ := poolSize(s)
	var sp, hp int
	fmt.Sscan(svc, &sp)
	fmt.Sscan(handler, &hp)
	if mc == 0 || sp+hp == 0 {
		return nil
	}
	d := &dbNoteView{Svc: instances(g.RPSHigh, api.Rate, o.Headroom) + 1, Handler: instances(g.EPSHigh, ev.Rate, o.Headroom) + 1, SvcPool: sp, HPool: hp,
		MaxConns: mc, Source: r.src(s.Name, "manifest.json")}
	d.SvcSurge, d.HSurge = surge(d.Svc), surge(d.Handler)
	d.Steady = d.Svc*sp + d.Handler*hp
	d.During = (d.Svc+d.SvcSurge)*sp + (d.Handler+d.HSurge)*hp
	d.Exceeds, d.ExceedsSteady = d.During > mc, d.Steady > mc
	return d
}

// maxConnections is PostgreSQL's max_connections from its command line (0: not set there).
func maxConnections(m *runresult.Manifest) int {
	for _, kv := range postgresSettings(m) {
		if kv[0] == "max_connections" {
			var mc int
			fmt.Sscan(kv[1], &mc)
			return mc
		}
	}
	return 0
}

func missingIf(c bool, s string) string {
	if c {
		return s
	}
	return ""
}

// manifests names every manifest.json the report read, for Source lines.
func (r *Results) manifests() string { return strings.Join(r.files("manifest.json"), ", ") }
