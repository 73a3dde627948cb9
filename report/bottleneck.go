package report

import (
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
	for _, n := range []string{ScenarioCombined, ScenarioDatabase} {
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

// bottleneckSummary is the baseline's Bottleneck Summary: every scenario's decisive level, the
// profiles and the database evidence.
type bottleneckSummary struct {
	Rows                       []*decisiveView
	Sources                    []string
	NearCPU, HostBusy, NearMem float64
	Profile                    *profileView
	DB                         *dbEvidenceView
	Dedupe                     []dedupeView // stores that outgrow their memory at the projected rate
}

// profileView is the profiles of both programs at one level.
type profileView struct {
	Name     string
	Level    *runresult.LevelResult
	Result   string // Source entries
	Raw      string
	Programs []programProfile
}

type programProfile struct {
	Name               string
	Util               *cpuUse // the program's CPU at the profiled level (nil: no limit known)
	Idle               bool    // it averaged under idleCPUPct of its limit there
	CPUFuncs           int
	App, Runtime, Libs float64 // flat % of the top CPU functions by category
	CPU, Alloc, Mutex  [][]string
}

func (r *Results) bottleneckSummary() bottleneckSummary {
	v := bottleneckSummary{NearCPU: nearCPULimitPct, HostBusy: hostBusyPct, NearMem: nearMemLimitPct, Dedupe: overflowing(r.dedupeViews())}
	for _, s := range r.scenarios() {
		if d := s.decisiveView(); d != nil {
			v.Rows = append(v.Rows, d)
			v.Sources = append(v.Sources, r.src(s.Name, "result.json"))
		}
	}
	v.Sources = append(v.Sources, r.files("manifest.json")...)
	if s, l := r.profileLevel(); l != nil {
		p := &profileView{Name: s.Name, Level: l, Result: r.src(s.Name, "result.json"), Raw: r.src(s.Name, LevelDirName(*l), "profiles/")}
		for _, prog := range programs {
			pp := programProfile{Name: prog, CPUFuncs: len(l.TopCPU[prog]), CPU: profileTable(l.TopCPU[prog], 10),
				Alloc: profileTable(l.TopAlloc[prog], 10), Mutex: profileTable(l.TopMutex[prog], 10)}
			pp.App, pp.Runtime, pp.Libs = appShare(l.TopCPU[prog])
			pp.Util, pp.Idle = s.programUse(l, prog)
			p.Programs = append(p.Programs, pp)
		}
		v.Profile = p
	}
	if s, l := r.dbLevel(); l != nil {
		v.DB = r.dbEvidence(s, l)
	}
	return v
}

// dbEvidenceView is the database facts that bear on bottlenecks.
type dbEvidenceView struct {
	Level    *runresult.LevelResult
	Top      *runresult.StatementStat // the most expensive statement (nil: none listed)
	TopShare string                   // its share of the listed statements' time
	Samples  *samplesView
	Sources  []string
}

func (r *Results) dbEvidence(s *Scenario, l *runresult.LevelResult) *dbEvidenceView {
	v := &dbEvidenceView{Level: l, Samples: r.samplesView(s), Sources: []string{r.src(s.Name, "result.json"), r.src(s.Name, "manifest.json")}}
	if db := l.DB; len(db.TopStatements) > 0 {
		v.Top, v.TopShare = &db.TopStatements[0], "–"
		if t := totalExecSec(db); t > 0 {
			v.TopShare = pct(100 * v.Top.TotalSec / t)
		}
	}
	return v
}

// conclusionsView is the baseline's closing list: what the figures do not yet say.
type conclusionsView struct {
	Bounds   []headlineView // maxima that are lower bounds
	Unstable []headlineView // maxima whose repeat did not hold
	Empty    []headlineView // maxima measured without seeded progress
	Sources  []string
}

func (r *Results) conclusionsView() conclusionsView {
	var v conclusionsView
	for _, n := range []string{ScenarioAPI, ScenarioEvents, ScenarioCombined} {
		s := r.Get(n)
		if s == nil || s.outcome().Best == nil {
			continue
		}
		h := s.headline()
		if h.Cond.LowerBound {
			v.Bounds = append(v.Bounds, h)
		}
		if b := s.Result.Bracket; b != nil && b.RepeatDisagrees {
			v.Unstable = append(v.Unstable, h)
		}
		if h.Cond.Seed == nil && n != ScenarioEvents {
			v.Empty = append(v.Empty, h)
		}
		v.Sources = append(v.Sources, r.src(n, "result.json"))
	}
	return v
}
