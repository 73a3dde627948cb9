package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/runresult"
)

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	data, err := json.Marshal(v)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

func TestUpdatesTheRunsProfileAndKeepsTheOthers(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "run")
	writeJSON(t, filepath.Join(results, "scenario1", "result.json"), runresult.ScenarioResult{Scenario: "scenario1", Profile: "nightly", MaxSustainable: "5000 RPS", MaxRPS: 5000})
	writeJSON(t, filepath.Join(results, "scenario1", "manifest.json"), map[string]any{"settings": map[string]string{"duration_per_level": "2m0s"}})
	path := filepath.Join(dir, "baseline.json")
	keep := runresult.BaselineEntry{APIP95ms: 1.05, Source: "smoke run"}
	require.NoError(t, runresult.Baseline{"smoke": {"scenario1": keep}, "nightly": {"scenario1": {MaxRPS: 1, Source: "old"}}}.Write(path))

	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"-results", results, "-baseline", path}, &out, &errb), errb.String())
	b, err := runresult.ReadBaseline(path)
	require.NoError(t, err)
	assert.Equal(t, keep, b["smoke"]["scenario1"])
	assert.Equal(t, runresult.BaselineEntry{MaxRPS: 5000, Source: filepath.ToSlash(results) + "/scenario1/result.json (PERF_PROFILE=nightly PERF_DURATION=2m0s)",
		DurationPerLevel: "2m0s"}, b["nightly"]["scenario1"])
	assert.Contains(t, out.String(), "nightly/scenario1: max 5000 RPS")
}

func TestBadInputLeavesTheFileUntouched(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "run")
	writeJSON(t, filepath.Join(results, "scenario1", "result.json"), runresult.ScenarioResult{Scenario: "scenario1", Profile: "nightly", MaxRPS: 5000, MaxSustainable: "5000 RPS"})
	// scenario2 never passed a level: not a baseline, so nothing is written.
	writeJSON(t, filepath.Join(results, "scenario2", "result.json"), runresult.ScenarioResult{Scenario: "scenario2", Profile: "nightly"})
	path := filepath.Join(dir, "baseline.json")
	require.NoError(t, os.WriteFile(path, []byte("{}\n"), 0o644))

	var out, errb bytes.Buffer
	assert.Equal(t, 1, run([]string{"-results", results, "-baseline", path}, &out, &errb))
	assert.Contains(t, errb.String(), "scenario2: no level passed")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(data))

	errb.Reset()
	assert.Equal(t, 2, run([]string{"-results", results, "-baseline", path, "-scenarios", "scenario9"}, &out, &errb))
	assert.Contains(t, errb.String(), `unknown scenario "scenario9"`)
	assert.Equal(t, 2, run([]string{"-baseline", path}, &out, &errb))
	assert.Equal(t, 1, run([]string{"-results", filepath.Join(dir, "none"), "-baseline", path}, &out, &errb))
}

// Baselines are per implementation and record the machine: a reference run goes to its own file.
func TestBaselinesArePerImplementation(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "run")
	writeJSON(t, filepath.Join(results, "scenario2", "result.json"), runresult.ScenarioResult{Scenario: "scenario2", Profile: "nightly",
		MaxSustainable: "100 EPS", MaxEPS: 100, Target: &runresult.TargetInfo{Impl: "reference"}})
	writeJSON(t, filepath.Join(results, "scenario2", "manifest.json"), map[string]any{"host_cpus": 2})
	ours := filepath.Join(dir, "baseline.json")
	var out, errb bytes.Buffer
	assert.Equal(t, 1, run([]string{"-results", results, "-baseline", ours}, &out, &errb))
	assert.Contains(t, errb.String(), `implementation "reference"`)
	_, err := os.Stat(ours)
	assert.True(t, os.IsNotExist(err), "nothing written")

	ref := filepath.Join(dir, "baseline-reference.json")
	errb.Reset()
	require.Equal(t, 0, run([]string{"-results", results, "-baseline", ref}, &out, &errb), errb.String())
	b, err := runresult.ReadBaseline(ref)
	require.NoError(t, err)
	assert.Equal(t, 100, b["nightly"]["scenario2"].MaxEPS)
	assert.Equal(t, 2, b["nightly"]["scenario2"].HostCPUs)
}
