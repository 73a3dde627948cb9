// Package groupcommit applies events durably before they are acknowledged: concurrent calls join
// one batch, the batch commits in one PostgreSQL statement, and every call in it returns only after
// that commit (or with its error). While one batch commits the next one fills, so throughput grows
// with batch size instead of falling with durability. See docs/DESIGN_STORAGE.md.
package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

var (
	// ErrFull means BUFFER_SIZE_LIMIT events are already waiting or committing.
	ErrFull = errors.New("group commit: too many events pending")
	// ErrClosed is returned after shutdown began.
	ErrClosed = errors.New("group commit: closed")
	// ErrUnavailable means a commit failed a moment ago and commits are backing off: the event was
	// refused without a commit attempt (or taken out of a batch still waiting for one). Nothing of it
	// was written, so its redelivery is applied.
	ErrUnavailable = errors.New("group commit: database unavailable, commits backing off after a failure")
)

// Event is one validated event: the update it applies. Its Update.EventID de-duplicates additive
// updates and orders absolute ones (one id, so the two uses cannot disagree).
type Event struct {
	Update statstore.Update
}

// Result is what one committed batch did.
type Result struct {
	Rows       int   // user_stats rows written
	Duplicates int   // additive events whose id had already been applied (not counted again)
	Crossed    int64 // goal thresholds newly crossed
}

// Applier commits one batch atomically: all of it or nothing.
type Applier interface {
	Apply(ctx context.Context, events []Event) (Result, error)
}

// An Applier may also say which of its failures concern only the rows of that batch (a lock
// timeout behind another transaction's row lock, a deadlock): they refuse their batch, like any
// failure, but start no backoff, since other batches still commit.
type isolatedFailures interface {
	Isolated(err error) bool
}

// Config tunes the batching.
type Config struct {
	Window      time.Duration // COMMIT_WINDOW: how long a batch stays open after its first event
	MaxBatch    int           // BUFFER_FLUSH_BATCH_ROWS: a batch this big is sealed at once (the bound of one statement)
	Limit       int           // BUFFER_SIZE_LIMIT: events waiting or committing; more are refused
	Concurrency int           // COMMIT_CONCURRENCY: batches committing at once (the next ones wait, sealed, or fill)
	Timeout     time.Duration // COMMIT_TIMEOUT: client-side bound of one commit (above DB_STATEMENT_TIMEOUT)

	// After a failed commit, calls are refused at once with ErrUnavailable for BackoffMin (less up
	// to a quarter, jitter), doubling with every failed probe up to BackoffMax. The first batch after
	// the pause is the probe, the only commit in flight; its success ends the backoff. Defaults 50 ms
	// and 1 s: with PostgreSQL down, about one commit (connection) attempt per second instead of one
	// per batch window, and at most BackoffMax of extra refusals once it is back.
	BackoffMin, BackoffMax time.Duration
	// LogEvery: at most one WARN line about failed commits per period (default 5 s); the lines left
	// out are counted in the next one.
	LogEvery time.Duration
}

func (c *Config) defaults() {
	if c.Window <= 0 {
		c.Window = 2 * time.Millisecond
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 10_000
	}
	if c.Limit <= 0 {
		c.Limit = 100_000
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 2
	}
	if c.Timeout <= 0 {
		c.Timeout = 12 * time.Second
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 50 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = time.Second
	}
	c.BackoffMax = max(c.BackoffMax, c.BackoffMin)
	if c.LogEvery <= 0 {
		c.LogEvery = 5 * time.Second
	}
}

// batch is the set of calls that commit together; done is closed once err (and dropped) is set.
type batch struct {
	events  []Event
	callers []context.Context // callers[i] is the context of the call that submitted events[i]
	dropped []bool            // nil, or dropped[i]: events[i]'s caller had gone, so it was left out of the commit
	done    chan struct{}
	err     error
	opened  time.Time
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// Committer groups concurrent Submit calls into batches and commits them through an Applier.
type Committer struct {
	cfg Config
	app Applier
	m   *Metrics
	log *slog.Logger

	mu      sync.Mutex
	cur     *batch   // the open batch
	sealed  []*batch // full batches waiting for a commit slot, oldest first
	closed  bool
	running int // commits started and not finished

	// Backoff after failed commits (under mu).
	failures  int       // failed commits in a row; 0: healthy
	openUntil time.Time // while failures > 0 and before this, calls are refused at once
	openErr   error     // what they are refused with (ErrUnavailable and the last failure)
	// The rate-limited log (under mu).
	lastWarn  time.Time // the last WARN line
	unlogged  int       // failed commits since lastWarn not written
	refused   int       // events refused for the backoff since the last line
	warned    bool      // a WARN line was written and the recovery not reported yet
	downSince time.Time // first failure since the last reported recovery

	pending       atomic.Int64  // events submitted and not yet answered
	failuresGauge atomic.Int64  // failures, for the metric
	wake          chan struct{} // a batch got its first event
	full          chan struct{} // a batch reached MaxBatch and was sealed
	idle          chan struct{} // a commit finished
	slots         chan struct{} // one token per running commit
	stop          chan struct{} // closed by Close: commit what is open without waiting for the window
	stopped       chan struct{} // closed when Run returned
	commits       sync.WaitGroup
}

// New returns a committer; call Run in a goroutine, and Close to drain. m may be NewMetrics(nil, nil).
func New(app Applier, cfg Config, m *Metrics, log *slog.Logger) *Committer {
	cfg.defaults()
	c := &Committer{
		cfg: cfg, app: app, m: m, log: log, cur: newBatch(),
		wake: make(chan struct{}, 1), full: make(chan struct{}, 1), idle: make(chan struct{}, 1),
		slots: make(chan struct{}, cfg.Concurrency), stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	if m != nil {
		m.pending = &c.pending
		m.failures = &c.failuresGauge
	}
	return c
}

// Config returns the settings in effect (defaults applied).
func (c *Committer) Config() Config { return c.cfg }

// Pending is the number of events waiting for or in a commit.
func (c *Committer) Pending() int { return int(c.pending.Load()) }

// Submit adds ev to the open batch and returns once that batch committed (nil) or failed. A batch
// holds at most MaxBatch events: a full one is sealed and waits for a commit slot while the next
// one fills. When ctx ends first Submit returns ctx's error; an event whose caller has gone when its
// commit starts is left out of it (the caller was answered with an error, so the bus redelivers
// it), and one whose caller leaves during the commit may still commit, which is safe: its
// redelivery is recognised (additive events by id, absolute ones by construction). Right after a
// failed commit, events are refused at once with ErrUnavailable (see Config.BackoffMin).
func (c *Committer) Submit(ctx context.Context, ev Event) error {
	if c.pending.Add(1) > int64(c.cfg.Limit) {
		c.pending.Add(-1)
		return ErrFull
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		c.pending.Add(-1)
		return ErrClosed
	}
	if c.failures > 0 && time.Now().Before(c.openUntil) {
		err := c.openErr
		c.refused++
		c.mu.Unlock()
		c.pending.Add(-1)
		c.m.refusedBackoff(1)
		return err
	}
	b := c.cur
	i := len(b.events)
	b.events = append(b.events, ev)
	b.callers = append(b.callers, ctx)
	if i == 0 {
		b.opened = time.Now()
	}
	full := len(b.events) >= c.cfg.MaxBatch
	if full {
		c.sealed = append(c.sealed, b)
		c.cur = newBatch()
	}
	c.mu.Unlock()
	if i == 0 {
		signal(c.wake)
	}
	if full {
		signal(c.full)
	}
	select {
	case <-b.done:
		if b.dropped != nil && b.dropped[i] {
			return ctx.Err() // left out of the commit: never an OK
		}
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func drain(ch chan struct{}) {
	select {
	case <-ch:
	default:
	}
}

// Run closes batches (window elapsed, batch full, or shutdown) and starts their commits, at most
// Concurrency at a time, sealed batches first (oldest first); while all slots are busy the open
// batch keeps growing up to MaxBatch, then is sealed and queued. While commits back off after a
// failure, one commit at a time runs (the probe). It returns after Close once the last batch was
// handed to a commit.
func (c *Committer) Run() {
	defer close(c.stopped)
	for {
		if !c.queued() {
			select {
			case <-c.wake:
			case <-c.stop:
			}
		}
		drain(c.full) // a stale signal must not cut the next window short; a new one comes after this
		if c.onlyOpen() && !c.stopping() {
			t := time.NewTimer(c.cfg.Window)
			select {
			case <-t.C:
			case <-c.full:
			case <-c.stop:
			}
			t.Stop()
		}
		c.slots <- struct{}{} // wait for a commit slot; the open batch keeps filling meanwhile
		b, closed, probing := c.take()
		if b == nil {
			<-c.slots
			if probing {
				<-c.idle // a commit is in flight while backing off: it is the probe, wait for it
				continue
			}
			if closed {
				return
			}
			continue
		}
		c.commits.Add(1)
		go c.commit(b)
	}
}

// queued reports whether any event waits for a commit (sealed or open).
func (c *Committer) queued() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sealed) > 0 || len(c.cur.events) > 0
}

// onlyOpen reports whether the open batch holds events and no sealed batch waits: only then is
// the window worth waiting for.
func (c *Committer) onlyOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sealed) == 0 && len(c.cur.events) > 0
}

// take hands out the next batch to commit (the oldest sealed one, else the open one), or nil:
// nothing waits, or (probing) commits are backing off and one is already in flight.
func (c *Committer) take() (b *batch, closed, probing bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	closed = c.closed
	switch {
	case len(c.sealed) == 0 && len(c.cur.events) == 0:
		return nil, closed, false
	case c.failures > 0 && c.running > 0:
		return nil, closed, true
	case len(c.sealed) > 0:
		b = c.sealed[0]
		c.sealed[0] = nil
		c.sealed = c.sealed[1:]
	default:
		b = c.cur
		c.cur = newBatch()
	}
	c.running++
	return b, closed, false
}

func (c *Committer) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// commit applies one batch under COMMIT_TIMEOUT and answers all of its calls. Events whose caller
// has gone are left out first; a batch taken just before commits began backing off is refused
// without an attempt.
func (c *Committer) commit(b *batch) {
	defer c.commits.Done()
	defer func() {
		<-c.slots
		signal(c.idle)
	}()
	live := c.dropGone(b)
	var (
		res       Result
		err       error
		attempted bool
		trip      bool // a failure that starts (or prolongs) the backoff
		start     = time.Now()
	)
	if len(live) > 0 {
		if err = c.backingOff(len(live)); err == nil {
			attempted = true
			ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
			res, err = c.app.Apply(ctx, live)
			cancel()
			if err != nil {
				trip = !c.isolated(err)
				err = fmt.Errorf("commit of %d events: %w", len(live), err)
			}
		} else {
			c.m.refusedBackoff(len(live))
		}
	}
	c.settle(attempted, trip, err, len(live))
	if attempted && c.m != nil {
		c.m.observe(len(live), res, err, time.Since(start), start.Sub(b.opened))
	}
	b.err = err
	c.pending.Add(-int64(len(live)))
	close(b.done)
}

// dropGone marks the events whose caller has gone (its context is done: it was answered with that
// error, and the bus redelivers the event) and returns the others. Committing a gone caller's event
// would be harmless (a redelivered login is recognised in applied_events, a stat is ordered by its
// key), but it is work for an answer nobody reads, and under overload exactly the work that keeps
// the backlog from shrinking.
func (c *Committer) dropGone(b *batch) []Event {
	gone := 0
	for i, ctx := range b.callers {
		if ctx.Err() != nil {
			if b.dropped == nil {
				b.dropped = make([]bool, len(b.events))
			}
			b.dropped[i] = true
			gone++
		}
	}
	b.callers = nil
	if gone == 0 {
		return b.events
	}
	live := make([]Event, 0, len(b.events)-gone)
	for i := range b.events {
		if !b.dropped[i] {
			live = append(live, b.events[i])
		}
	}
	c.pending.Add(-int64(gone))
	c.m.droppedGone(gone)
	return live
}

// backingOff returns the refusal while calls are refused for a failed commit, else nil; events is
// how many it would refuse.
func (c *Committer) backingOff(events int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failures > 0 && time.Now().Before(c.openUntil) {
		c.refused += events
		return c.openErr
	}
	return nil
}

func (c *Committer) isolated(err error) bool {
	i, ok := c.app.(isolatedFailures)
	return ok && i.Isolated(err)
}

// settle ends a commit: a success ends any backoff; a failure (trip) while not backing off starts
// one, or for a failed probe doubles it, and refuses every batch still waiting for a slot, since
// they would fail the same way. Failures are logged at most once per LogEvery.
func (c *Committer) settle(attempted, trip bool, err error, events int) {
	c.mu.Lock()
	c.running--
	if !attempted {
		c.mu.Unlock()
		return
	}
	now := time.Now()
	var line func()
	switch {
	case err == nil && c.failures > 0:
		if c.warned {
			failedFor, refused, unlogged := now.Sub(c.downSince), c.refused, c.unlogged
			line = func() {
				c.log.Info("commits succeed again", "failing_for", failedFor.Round(time.Millisecond),
					"events_refused_while_backing_off", refused, "failed_commits_not_logged", unlogged)
			}
			c.warned, c.unlogged, c.refused, c.downSince = false, 0, 0, time.Time{}
		}
		c.failures, c.openUntil, c.openErr = 0, time.Time{}, nil
	case err == nil:
	case !trip:
		line = c.warn(now, "batch not committed (this batch's rows only: no backoff); its calls are refused (UNAVAILABLE) and will be redelivered",
			"events", events, "error", err)
	case c.failures > 0 && now.Before(c.openUntil):
		c.unlogged++ // started before the backoff began; it changes nothing
	default:
		c.failures++
		if c.downSince.IsZero() {
			c.downSince = now
		}
		pause := c.backoff(c.failures)
		c.openUntil = now.Add(pause)
		c.openErr = fmt.Errorf("%w (last: %w)", ErrUnavailable, err)
		c.refused += c.refuseWaiting()
		line = c.warn(now, "batch not committed; its calls and those arriving while commits back off are refused (UNAVAILABLE) and will be redelivered",
			"events", events, "error", err, "failed_in_a_row", c.failures, "next_attempt_in", pause.Round(time.Millisecond))
	}
	c.failuresGauge.Store(int64(c.failures))
	c.mu.Unlock()
	if line != nil {
		line()
	}
}

// warn returns the WARN line to write after unlocking, or nil (counted) when one was written less
// than LogEvery ago. Called under mu.
func (c *Committer) warn(now time.Time, msg string, args ...any) func() {
	if !c.lastWarn.IsZero() && now.Sub(c.lastWarn) < c.cfg.LogEvery {
		c.unlogged++
		return nil
	}
	args = append(args, "events_refused_while_backing_off", c.refused, "failed_commits_not_logged", c.unlogged)
	c.lastWarn, c.unlogged, c.refused, c.warned = now, 0, 0, true
	return func() { c.log.Warn(msg, args...) }
}

// backoff is the pause after the n-th failure in a row: BackoffMin doubling up to BackoffMax, less
// up to a quarter (so replicas' probes spread out).
func (c *Committer) backoff(n int) time.Duration {
	d := c.cfg.BackoffMin
	for i := 1; i < n && d < c.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, c.cfg.BackoffMax)
	if q := d / 4; q > 0 {
		d -= rand.N(q)
	}
	return d
}

// refuseWaiting answers every batch waiting for a slot (sealed and open) with the backoff's
// refusal and returns how many events it refused. Called under mu.
func (c *Committer) refuseWaiting() int {
	n := 0
	waiting := c.sealed
	if len(c.cur.events) > 0 {
		waiting = append(waiting, c.cur)
		c.cur = newBatch()
	}
	for _, b := range waiting {
		b.err = c.openErr
		b.callers = nil
		n += len(b.events)
		close(b.done)
	}
	c.sealed = nil
	c.pending.Add(-int64(n))
	c.m.refusedBackoff(n)
	return n
}

// Close refuses new events, commits what is open and waits for every running commit, bounded by
// ctx. After it returns nil, every call that was taken has its answer.
func (c *Committer) Close(ctx context.Context) error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if !already {
		close(c.stop)
	}
	waited := make(chan struct{})
	go func() {
		<-c.stopped
		c.commits.Wait()
		close(waited)
	}()
	select {
	case <-waited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("group commit: %d events still committing at the shutdown deadline (not acknowledged, so they will be redelivered): %w",
			c.Pending(), ctx.Err())
	}
}
