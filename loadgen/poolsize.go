package loadgen

import "math"

// HTTP pool sizing. A fixed, pre-opened pool is what keeps the generator's own network stack out of
// the measurement (ceilings.md: an on-demand pool of hundreds of loopback connections stalls). But a
// pool smaller than the work's concurrency makes VUs queue for a connection, and that queue is the
// generator's limit, not the target's. So the pool is sized from the work (Little's law): peak rate
// × the time an iteration holds a connection × headroom, never below the fast-request default and
// never above what the scenario's VUs could use or the host can hold open.
const (
	// DefaultHTTPPool is the pool for fast requests measured to reach the loopback ceiling.
	DefaultHTTPPool = 128
	// MaxHTTPPool bounds a sized pool: hundreds of open loopback connections are already where TCP
	// stalls appeared in the ceiling measurements; beyond this a bigger pool measures the host.
	MaxHTTPPool = 1000
	// poolHeadroom covers bursts of a Poisson-like arrival and latency spikes above the mean.
	poolHeadroom = 3.0
)

// PoolFor is the HTTP pool for a scenario at peakRate iterations/s whose iterations hold a
// connection holdMs on average, for at most maxVUs concurrent iterations.
func PoolFor(peakRate, holdMs float64, maxVUs int) int {
	need := int(math.Ceil(peakRate * holdMs / 1000 * poolHeadroom))
	return max(1, min(max(need, DefaultHTTPPool), maxVUs, MaxHTTPPool))
}

// PeakRate is the highest arrival rate of s in iterations per second (0 for executors without one).
func (s *Scenario) PeakRate() float64 {
	unit := s.TimeUnit.D().Seconds()
	if unit <= 0 {
		unit = 1
	}
	peak := max(s.Rate, s.StartRate)
	for _, st := range s.Stages {
		peak = max(peak, st.Target)
	}
	return peak / unit
}

// httpPoolFor is the pool a scenario gets: the plan's fixed httpPool, else sized from the
// scenario's connHoldMs, else the fast-request default (bounded by its VUs).
func httpPoolFor(p *Plan, s *Scenario) int {
	switch {
	case p.HTTPPool > 0:
		return p.HTTPPool
	case s.ConnHoldMs > 0:
		return PoolFor(s.PeakRate(), s.ConnHoldMs, s.MaxVUs)
	default:
		return min(s.MaxVUs, DefaultHTTPPool)
	}
}
