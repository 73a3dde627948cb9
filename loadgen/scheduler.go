package loadgen

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// job is one scheduled iteration handed to an idle VU.
type job struct{ intended time.Time }

// scenarioRun executes one scenario: one scheduler goroutine plus its own
// pool of VUs (k6 arrival-rate semantics).
type scenarioRun struct {
	idx   uint16
	s     *Scenario
	eng   *engine
	iter  Iteration
	main  metricID // latency metric shown in progress/time series
	sched schedule
	http  *httpTarget
	grpc  *grpcTarget

	work    chan job // unbuffered: a send succeeds only when a VU is idle
	buf     *sampleBuf
	nVUs    atomic.Int32 // allocated + initializing VUs
	busy    atomic.Int32
	nextID  int
	vuWG    sync.WaitGroup
	iterCtx context.Context // cancelled to interrupt in-flight iterations
	cancel  context.CancelFunc
	start   time.Time
	started atomic.Bool
	done    chan struct{}
	errs    atomic.Int64
}

func (sr *scenarioRun) startVU() {
	sr.nextID++
	vu := newVU(sr, sr.nextID)
	sr.vuWG.Add(1)
	go sr.loop(vu)
}

// loop runs iterations until the work channel closes.
func (sr *scenarioRun) loop(vu *VU) {
	defer sr.vuWG.Done()
	for j := range sr.work {
		sr.busy.Add(1)
		t0 := time.Now()
		vu.intended = j.intended
		vu.emit(mIterationLag, micros(t0.Sub(j.intended)), "")
		err := sr.iter(sr.iterCtx, vu)
		d := time.Since(t0)
		if sr.iterCtx.Err() == nil { // k6 does not count interrupted iterations
			vu.buf.add(
				sample{metric: mIterations, scen: sr.idx, value: 1},
				sample{metric: mIterationDuration, scen: sr.idx, value: micros(d)},
			)
			if err != nil {
				sr.eng.iterError(sr, err)
			}
		}
		sr.busy.Add(-1)
	}
}

// run schedules iterations until the executor ends or stop is cancelled,
// then waits for in-flight iterations up to gracefulStop.
func (sr *scenarioRun) run(stop context.Context, runStart time.Time) {
	defer close(sr.done)
	defer sr.cancel()
	select {
	case <-time.After(time.Until(runStart.Add(sr.s.StartTime.D()))):
	case <-stop.Done():
		close(sr.work)
		sr.vuWG.Wait()
		return
	}
	sr.start = time.Now()
	sr.started.Store(true)
	cur := cursor{sc: sr.sched}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	maxVUs := int32(sr.s.MaxVUs)
loop:
	for n := 0.0; ; n++ {
		off, ok := cur.at(n)
		if !ok {
			break
		}
		due := sr.start.Add(off)
		if d := time.Until(due); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-stop.Done():
				break loop
			}
		} else if stop.Err() != nil {
			break
		}
		select {
		case sr.work <- job{intended: due}:
		default:
			// No idle VU: k6 drops the iteration and, below maxVUs, starts a
			// VU in the background for later iterations.
			sr.buf.add(sample{metric: mDropped, scen: sr.idx, value: 1})
			if sr.nVUs.Load() < maxVUs {
				sr.nVUs.Add(1)
				sr.startVU()
			}
		}
	}
	close(sr.work)
	finished := make(chan struct{})
	go func() { sr.vuWG.Wait(); close(finished) }()
	grace := time.NewTimer(sr.s.Graceful())
	defer grace.Stop()
	select {
	case <-finished:
	case <-grace.C:
		sr.cancel()
		<-finished
	case <-sr.iterCtx.Done():
		<-finished
	}
}
