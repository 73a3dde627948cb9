package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// The suite's scenarios, each a directory of a results run. This is the one place their
// directory names are spelled; the rest of the package uses these names.
const (
	ScenarioAPI      = "scenario1" // API requests alone, stepped
	ScenarioEvents   = "scenario2" // events alone, stepped
	ScenarioCombined = "scenario3" // API and events together (frontier search, profiles)
	ScenarioDatabase = "scenario4" // combined load with the PostgreSQL analysis
	ScenarioE2E      = "scenario5" // events with end-to-end probes
	// FaultScenario is reported in its own section, not among the capacity scenarios (its levels
	// fail on purpose).
	FaultScenario = "scenario6"
)

// ScenarioNames are the suite's capacity scenarios, in report order.
var ScenarioNames = []string{ScenarioAPI, ScenarioEvents, ScenarioCombined, ScenarioDatabase, ScenarioE2E}

// Scenario is one scenario directory of a results run.
type Scenario struct {
	Name       string
	Result     runresult.ScenarioResult
	Manifest   *runresult.Manifest       // nil when manifest.json is missing
	Frontier   map[string]int            // scenario 3's frontier.json (API rate → highest event rate held)
	DBSamples  []runresult.DBSample      // db_samples.json of the level that has them (scenario 4)
	SamplesLvl string                    // that level's directory name
	MaxVUs     map[string]map[string]int // level directory → the generator's scenario → maxVUs (plan.json)
	Incomplete bool                      // no result.json: the levels were read from their level.json files
}

// Results is everything the report is generated from.
type Results struct {
	Dir       string // as given on the command line (shown in the documents)
	Scenarios map[string]*Scenario
	Tuning    *Tuning   // nil when <dir>/tuning/result.json does not exist
	Faults    *Scenario // scenario 6; nil when not in the run
}

// Get returns a scenario or nil.
func (r *Results) Get(name string) *Scenario { return r.Scenarios[name] }

// Load reads a results run directory.
func Load(dir string) (*Results, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("results directory %s is not a directory", dir)
	}
	r := &Results{Dir: filepath.ToSlash(filepath.Clean(dir)), Scenarios: map[string]*Scenario{}}
	for _, name := range ScenarioNames {
		s, err := loadScenario(dir, name)
		if err != nil {
			return nil, err
		}
		if s != nil {
			r.Scenarios[name] = s
		}
	}
	if r.Faults, err = loadScenario(dir, FaultScenario); err != nil {
		return nil, err
	}
	if len(r.Scenarios) == 0 {
		return nil, fmt.Errorf("no scenario results in %s (expected scenario1..scenario5/result.json)", dir)
	}
	if r.Tuning, err = loadTuning(dir); err != nil {
		return nil, err
	}
	return r, nil
}

func loadScenario(root, name string) (*Scenario, error) {
	dir := filepath.Join(root, name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	s := &Scenario{Name: name}
	res, found, err := runresult.ReadScenarioResult(dir)
	if err != nil {
		return nil, err
	}
	s.Result = res
	if !found {
		if err := s.readLevels(dir); err != nil {
			return nil, err
		}
		if len(s.Result.Levels) == 0 {
			return nil, nil
		}
	}
	var m runresult.Manifest
	if ok, err := runresult.ReadJSON(filepath.Join(dir, "manifest.json"), &m); err != nil {
		return nil, err
	} else if ok {
		s.Manifest = &m
	}
	if _, err := runresult.ReadJSON(filepath.Join(dir, "frontier.json"), &s.Frontier); err != nil {
		return nil, err
	}
	s.MaxVUs = map[string]map[string]int{}
	for _, l := range s.Result.Levels {
		var plan struct {
			Scenarios map[string]struct {
				MaxVUs int `json:"maxVUs"`
			} `json:"scenarios"`
		}
		if ok, err := runresult.ReadJSON(filepath.Join(dir, LevelDirName(l), "plan.json"), &plan); err != nil {
			return nil, err
		} else if ok {
			m := map[string]int{}
			for name, sc := range plan.Scenarios {
				m[name] = sc.MaxVUs
			}
			s.MaxVUs[LevelDirName(l)] = m
		}
	}
	for _, l := range s.Result.Levels {
		var samples []runresult.DBSample
		ok, err := runresult.ReadJSON(filepath.Join(dir, LevelDirName(l), "db_samples.json"), &samples)
		if err != nil {
			return nil, err
		}
		if ok {
			s.DBSamples, s.SamplesLvl = samples, LevelDirName(l)
		}
	}
	return s, nil
}

// readLevels rebuilds an interrupted scenario (no result.json) from its levels' level.json files.
func (s *Scenario) readLevels(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		l, ok, err := runresult.ReadLevel(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if ok {
			if l.Dir == "" {
				l.Dir = e.Name()
			}
			s.Result.Levels = append(s.Result.Levels, l)
		}
	}
	sort.SliceStable(s.Result.Levels, func(i, j int) bool {
		a, b := s.Result.Levels[i], s.Result.Levels[j]
		if a.RPS != b.RPS {
			return a.RPS < b.RPS
		}
		return a.EPS < b.EPS
	})
	s.Result.Scenario, s.Incomplete = s.Name, true
	return nil
}

// LevelDirName is the level's directory inside its scenario directory.
func LevelDirName(l runresult.LevelResult) string {
	if l.Dir != "" {
		return filepath.Base(filepath.FromSlash(l.Dir))
	}
	switch {
	case l.RPS > 0 && l.EPS > 0:
		return fmt.Sprintf("rps-%d_eps-%d", l.RPS, l.EPS)
	case l.RPS > 0:
		return fmt.Sprintf("rps-%d", l.RPS)
	}
	return fmt.Sprintf("eps-%d", l.EPS)
}

// src names a file inside the results directory for "Source:" lines.
func (r *Results) src(parts ...string) string {
	return "`" + strings.Join(append([]string{r.Dir}, parts...), "/") + "`"
}
