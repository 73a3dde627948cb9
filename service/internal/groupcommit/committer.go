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
	"sync"
	"sync/atomic"
	"time"

	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
)

var (
	// ErrFull means BUFFER_SIZE_LIMIT events are already waiting or committing.
	ErrFull = errors.New("group commit: too many events pending")
	// ErrClosed is returned after shutdown began.
	ErrClosed = errors.New("group commit: closed")
)

// Event is one validated event: the update it applies. Its Update.EventID de-duplicates additive
// updates and orders absolute ones (one id, so the two uses cannot disagree).
type Event struct {
	Update buffer.Update
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

// Config tunes the batching.
type Config struct {
	Window      time.Duration // BUFFER_FLUSH_INTERVAL in durable mode: how long a batch stays open after its first event
	MaxBatch    int           // BUFFER_FLUSH_BATCH_ROWS: a batch this big closes at once
	Limit       int           // BUFFER_SIZE_LIMIT: events waiting or committing; more are refused
	Concurrency int           // COMMIT_CONCURRENCY: batches committing at once (the next one fills meanwhile)
	Timeout     time.Duration // COMMIT_TIMEOUT: client-side bound of one commit (above DB_STATEMENT_TIMEOUT)
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
}

// batch is the set of calls that commit together; done is closed once err is set.
type batch struct {
	events []Event
	done   chan struct{}
	err    error
	opened time.Time
}

func newBatch() *batch { return &batch{done: make(chan struct{})} }

// Committer groups concurrent Submit calls into batches and commits them through an Applier.
type Committer struct {
	cfg Config
	app Applier
	m   *Metrics
	log *slog.Logger

	mu     sync.Mutex
	cur    *batch
	closed bool

	pending atomic.Int64  // events submitted and not yet answered
	wake    chan struct{} // a batch got its first event
	full    chan struct{} // the open batch reached MaxBatch
	slots   chan struct{} // one token per running commit
	stop    chan struct{} // closed by Close: commit what is open without waiting for the window
	stopped chan struct{} // closed when Run returned
	commits sync.WaitGroup
}

// New returns a committer; call Run in a goroutine, and Close to drain. m may be NewMetrics(nil, nil).
func New(app Applier, cfg Config, m *Metrics, log *slog.Logger) *Committer {
	cfg.defaults()
	c := &Committer{
		cfg: cfg, app: app, m: m, log: log, cur: newBatch(),
		wake: make(chan struct{}, 1), full: make(chan struct{}, 1),
		slots: make(chan struct{}, cfg.Concurrency), stop: make(chan struct{}), stopped: make(chan struct{}),
	}
	if m != nil {
		m.pending = &c.pending
	}
	return c
}

// Config returns the settings in effect (defaults applied).
func (c *Committer) Config() Config { return c.cfg }

// Pending is the number of events waiting for or in a commit.
func (c *Committer) Pending() int { return int(c.pending.Load()) }

// Submit adds ev to the open batch and returns once that batch committed (nil) or failed. When ctx
// ends first it returns ctx's error; the event may still commit, which is safe: its redelivery is
// recognised (additive events by id, absolute ones by construction).
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
	b := c.cur
	b.events = append(b.events, ev)
	n := len(b.events)
	if n == 1 {
		b.opened = time.Now()
	}
	c.mu.Unlock()
	if n == 1 {
		signal(c.wake)
	}
	if n == c.cfg.MaxBatch {
		signal(c.full)
	}
	select {
	case <-b.done:
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

// Run closes batches (window elapsed, batch full, or shutdown) and starts their commits, at most
// Concurrency at a time; while all slots are busy the open batch keeps growing. It returns after
// Close once the last batch was handed to a commit.
func (c *Committer) Run() {
	defer close(c.stopped)
	for {
		if c.openLen() == 0 {
			select {
			case <-c.wake:
			case <-c.stop:
			}
		}
		if c.openLen() > 0 && !c.stopping() {
			t := time.NewTimer(c.cfg.Window)
			select {
			case <-t.C:
			case <-c.full:
			case <-c.stop:
			}
			t.Stop()
		}
		c.slots <- struct{}{} // wait for a commit slot; the open batch keeps filling meanwhile
		c.mu.Lock()
		b := c.cur
		if len(b.events) > 0 {
			c.cur = newBatch()
		}
		done := c.closed
		c.mu.Unlock()
		if len(b.events) == 0 {
			<-c.slots
			if done {
				return
			}
			continue
		}
		c.commits.Add(1)
		go c.commit(b)
	}
}

func (c *Committer) openLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur.events)
}

func (c *Committer) stopping() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// commit applies one batch under COMMIT_TIMEOUT and answers all of its calls.
func (c *Committer) commit(b *batch) {
	defer c.commits.Done()
	defer func() { <-c.slots }()
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
	start := time.Now()
	res, err := c.app.Apply(ctx, b.events)
	cancel()
	if err != nil {
		b.err = fmt.Errorf("commit of %d events: %w", len(b.events), err)
		c.log.Warn("batch not committed; its calls are refused and will be redelivered",
			"events", len(b.events), "error", err)
	}
	if c.m != nil {
		c.m.observe(len(b.events), res, err, time.Since(start), start.Sub(b.opened))
	}
	c.pending.Add(-int64(len(b.events)))
	close(b.done)
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
