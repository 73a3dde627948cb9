package suite

import (
	"fmt"
	"strings"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Judge applies the limit definition th to a level: it sets the level's verdict and the reasons
// it failed. hostCPUs and cpuLimits (role → CPUs) name a failure of the shared host (0 / nil: not
// known, e.g. an external target).
//
// The order is what a team can bet on: lost or doubled acknowledged events decide first
// (fail_integrity); then the target's own failure signals — errors, refused calls, failed probes —
// even when the host or the generator was saturated too (limit, the saturation recorded after the
// target's reason); only a level that failed solely on rate or latency while the generator or the
// host gave out is generator_limited or host_limited; a level that met every limit but whose
// integrity could not be proven is integrity_not_proven.
func Judge(out *runresult.LevelResult, th runresult.Thresholds, hostCPUs int, cpuLimits map[string]float64) {
	var own, rate []string // the target's own failure signals; rate and latency shortfalls
	check := func(name string, sd *runresult.Side, maxP95 float64) {
		if sd == nil {
			return
		}
		if sd.ErrorRate > th.MaxErrorRate {
			own = append(own, fmt.Sprintf("%s error rate %.2f%% > %.0f%%", name, 100*sd.ErrorRate, 100*th.MaxErrorRate))
		}
		if sd.P95ms > maxP95 {
			rate = append(rate, fmt.Sprintf("%s p95 %.0f ms > %.0f ms", name, sd.P95ms, maxP95))
		}
		if sd.AchievedRate < sd.TargetRate*th.MinAchievedPct/100 {
			rate = append(rate, fmt.Sprintf("%s achieved %.0f/s < %g%% of %.0f/s", name, sd.AchievedRate, th.MinAchievedPct, sd.TargetRate))
		}
		if sd.Offered > 0 && float64(sd.Dropped) > float64(sd.Offered)*th.MaxDroppedPct/100 {
			rate = append(rate, fmt.Sprintf("%s dropped %d of %d iterations (> %g%%)", name, sd.Dropped, sd.Offered, th.MaxDroppedPct))
		}
	}
	check("API", out.API, th.MaxAPIP95ms)
	check("events", out.Events, th.MaxEventP95ms)
	if out.E2E != nil && out.E2E.Failed > th.MaxErrorRate {
		own = append(own, fmt.Sprintf("E2E probes failed %.1f%%", 100*out.E2E.Failed))
	}
	saturated, why := saturation(out, hostCPUs, cpuLimits)
	integrity := IntegrityReason(out.Integrity)
	out.Saturated = ""
	switch {
	case integrity != "":
		out.Verdict = runresult.VerdictIntegrity
		out.Reasons = append(append([]string{integrity}, own...), rate...)
	case len(own) > 0:
		out.Verdict = runresult.VerdictLimit
		out.Reasons = append(own, rate...)
		if saturated != "" {
			// Recorded, but the target's own signals decide: a saturated host makes a service
			// slow, not wrong.
			out.Saturated = saturated
			out.Reasons = append(out.Reasons, "also: "+why)
		}
	case len(rate) > 0 && saturated == "generator":
		out.Verdict, out.Reasons = runresult.VerdictGenerator, append(rate, why)
	case len(rate) > 0 && saturated == "host":
		out.Verdict, out.Reasons = runresult.VerdictHost, append(rate, why)
	case len(rate) > 0:
		out.Verdict, out.Reasons = runresult.VerdictLimit, rate
	case out.Integrity != nil && out.Integrity.Unproven != "":
		out.Verdict, out.Reasons = runresult.VerdictUnproven, []string{"integrity not proven: " + out.Integrity.Unproven}
	default:
		out.Verdict, out.Reasons = runresult.VerdictPass, nil
	}
	if out.Verdict != runresult.VerdictIntegrity && out.Verdict != runresult.VerdictUnproven && out.Integrity != nil && out.Integrity.Unproven != "" {
		out.Reasons = append(out.Reasons, "integrity not proven: "+out.Integrity.Unproven)
	}
}

// saturation names what of the instrument gave out during the level: the generator (its own
// verdict) or the shared host (runresult.HostLimited), with the sentence that says so.
func saturation(out *runresult.LevelResult, hostCPUs int, cpuLimits map[string]float64) (string, string) {
	if out.Loadgen.GeneratorLimited {
		return "generator", "load generator limited: " + out.Loadgen.Reason
	}
	if why := runresult.HostLimited(out, hostCPUs, cpuLimits); why != "" {
		return "host", why
	}
	return "", ""
}

// IntegrityReason is the first reason of a level whose acknowledged events are not what the
// target shows ("" when the check passed, was not run, or could only not prove it).
func IntegrityReason(in *runresult.Integrity) string {
	if in == nil || in.OK {
		return ""
	}
	var what []string
	if in.Lost > 0 {
		what = append(what, fmt.Sprintf("%d values lost (acknowledged events missing from the target's state)", in.Lost))
	}
	if in.Extra > 0 && !in.ExtraExplained {
		what = append(what, fmt.Sprintf("%d values above what acknowledged events imply (applied twice, or never acknowledged)", in.Extra))
	}
	if !in.CompletionsOK && in.Method != "api" {
		what = append(what, "completion times inconsistent with stored values")
	}
	if len(what) == 0 {
		what = append(what, fmt.Sprintf("%d checked users do not show what their acknowledged events imply", len(in.Problems)))
	}
	s := "integrity: " + strings.Join(what, "; ")
	if len(in.Problems) > 0 {
		s += "; e.g. " + in.Problems[0]
	}
	return s
}
