// Package dedupe remembers event ids in Redis so a redelivered event is acknowledged without being
// applied twice. SET NX EX requests from concurrent handlers are micro-batched into pipelines.
package dedupe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// ErrClosed is returned by Claim after Close.
var ErrClosed = errors.New("dedupe closed")

// keyPrefix namespaces the event-id keys; short because there is one key per event for DEDUPE_TTL.
const keyPrefix = "ev:"

// Claim is the outcome of marking an event id.
type Claim struct {
	Fresh bool   // true: first time seen, the caller must apply the event (or Forget it)
	token string // value written, so Forget only removes this attempt's mark
}

// Config tunes the Redis de-duplicator.
type Config struct {
	Addr      string
	TTL       time.Duration // how long an id is remembered (DEDUPE_TTL)
	Timeout   time.Duration // per pipeline, including dial
	BatchSize int           // SETs per pipeline at most
	Window    time.Duration // how long the first request of a batch waits for company
	Pipelines int           // pipelines in flight at once
}

func (c *Config) defaults() {
	if c.TTL <= 0 {
		c.TTL = 24 * time.Hour
	}
	if c.Timeout <= 0 {
		c.Timeout = time.Second
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 256
	}
	if c.Window <= 0 {
		c.Window = time.Millisecond
	}
	if c.Pipelines <= 0 {
		c.Pipelines = 4
	}
}

type request struct {
	key   string
	fresh bool
	token string
	err   error
	done  chan struct{} // capacity 1; reused with the request
}

// Redis is the de-duplicator. One collector goroutine forms batches (up to BatchSize requests or
// Window after the first), a few executors send them as pipelines: at 10k events/s that is ~1k
// round trips/s instead of 10k, and no goroutine per event.
type Redis struct {
	client  *redis.Client
	cfg     Config
	ttlArg  int64
	reqs    chan *request
	batches chan *[]*request
	quit    chan struct{}
	wg      sync.WaitGroup
	closed  atomic.Bool

	tokenPrefix string
	seq         atomic.Uint64
	reqPool     sync.Pool
	batchPool   sync.Pool

	m *Metrics
}

// New connects (lazily) and starts the batcher. m may come from NewMetrics(nil).
func New(cfg Config, m *Metrics) *Redis {
	cfg.defaults()
	client := redis.NewClient(&redis.Options{
		Addr: cfg.Addr,
		// No automatic retries: a re-sent SET NX after a lost reply would report our own mark as a
		// duplicate and the event would be acknowledged unapplied. The platform redelivers instead.
		MaxRetries:               -1,
		DialTimeout:              cfg.Timeout,
		DialerRetries:            1,
		ReadTimeout:              cfg.Timeout,
		WriteTimeout:             cfg.Timeout,
		ContextTimeoutEnabled:    true,
		PoolSize:                 cfg.Pipelines + 2,
		PipelinePoolSize:         -1,
		Protocol:                 2,
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	r := &Redis{
		client:      client,
		cfg:         cfg,
		ttlArg:      int64(max(cfg.TTL/time.Second, 1)),
		reqs:        make(chan *request, 4*cfg.BatchSize),
		batches:     make(chan *[]*request, cfg.Pipelines),
		quit:        make(chan struct{}),
		tokenPrefix: hex.EncodeToString(rnd[:]) + ".",
		m:           m,
	}
	r.reqPool.New = func() any { return &request{done: make(chan struct{}, 1)} }
	r.batchPool.New = func() any { s := make([]*request, 0, cfg.BatchSize); return &s }
	r.wg.Add(1 + cfg.Pipelines)
	go r.collect()
	for range cfg.Pipelines {
		go r.execute()
	}
	return r
}

// Ping checks Redis (health endpoint).
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Claim marks id as seen. Fresh means the caller owns the event; otherwise it is a duplicate.
// It waits for Redis even if ctx ends: abandoning a SET that may succeed would leave a mark for an
// event nobody applies. The wait is bounded by Config.Timeout.
func (r *Redis) Claim(ctx context.Context, id string) (Claim, error) {
	if r.closed.Load() {
		return Claim{}, ErrClosed
	}
	req := r.reqPool.Get().(*request)
	req.key = keyPrefix + id
	select {
	case r.reqs <- req:
	case <-r.quit:
		r.reqPool.Put(req)
		return Claim{}, ErrClosed
	}
	<-req.done
	c, err := Claim{Fresh: req.fresh, token: req.token}, req.err
	*req = request{done: req.done}
	r.reqPool.Put(req)
	return c, err
}

// Forget removes the mark of a fresh claim whose event could not be applied, so its redelivery is.
func (r *Redis) Forget(ctx context.Context, id string, c Claim) error {
	if !c.Fresh {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.Timeout)
	defer cancel()
	return undo.Run(ctx, r.client, []string{keyPrefix + id}, c.token).Err()
}

// Close stops the batcher after the requests already queued are answered. Call it once no Claim
// can start any more (after the gRPC server stopped).
func (r *Redis) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	close(r.quit)
	r.wg.Wait()
	return r.client.Close()
}

// undo deletes the keys still holding this attempt's token (compare-and-delete), never a mark set
// by another delivery of the same event.
var undo = redis.NewScript(`
local n = 0
for _, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k); n = n + 1 end
end
return n`)

func (r *Redis) collect() {
	defer r.wg.Done()
	defer close(r.batches)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var first *request
		select {
		case first = <-r.reqs:
		case <-r.quit:
			r.flushQueued()
			return
		}
		bp := r.batchPool.Get().(*[]*request)
		batch := append((*bp)[:0], first)
		timer.Reset(r.cfg.Window)
	fill:
		for len(batch) < r.cfg.BatchSize {
			select {
			case req := <-r.reqs:
				batch = append(batch, req)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		*bp = batch
		r.batches <- bp // the executor returns it to the pool
	}
}

// flushQueued answers requests that were queued before Close.
func (r *Redis) flushQueued() {
	for {
		select {
		case req := <-r.reqs:
			r.batches <- &[]*request{req}
		default:
			return
		}
	}
}

func (r *Redis) execute() {
	defer r.wg.Done()
	cmds := make([]*redis.BoolCmd, 0, r.cfg.BatchSize)
	keys := make([]string, 0, r.cfg.BatchSize)
	for bp := range r.batches {
		cmds, keys = r.run(*bp, cmds[:0], keys[:0])
		clear(*bp)
		r.batchPool.Put(bp)
	}
}

func (r *Redis) run(batch []*request, cmds []*redis.BoolCmd, keys []string) ([]*redis.BoolCmd, []string) {
	start := time.Now()
	token := r.tokenPrefix + strconv.FormatUint(r.seq.Add(1), 36)
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
	defer cancel()
	pipe := r.client.Pipeline()
	for _, req := range batch {
		cmds = append(cmds, pipe.SetNX(ctx, req.key, token, time.Duration(r.ttlArg)*time.Second))
	}
	_, _ = pipe.Exec(ctx) // errors are read per command below
	failed := 0
	for i, req := range batch {
		if err := cmds[i].Err(); err != nil {
			req.err = err
			keys = append(keys, req.key)
			failed++
			continue
		}
		req.fresh, req.token = cmds[i].Val(), token
	}
	if failed > 0 {
		// The reply was lost, not necessarily the SET: undo whatever of ours landed so the
		// redelivery is applied. If Redis is unreachable this fails too (see DESIGN_STORAGE.md).
		uctx, ucancel := context.WithTimeout(context.Background(), r.cfg.Timeout)
		if err := undo.Run(uctx, r.client, keys, token).Err(); err != nil {
			r.m.UndoErrors.Inc()
		}
		ucancel()
		r.m.Errors.Add(float64(failed))
	}
	r.m.BatchSize.Observe(float64(len(batch)))
	r.m.BatchDuration.Observe(time.Since(start).Seconds())
	for _, req := range batch {
		req.done <- struct{}{}
	}
	clear(cmds)
	clear(keys)
	return cmds[:0], keys[:0]
}

// Metrics are the de-duplicator's Prometheus instruments.
type Metrics struct {
	BatchSize     prometheus.Histogram
	BatchDuration prometheus.Histogram
	Errors        prometheus.Counter
	UndoErrors    prometheus.Counter
}

// NewMetrics registers the metrics on reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		BatchSize: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dedupe_batch_size", Help: "SET NX commands per Redis pipeline.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 10),
		}),
		BatchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "dedupe_pipeline_duration_seconds", Help: "Round trip of one de-dup pipeline.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 15),
		}),
		Errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dedupe_errors_total", Help: "Event ids whose de-dup SET failed (event refused as Unavailable).",
		}),
		UndoErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dedupe_undo_errors_total", Help: "Failed compare-and-delete after an ambiguous SET failure.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.BatchSize, m.BatchDuration, m.Errors, m.UndoErrors)
	}
	return m
}
