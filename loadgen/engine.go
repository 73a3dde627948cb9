package loadgen

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// Version is reported in the summary and by `loadgen version`.
var Version = "0.1.0"

// RunOptions tunes a run; the zero value is valid.
type RunOptions struct {
	// Progress receives one status line per second (stderr in the command).
	Progress io.Writer
	// Abort, when done, interrupts in-flight iterations at once; cancelling
	// Run's ctx only stops scheduling and honours gracefulStop.
	Abort context.Context
	// Log receives warnings and the first iteration errors (nil: Progress).
	Log io.Writer
}

// Result is a finished run.
type Result struct {
	Summary    Summary
	Timeseries []TimeseriesLine
	// Artifacts are the documents the workloads added (ScenarioContext.AddArtifact), by file name.
	Artifacts        map[string]Artifact
	ThresholdsFailed bool
}

// ExitCode is 99 when a threshold failed (k6), else 0.
func (r *Result) ExitCode() int {
	if r.ThresholdsFailed {
		return 99
	}
	return 0
}

type engine struct {
	plan      *Plan
	opts      RunOptions
	seed      int64
	defs      []metricDef // every metric of the run, by id
	users     *Users
	reserved  []string // users the workloads took out of the random pool
	state     map[any]any
	artifacts map[string]Artifact
	runs      []*scenarioRun
	bufs      bufRegistry
	start     time.Time
	nErrs     atomic.Int64
}

func (e *engine) scenarioNames() []string {
	var n []string
	for _, sr := range e.runs {
		n = append(n, sr.s.Name())
	}
	return n
}

func (e *engine) logf(format string, a ...any) {
	w := e.opts.Log
	if w == nil {
		w = e.opts.Progress
	}
	if w != nil {
		fmt.Fprintf(w, "loadgen: "+format+"\n", a...)
	}
}

// iterError logs the first few iteration errors per scenario.
func (e *engine) iterError(sr *scenarioRun, err error) {
	e.nErrs.Add(1)
	if n := sr.errs.Add(1); n <= 5 {
		e.logf("scenario %s: iteration error: %v", sr.s.Name(), err)
	} else if n == 6 {
		e.logf("scenario %s: further iteration errors are only counted", sr.s.Name())
	}
}

func (sr *scenarioRun) httpBytes() *byteCounter {
	if sr.http == nil {
		return nil
	}
	return &sr.http.bytes
}

func (sr *scenarioRun) grpcBytes() *byteCounter {
	if sr.grpc == nil {
		return nil
	}
	return &sr.grpc.bytes
}

// Run executes the plan. Cancelling ctx stops scheduling (like Ctrl-C in
// k6) and the partial result is still returned. Errors are setup errors
// (*PlanError for configuration) — the run itself reports through Result.
func Run(ctx context.Context, p *Plan, opts RunOptions) (*Result, error) {
	e := &engine{plan: p, opts: opts, seed: p.Seed, defs: metricDefs(), state: map[any]any{}, artifacts: map[string]Artifact{}}
	if e.seed == 0 {
		e.seed = time.Now().UnixNano()
	}
	users, err := loadUsers(p)
	if err != nil {
		return nil, err
	}
	e.users = users
	abort := opts.Abort
	if abort == nil {
		abort = context.Background()
	}
	for i, name := range p.ScenarioNames() {
		s := p.Scenarios[name]
		sr := &scenarioRun{idx: uint16(i), s: s, eng: e, sched: newSchedule(s), work: make(chan job), done: make(chan struct{})}
		sr.iterCtx, sr.cancel = context.WithCancel(abort)
		sr.buf = e.bufs.newBuf()
		e.runs = append(e.runs, sr)
	}
	defer e.closeTargets()
	for _, sr := range e.runs {
		sc := &ScenarioContext{Plan: p, Scenario: sr.s, Users: users, sr: sr}
		it, err := lookupWorkload(sr.s.Exec)(sc)
		if err != nil {
			return nil, err
		}
		sr.iter = it
	}
	// Every scenario has declared its reservations; no VU has picked a user yet.
	users.reserve(e.reserved...)
	ths, err := bindThresholds(p, func(name string) (MetricKind, bool) {
		id, ok := metricByName(e.defs, name)
		return e.defs[id].Kind, ok
	})
	if err != nil {
		return nil, err
	}
	self := SelfReport{Version: Version, Seed: e.seed, HTTPPool: map[string]int{}, HTTPPrewarmed: map[string]int{}}
	if err := e.warm(ctx, &self); err != nil {
		return nil, err
	}
	for _, sr := range e.runs {
		for i := 0; i < sr.s.PreAllocatedVUs; i++ {
			sr.nVUs.Add(1)
			sr.startVU()
		}
	}
	return e.execute(ctx, ths, self), nil
}

// warm opens HTTP pools and gRPC connections before the clock starts.
func (e *engine) warm(ctx context.Context, self *SelfReport) error {
	for _, sr := range e.runs {
		if sr.grpc != nil {
			if err := sr.grpc.connect(ctx); err != nil {
				e.logf("warning: %v (continuing; calls will fail or connect lazily)", err)
			}
		}
		if sr.http != nil {
			n := sr.http.pool
			if e.plan.HTTPPrewarm != nil {
				n = min(*e.plan.HTTPPrewarm, sr.http.pool)
			}
			opened := 0
			if n > 0 && e.plan.Target.BaseURL != "" {
				var err error
				opened, err = sr.http.prewarm(ctx, e.plan.Target.BaseURL+e.plan.HTTPWarmupPath, n)
				if err != nil {
					e.logf("warning: scenario %s: HTTP pre-warm opened %d/%d connections: %v", sr.s.Name(), opened, n, err)
				}
			}
			self.HTTPPool[sr.s.Name()] = sr.http.pool
			self.HTTPPrewarmed[sr.s.Name()] = opened
		}
	}
	return nil
}

func (e *engine) closeTargets() {
	for _, sr := range e.runs {
		if sr.grpc != nil {
			sr.grpc.close()
		}
		if sr.http != nil {
			sr.http.client.CloseIdleConnections()
		}
	}
}

func (e *engine) execute(ctx context.Context, ths []*boundThreshold, self SelfReport) *Result {
	stop, stopAll := context.WithCancel(ctx)
	defer stopAll()
	c := newCollector(e)
	cpu0 := cpuTime()
	e.start = time.Now()
	c.lastTick, c.lastCPU = e.start, cpu0
	for _, sr := range e.runs {
		go sr.run(stop, e.start)
	}
	allDone := make(chan struct{})
	go func() {
		for _, sr := range e.runs {
			<-sr.done
		}
		close(allDone)
	}()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	abortedBy := ""
loop:
	for {
		select {
		case <-allDone:
			break loop
		case now := <-ticker.C:
			c.tick(now, e.opts.Progress)
			if abortedBy == "" {
				if th := e.abortCheck(c, ths, now.Sub(e.start)); th != nil {
					abortedBy = th.Key + ": " + th.Source
					e.logf("threshold %s crossed with abortOnFail: stopping", abortedBy)
					stopAll()
				}
			}
		}
	}
	end := time.Now()
	c.tick(end, e.opts.Progress)
	elapsed := end.Sub(e.start).Seconds()
	failed := false
	for _, th := range ths {
		a := c.store.lookup(th.Key)
		th.Failed = th.Failed || !th.Pass(a.value(th.Threshold, elapsed))
		failed = failed || th.Failed
	}
	self.WallSeconds = round3(elapsed)
	self.CPUSeconds = round3((cpuTime() - cpu0).Seconds())
	self.Interrupted = ctx.Err() != nil
	self.AbortedBy = abortedBy
	self.IterationErrors = e.nErrs.Load()
	e.judge(c, &self)
	res := &Result{Timeseries: c.lines, Artifacts: e.artifacts, ThresholdsFailed: failed}
	res.Summary = c.summary(e.plan, elapsed, ths)
	res.Summary.Loadgen = self
	return res
}

// abortCheck evaluates abortOnFail thresholds on the running totals.
func (e *engine) abortCheck(c *collector, ths []*boundThreshold, el time.Duration) *boundThreshold {
	for _, th := range ths {
		if !th.Abort || el < th.DelayEval {
			continue
		}
		if a := c.store.lookup(th.Key); a != nil && !th.Pass(a.value(th.Threshold, el.Seconds())) {
			th.Failed = true
			return th
		}
	}
	return nil
}

func (e *engine) judge(c *collector, self *SelfReport) {
	lag := c.store.total[mIterationLag]
	self.LagP99Ms = round3(lag.scale(lag.trend.Percentile(99)))
	self.LagMaxMs = round3(lag.scale(lag.trend.Stat("max", 0)))
	it, dr := c.store.total[mIterations].sum, c.store.total[mDropped].sum
	if it+dr > 0 {
		self.DroppedFraction = round3(dr/(it+dr)*1000) / 1000
	}
	var reqP99 float64
	for _, m := range []metricID{mHTTPDuration, mGRPCDuration} {
		a := c.store.total[m]
		reqP99 = max(reqP99, a.scale(a.trend.Percentile(99)))
	}
	var maxed []string
	var waits []poolWait
	for _, sr := range e.runs {
		if int(sr.nVUs.Load()) >= sr.s.MaxVUs && c.droppedIn(sr) > 0 {
			maxed = append(maxed, sr.s.Name())
		}
		if sr.http == nil {
			continue
		}
		b, d := c.scenAgg(sr, mHTTPBlocked), c.scenAgg(sr, mHTTPDuration)
		if b == nil || d == nil || d.trend.Count() == 0 {
			continue
		}
		waits = append(waits, poolWait{scenario: sr.s.Name(), pool: sr.http.pool,
			blockedP95Ms: b.scale(b.trend.Percentile(95)), requestMeanMs: d.scale(d.trend.Stat("avg", 0))})
	}
	self.judge(reqP99, maxed, waits)
}

func (c *collector) droppedIn(sr *scenarioRun) float64 {
	if a := c.scenAgg(sr, mDropped); a != nil {
		return a.sum
	}
	return 0
}

// scenAgg is metric m's aggregate over one scenario (nil when it has no sample).
func (c *collector) scenAgg(sr *scenarioRun, m metricID) *aggregate {
	if len(c.store.scen) == 1 {
		return c.store.total[m]
	}
	return c.store.sub[subKey{m, 's', sr.s.Name()}]
}
