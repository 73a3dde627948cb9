package suite

import (
	"fmt"

	"github.com/challenge-perf/challenge-perf/runresult"
)

// Thresholds is the spec's limit definition ("System at Limit Definition"), the one place its
// numbers are written: every level is judged by it, the generator's plan carries it, and each
// scenario's result.json records it for the report. Results written before result.json recorded
// it were judged by these same numbers (the report falls back to them): change them only with a
// fallback for those.
var Thresholds = runresult.Thresholds{
	MaxErrorRate:   0.01,
	MaxAPIP95ms:    2000,
	MaxEventP95ms:  500,
	MinAchievedPct: 95,
	MaxDroppedPct:  1,
}

// APIMaxVUs is the API scenario's VU bound at rps iterations/s (the spec's sizing).
func APIMaxVUs(rps int) int { return min(2*rps, 1000) }

// LevelName is a level's directory name from its rates, e.g. "rps-500_eps-2000".
func LevelName(rps, eps int) string {
	switch {
	case rps > 0 && eps > 0:
		return fmt.Sprintf("rps-%d_eps-%d", rps, eps)
	case rps > 0:
		return fmt.Sprintf("rps-%d", rps)
	}
	return fmt.Sprintf("eps-%d", eps)
}
