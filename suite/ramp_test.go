package suite

import (
	"testing"
	"time"
)

// simulate feeds r calls against a target that serves capacity calls/s at latency base until its
// workers queue (latency = workers / capacity beyond that), failing when fail says so.
func simulate(r *Ramp, calls int, capacity float64, base time.Duration, fail func(workers int) bool) {
	now := time.Unix(0, 0)
	for range calls {
		w := r.Workers()
		lat := max(base, time.Duration(float64(w)/capacity*float64(time.Second)))
		rate := float64(w) / lat.Seconds()
		now = now.Add(time.Duration(float64(time.Second) / rate))
		r.Observe(now, lat, fail != nil && fail(w))
	}
}

func TestRampSettlesWhereTheTargetQueues(t *testing.T) {
	// 100 ms a call, 400 calls/s at most: 40 workers saturate it.
	r := NewRamp(4, 512)
	simulate(r, 10000, 400, 100*time.Millisecond, nil)
	t.Logf("steps: %v", r.Steps)
	if w := r.Workers(); w < 32 || w > 64 {
		t.Fatalf("settled at %d workers, want 32..64 (the target saturates at 40); steps %v", w, r.Steps)
	}
}

func TestRampGrowsToMaxWhenTheTargetKeepsUp(t *testing.T) {
	r := NewRamp(4, 64)
	simulate(r, 10000, 1e6, 5*time.Millisecond, nil)
	if r.Workers() != 64 {
		t.Fatalf("workers %d, want the maximum 64; steps %v", r.Workers(), r.Steps)
	}
}

func TestRampHalvesOnErrors(t *testing.T) {
	r := NewRamp(4, 512)
	// The target refuses calls once more than 16 are in flight.
	simulate(r, 10000, 1e6, 5*time.Millisecond, func(w int) bool { return w > 16 })
	if w := r.Workers(); w > 16 {
		t.Fatalf("workers %d after errors above 16 in flight; steps %v", w, r.Steps)
	}
	if len(r.Steps) == 0 {
		t.Fatal("no decision recorded")
	}
}
