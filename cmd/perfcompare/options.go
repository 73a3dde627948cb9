package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/challenge-perf/challenge-perf/abtest"
)

// Worktree is -head's default: the working tree as it is, uncommitted changes included.
const Worktree = "worktree"

// scenarioTests are the suite's scenarios A/B can compare, by number. Scenario 6 injects faults:
// its levels measure recovery, not the cost of a request, and are not compared.
var scenarioTests = map[string]string{
	"1": "TestScenario1_APILoad",
	"2": "TestScenario2_EventLoad",
	"3": "TestScenario3_Combined",
	"4": "TestScenario4_Database",
	"5": "TestScenario5_E2ELatency",
}

type options struct {
	base, head string
	pairs      int
	scenarios  []string // "scenario1", …
	tests      []string // their test functions
	out        string
	timeout    time.Duration // per suite run
	settings   abtest.Settings
}

const usage = `usage: perfcompare -base REV [-head REV|worktree] [-pairs 3] [-scenarios 1,2] [-out DIR]
Builds both revisions' program images, runs the perf suite's scenarios interleaved (A B A B …, A = base,
B = head) on this machine, writes DIR/compare.json and prints the comparison. Exit 0: no regression;
1: a regression; 2: a usage or setup error. docs/AB_COMPARE.md explains the decision.
`

// parseOptions reads the flags and reports every bad one at once.
func parseOptions(args []string, stderr io.Writer, now time.Time) (options, error) {
	fs := flag.NewFlagSet("perfcompare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	def := abtest.DefaultSettings()
	o := options{}
	fs.StringVar(&o.base, "base", "", "base revision (side A), e.g. origin/main or a commit")
	fs.StringVar(&o.head, "head", Worktree, "head revision (side B), or worktree for the working tree with its uncommitted changes")
	fs.IntVar(&o.pairs, "pairs", 3, "runs per side, interleaved A B A B …; 3 is the fewest that can reach alpha 0.05")
	scen := fs.String("scenarios", "1,2", "comma-separated scenario numbers (1-5)")
	fs.StringVar(&o.out, "out", "", "output directory (default perf/results/ab-<time>)")
	fs.DurationVar(&o.timeout, "timeout", 20*time.Minute, "time limit of one suite run")
	fs.Float64Var(&o.settings.Alpha, "alpha", def.Alpha, "largest one-sided p-value that counts as a difference")
	fs.Float64Var(&o.settings.MinEffect, "min-effect", def.MinEffect, "smallest slowdown of the median that counts (0.10 = 10%)")
	fs.Float64Var(&o.settings.LatencyFloorMs, "latency-floor-ms", def.LatencyFloorMs, "smallest latency difference of the medians that counts, ms")
	fs.Float64Var(&o.settings.CPUFloorMs, "cpu-floor-ms", def.CPUFloorMs, "smallest CPU-ms per request or event difference that counts")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	if strings.TrimSpace(o.base) == "" {
		errs = append(errs, errors.New("-base is required (e.g. -base origin/main)"))
	}
	if strings.TrimSpace(o.head) == "" {
		errs = append(errs, errors.New("-head is empty: give a revision or worktree"))
	}
	for _, s := range strings.Split(*scen, ",") {
		s = strings.TrimPrefix(strings.TrimSpace(s), "scenario")
		test, ok := scenarioTests[s]
		if !ok {
			errs = append(errs, fmt.Errorf("-scenarios: %q is not one of 1-5", s))
			continue
		}
		if name := "scenario" + s; !slices.Contains(o.scenarios, name) {
			o.scenarios, o.tests = append(o.scenarios, name), append(o.tests, test)
		}
	}
	if o.timeout <= 0 {
		errs = append(errs, fmt.Errorf("-timeout %s: want a positive duration", o.timeout))
	}
	if err := o.settings.Validate(o.pairs); err != nil {
		errs = append(errs, err)
	}
	if o.out == "" {
		o.out = filepath.Join("perf", "results", "ab-"+now.Format("20060102-150405"))
	}
	return o, errors.Join(errs...)
}

// runPattern is the suite's -test.run for the chosen scenarios.
func (o options) runPattern() string { return "^(" + strings.Join(o.tests, "|") + ")$" }

// order is the run sequence: A B A B …, each label numbered within its side.
func order(pairs int) []string {
	out := make([]string, 0, 2*pairs)
	for i := 1; i <= pairs; i++ {
		out = append(out, "A"+strconv.Itoa(i), "B"+strconv.Itoa(i))
	}
	return out
}

// flagHelp is -h: usage printed, not an error.
var flagHelp = flag.ErrHelp
