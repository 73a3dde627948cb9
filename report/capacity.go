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
}

// gameSizes are the spec's expected loads (TECH_SPEC_M2, Capacity Planning Guide).
var gameSizes = []gameSize{
	{"Small game", "< 10,000 DAU", 50, 100, 500, 1000},
	{"Medium game", "100,000 DAU", 500, 1000, 5000, 10000},
	{"Large game", "1,000,000 DAU", 2000, 5000, 20000, 50000},
}

// instances is the projection formula: ceil(peak / (measured max × headroom)).
func instances(peak, measured int, headroom float64) int {
	if measured <= 0 {
		return 0
	}
	return int(math.Ceil(float64(peak) / (float64(measured) * headroom)))
}

// capacityView is what templates/capacity.md.tmpl shows.
type capacityView struct {
	Header              headerView
	Headroom            float64
	API, Events         measuredMax
	APIRate, EventsRate string // the measured maxima as stated ("≥ 1,000 EPS", "none")
	SvcSize, HSize      string // the programs' limits
	Sources             []string
	Combined            *maxItem
	CombinedSource      string
	Dedupe              *dedupeView
	LowerBound          bool
	Games               []gameView
	Derivable           bool   // both programs have a measured maximum
	Missing             string // which scenarios lack one
	TreeAPI, TreeEvents string // planned per-instance rates (measured × headroom)
	TreeSources         []string
	Trade               [][]string
	Price               float64
	HostCPUs, LimitsSum string
}

// gameView is one deployment scenario's projection.
type gameView struct {
	gameSize
	Rows   [][]string
	Cost   costView
	DB     []dbNoteView
	Dedupe *dedupeProjection
}

// Capacity renders docs/CAPACITY_PLANNING.md.
func (r *Results) Capacity(o Options) (string, error) {
	api, ev := r.maxOf(ScenarioAPI), r.maxOf(ScenarioEvents)
	svcCPU, hCPU := r.progCPU("challenge-service"), r.progCPU("event-handler")
	v := capacityView{Header: r.headerView(), Headroom: o.Headroom, API: api, Events: ev, APIRate: rateOrNone(api), EventsRate: rateOrNone(ev),
		SvcSize: r.sizeOf("challenge-service"), HSize: r.sizeOf("event-handler"), Sources: nonEmpty(api.Source, ev.Source, r.manifests()),
		LowerBound: api.LowerBound || ev.LowerBound, Derivable: api.Rate != 0 && ev.Rate != 0, Price: o.PricePerVCPUHour,
		Missing: strings.Join(nonEmpty(missingIf(api.Rate == 0, ScenarioAPI), missingIf(ev.Rate == 0, ScenarioEvents)), " and ")}
	if s := r.Get(ScenarioCombined); s != nil {
		m := s.maxView()
		v.Combined, v.CombinedSource = &maxItem{Name: s.Name, Max: &m}, r.src(s.Name, "result.json")
	}
	dm := r.dedupeMeasure()
	v.Dedupe = r.dedupeView(dm)
	for _, g := range gameSizes {
		gv := gameView{gameSize: g, Cost: costOf(g, api, ev, svcCPU, hCPU, o), DB: r.dbNote(g, api, ev, o), Dedupe: r.dedupeProjection(g, dm)}
		gv.Rows = append(gv.Rows, projRow("challenge-service", g.RPSHigh, api, svcCPU, o), projRow("event-handler", g.EPSHigh, ev, hCPU, o))
		v.Games = append(v.Games, gv)
	}
	if v.Derivable {
		v.TreeAPI, v.TreeEvents = num(float64(api.Rate)*o.Headroom, 0), num(float64(ev.Rate)*o.Headroom, 0)
		v.TreeSources = []string{api.Source, ev.Source, r.manifests()}
		for _, n := range []int{1, 2, 3, 5, 10} {
			vcpus := float64(n) * (svcCPU + hCPU)
			cost := num(vcpus, 2) + " vCPUs × price per vCPU-hour"
			if o.PricePerVCPUHour > 0 {
				cost = "$" + num(vcpus*o.PricePerVCPUHour*hoursPerMonth, 0)
			}
			v.Trade = append(v.Trade, []string{inum(int64(n)), num(float64(n)*float64(api.Rate)*o.Headroom, 0), num(float64(n)*float64(ev.Rate)*o.Headroom, 0), num(vcpus, 2), cost})
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

func rateOrNone(m measuredMax) string {
	if m.Rate == 0 {
		return "none"
	}
	s := inum(int64(m.Rate)) + " " + m.Unit
	if m.LowerBound {
		s = "≥ " + s
	}
	return s
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

func projRow(prog string, peak int, m measuredMax, cpu float64, o Options) []string {
	if m.Rate == 0 {
		return []string{prog, inum(int64(peak)) + " " + m.Unit, "none", num(o.Headroom, 2), "–", "cannot project: " + m.Why, "–"}
	}
	n := instances(peak, m.Rate, o.Headroom)
	vcpu := "–"
	if cpu > 0 {
		vcpu = num(float64(n)*cpu, 2)
	}
	return []string{prog, inum(int64(peak)) + " " + m.Unit, rateOrNone(m), num(o.Headroom, 2),
		fmt.Sprintf("⌈%s ÷ (%s × %s)⌉", inum(int64(peak)), inum(int64(m.Rate)), num(o.Headroom, 2)), inum(int64(n)), vcpu}
}

const hoursPerMonth = 730 // the usual cloud-billing month, stated where used

// costView is the programs' cost for one game size (Computable false: a maximum or a CPU limit is
// missing; Price 0: no price given).
type costView struct {
	Computable    bool
	VCPUs, Price  float64
	Hour, Month   float64
	HoursPerMonth int
}

func costOf(g gameSize, api, ev measuredMax, svcCPU, hCPU float64, o Options) costView {
	if api.Rate == 0 || ev.Rate == 0 || svcCPU == 0 || hCPU == 0 {
		return costView{}
	}
	c := costView{Computable: true, Price: o.PricePerVCPUHour, HoursPerMonth: hoursPerMonth}
	c.VCPUs = float64(instances(g.RPSHigh, api.Rate, o.Headroom))*svcCPU + float64(instances(g.EPSHigh, ev.Rate, o.Headroom))*hCPU
	c.Hour = c.VCPUs * c.Price
	c.Month = c.Hour * hoursPerMonth
	return c
}

// dbNoteView is the connection arithmetic of a projection: Instances × the per-instance pool
// against PostgreSQL's max_connections.
type dbNoteView struct {
	Instances, Conns, MaxConns int
	Pool                       string
	Exceeds                    bool
	Source                     string
}

// dbNote states what was measured of PostgreSQL, and the connection arithmetic of the projection.
func (r *Results) dbNote(g gameSize, api, ev measuredMax, o Options) []dbNoteView {
	s := r.Get(ScenarioAPI)
	if s == nil {
		s = r.Get(ScenarioEvents)
	}
	if s == nil || s.Manifest == nil || api.Rate == 0 || ev.Rate == 0 {
		return nil
	}
	svc, _, total := poolSize(s)
	per := total / 2
	n := instances(g.RPSHigh, api.Rate, o.Headroom) + instances(g.EPSHigh, ev.Rate, o.Headroom)
	var out []dbNoteView
	for _, kv := range postgresSettings(s.Manifest) {
		if kv[0] == "max_connections" {
			var mc int
			fmt.Sscan(kv[1], &mc)
			out = append(out, dbNoteView{Instances: n, Conns: n * per, MaxConns: mc, Pool: svc, Exceeds: n*per > mc, Source: r.src(s.Name, "manifest.json")})
		}
	}
	return out
}

func missingIf(c bool, s string) string {
	if c {
		return s
	}
	return ""
}

// manifests names every manifest.json the report read, for Source lines.
func (r *Results) manifests() string { return strings.Join(r.files("manifest.json"), ", ") }
