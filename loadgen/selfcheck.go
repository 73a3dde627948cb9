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
	// HTTPBlockedP95Ms is each HTTP scenario's p95 wait for a pooled connection (http_req_blocked).
	HTTPBlockedP95Ms map[string]float64 `json:"http_blocked_p95_ms,omitempty"`
	// PoolLimited names the scenarios whose VUs queued for the HTTP pool (see poolWait).
	PoolLimited     []string `json:"pool_limited,omitempty"`
	Interrupted     bool     `json:"interrupted,omitempty"`
	AbortedBy       string   `json:"aborted_by_threshold,omitempty"`
	IterationErrors int64    `json:"iteration_errors"`
}

// Heuristic thresholds (see package doc).
const (
	lagLimitMs      = 50.0
	dropLimit       = 0.01
	cpuSaturated    = 0.9
	lagDominatesMul = 2.0
)

// Waiting for a pooled connection is the generator's queue, not the target's: a scenario whose p95
// wait exceeds poolWaitMinMs, or poolWaitFrac of its mean request time when that is larger, was
// limited by the generator's HTTP pool.
const (
	poolWaitMinMs = 5.0
	poolWaitFrac  = 0.1
)

// poolWait is one HTTP scenario's connection wait against its request time.
type poolWait struct {
	scenario      string
	pool          int
	blockedP95Ms  float64
	requestMeanMs float64
}

func (w poolWait) bound() float64 { return max(poolWaitMinMs, poolWaitFrac*w.requestMeanMs) }

// judge sets GeneratorLimited and Reason. reqP99Ms is the largest p99 of
// the request-duration metrics; maxedScenarios hit maxVUs while dropping; waits are the HTTP
// scenarios' connection waits.
func (r *SelfReport) judge(reqP99Ms float64, maxedScenarios []string, waits []poolWait) {
	r.GOMAXPROCS = runtime.GOMAXPROCS(0)
	r.NumCPU = runtime.NumCPU()
	if r.WallSeconds > 0 {
		r.CPUCores = r.CPUSeconds / r.WallSeconds
	}
	r.VUsExhausted = maxedScenarios
	var poolSym []string
	for _, w := range waits {
		if r.HTTPBlockedP95Ms == nil {
			r.HTTPBlockedP95Ms = map[string]float64{}
		}
		r.HTTPBlockedP95Ms[w.scenario] = round3(w.blockedP95Ms)
		if w.blockedP95Ms > w.bound() {
			r.PoolLimited = append(r.PoolLimited, w.scenario)
			poolSym = append(poolSym, fmt.Sprintf("HTTP pool of %d connections in %s: http_req_blocked p95 %.1f ms > %.1f ms (VUs waited for a pooled connection; mean request %.1f ms) — size the pool from the work (connHoldMs or httpPool)",
				w.pool, w.scenario, w.blockedP95Ms, w.bound(), w.requestMeanMs))
		}
	}
	if len(poolSym) > 0 {
		r.GeneratorLimited = true
		r.Reason = strings.Join(poolSym, "; ")
		return
	}
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
