package suite

import (
	"fmt"
	"math"
	"sort"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Resources of the instrument in a level's utilization bounds, beside the containers' roles.
const (
	ResourceLoadgen = "loadgen" // the load generator (its own CPU report)
	ResourceHost    = "host"    // every container and the generator together, against the host's CPUs
)

// Capacities are the CPUs each resource may use: the containers' limits by role, the generator's
// (0: the host's), the host's (0: not known, e.g. an external target).
type Capacities struct {
	Roles    map[string]float64
	Loadgen  float64
	HostCPUs int
}

// workRate is the achieved rate of a level's one kind of work and its unit ("" when the level
// mixes API iterations and events: its demand per unit would mix them too).
func workRate(l *runresult.LevelResult) (x float64, unit, rateUnit string) {
	switch {
	case l.API != nil && l.Events == nil:
		return l.API.AchievedRate, "request", "RPS"
	case l.Events != nil && l.API == nil:
		return l.Events.AchievedRate, "event", "EPS"
	}
	return 0, "", ""
}

// utilizations are the cores each resource used during the level.
func utilizations(l *runresult.LevelResult, c Capacities) map[string]float64 {
	u := map[string]float64{}
	total := l.Loadgen.CPUCores
	for role, r := range l.Resources {
		u[role] = r.CPUAvgPct / 100
		total += r.CPUAvgPct / 100
	}
	if l.Loadgen.CPUCores > 0 {
		u[ResourceLoadgen] = l.Loadgen.CPUCores
	}
	if c.HostCPUs > 0 && len(l.Resources) > 0 {
		u[ResourceHost] = total
	}
	return u
}

func (c Capacities) of(resource string) float64 {
	switch resource {
	case ResourceHost:
		return float64(c.HostCPUs)
	case ResourceLoadgen:
		if c.Loadgen > 0 {
			return c.Loadgen
		}
		return float64(c.HostCPUs)
	}
	return c.Roles[resource]
}

type point struct{ x, u float64 }

// UtilizationBounds sets the level's service demand per resource by the utilization law
// (D = U / X: CPU-ms per request or event) and the rate each resource's capacity bounds
// (X ≤ capacity / D). Levels that mix API and event work get none.
func UtilizationBounds(l *runresult.LevelResult, c Capacities) {
	x, unit, _ := workRate(l)
	if x <= 0 {
		return
	}
	l.DemandUnit = unit
	l.UtilizationBounds = map[string]runresult.Demand{}
	for res, u := range utilizations(l, c) {
		d := runresult.Demand{DemandMs: 1000 * u / x, CapacityCores: c.of(res)}
		if d.DemandMs > 0 && d.CapacityCores > 0 {
			d.BoundRate = d.CapacityCores / (u / x)
		}
		l.UtilizationBounds[res] = d
	}
}

// SaturatedShare: a level at which a resource used this share of its capacity or more says
// nothing about its demand below saturation (a throttled container batches its work), so the
// projection leaves it out for that resource.
const SaturatedShare = 0.9

// Bottleneck projects the rate the target's busiest resource allows from the levels that held
// (only those of one kind of work), each resource from the levels at which it was unsaturated
// (below SaturatedShare of its capacity; all of them when it never was): utilization against rate
// fitted by least squares (U = U0 + D·X: background U0 and demand D) when two or more rates
// qualify and the fit is sane (D > 0, U0 ≥ 0), else D = U / X at the highest. The bound is
// (capacity − U0) / D. The target's resources are its containers; the generator's and the host's
// bounds are listed beside them but never chosen. When the demand per unit fell across the levels
// used (economies of scale: batching, fewer wake-ups), the linear bound is conservative and Note
// says so. nil when no level qualifies.
func Bottleneck(levels []runresult.LevelResult, c Capacities) *runresult.BottleneckBound {
	pts := map[string][]point{}
	var from []string
	rateUnit := ""
	for i := range levels {
		l := &levels[i]
		x, _, ru := workRate(l)
		if l.Verdict != runresult.VerdictPass || x <= 0 || (rateUnit != "" && ru != rateUnit) {
			continue
		}
		rateUnit = ru
		from = append(from, l.Level)
		for res, u := range utilizations(l, c) {
			pts[res] = append(pts[res], point{x, u})
		}
	}
	if len(from) == 0 {
		return nil
	}
	var best *runresult.BottleneckBound
	bounds := map[string]float64{}
	resources := make([]string, 0, len(pts))
	for res := range pts {
		resources = append(resources, res)
	}
	sort.Strings(resources)
	for _, res := range resources {
		capacity := c.of(res)
		if capacity <= 0 {
			continue
		}
		p := unsaturated(pts[res], capacity)
		xs, us := make([]float64, len(p)), make([]float64, len(p))
		for i, q := range p {
			xs[i], us[i] = q.x, q.u
		}
		d, u0, method := fitDemand(xs, us)
		if d <= 0 {
			continue
		}
		rate := (capacity - u0) / d
		bounds[res] = math.Round(rate)
		if res == ResourceHost || res == ResourceLoadgen {
			continue
		}
		if best == nil || rate < best.Rate {
			lo, hi := demandRange(xs, us)
			best = &runresult.BottleneckBound{Resource: res, Unit: rateUnit, Rate: math.Round(rate), DemandMs: 1000 * d,
				BackgroundCores: u0, CapacityCores: capacity, Method: method, DemandLowRateMs: 1000 * lo, DemandHighRateMs: 1000 * hi,
				UsedLevels: len(p)}
			if hi < 0.8*lo {
				best.Note = fmt.Sprintf("the demand per unit fell from %.3f to %.3f CPU-ms between the lowest and the highest rate used: the cost per request falls with load, so this linear bound is conservative (a lower estimate)", 1000*lo, 1000*hi)
			}
		}
	}
	if best == nil {
		return nil
	}
	best.FromLevels, best.Bounds = from, bounds
	return best
}

// unsaturated keeps the points below SaturatedShare of capacity (all when none is).
func unsaturated(pts []point, capacity float64) []point {
	var out []point
	for _, p := range pts {
		if p.u < SaturatedShare*capacity {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return pts
	}
	return out
}

// demandRange is U / X at the lowest and at the highest rate.
func demandRange(xs, us []float64) (lo, hi float64) {
	il, ih := 0, 0
	for i := range xs {
		if xs[i] < xs[il] {
			il = i
		}
		if xs[i] > xs[ih] {
			ih = i
		}
	}
	return us[il] / xs[il], us[ih] / xs[ih]
}

// fitDemand is the demand D (cores per unit of rate) and the background U0 (cores) of U = U0 + D·X.
func fitDemand(xs, us []float64) (d, u0 float64, method string) {
	hi := 0
	for i := range xs {
		if xs[i] > xs[hi] {
			hi = i
		}
	}
	single := func() (float64, float64, string) {
		return us[hi] / xs[hi], 0, "one level (U / X at the highest rate held)"
	}
	if len(xs) < 2 {
		return single()
	}
	var mx, mu float64
	for i := range xs {
		mx += xs[i]
		mu += us[i]
	}
	n := float64(len(xs))
	mx, mu = mx/n, mu/n
	var sxx, sxu float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxu += (xs[i] - mx) * (us[i] - mu)
	}
	if sxx == 0 {
		return single()
	}
	d = sxu / sxx
	u0 = mu - d*mx
	if d <= 0 || u0 < 0 {
		return single()
	}
	return d, u0, fmt.Sprintf("fit over %d levels (U = U0 + D·X)", len(xs))
}
