package abtest

import (
	"encoding/json"
	"os"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// ReportFile is the comparison's file name inside the output directory.
const ReportFile = "compare.json"

// Report is compare.json: what was compared, how it was decided, every run and every metric.
type Report struct {
	Base     Revision `json:"base"` // side A
	Head     Revision `json:"head"` // side B
	Pairs    int      `json:"pairs"`
	Settings Settings `json:"settings"`
	// Test names the statistics, for a reader of the file alone.
	Test string `json:"test"`
	// Runs in the order they ran (A B A B …).
	Runs     []RunRecord     `json:"runs"`
	Metrics  []MetricResult  `json:"metrics"`
	Verdicts []LevelVerdicts `json:"verdicts"`
	// Regression: a metric regressed, or B failed a level in every run that A passed in every run.
	Regression bool     `json:"regression"`
	Reasons    []string `json:"reasons,omitempty"`
	Notes      []string `json:"notes,omitempty"`
}

// TestDescription is Report.Test.
const TestDescription = "one-sided exact Mann-Whitney U (H1: head's values tend to be larger), per metric over one value per run; regression when p ≤ alpha and median(B)/median(A) > 1 + min_effect and median(B) − median(A) > the floor"

// Revision is one side: what was asked for, the commit it resolved to, and the images it ran.
type Revision struct {
	Rev    string            `json:"rev"`             // as given: a revision, or "worktree"
	SHA    string            `json:"sha"`             // the commit (the worktree's HEAD for "worktree")
	Dirty  bool              `json:"dirty,omitempty"` // the worktree had uncommitted changes
	Images map[string]string `json:"images"`          // image key → tag run
}

// RunRecord is one suite run.
type RunRecord struct {
	Label   string  `json:"label"` // A1, B1, A2, …
	Side    string  `json:"side"`  // base | head
	Dir     string  `json:"dir"`   // its PERF_RESULTS_DIR
	Seconds float64 `json:"seconds"`
	// ExitCode of the suite (go test): non-zero when a level failed or the run broke; the
	// metrics of what it wrote are compared all the same.
	ExitCode int `json:"exit_code"`
	// Missing names requested scenarios that wrote no result.json.
	Missing []string `json:"missing,omitempty"`
}

// MetricResult is one metric of one level, both sides' values in run order.
type MetricResult struct {
	Scenario string    `json:"scenario"`
	Level    string    `json:"level"`
	Metric   string    `json:"metric"`
	A        []float64 `json:"a"`
	B        []float64 `json:"b"`
	MedianA  float64   `json:"median_a"`
	MedianB  float64   `json:"median_b"`
	Ratio    float64   `json:"ratio"` // median B / median A (0 when median A is 0)
	Diff     float64   `json:"diff"`  // median B − median A, in the metric's unit
	P        float64   `json:"p"`     // one-sided; 1 when every value is equal
	Decision string    `json:"decision"`
	Why      string    `json:"why"`
}

// LevelVerdicts are the suite's verdicts of one level in every run of each side.
type LevelVerdicts struct {
	Scenario   string   `json:"scenario"`
	Level      string   `json:"level"`
	A          []string `json:"a"`
	B          []string `json:"b"`
	Regression bool     `json:"regression,omitempty"`
	Why        string   `json:"why,omitempty"`
}

// Write stores the report as indented JSON.
func (r Report) Write(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// ReadReport reads a compare.json (found = false when it is missing).
func ReadReport(path string) (r Report, found bool, err error) {
	found, err = runresult.ReadJSON(path, &r)
	return r, found, err
}
