package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/api"
	"github.com/challenge-perf/challenge-perf/service/internal/assignments"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
	"github.com/challenge-perf/challenge-perf/service/internal/claims"
	"github.com/challenge-perf/challenge-perf/service/internal/opshttp"
	"github.com/challenge-perf/challenge-perf/service/internal/players"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// app is the wired service.
type app struct {
	api    http.Handler
	claims *claims.Service
	pool   *pgxpool.Pool
	reg    *prometheus.Registry
	mock   *reward.Mock // nil with a real platform
	goals  int
}

// build loads the catalog and keys (cheap checks first, so a bad file fails before the DB wait),
// opens and migrates the database and wires the handlers.
func build(ctx context.Context, cfg config, log *slog.Logger) (*app, error) {
	cat, err := challenges.Load(cfg.CatalogPath)
	if err != nil {
		return nil, err
	}
	for _, w := range cat.Warnings() {
		log.Warn("challenge config", "path", cfg.CatalogPath, "warning", w)
	}
	authn, err := newAuthenticator(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	opshttp.EnableContentionProfiling()
	reg := opshttp.NewRegistry()
	announceMocks(cfg, reg, log)

	octx, cancel := context.WithTimeout(ctx, cfg.DBConnectWait)
	defer cancel()
	pool, err := store.Open(octx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := store.SyncGoals(octx, pool, cat); err != nil {
		pool.Close()
		return nil, err
	}
	reg.MustRegister(api.NewPoolCollector(pool.Stat))

	a := &app{pool: pool, reg: reg, goals: cat.NumGoals()}
	var rw reward.Client
	if cfg.MockAGS {
		a.mock = reward.NewMock(cfg.MockLatencyMin, cfg.MockLatencyMax, cfg.MockFailureRate, reg)
		rw = a.mock
	} else {
		var token func(context.Context) (string, error)
		if cfg.AGSAccessToken != "" {
			t := cfg.AGSAccessToken
			token = func(context.Context) (string, error) { return t, nil }
		}
		rw = reward.NewAGS(cfg.AGSBaseURL, token, cfg.RewardTimeout)
	}
	rw = reward.WithMetrics(rw, reg)

	claimSvc := claims.New(claims.Config{
		Namespace: cfg.Namespace, StaleAfter: cfg.ClaimStaleAfter,
		RewardTimeout: cfg.RewardTimeout, RewardAttempts: cfg.RewardAttempts, FinishTimeout: claimFinishTimeout,
	}, cat, claims.NewPGStore(pool), rw, reg, log)
	a.claims = claimSvc

	a.api, err = api.New(api.Config{
		BasePath: cfg.BasePath, Catalog: cat, Auth: authn,
		Progress: progress.NewReader(pool), Claims: claimSvc, Health: pool.Ping,
		Players: players.NewStore(pool), Assignments: assignments.NewStore(pool), Namespace: cfg.Namespace,
		Registerer: reg, Logger: log,
	})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return a, nil
}

func newAuthenticator(ctx context.Context, cfg config, log *slog.Logger) (auth.Authenticator, error) {
	if !cfg.AuthEnabled {
		return auth.MockHeader{}, nil
	}
	var keys auth.Keys
	var err error
	switch {
	case cfg.JWKSURL != "":
		keys, err = auth.NewRemoteJWKS(ctx, auth.RemoteJWKSConfig{
			URL: cfg.JWKSURL, Refresh: cfg.JWKSRefresh, MinRefresh: cfg.JWKSMinRefresh, Log: log,
		})
	case cfg.JWKSPath != "":
		keys, err = auth.LoadJWKS(cfg.JWKSPath)
	default:
		keys, err = auth.LoadPEM(cfg.JWTPublicKey)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	b := &auth.Bearer{Verifier: auth.NewVerifierWith(keys, auth.VerifierConfig{
		Namespace: cfg.Namespace, Leeway: cfg.JWTLeeway, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
	})}
	if cfg.JWTCacheSize > 0 {
		b.Cache = auth.NewCache(cfg.JWTCacheSize, cfg.JWTLeeway)
	}
	return b, nil
}

// opsServer serves metrics, health and pprof, plus the mock platform's grant counts (only when
// the mock is on); debug routes are guarded (OPS_DEBUG_TOKEN, see opshttp.Guard).
func (a *app) opsServer(addr, debugToken string, log *slog.Logger) *http.Server {
	health := func(ctx context.Context) error { return a.pool.Ping(ctx) }
	mux := http.NewServeMux()
	mux.Handle("/", opshttp.Handler(a.reg, health, debugToken, log))
	if a.mock != nil {
		mux.Handle("/debug/mock-ags/grants", opshttp.Guard(debugToken, a.mock.DebugHandler()))
	}
	return opshttp.Server(addr, mux)
}

func (a *app) close() {
	done := make(chan struct{})
	go func() { a.pool.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second): // Close waits for acquired connections; do not hang exit
	}
}
