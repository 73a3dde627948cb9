// Command perfbaseline writes the baseline the perf suite gates against (perf/testdata/baseline.json)
// from a results run: for the profile the run was measured with, each scenario's entry is replaced
// by the run's figures (stepping profiles: maximum sustainable rates; smoke: the level's p95 and
// CPU per program), with the results file as its source. Other profiles' entries are kept.
//
//	go run ./cmd/perfbaseline -results perf/results/<run-id> [-baseline perf/testdata/baseline.json] [-scenarios scenario1,scenario2]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Scenarios the suite gates; the order of the output.
var scenarios = []string{"scenario1", "scenario2", "scenario3", "scenario4", "scenario5"}

// steppingProfiles climb levels until the limit (perf/profile_test.go).
var steppingProfiles = []string{"nightly", "full"}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("perfbaseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "", "results run directory (perf/results/<run-id>)")
	path := fs.String("baseline", filepath.Join("perf", "testdata", "baseline.json"), "baseline file to update")
	only := fs.String("scenarios", "", "comma-separated scenarios to take (default: every scenario in the results)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *results == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "perfbaseline: usage: perfbaseline -results DIR [-baseline FILE] [-scenarios a,b]")
		return 2
	}
	var want []string
	if *only != "" {
		want = strings.Split(*only, ",")
		for _, w := range want {
			if !slices.Contains(scenarios, w) {
				fmt.Fprintf(stderr, "perfbaseline: unknown scenario %q (want one of %s)\n", w, strings.Join(scenarios, ", "))
				return 2
			}
		}
	}
	if err := update(*results, *path, want, stdout); err != nil {
		fmt.Fprintln(stderr, "perfbaseline:", err)
		return 1
	}
	return 0
}

// update computes every entry before writing, so a bad scenario leaves the file untouched.
func update(results, path string, want []string, stdout io.Writer) error {
	b, err := runresult.ReadBaseline(path)
	if err != nil {
		return err
	}
	type entry struct {
		profile, scenario string
		e                 runresult.BaselineEntry
	}
	var entries []entry
	for _, name := range scenarios {
		if want != nil && !slices.Contains(want, name) {
			continue
		}
		dir := filepath.Join(results, name)
		res, found, err := runresult.ReadScenarioResult(dir)
		if err != nil {
			return err
		}
		if !found {
			if want != nil {
				return fmt.Errorf("%s has no %s", dir, runresult.ResultFile)
			}
			continue
		}
		if res.Profile == "" {
			return fmt.Errorf("%s/%s names no profile", dir, runresult.ResultFile)
		}
		source := filepath.ToSlash(filepath.Join(dir, runresult.ResultFile)) + " (PERF_PROFILE=" + res.Profile
		if d := levelDuration(dir); d != "" {
			source += " PERF_DURATION=" + d
		}
		source += ")"
		// Baselines are per implementation: ours in baseline.json, another in baseline-<impl>.json.
		if impl := implOf(&res); impl != "ours" && !strings.HasSuffix(filepath.Base(path), "-"+impl+".json") {
			return fmt.Errorf("%s measured implementation %q: its baseline is its own (-baseline perf/testdata/baseline-%s.json), not %s", dir, impl, impl, path)
		} else if impl == "ours" && strings.Contains(filepath.Base(path), "-") {
			return fmt.Errorf("%s measured this repository's implementation: write it to baseline.json, not %s", dir, path)
		}
		e, err := runresult.BaselineFrom(res, slices.Contains(steppingProfiles, res.Profile), source)
		if err != nil {
			return err
		}
		e.HostCPUs = hostCPUs(dir)
		e.DurationPerLevel = levelDuration(dir)
		entries = append(entries, entry{res.Profile, name, e})
	}
	if len(entries) == 0 {
		return fmt.Errorf("no scenario results in %s", results)
	}
	for _, en := range entries {
		if b[en.profile] == nil {
			b[en.profile] = map[string]runresult.BaselineEntry{}
		}
		b[en.profile][en.scenario] = en.e
		fmt.Fprintf(stdout, "%s/%s: %s\n", en.profile, en.scenario, describe(en.e))
	}
	if err := b.Write(path); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "wrote", path)
	return nil
}

// implOf is the implementation a result measured (results from before targets existed: ours).
func implOf(res *runresult.ScenarioResult) string {
	if res.Target == nil || res.Target.Impl == "" {
		return "ours"
	}
	return res.Target.Impl
}

// hostCPUs is the CPU count of the machine the scenario ran on, from its manifest (0 if unknown).
func hostCPUs(dir string) int {
	var m runresult.Manifest
	if ok, err := runresult.ReadJSON(filepath.Join(dir, "manifest.json"), &m); err != nil || !ok {
		return 0
	}
	return m.HostCPUs
}

// levelDuration is the per-level duration recorded in the scenario's manifest ("" if none).
func levelDuration(dir string) string {
	var m struct {
		Settings map[string]string `json:"settings"`
	}
	if ok, err := runresult.ReadJSON(filepath.Join(dir, "manifest.json"), &m); err != nil || !ok {
		return ""
	}
	return m.Settings["duration_per_level"]
}

func describe(e runresult.BaselineEntry) string {
	var parts []string
	if e.MaxRPS > 0 {
		parts = append(parts, fmt.Sprintf("max %d RPS", e.MaxRPS))
	}
	if e.MaxEPS > 0 {
		parts = append(parts, fmt.Sprintf("max %d EPS", e.MaxEPS))
	}
	if e.APIP95ms > 0 {
		parts = append(parts, fmt.Sprintf("API p95 %.2f ms", e.APIP95ms))
	}
	if e.EventsP95ms > 0 {
		parts = append(parts, fmt.Sprintf("event p95 %.2f ms", e.EventsP95ms))
	}
	for _, c := range runresult.BaselinePrograms {
		if v, ok := e.CPUPct[c]; ok {
			parts = append(parts, fmt.Sprintf("%s CPU %.1f%%", c, v))
		}
	}
	return strings.Join(parts, ", ")
}
