package report

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func sortedNumericKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, ea := strconv.Atoi(keys[i])
		b, eb := strconv.Atoi(keys[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// profileLevel is scenario 3's highest level with profiles (the spec's place for them),
// falling back to scenario 4.
func (r *Results) profileLevel() (*Scenario, *runresult.LevelResult) {
	for _, n := range []string{"scenario3", "scenario4"} {
		s := r.Get(n)
		if s == nil {
			continue
		}
		for i := len(s.Result.Levels) - 1; i >= 0; i-- {
			if l := &s.Result.Levels[i]; len(l.TopCPU) > 0 {
				return s, l
			}
		}
	}
	return nil, nil
}

func (r *Results) bottleneckSection(d *doc) {
	d.h(2, "Bottleneck Summary")
	t := newTable("Scenario", "Level examined", "Why this level", "Bottleneck (derived)")
	var srcs []string
	for _, s := range r.scenarios() {
		if l := s.outcome().decisive(); l != nil {
			t.add(s.Name, l.Level, decisiveWhy(s), s.bottleneck(l))
			srcs = append(srcs, r.src(s.Name, "result.json"))
		}
	}
	d.table(t)
	d.source(append(srcs, r.files("manifest.json")...)...)
	d.p("Thresholds used to label evidence (not measurements): a container is near its CPU limit at ≥ %s of it on average; the host is busy at ≥ %s of its CPUs; memory is near its limit at ≥ %s.",
		pct(nearCPULimitPct), pct(hostBusyPct), pct(nearMemLimitPct))

	d.h(3, "Profiles")
	s, l := r.profileLevel()
	if l == nil {
		d.p("No profiles were recorded in these results (they are taken in scenarios 3 and 4).")
	} else {
		d.p("CPU, allocation and mutex profiles of both programs at %s's highest profiled level, **%s** (%s).", s.Name, l.Level, l.Verdict)
		src := r.src(s.Name, "result.json") + " (levels[].top_cpu/top_alloc/top_mutex of " + l.Level + "); raw profiles: " + r.src(s.Name, LevelDirName(*l), "profiles/")
		for _, prog := range programs {
			d.h(4, prog)
			if funcs := l.TopCPU[prog]; len(funcs) > 0 {
				app, rt, other := appShare(funcs)
				d.p("CPU (top %d functions by flat time: this repository's code %s, Go runtime/syscalls %s, libraries %s):", len(funcs), pct(app), pct(rt), pct(other))
				d.table(profileTable(funcs, 10))
				d.source(src)
			}
			for _, p := range []struct {
				name  string
				funcs []runresult.TopFunc
			}{{"Allocations (alloc space)", l.TopAlloc[prog]}, {"Mutex contention (delay)", l.TopMutex[prog]}} {
				if len(p.funcs) == 0 {
					d.p("%s: the profile has no samples for %s at this level.", p.name, prog)
					continue
				}
				d.p("%s:", p.name)
				d.table(profileTable(p.funcs, 10))
				d.source(src)
			}
		}
	}

	d.h(3, "Database")
	ds, dl := r.dbLevel()
	if dl == nil {
		d.p("No database analysis in these results (scenario 4 records it).")
		return
	}
	d.bullets(r.dbEvidence(ds, dl)...)
	d.source(r.src(ds.Name, "result.json"), r.src(ds.Name, "manifest.json"))
}

// dbEvidence is the database facts that bear on bottlenecks.
func (r *Results) dbEvidence(s *Scenario, l *runresult.LevelResult) []string {
	db := l.DB
	var ev []string
	if len(db.TopStatements) > 0 {
		top := db.TopStatements[0]
		share := "–"
		if t := totalExecSec(db); t > 0 {
			share = pct(100 * top.TotalSec / t)
		}
		ev = append(ev, fmt.Sprintf("Most expensive statement at %s: %s — %s calls, mean %s, max %s, %s total (%s of the listed statements' time).",
			l.Level, codeSpan(shorten(top.Query, 90)), inum(top.Calls), ms(top.MeanMS), ms(top.MaxMS), secs(top.TotalSec), share))
	}
	ev = append(ev, fmt.Sprintf("Buffer cache hit ratio %s; %s deadlocks; %s rollbacks.", pct(db.CacheHitPct), inum(db.Deadlocks), inum(db.Rollbacks)))
	svc, handler, total := poolSize(s)
	if len(s.DBSamples) > 0 {
		active, _, idleTx := samplesPeak(s.DBSamples)
		verdict := "the pools were not exhausted"
		if total > 0 && active >= int64(total)*8/10 {
			verdict = "the pools were near exhaustion"
		}
		ev = append(ev, fmt.Sprintf("Peak active connections in %d samples over the level: %d (idle in transaction: %d) against DB_MAX_OPEN_CONNS %s (service) + %s (handler) = %d: %s.",
			len(s.DBSamples), active, idleTx, orDash(svc), orDash(handler), total, verdict))
	}
	for _, c := range db.Connections {
		ev = append(ev, fmt.Sprintf("At the end of the level: %s connections %s (oldest %s s).", inum(c.Count), c.State, num(c.OldestSec, 1)))
	}
	return ev
}

func (r *Results) conclusions(d *doc) {
	d.h(2, "Conclusions")
	var items, srcs []string
	for _, n := range []string{"scenario1", "scenario2", "scenario3"} {
		if s := r.Get(n); s != nil {
			items = append(items, fmt.Sprintf("%s: %s.", n, s.maxStatement()))
			srcs = append(srcs, r.src(n, "result.json"))
		}
	}
	if s := r.primaryScenario(); s != nil {
		l := s.outcome().decisive()
		items = append(items, fmt.Sprintf("Primary bottleneck (%s, %s): %s.", s.Name, l.Level, s.bottleneck(l)))
	}
	items = append(items,
		"Instance counts for larger games are projections from these maxima: see [CAPACITY_PLANNING.md](CAPACITY_PLANNING.md).",
		"Settings and evidence-based tuning: see [PERFORMANCE_TUNING.md](PERFORMANCE_TUNING.md).")
	d.bullets(items...)
	d.source(srcs...)
}
