//go:build perf

package perf

import (
	"context"
	"path/filepath"

	"github.com/challenge-perf/challenge-perf/harness"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

// What the suite knows of the implementation it measures (PERF_IMPL, targets): whatever the
// profile does not claim, or the user did not give an address for, is measured through the public
// protocols only, and the rest is listed in result.json as not measured.

// hasOurMetrics: the handler's ops port is reachable and exports this repository's metric names
// (buffer_entries, flush histograms), so draining and flushes are read from it.
func (e *scenarioEnv) hasOurMetrics() bool {
	return e.target.Has.OurMetrics && e.ep.HandlerMetricsURL != ""
}

// targetInfo is the scenario's target and every measurement it lacks, for result.json and the log.
func (e *scenarioEnv) targetInfo() *runresult.TargetInfo {
	info := &runresult.TargetInfo{Impl: e.target.Name, Description: e.target.Description, External: e.stack == nil,
		Quirks: e.target.Quirks, NotMeasured: e.target.Has.NotMeasured()}
	add := func(s string) { info.NotMeasured = append(info.NotMeasured, s) }
	if e.target.Has.OurMetrics && e.ep.HandlerMetricsURL == "" {
		add("handler buffer and flush statistics (PERF_TARGET_HANDLER_OPS_URL not given)")
	}
	if e.target.Has.Pprof && (e.ep.ServiceMetricsURL == "" || e.ep.HandlerMetricsURL == "") {
		add("profiles of a program whose ops URL was not given (PERF_TARGET_SERVICE_OPS_URL, PERF_TARGET_HANDLER_OPS_URL)")
	}
	if e.target.Has.OurSchema && !e.canReset {
		add("database reset between levels and SQL integrity check (PERF_TARGET_POSTGRES_DSN with PERF_TARGET_ALLOW_RESET=true not given): levels start from the previous level's state, ground truth is read through the API")
	}
	if e.stack == nil && len(e.statIDs) == 0 {
		add("container CPU and memory (PERF_TARGET_CONTAINERS not given), so no host_limited verdict either")
	}
	if e.stack == nil && e.db == nil {
		add("PostgreSQL statistics (PERF_TARGET_POSTGRES_DSN not given)")
	}
	if e.stack == nil && e.redis == nil && e.target.Has.Redis {
		add("Redis memory (PERF_TARGET_REDIS_ADDR not given)")
	}
	return info
}

// targetContainers reads PERF_TARGET_CONTAINERS ("service=name,handler=name,postgres=name,...")
// for a target on this Docker engine, mapping the roles to the stack's names.
func targetContainers(ctx context.Context) (map[string]string, error) {
	if len(settings.Target.Containers) == 0 {
		return nil, nil
	}
	return harness.ResolveContainers(ctx, settings.Target.Containers)
}

// baselineFile is this target's baseline: perf/testdata/baseline.json for ours,
// baseline-<impl>.json for another profile, PERF_BASELINE_FILE when set; an external target of
// unknown implementation has none (it is measured, not gated against another implementation).
func (e *scenarioEnv) baselineFile() string {
	if f := settings.BaselineFile; f != "" {
		return f
	}
	switch e.target.Name {
	case targets.Ours:
		return baselinePath
	case targets.Unknown().Name:
		return ""
	}
	return filepath.Join("testdata", "baseline-"+e.target.Name+".json")
}
