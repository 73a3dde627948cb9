package loadgen

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// cpuTime is the process's user+sys CPU time (getrusage).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// SelfReport is the summary's "loadgen" section: how trustworthy the
// generator was during the run.
type SelfReport struct {
	Version          string         `json:"version"`
	Seed             int64          `json:"seed"`
	GOMAXPROCS       int            `json:"gomaxprocs"`
	NumCPU           int            `json:"num_cpu"`
	WallSeconds      float64        `json:"wall_seconds"`
	CPUSeconds       float64        `json:"cpu_seconds"`
	CPUCores         float64        `json:"cpu_cores_used"` // cpu_seconds / wall_seconds
	LagP99Ms         float64        `json:"lag_p99_ms"`
	LagMaxMs         float64        `json:"lag_max_ms"`
	DroppedFraction  float64        `json:"dropped_fraction"`
	GeneratorLimited bool           `json:"generator_limited"`
	Reason           string         `json:"reason,omitempty"`
	VUsExhausted     []string       `json:"vus_exhausted,omitempty"`
	HTTPPool         map[string]int `json:"http_pool,omitempty"`
	HTTPPrewarmed    map[string]int `json:"http_prewarmed,omitempty"`
	Interrupted      bool           `json:"interrupted,omitempty"`
	AbortedBy        string         `json:"aborted_by_threshold,omitempty"`
	IterationErrors  int64          `json:"iteration_errors"`
}

// Heuristic thresholds (see package doc).
const (
	lagLimitMs      = 50.0
	dropLimit       = 0.01
	cpuSaturated    = 0.9
	lagDominatesMul = 2.0
)

// judge sets GeneratorLimited and Reason. reqP99Ms is the largest p99 of
// the request-duration metrics; maxedScenarios hit maxVUs while dropping.
func (r *SelfReport) judge(reqP99Ms float64, maxedScenarios []string) {
	r.GOMAXPROCS = runtime.GOMAXPROCS(0)
	r.NumCPU = runtime.NumCPU()
	if r.WallSeconds > 0 {
		r.CPUCores = r.CPUSeconds / r.WallSeconds
	}
	r.VUsExhausted = maxedScenarios
	lagBad := r.LagP99Ms > lagLimitMs
	dropBad := r.DroppedFraction > dropLimit
	if !lagBad && !dropBad {
		return
	}
	var sym []string
	if lagBad {
		sym = append(sym, fmt.Sprintf("iteration_lag p99 %.1f ms > %.0f ms", r.LagP99Ms, lagLimitMs))
	}
	if dropBad {
		sym = append(sym, fmt.Sprintf("dropped %.2f%% > %.0f%%", 100*r.DroppedFraction, 100*dropLimit))
	}
	var cause []string
	cores := float64(min(r.GOMAXPROCS, r.NumCPU))
	if r.CPUCores >= cpuSaturated*cores {
		cause = append(cause, fmt.Sprintf("generator used %.2f of %.0f cores", r.CPUCores, cores))
	}
	if lagBad && r.LagP99Ms > lagDominatesMul*reqP99Ms {
		cause = append(cause, fmt.Sprintf("lag p99 %.1f ms > %.0f× request p99 %.1f ms (target answered fast)", r.LagP99Ms, lagDominatesMul, reqP99Ms))
	}
	if len(cause) > 0 {
		r.GeneratorLimited = true
		r.Reason = strings.Join(sym, "; ") + " while " + strings.Join(cause, " and ")
		return
	}
	r.Reason = strings.Join(sym, "; ") + ": target-side (requests slow"
	if len(maxedScenarios) > 0 {
		r.Reason += ", maxVUs reached in " + strings.Join(maxedScenarios, ", ")
	}
	r.Reason += ")"
}
