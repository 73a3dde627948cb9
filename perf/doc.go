// Package perf is the performance suite: each scenario of TECH_SPEC_M2 is a `go test` function
// (build tag perf) that starts the stack in containers with CPU and memory limits, runs the load
// generator in a container, steps through load levels until the limit, and fails on thresholds,
// data-integrity errors or a regression against perf/testdata/baseline.json. The decisions — the
// thresholds, verdicts, level stepping, frontier search, baseline gate, Redis fit and fault
// analysis — are package suite's, and what a level needs besides containers — its plan, the
// reading of the generator's results into the level's figures, its log line — package runner's
// (both unit-tested without Docker); this package runs the scenarios, each level in phases
// (level_test.go: prepare, load, collect, check, judge).
//
//	go test ./perf -tags perf -run Scenario2 -v
//
// Settings (environment): PERF_PROFILE (smoke|nightly|full), PERF_DURATION, PERF_LEVELS,
// PERF_RESULTS_DIR, PERF_MIN_RPS, PERF_MIN_EPS, PERF_MATRIX (scenario 3: frontier|full) and the
// rest of runner.Settings, and the stack's PERF_* overrides (harness.StackConfigFromEnv). TestMain
// reads them all once, before anything touches Docker: a malformed value or a PERF_ name no part
// of the suite reads (runner/names.go) stops the run at once, exit status 2, every problem listed.
// Tests change the suite's settings with withSettings, never the environment.
package perf
