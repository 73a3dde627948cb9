package suite

import (
	"fmt"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Judge applies the limit definition th to a level: it sets the level's verdict and the reasons
// it failed. hostCPUs and cpuLimits (role → CPUs) name a failure of the shared host (0 / nil: not
// known, e.g. an external target).
func Judge(out *runresult.LevelResult, th runresult.Thresholds, hostCPUs int, cpuLimits map[string]float64) {
	var reasons []string
	check := func(name string, sd *runresult.Side, maxP95 float64) {
		if sd == nil {
			return
		}
		if sd.ErrorRate > th.MaxErrorRate {
			reasons = append(reasons, fmt.Sprintf("%s error rate %.2f%% > %.0f%%", name, 100*sd.ErrorRate, 100*th.MaxErrorRate))
		}
		if sd.P95ms > maxP95 {
			reasons = append(reasons, fmt.Sprintf("%s p95 %.0f ms > %.0f ms", name, sd.P95ms, maxP95))
		}
		if sd.AchievedRate < sd.TargetRate*th.MinAchievedPct/100 {
			reasons = append(reasons, fmt.Sprintf("%s achieved %.0f/s < %g%% of %.0f/s", name, sd.AchievedRate, th.MinAchievedPct, sd.TargetRate))
		}
		if sd.Offered > 0 && float64(sd.Dropped) > float64(sd.Offered)*th.MaxDroppedPct/100 {
			reasons = append(reasons, fmt.Sprintf("%s dropped %d of %d iterations (> %g%%)", name, sd.Dropped, sd.Offered, th.MaxDroppedPct))
		}
	}
	check("API", out.API, th.MaxAPIP95ms)
	check("events", out.Events, th.MaxEventP95ms)
	if out.E2E != nil && out.E2E.Failed > th.MaxErrorRate {
		reasons = append(reasons, fmt.Sprintf("E2E probes failed %.1f%%", 100*out.E2E.Failed))
	}
	out.Reasons = reasons
	switch {
	case len(reasons) == 0:
		out.Verdict = runresult.VerdictPass
	case out.Loadgen.GeneratorLimited:
		// The generator could not keep up: what failed says nothing about the service.
		out.Verdict = runresult.VerdictGenerator
		out.Reasons = append(out.Reasons, "load generator limited: "+out.Loadgen.Reason)
	default:
		out.Verdict = runresult.VerdictLimit
		if why := runresult.HostLimited(out, hostCPUs, cpuLimits); why != "" {
			out.Verdict = runresult.VerdictHost
			out.Reasons = append(out.Reasons, why)
		}
	}
}
