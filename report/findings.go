package report

import (
	"sort"
)

// A finding is one thing that limits (or will limit) the service, ranked for the summary at the
// top of the baseline: what it is, what to do, and the evidence. Findings come only from the data:
// a scenario's decisive level that was limited by something, or a de-duplication store that
// outgrows its memory at the measured rate.
type finding struct {
	Kind      string          // cpu, host, memory, concurrency, limit, generator, dedupe
	Container string          // cpu, memory: the container
	Levels    []*decisiveView // the scenarios' levels that show it
	Dedupe    *dedupeView     // dedupe: the store
	Score     float64         // how binding: % of a limit, or a fixed rank for kinds without one
	Sources   []string
}

// findings are the results' findings, most binding first.
func (r *Results) findings() []*finding {
	by := map[string]*finding{}
	var order []string
	for _, s := range r.scenarios() {
		d := s.decisiveView()
		if d == nil || d.Bottleneck.Kind == "none" {
			continue
		}
		b := d.Bottleneck
		key := b.Kind
		if b.Kind == "cpu" || b.Kind == "memory" {
			key += "/" + b.Top.Container
		}
		f := by[key]
		if f == nil {
			f = &finding{Kind: b.Kind}
			if b.Kind == "cpu" || b.Kind == "memory" {
				f.Container = b.Top.Container
			}
			by[key] = f
			order = append(order, key)
		}
		f.Levels = append(f.Levels, d)
		f.Sources = append(f.Sources, r.src(s.Name, "result.json"))
		f.Score = max(f.Score, findingScore(b))
	}
	var out []*finding
	for _, k := range order {
		out = append(out, by[k])
	}
	for _, v := range overflowing(r.dedupeViews()) {
		v := v
		// A store that outgrows its memory fails the service outright once full: ranked above
		// every limit a level reached.
		out = append(out, &finding{Kind: "dedupe", Dedupe: &v, Score: 200, Sources: []string{v.Source, v.Manifest}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// findingScore ranks a bottleneck: the share of the limit it reached, or a fixed place for the
// kinds that have none (a concurrency cap above a failed latency limit, a generator last: it says
// nothing about the service).
func findingScore(b bottleneckView) float64 {
	switch b.Kind {
	case "cpu":
		return b.Top.UtilPct
	case "host":
		return b.HostPct
	case "memory":
		return 100 * b.Top.Row.MemMaxMiB / b.Top.Row.MemLimitMiB
	case "concurrency":
		return 95
	case "limit":
		return 50
	}
	return 1
}

// topFindings are the first n findings.
func topFindings(all []*finding, n int) []*finding {
	if len(all) > n {
		return all[:n]
	}
	return all
}
