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

// Capacity renders docs/CAPACITY_PLANNING.md.
func (r *Results) Capacity(o Options) string {
	d := &doc{}
	r.header(d, "Capacity Planning Guide - M2")
	api, ev := r.maxOf("scenario1"), r.maxOf("scenario2")
	svcCPU, hCPU := r.progCPU("challenge-service"), r.progCPU("event-handler")

	d.h(2, "Measured Inputs")
	t := newTable("Program", "Measured per instance", "Level", "How it was obtained", "Instance size (limits)")
	t.add("challenge-service", rateOrNone(api), orDash(api.Level), api.Why, r.sizeOf("challenge-service"))
	t.add("event-handler", rateOrNone(ev), orDash(ev.Level), ev.Why, r.sizeOf("event-handler"))
	d.table(t)
	d.source(nonEmpty(api.Source, ev.Source, r.manifests())...)
	if s := r.Get("scenario3"); s != nil {
		d.p("Combined on one host (scenario3): %s.", s.maxStatement())
		d.source(r.src("scenario3", "result.json"))
	}
	dedupe := r.dedupeMeasure()
	r.dedupeInput(d, dedupe)
	if api.LowerBound || ev.LowerBound {
		d.p("**A measured figure that is a lower bound makes every projection below pessimistic** (more instances than needed): re-run with `PERF_PROFILE=nightly` to find the maxima.")
	}

	d.h(2, "Deployment Scenarios (Projection)")
	d.p("**Projection**, not a measurement: instances = ⌈expected peak ÷ (measured maximum per instance × headroom)⌉, with headroom = %s, and the peak taken as the upper end of the spec's expected range. It assumes capacity adds up linearly across instances and that the shared PostgreSQL keeps up, neither of which was measured.", num(o.Headroom, 2))
	for _, g := range gameSizes {
		d.h(3, fmt.Sprintf("%s (%s)", g.Name, g.DAU))
		d.p("Expected load (TECH_SPEC_M2, Capacity Planning Guide — an input, not a measurement): %s–%s RPS, %s–%s EPS.", inum(int64(g.RPSLow)), inum(int64(g.RPSHigh)), inum(int64(g.EPSLow)), inum(int64(g.EPSHigh)))
		pt := newTable("Program", "Peak used", "Measured max per instance", "Headroom", "Formula", "Instances (projection)", "vCPUs (projection)")
		r.projRow(pt, "challenge-service", g.RPSHigh, api, svcCPU, o)
		r.projRow(pt, "event-handler", g.EPSHigh, ev, hCPU, o)
		d.table(pt)
		d.source(nonEmpty(api.Source, ev.Source, r.manifests())...)
		r.costLine(d, g, api, ev, svcCPU, hCPU, o)
		r.dbNote(d, g, api, ev, o)
		r.dedupeProjection(d, g, dedupe)
	}

	r.decisionTree(d, api, ev, o)
	r.tradeOffs(d, api, ev, svcCPU, hCPU, o)
	r.caveats(d)
	return d.String()
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

func (r *Results) projRow(t *table, prog string, peak int, m measuredMax, cpu float64, o Options) {
	if m.Rate == 0 {
		t.add(prog, inum(int64(peak))+" "+m.Unit, "none", num(o.Headroom, 2), "–", "cannot project: "+m.Why, "–")
		return
	}
	n := instances(peak, m.Rate, o.Headroom)
	vcpu := "–"
	if cpu > 0 {
		vcpu = num(float64(n)*cpu, 2)
	}
	t.add(prog, inum(int64(peak))+" "+m.Unit, rateOrNone(m), num(o.Headroom, 2),
		fmt.Sprintf("⌈%s ÷ (%s × %s)⌉", inum(int64(peak)), inum(int64(m.Rate)), num(o.Headroom, 2)), inum(int64(n)), vcpu)
}

const hoursPerMonth = 730 // the usual cloud-billing month, stated where used

func (r *Results) costLine(d *doc, g gameSize, api, ev measuredMax, svcCPU, hCPU float64, o Options) {
	if api.Rate == 0 || ev.Rate == 0 || svcCPU == 0 || hCPU == 0 {
		d.p("Cost: not computable (a measured maximum or a CPU limit is missing).")
		return
	}
	vcpus := float64(instances(g.RPSHigh, api.Rate, o.Headroom))*svcCPU + float64(instances(g.EPSHigh, ev.Rate, o.Headroom))*hCPU
	if o.PricePerVCPUHour <= 0 {
		d.p("Cost (programs only, database excluded): %s vCPUs × price per vCPU-hour. No price was given (`-price-per-vcpu-hour`), so no amount is stated.", num(vcpus, 2))
		return
	}
	hour := vcpus * o.PricePerVCPUHour
	d.p("Cost (programs only, database excluded): %s vCPUs × $%s per vCPU-hour (**user-supplied price**) = $%s per hour, $%s per month (× %d h).",
		num(vcpus, 2), num(o.PricePerVCPUHour, 4), num(hour, 2), num(hour*hoursPerMonth, 0), hoursPerMonth)
}

// dbNote states what was measured of PostgreSQL, and the connection arithmetic of the projection.
func (r *Results) dbNote(d *doc, g gameSize, api, ev measuredMax, o Options) {
	s := r.Get("scenario1")
	if s == nil {
		s = r.Get("scenario2")
	}
	if s == nil || s.Manifest == nil || api.Rate == 0 || ev.Rate == 0 {
		return
	}
	svc, _, total := poolSize(s)
	per := total / 2
	n := instances(g.RPSHigh, api.Rate, o.Headroom) + instances(g.EPSHigh, ev.Rate, o.Headroom)
	for _, kv := range postgresSettings(s.Manifest) {
		if kv[0] == "max_connections" {
			var mc int
			fmt.Sscan(kv[1], &mc)
			verdict := "fits"
			if n*per > mc {
				verdict = "**exceeds it: a connection pooler (PgBouncer) or smaller pools are needed**"
			}
			d.p("Database: not projected (one PostgreSQL was measured). Connections: %d instances × DB_MAX_OPEN_CONNS %s = %s against max_connections %d — %s.",
				n, orDash(svc), inum(int64(n*per)), mc, verdict)
			d.source(r.src(s.Name, "manifest.json"))
		}
	}
}

func (r *Results) decisionTree(d *doc, api, ev measuredMax, o Options) {
	d.h(2, "Scaling Decision Tree")
	if api.Rate == 0 || ev.Rate == 0 {
		d.p("Not derivable: these results lack a passing level for %s.", strings.Join(nonEmpty(missingIf(api.Rate == 0, "scenario1"), missingIf(ev.Rate == 0, "scenario2")), " and "))
		return
	}
	a := float64(api.Rate) * o.Headroom
	e := float64(ev.Rate) * o.Headroom
	tree := fmt.Sprintf(`Derived from the measured per-instance figures (challenge-service %s, event-handler %s) × headroom %s.

Expected peak API rate R (requests per second)?
  R ≤ %s
    └─> 1 challenge-service instance (%s)
  R > %s
    └─> ⌈R ÷ %s⌉ instances behind a load balancer (projection)

Expected peak event rate E (events per second)?
  E ≤ %s
    └─> 1 event-handler instance (%s)
  E > %s
    └─> ⌈E ÷ %s⌉ instances (projection; events are spread by the platform)

Then: instances × DB_MAX_OPEN_CONNS must stay below PostgreSQL's max_connections
  └─> otherwise lower the per-instance pool or add a pooler
`, rateOrNone(api), rateOrNone(ev), num(o.Headroom, 2),
		num(a, 0), r.sizeOf("challenge-service"), num(a, 0), num(a, 0),
		num(e, 0), r.sizeOf("event-handler"), num(e, 0), num(e, 0))
	d.code("text", tree)
	d.source(api.Source, ev.Source, r.manifests())
}

func missingIf(c bool, s string) string {
	if c {
		return s
	}
	return ""
}

func (r *Results) tradeOffs(d *doc, api, ev measuredMax, svcCPU, hCPU float64, o Options) {
	d.h(2, "Cost-Performance Trade-offs (Projection)")
	if api.Rate == 0 || ev.Rate == 0 {
		d.p("Not derivable without measured maxima for both programs.")
		return
	}
	d.p("Planned capacity of N instances of each program = N × measured maximum × headroom %s (linear scaling assumed, not measured). vCPUs are the instances' CPU limits.", num(o.Headroom, 2))
	head := []string{"Instances of each program", "API capacity (RPS)", "Event capacity (EPS)", "vCPUs"}
	if o.PricePerVCPUHour > 0 {
		head = append(head, "$ per month (user-supplied price)")
	} else {
		head = append(head, "Cost per hour")
	}
	t := newTable(head...)
	for _, n := range []int{1, 2, 3, 5, 10} {
		vcpus := float64(n) * (svcCPU + hCPU)
		cost := fmt.Sprintf("%s vCPUs × price per vCPU-hour", num(vcpus, 2))
		if o.PricePerVCPUHour > 0 {
			cost = "$" + num(vcpus*o.PricePerVCPUHour*hoursPerMonth, 0)
		}
		t.add(inum(int64(n)), num(float64(n)*float64(api.Rate)*o.Headroom, 0), num(float64(n)*float64(ev.Rate)*o.Headroom, 0), num(vcpus, 2), cost)
	}
	d.table(t)
	d.source(api.Source, ev.Source, r.manifests())
}

func (r *Results) caveats(d *doc) {
	d.h(2, "Caveats")
	var host []string
	if v := r.distinct(manifestFact(func(m *runresult.Manifest) string { return inum(int64(m.HostCPUs)) })); v != "not recorded" {
		host = append(host, fmt.Sprintf("Everything was measured on one machine with %s host CPUs, while the containers' CPU limits add up to %s CPUs: a level can be limited by the host rather than by any container's limit.", v,
			r.distinct(manifestFact(func(m *runresult.Manifest) string {
				t := 0.0
				for _, c := range m.Containers {
					t += c.Limits.CPUs
				}
				return num(t, 2)
			}))))
	}
	host = append(host,
		"The load generator ran on the same host and used CPU the stack could otherwise have had (its cores are in the load generator self-report of PERFORMANCE_BASELINE.md).",
		"Horizontal scaling beyond one machine is a projection: no multi-instance deployment was measured, and the shared PostgreSQL's capacity at higher load is unknown.",
		"The reward platform is mocked (MOCK_AGS with its configured latency); a real platform's latency and limits are not included.",
		"Figures marked ≥ come from levels that passed without a limit being found: they under-state capacity.")
	d.bullets(host...)
}

// manifests names every manifest.json the report read, for Source lines.
func (r *Results) manifests() string { return strings.Join(r.files("manifest.json"), ", ") }
