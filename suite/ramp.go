package suite

import (
	"fmt"
	"slices"
	"time"
)

// Ramp sizes the concurrency of a batch of independent calls (the per-user set-up: 10,000 calls)
// at the speed the target allows: it doubles the workers while each window of calls completes
// faster than the one before, and stops growing — back at the last count that paid — once more
// workers no longer buy throughput (Little's law: the target is then queueing them). Errors or a
// latency far above the first window's halve it: a set-up step must not be a load test.
type Ramp struct {
	Min, Max int
	// Window is the fewest completed calls a decision looks at (at least 4 per worker).
	Window int
	// Gain is the throughput growth a doubling must bring to keep growing (0.1: 10%).
	Gain float64
	// MaxSlowdown: a window's median latency above this multiple of the first window's halves the workers.
	MaxSlowdown float64

	workers  int
	frozen   bool
	prevRate float64
	base     time.Duration
	win      []time.Duration
	errs     int
	start    time.Time
	// Steps records each decision for the level's record.
	Steps []string
}

// NewRamp starts at min workers.
func NewRamp(min, max int) *Ramp {
	if min < 1 {
		min = 1
	}
	if max < min {
		max = min
	}
	return &Ramp{Min: min, Max: max, Window: 32, Gain: 0.1, MaxSlowdown: 10, workers: min}
}

// Workers is how many calls may be in flight now.
func (r *Ramp) Workers() int { return r.workers }

// Observe records one completed call at now; it reports whether Workers changed.
func (r *Ramp) Observe(now time.Time, latency time.Duration, failed bool) bool {
	if r.start.IsZero() {
		r.start = now.Add(-latency)
	}
	r.win = append(r.win, latency)
	if failed {
		r.errs++
	}
	if len(r.win) < max(r.Window, 4*r.workers) {
		return false
	}
	rate := float64(len(r.win)) / now.Sub(r.start).Seconds()
	med := medianDuration(r.win)
	if r.base == 0 {
		r.base = med
	}
	errShare := float64(r.errs) / float64(len(r.win))
	r.win, r.errs, r.start = r.win[:0], 0, now
	before := r.workers
	switch {
	case errShare > 0.01 || (r.MaxSlowdown > 0 && med > time.Duration(r.MaxSlowdown*float64(r.base))):
		r.workers = max(r.Min, r.workers/2)
		r.frozen = true
		r.note(before, rate, med, fmt.Sprintf("%.1f%% errors or median %.0f ms over %.0f× the first window's: halved", 100*errShare, ms(med), r.MaxSlowdown))
	case r.frozen:
	case r.prevRate > 0 && rate < (1+r.Gain)*r.prevRate:
		// The last doubling bought under Gain: go back to the count before it and stay.
		r.workers = max(r.Min, r.workers/2)
		r.frozen = true
		r.note(before, rate, med, fmt.Sprintf("under %.0f%% more throughput than at %d workers: settled", 100*r.Gain, r.workers))
	case r.workers < r.Max:
		r.prevRate = rate
		r.workers = min(r.Max, 2*r.workers)
		r.note(before, rate, med, "grew")
	default:
		r.frozen = true
	}
	return r.workers != before
}

func (r *Ramp) note(workers int, rate float64, med time.Duration, what string) {
	r.Steps = append(r.Steps, fmt.Sprintf("%d workers: %.0f calls/s, median %.1f ms → %d (%s)", workers, rate, ms(med), r.workers, what))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
