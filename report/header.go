package report

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// scenarios returns the loaded scenarios in report order.
func (r *Results) scenarios() []*Scenario {
	var out []*Scenario
	for _, n := range ScenarioNames {
		if s := r.Scenarios[n]; s != nil {
			out = append(out, s)
		}
	}
	return out
}

// distinct renders one fact across the scenarios' files: a single value when they agree,
// otherwise each value with the scenarios it came from.
func (r *Results) distinct(get func(*Scenario) string) string {
	return distinctOver(r.scenarios(), get)
}

// distinctOver is the one value get gives for every scenario, or each value with the scenarios
// that have it.
func distinctOver(scenarios []*Scenario, get func(*Scenario) string) string {
	var order []string
	by := map[string][]string{}
	for _, s := range scenarios {
		v := get(s)
		if v == "" {
			continue
		}
		if _, ok := by[v]; !ok {
			order = append(order, v)
		}
		by[v] = append(by[v], s.Name)
	}
	switch len(order) {
	case 0:
		return "not recorded"
	case 1:
		return order[0]
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = v + " (" + strings.Join(by[v], ", ") + ")"
	}
	return strings.Join(parts, "; ")
}

func shortImageID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	return id[:min(12, len(id))]
}

func gitRevision(m *runresult.Manifest) string {
	if m.GitRevision == "" {
		return ""
	}
	if m.GitDirty {
		return m.GitRevision + " (dirty: uncommitted changes)"
	}
	return m.GitRevision + " (clean)"
}

// durationPerLevel is the level duration a scenario ran with.
func durationPerLevel(s *Scenario) string {
	if s.Manifest != nil && s.Manifest.Settings["duration_per_level"] != "" {
		return s.Manifest.Settings["duration_per_level"]
	}
	if len(s.Result.Levels) > 0 {
		return num(s.Result.Levels[0].DurationSec, 1) + "s"
	}
	return ""
}

func manifestFact(get func(*runresult.Manifest) string) func(*Scenario) string {
	return func(s *Scenario) string {
		if s.Manifest == nil {
			return ""
		}
		return get(s.Manifest)
	}
}

// headerView is the block every document starts with: where and how the numbers were measured.
type headerView struct {
	Dir, Scenarios, Date, Impl                           string
	HostCPUs, HostMemory, Kernel, Docker, Git, GoVersion string
	Profile, Duration                                    string
	FactSources                                          []string
	Containers                                           [][]string // container, CPU limit, memory limit, image, image ID
	ContainerSources                                     []string
	Missing                                              []string   // scenarios not in these results
	Linked                                               [][]string // scenario directory → the run it links to (a combined results directory)
}

// implementation names what a scenario measured: this repository's service unless its result
// records another implementation or an external target.
func implementation(s *Scenario) string {
	t := s.Result.Target
	switch {
	case t == nil || t.Impl == "" || t.Impl == "ours" && !t.External:
		return "this repository's service/ (challenge service and event handler)"
	case t.External:
		return t.Impl + ", external target reached by address"
	}
	return t.Impl + " (PERF_IMPL), in the suite's stack"
}

func (r *Results) headerView() headerView {
	var dates []time.Time
	for _, s := range r.scenarios() {
		if s.Manifest != nil && !s.Manifest.Date.IsZero() {
			dates = append(dates, s.Manifest.Date.UTC())
		}
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	date := "not recorded"
	if len(dates) > 0 {
		date = dates[0].Format("2006-01-02 15:04:05 UTC")
		if last := dates[len(dates)-1]; !last.Equal(dates[0]) {
			date += " – " + last.Format("2006-01-02 15:04:05 UTC")
		}
	}
	v := headerView{
		Dir: r.Dir, Scenarios: r.scenarioList(), Date: date, Impl: r.distinct(implementation),
		HostCPUs:    r.distinct(manifestFact(func(m *runresult.Manifest) string { return inum(int64(m.HostCPUs)) })),
		HostMemory:  r.distinct(manifestFact(func(m *runresult.Manifest) string { return bytesIEC(m.HostMemory) })),
		Kernel:      r.distinct(manifestFact(func(m *runresult.Manifest) string { return m.HostKernel })),
		Docker:      r.distinct(manifestFact(func(m *runresult.Manifest) string { return m.DockerVersion })),
		Git:         r.distinct(manifestFact(gitRevision)),
		GoVersion:   r.distinct(manifestFact(func(m *runresult.Manifest) string { return m.GoVersion })),
		Profile:     r.distinct(func(s *Scenario) string { return s.Result.Profile }),
		Duration:    r.distinct(durationPerLevel),
		FactSources: r.files("manifest.json", "result.json"),
		Missing:     r.missingScenarios(),
	}
	for _, c := range r.containerNames() {
		fact := func(get func(runresult.ContainerManifest) string) string {
			return r.distinct(manifestFact(func(m *runresult.Manifest) string {
				if cm, ok := m.Containers[c]; ok {
					return get(cm)
				}
				return ""
			}))
		}
		v.Containers = append(v.Containers, []string{c,
			fact(func(cm runresult.ContainerManifest) string { return num(cm.Limits.CPUs, 2) + " CPU" }),
			fact(func(cm runresult.ContainerManifest) string { return bytesIEC(cm.Limits.MemoryBytes) }),
			fact(func(cm runresult.ContainerManifest) string { return codeSpan(cm.Image) }),
			// One ID across scenarios means the same build, whatever the git revision column says.
			fact(func(cm runresult.ContainerManifest) string {
				if cm.ImageID == "" {
					return ""
				}
				return codeSpan(shortImageID(cm.ImageID))
			})})
	}
	v.ContainerSources = r.files("manifest.json")
	v.Linked = r.linkedDirs()
	return v
}

// linkedDirs are the scenario directories that are links into other runs (a results directory
// assembled from several runs), each with the directory it resolves to.
func (r *Results) linkedDirs() [][]string {
	var names []string
	for _, s := range r.scenarios() {
		names = append(names, s.Name)
	}
	if r.Faults != nil {
		names = append(names, r.Faults.Name)
	}
	if r.Tuning != nil {
		for _, row := range r.Tuning.Rows {
			names = append(names, runresult.TuningDir+"/"+runresult.TuningRunDir(row.Param, row.Value))
		}
	}
	var out [][]string
	for _, n := range names {
		dir := filepath.Join(r.Dir, filepath.FromSlash(n))
		fi, err := os.Lstat(dir)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := filepath.EvalSymlinks(dir)
		if err != nil {
			continue
		}
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, target); err == nil && !strings.HasPrefix(rel, "..") {
				target = rel
			}
		}
		out = append(out, []string{codeSpan(n), codeSpan(filepath.ToSlash(target))})
	}
	return out
}

func (r *Results) scenarioList() string {
	var names []string
	for _, s := range r.scenarios() {
		n := s.Name
		if s.Incomplete {
			n += " (interrupted: no result.json, levels read from level.json)"
		}
		names = append(names, n)
	}
	if r.Tuning != nil {
		names = append(names, "tuning")
	}
	return strings.Join(names, ", ")
}

func (r *Results) missingScenarios() []string {
	var out []string
	for _, n := range ScenarioNames {
		if r.Scenarios[n] == nil {
			out = append(out, n)
		}
	}
	return out
}

// files lists <scenario>/<name> for every loaded scenario, for Source lines.
func (r *Results) files(names ...string) []string {
	var out []string
	for _, s := range r.scenarios() {
		for _, n := range names {
			out = append(out, r.src(s.Name, n))
		}
	}
	return out
}

// containerNames are the containers named in any manifest, sorted.
func (r *Results) containerNames() []string {
	seen := map[string]bool{}
	for _, s := range r.scenarios() {
		if s.Manifest != nil {
			for c := range s.Manifest.Containers {
				seen[c] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// cpuLimit is a container's CPU limit (cores) from the scenario's manifest, 0 when unknown.
func (s *Scenario) cpuLimit(container string) float64 {
	if s.Manifest == nil {
		return 0
	}
	return s.Manifest.Containers[container].Limits.CPUs
}

// env returns a container's environment variable from the scenario's manifest.
func (s *Scenario) env(container, key string) string {
	if s.Manifest == nil {
		return ""
	}
	for _, kv := range s.Manifest.Containers[container].Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
