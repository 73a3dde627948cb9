package loadgen

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// collector drains every sample buffer once per second into the run's
// aggregates and per-second intervals, writes progress and time series,
// and evaluates abortOnFail thresholds. One goroutine owns all of it.
type collector struct {
	eng      *engine
	store    *store
	checks   map[string]*[2]int64 // check name -> passes, fails
	checkOrd []string
	scen     []*interval
	all      *interval
	lines    []TimeseriesLine
	spare    []sample
	lastTick time.Time
	lastCPU  time.Duration
	dataPrev [][2]int64
}

func newCollector(e *engine) *collector {
	c := &collector{eng: e, store: newStore(e.defs, e.scenarioNames()), checks: map[string]*[2]int64{}, all: newInterval(e.defs)}
	for range e.runs {
		c.scen = append(c.scen, newInterval(e.defs))
	}
	c.dataPrev = make([][2]int64, len(e.runs)*2)
	return c
}

func (c *collector) drain() {
	for _, b := range c.eng.bufs.snapshot() {
		got := b.swap(c.spare)
		for _, sm := range got {
			c.apply(sm)
		}
		c.spare = got
	}
	// data_sent / data_received come from the connection counters.
	for i, sr := range c.eng.runs {
		for j, bc := range []*byteCounter{sr.httpBytes(), sr.grpcBytes()} {
			if bc == nil {
				continue
			}
			k := i*2 + j
			s, r := bc.sent.Load(), bc.recv.Load()
			if d := s - c.dataPrev[k][0]; d > 0 {
				c.store.add(sample{metric: mDataSent, scen: sr.idx, value: float64(d)})
			}
			if d := r - c.dataPrev[k][1]; d > 0 {
				c.store.add(sample{metric: mDataReceived, scen: sr.idx, value: float64(d)})
			}
			c.dataPrev[k] = [2]int64{s, r}
		}
	}
}

func (c *collector) apply(sm sample) {
	if sm.metric == mChecks {
		ck := c.checks[sm.name]
		if ck == nil {
			ck = &[2]int64{}
			c.checks[sm.name] = ck
			c.checkOrd = append(c.checkOrd, sm.name)
		}
		if sm.value != 0 {
			ck[0]++
		} else {
			ck[1]++
		}
	}
	c.store.add(sm)
	c.scen[sm.scen].add(sm)
	c.all.add(sm)
}

// tick closes one interval: gauges, time series lines and progress.
func (c *collector) tick(now time.Time, w io.Writer) {
	c.drain()
	e := c.eng
	secs := now.Sub(c.lastTick).Seconds()
	if secs <= 0 {
		return
	}
	c.lastTick = now
	t := now.Sub(e.start).Seconds()
	cpu := cpuTime()
	cores := (cpu - c.lastCPU).Seconds() / secs
	c.lastCPU = cpu
	var vus, vusMax, busy int
	var parts []string
	var allTarget float64
	for i, sr := range e.runs {
		n, b := int(sr.nVUs.Load()), int(sr.busy.Load())
		vus += n
		busy += b
		vusMax += sr.s.MaxVUs
		target := 0.0
		if sr.started.Load() {
			target = sr.sched.rateAt(now.Sub(sr.start))
		}
		allTarget += target
		l := c.scen[i].line(t, secs, sr.s.Name(), sr.main, target)
		l.VUs, l.Busy = n, b
		c.lines = append(c.lines, l)
		parts = append(parts, progressPart(l, sr.s.MaxVUs, secs))
	}
	l := c.all.line(t, secs, "_all", 0, allTarget)
	l.VUs, l.Busy, l.CPU = vus, busy, round3(cores)
	c.lines = append(c.lines, l)
	c.store.add(sample{metric: mVUs, value: float64(vus)})
	c.store.add(sample{metric: mVUsMax, value: float64(vusMax)})
	if w != nil {
		fmt.Fprintf(w, "loadgen %6.1fs cpu=%.2f | %s\n", t, cores, strings.Join(parts, " | "))
	}
}

func progressPart(l TimeseriesLine, maxVUs int, secs float64) string {
	errPct := 0.0
	if l.Reqs > 0 {
		errPct = 100 * float64(l.Errors) / (l.Reqs * secs)
	}
	s := fmt.Sprintf("%s: %.0f/%.0f it/s (target %.0f) p95=%.1fms", l.Scenario, l.Achieved, l.Offered, l.TargetRate, l.P95)
	if b, ok := l.Latency[MetricHTTPReqBlocked]; ok {
		// Time waiting for a pooled connection, next to the request time: the generator's own queue.
		s += fmt.Sprintf(" blocked95=%.1fms", b.P95)
	}
	return s + fmt.Sprintf(" err=%.2f%% vus=%d/%d drops=%d lag99=%.1fms", errPct, l.VUs, maxVUs, l.Dropped, l.LagP99)
}
