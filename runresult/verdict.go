package runresult

import (
	"fmt"
	"sort"
)

// Thresholds of the host-limited verdict.
const (
	HostLimitedHostPct      = 90.0 // containers + generator, % of the host's CPUs
	HostLimitedContainerPct = 90.0 // no container's CPU average reached this % of its own limit
)

// LowerBound reports whether a failed level says nothing about the service's own limit (the
// generator or the shared host gave out first): the previous level is then a lower bound.
func LowerBound(verdict string) bool { return verdict == VerdictGenerator || verdict == VerdictHost }

// HostLimited explains a failed level during which the containers and the generator together used
// HostLimitedHostPct or more of the host's CPUs while no container averaged
// HostLimitedContainerPct of its own limit: the shared host ran out, not the service. It returns ""
// otherwise, and when the host is not known (hostCPUs 0: an external target).
func HostLimited(l *LevelResult, hostCPUs int, cpuLimits map[string]float64) string {
	if hostCPUs <= 0 || len(l.Resources) == 0 {
		return ""
	}
	used := 100 * l.Loadgen.CPUCores
	roles := make([]string, 0, len(l.Resources))
	for role := range l.Resources {
		roles = append(roles, role)
	}
	sort.Strings(roles)
	busiest, busiestPct := "no container", 0.0
	for _, role := range roles {
		r := l.Resources[role]
		used += r.CPUAvgPct
		if lim := cpuLimits[role]; lim > 0 {
			if u := r.CPUAvgPct / lim; u > busiestPct {
				busiest, busiestPct = role, u
			}
		}
	}
	avail := 100 * float64(hostCPUs)
	if 100*used/avail < HostLimitedHostPct || busiestPct >= HostLimitedContainerPct {
		return ""
	}
	return fmt.Sprintf("host CPU: containers and load generator used %.0f%% of the host's %.0f%% (generator %.0f%%) while the busiest container, %s, averaged %.0f%% of its limit: the shared host, not the service, ran out",
		used, avail, 100*l.Loadgen.CPUCores, busiest, busiestPct)
}
