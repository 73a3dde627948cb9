// Command challenge-service serves the challenge REST API (list goals with the caller's progress,
// claim rewards) on HTTP_ADDR and metrics, health and pprof on OPS_ADDR. Configuration is read from
// the environment only (see README.md); it runs in a FROM scratch image (static, logs to stderr).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/challenge-perf/challenge-perf/envconf"
)

func main() {
	cfg, err := loadConfig(envconf.New())
	if err != nil {
		fmt.Fprintln(os.Stderr, "challenge-service:", err)
		os.Exit(1)
	}
	log := newLogger(cfg)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("challenge-service stopped", "err", err)
		os.Exit(1)
	}
}

func newLogger(cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// run serves until ctx is cancelled (SIGTERM), then drains in-flight requests within
// SHUTDOWN_TIMEOUT before closing the pool.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	app, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.close()

	apiSrv := &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           app.api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second, // a claim waits for the reward platform (REWARD_TIMEOUT)
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	opsSrv := app.opsServer(cfg.OpsAddr, cfg.OpsDebugToken, log)
	reconcileCtx, stopReconciler := context.WithCancel(context.WithoutCancel(ctx))
	reconciled := make(chan struct{})
	go func() {
		defer close(reconciled)
		if cfg.ClaimReconcile > 0 {
			app.claims.RunReconciler(reconcileCtx, cfg.ClaimReconcile)
		}
	}()
	defer func() { stopReconciler(); <-reconciled }()

	errc := make(chan error, 2)
	for _, s := range []*http.Server{apiSrv, opsSrv} {
		go func() {
			if err := s.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("listen %s: %w", s.Addr, err)
			}
		}()
	}
	log.Info("challenge-service ready", "http", cfg.HTTPAddr, "ops", cfg.OpsAddr, "basePath", cfg.BasePath,
		"goals", app.goals, "auth", cfg.AuthEnabled, "mockAGS", cfg.MockAGS)

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = apiSrv.Shutdown(sctx)
	// Claims run detached from their requests: give those still granting or recording the rest of
	// the deadline. One cut at exit leaves a 'claiming' row that the reconciler (of this or another
	// replica) finishes with the same idempotency key.
	if werr := app.claims.Wait(sctx); werr != nil {
		log.Warn("shutdown: claims still in flight are left to the reconciler", "err", werr)
	}
	err = errors.Join(err, opsSrv.Shutdown(sctx))
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
