package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/events"
	"github.com/challenge-perf/challenge-perf/service/internal/opshttp"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// listening reports the bound addresses (tests listen on port 0).
type listening func(grpcAddr, opsAddr net.Addr)

// run serves until ctx ends (SIGTERM), then shuts down without losing an acknowledged event:
// stop taking calls, let running ones finish, then drain the pipeline (commit the open batch, or
// flush the buffer) until it is done or the SHUTDOWN_TIMEOUT deadline passes.
func run(ctx context.Context, cfg config, log *slog.Logger, ready listening) error {
	for _, w := range cfg.warnings {
		log.Warn("configuration: " + w)
	}
	cat, err := challenges.Load(cfg.CatalogPath)
	if err != nil {
		return err
	}
	for _, w := range cat.Warnings() {
		log.Warn("challenge config", "path", cfg.CatalogPath, "warning", w)
	}
	opshttp.EnableContentionProfiling()
	reg := opshttp.NewRegistry()
	opts, err := serverOptions(cfg, reg, log) // a bad certificate fails before the database wait
	if err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	pool, err := store.Open(startCtx, cfg.DB)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.SyncGoals(startCtx, pool, cat); err != nil {
		return err
	}

	grpcLis, err := net.Listen("tcp", cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("grpc listen: %w", err)
	}
	grpcLis = limitConns(grpcLis, cfg)
	opsLis, err := net.Listen("tcp", cfg.OpsAddr)
	if err != nil {
		grpcLis.Close()
		return fmt.Errorf("ops listen: %w", err)
	}
	// Built after the listeners, so a failed listen leaves no Redis client or goroutine behind.
	pl := durablePipeline
	if cfg.AckMode == ackBuffered {
		pl = bufferedPipeline
	}
	p := pl(cfg, pool, reg, log)
	handler := events.NewHandler(events.Config{Namespace: cfg.Namespace, MaxSkew: cfg.MaxFutureSkew}, cat, p.sink, events.NewMetrics(reg), log)
	srv := grpc.NewServer(append(append(opts, limitOptions(cfg)...),
		// Stop (after the graceful deadline) still waits for running handlers, so none can touch the
		// buffer once it is drained.
		grpc.WaitForHandlers(true),
	)...)
	handler.Register(srv)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	registerReflection(srv, cfg)

	ops := opshttp.Server(cfg.OpsAddr, opshttp.Handler(reg, p.ping, cfg.OpsDebugToken, log))

	// Started before gRPC serves, so no call waits for a batch nobody closes.
	p.start()
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(grpcLis) }()
	go func() {
		if err := ops.Serve(opsLis); !errors.Is(err, http.ErrServerClosed) {
			serveErr <- err
		}
	}()
	if ready != nil {
		ready(grpcLis.Addr(), opsLis.Addr())
	}
	log.Info("event handler started", "grpc", grpcLis.Addr().String(), "ops", opsLis.Addr().String(),
		"namespace", cfg.Namespace, "stat_keys", cat.StatKeys(), "ack_mode", cfg.AckMode, cfg.periodKey(), cfg.FlushInterval,
		"buffer_limit", cfg.BufferLimit)

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-serveErr:
		log.Error("server failed", "error", runErr)
	}

	// Shutdown: the whole sequence shares one deadline.
	deadline := time.Now().Add(cfg.Shutdown)
	hs.Shutdown()
	drainCtx, cancelDrain := context.WithDeadline(context.Background(), deadline)
	defer cancelDrain()
	var settleErr error
	if p.settle != nil {
		settleErr = p.settle(drainCtx)
	}
	stopGRPC(srv, min(5*time.Second, cfg.Shutdown/3), log)
	drainErr := errors.Join(settleErr, p.drain(drainCtx))
	opsCtx, cancelOps := context.WithTimeout(context.Background(), time.Second)
	defer cancelOps()
	_ = ops.Shutdown(opsCtx)
	log.Info("event handler stopped", "drain_error", drainErr)
	return errors.Join(runErr, drainErr)
}

// stopGRPC lets in-flight calls finish (they are short: bounded by COMMIT_TIMEOUT in durable mode,
// by the Redis timeout and the full-buffer wait in buffered mode), then cuts the rest. A call cut
// in durable mode was not acknowledged: its event is redelivered and recognised if it committed.
func stopGRPC(srv *grpc.Server, grace time.Duration, log *slog.Logger) {
	done := make(chan struct{})
	go func() { srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		log.Warn("grpc graceful stop timed out; closing remaining calls")
		srv.Stop()
		<-done
	}
}
