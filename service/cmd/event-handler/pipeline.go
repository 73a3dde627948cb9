package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
	"github.com/challenge-perf/challenge-perf/service/internal/dedupe"
	"github.com/challenge-perf/challenge-perf/service/internal/events"
	"github.com/challenge-perf/challenge-perf/service/internal/groupcommit"
)

// pipeline is one acknowledgement mode: the sink the gRPC handlers feed, its background work, and
// how it drains at shutdown (after gRPC stopped taking calls).
type pipeline struct {
	sink  events.Sink
	start func() // starts background work
	// settle runs before gRPC stops taking calls (may be nil): durable mode commits the open batch
	// at once and refuses later events, so calls waiting for a far window are answered before the
	// graceful stop's grace period cuts them.
	settle func(context.Context) error
	drain  func(context.Context) error // stops background work and writes or answers everything taken
	ping   func(context.Context) error // readiness of what the mode depends on
}

// durablePipeline acknowledges after commit: a group committer and the pruner of applied ids.
// Redis is not used: correctness must not depend on it, and nothing else needs it here.
func durablePipeline(cfg config, pool *pgxpool.Pool, reg prometheus.Registerer, log *slog.Logger) *pipeline {
	c := groupcommit.New(groupcommit.NewPGApplier(pool), groupcommit.Config{
		Window: cfg.FlushInterval, MaxBatch: cfg.FlushRows, Limit: cfg.BufferLimit,
		Concurrency: cfg.CommitConcurrency, Timeout: cfg.CommitTimeout,
	}, groupcommit.NewMetrics(reg, cfg.BufferLimit), log)
	pr := &groupcommit.Pruner{Pool: pool, Retention: cfg.Retention, Log: log, Pruned: groupcommit.NewPrunedCounter(reg)}
	pruneCtx, stopPrune := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	return &pipeline{
		sink: &events.DurableSink{Committer: c},
		start: func() {
			wg.Go(c.Run)
			wg.Go(func() { pr.Run(pruneCtx) })
		},
		settle: c.Close,
		drain: func(ctx context.Context) error {
			err := c.Close(ctx) // again: returns at once when settle finished
			stopPrune()
			wg.Wait()
			return err
		},
		ping: pool.Ping,
	}
}

// bufferedPipeline acknowledges from memory: Redis de-duplication and the periodic flusher.
func bufferedPipeline(cfg config, pool *pgxpool.Pool, reg prometheus.Registerer, log *slog.Logger) *pipeline {
	dd := dedupe.New(dedupe.Config{
		Addr: cfg.RedisAddr, TTL: cfg.DedupeTTL, Timeout: cfg.RedisTimeout,
		BatchSize: cfg.DedupeBatch, Window: cfg.DedupeWindow,
	}, dedupe.NewMetrics(reg))
	buf := buffer.New(cfg.BufferLimit)
	flusher := buffer.NewFlusher(buf, buffer.NewPGWriter(pool),
		buffer.FlusherConfig{Interval: cfg.FlushInterval, ChunkRows: cfg.FlushRows},
		buffer.NewMetrics(reg, buf), log)
	flushCtx, stopFlusher := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	return &pipeline{
		sink:  &events.BufferedSink{Buf: buf, Dedupe: dd, FullWait: cfg.FullWait, Log: log},
		start: func() { wg.Go(func() { flusher.Run(flushCtx) }) },
		drain: func(ctx context.Context) error {
			stopFlusher()
			wg.Wait()
			err := flusher.Drain(ctx)
			dd.Close()
			return err
		},
		ping: func(ctx context.Context) error { return errors.Join(pool.Ping(ctx), dd.Ping(ctx)) },
	}
}
