// Command refdouble is a test-only double of the reference implementation (AccelByte's
// extend-challenge) with the differences the suite must cope with when it measures the users' own
// service (../shared/reference/contracts.md §5): the reference's environment variable names
// (CHALLENGE_CONFIG_PATH for the service, CONFIG_PATH for the handler, MIGRATIONS_PATH required,
// REWARD_CLIENT_MODE, PLUGIN_GRPC_SERVER_AUTH_ENABLED=false), a catalog with defaultAssigned goals,
// users that exist only after POST /v1/challenges/initialize (events for others are acknowledged
// and change nothing), gRPC health instead of an HTTP health route, an ops port without this
// repository's metric names, and a list JSON that repeats "status" in every goal and writes ""
// for absent times. Its storage is its own (not this repository's schema), so the suite can only
// check it through the public API.
//
// One binary plays both programs: the handler when CONFIG_PATH is set, else the service.
// REFDOUBLE_DROP_EVERY=N (handler) acknowledges every Nth stat event without applying it, so a test
// can prove the suite's API check catches a lost acknowledged event.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" //nolint:gosec // the reference serves pprof on its ops port; so does its double
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log); err != nil {
		log.Error("refdouble", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger) error {
	handlerRole := os.Getenv("CONFIG_PATH") != ""
	catalogPath := os.Getenv("CONFIG_PATH")
	if !handlerRole {
		catalogPath = os.Getenv("CHALLENGE_CONFIG_PATH")
		if catalogPath == "" {
			return errors.New("CHALLENGE_CONFIG_PATH (service) or CONFIG_PATH (handler) is required")
		}
		if os.Getenv("MIGRATIONS_PATH") == "" {
			return errors.New("MIGRATIONS_PATH is required (the reference migrates at start)")
		}
		if os.Getenv("BASE_PATH") == "" {
			return errors.New("BASE_PATH is required")
		}
	}
	if os.Getenv("PLUGIN_GRPC_SERVER_AUTH_ENABLED") != "false" {
		return errors.New("this double runs with PLUGIN_GRPC_SERVER_AUTH_ENABLED=false only")
	}
	cat, err := loadCatalog(catalogPath)
	if err != nil {
		return err
	}
	dsn := fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=%s&pool_max_conns=20", os.Getenv("DB_USER"), os.Getenv("DB_PASSWORD"),
		os.Getenv("DB_HOST"), envOr("DB_PORT", "5432"), os.Getenv("DB_NAME"), envOr("DB_SSLMODE", "disable"))
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := &store{pool: pool, cat: cat, ns: envOr("AB_NAMESPACE", "test")}
	if !handlerRole {
		if err := st.migrate(ctx); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}

	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	errc := make(chan error, 3)
	var httpSrv *http.Server
	if handlerRole {
		dropEvery, _ := strconv.Atoi(os.Getenv("REFDOUBLE_DROP_EVERY"))
		registerEvents(srv, st, int64(dropEvery), log)
	} else {
		httpSrv = &http.Server{Addr: ":8000", Handler: apiHandler(st, os.Getenv("BASE_PATH")), ReadHeaderTimeout: 5 * time.Second}
		go func() { errc <- httpSrv.ListenAndServe() }()
	}
	lis, err := net.Listen("tcp", ":6565")
	if err != nil {
		return err
	}
	go func() { errc <- srv.Serve(lis) }()
	ops := http.NewServeMux()
	ops.Handle("/metrics", promhttp.Handler()) // its own names: none of this repository's
	ops.Handle("/debug/", http.DefaultServeMux)
	opsSrv := &http.Server{Addr: ":8080", Handler: ops, ReadHeaderTimeout: 5 * time.Second}
	go func() { errc <- opsSrv.ListenAndServe() }()

	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.GracefulStop()
	if httpSrv != nil {
		_ = httpSrv.Shutdown(sctx)
	}
	return opsSrv.Shutdown(sctx)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
