//go:build perf

package perf

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/suite"
)

// parallelRamp runs fn(i) for i in [0, n) with as many calls in flight as r allows at each moment
// (r decides from every completed call's latency); inFlight follows r's count for progress lines.
// Every call runs; it returns how many failed and the first error.
func parallelRamp(n int, r *suite.Ramp, inFlight *atomic.Int64, fn func(i int) error) (failed int, firstErr error) {
	var mu sync.Mutex // guards r, next, active, failed, firstErr
	cond := sync.NewCond(&mu)
	next, active := 0, 0
	inFlight.Store(int64(r.Workers()))
	var wg sync.WaitGroup
	for range r.Max {
		wg.Go(func() {
			for {
				mu.Lock()
				for next < n && active >= r.Workers() {
					cond.Wait()
				}
				if next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				active++
				mu.Unlock()

				start := time.Now()
				err := fn(i)

				mu.Lock()
				active--
				if r.Observe(time.Now(), time.Since(start), err != nil) {
					inFlight.Store(int64(r.Workers()))
				}
				if err != nil {
					failed++
					if firstErr == nil {
						firstErr = err
					}
				}
				cond.Broadcast()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return failed, firstErr
}
