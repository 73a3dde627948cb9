package harness

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
	"github.com/challenge-perf/challenge-perf/targets"
)

// Network aliases of the stack's containers.
const (
	AliasPostgres = "postgres"
	AliasRedis    = "redis"
	AliasService  = "challenge-service"
	AliasHandler  = "event-handler"
)

// Paths of the files the programs read inside their containers.
const (
	ChallengesPath = "/config/challenges.json"
	PublicKeyPath  = "/config/jwt-public.pem"
)

// Stack is the spec's environment on one network: PostgreSQL, Redis, the challenge service and the
// event handler, each with its CPU and memory limits.
type Stack struct {
	Config    StackConfig
	Network   *testcontainers.DockerNetwork
	Postgres  *containers.PostgresContainer
	Redis     *containers.RedisContainer
	Service   *ProgramContainer
	Handler   *ProgramContainer
	Endpoints Endpoints
}

// Endpoints are the stack's addresses from the host (for the suite's checks) and from inside the
// network (for the load generator's container).
type Endpoints struct {
	APIURL            string // host side, base path included
	GRPCAddr          string
	ServiceMetricsURL string // ops port root (…/metrics, …/debug/pprof)
	HandlerMetricsURL string
	PostgresDSN       string
	RedisAddr         string

	InternalAPIURL   string // for containers on the stack network
	InternalGRPCAddr string
}

// StartStack brings the stack up and returns once every part answers its health check. On error
// whatever was started is removed.
func StartStack(ctx context.Context, cfg StackConfig) (s *Stack, err error) {
	containers.Setup()
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if len(cfg.ChallengesJSON) == 0 {
		return nil, errors.New("stack: ChallengesJSON is required")
	}
	if cfg.AuthMode == "bearer" && len(cfg.PublicKeyPEM) == 0 {
		return nil, errors.New("stack: PublicKeyPEM is required in bearer auth mode")
	}
	tg := cfg.Target
	if tg.Name == "" {
		tg, _ = targets.Lookup(targets.Ours)
	}
	if err := tg.CheckPorts(); err != nil {
		return nil, err
	}
	start := time.Now()
	imgs, err := containers.EnsureImages(ctx, containers.ImagePostgres, containers.ImageRedis, containers.ImageService, containers.ImageHandler)
	if err != nil {
		return nil, err
	}
	s = &Stack{Config: cfg}
	defer func() {
		if err != nil {
			_ = s.Terminate(context.WithoutCancel(ctx))
			s = nil
		}
	}()
	s.Network, err = network.New(ctx, network.WithLabels(containers.Labels()))
	if err != nil {
		return s, fmt.Errorf("stack network: %w", err)
	}

	// The databases start in parallel; the programs need both.
	var wg sync.WaitGroup
	var pgErr, rdErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		opts := []testcontainers.ContainerCustomizer{WithLimits(cfg.Postgres), network.WithNetwork([]string{AliasPostgres}, s.Network)}
		if cfg.FixedHostPorts {
			opts = append(opts, containers.WithFixedHostPort("5432/tcp"))
		}
		s.Postgres, pgErr = containers.RunPostgres(ctx, opts...)
	}()
	go func() {
		defer wg.Done()
		opts := []testcontainers.ContainerCustomizer{WithLimits(cfg.Redis), network.WithNetwork([]string{AliasRedis}, s.Network)}
		if cfg.FixedHostPorts {
			opts = append(opts, containers.WithFixedHostPort("6379/tcp"))
		}
		s.Redis, rdErr = containers.RunRedis(ctx, opts...)
	}()
	wg.Wait()
	if err = errors.Join(pgErr, rdErr); err != nil {
		return s, err
	}
	logf("stack: postgres (%s) and redis (%s) ready after %.1fs", cfg.Postgres, cfg.Redis, time.Since(start).Seconds())

	set := targets.Settings{
		DBHost: AliasPostgres, DBPort: "5432", DBName: containers.PostgresDB,
		DBUser: containers.PostgresUser, DBPassword: containers.PostgresPassword,
		DBMaxOpenConns: cfg.DBMaxOpenConns, Namespace: cfg.Namespace, BasePath: cfg.BasePath,
		RedisAddr: AliasRedis + ":6379", AckMode: cfg.AckMode, FlushInterval: cfg.FlushInterval.String(),
		BufferSizeLimit: cfg.BufferSizeLimit, MockLatencyMinMs: cfg.MockLatencyMin, MockLatencyMaxMs: cfg.MockLatencyMax,
		AuthOff: cfg.AuthMode != "bearer", JWTPublicKeyPath: PublicKeyPath,
	}
	catalog, err := tg.Catalog.Render(cfg.ChallengesJSON)
	if err != nil {
		return s, fmt.Errorf("%s: %w", tg.Name, err)
	}
	program := func(role string, p targets.Program, image string, extra map[string]string, limits runresult.Limits) (programSpec, error) {
		set := set
		set.CatalogPath = p.CatalogPath
		env, err := p.RenderEnv(set, extra)
		if err != nil {
			return programSpec{}, fmt.Errorf("%s %s: %w", tg.Name, role, err)
		}
		files := map[string][]byte{}
		if p.CatalogPath != "" {
			files[p.CatalogPath] = catalog
		}
		if role == AliasService && cfg.AuthMode == "bearer" {
			files[PublicKeyPath] = cfg.PublicKeyPEM
		}
		return programSpec{name: role, image: image, env: env, files: files, ports: p.Ports, fixedPorts: cfg.FixedHostPorts,
			health: p.Health, limits: limits, network: s.Network, logf: logf}, nil
	}
	svcSpec, err := program(AliasService, tg.Service, imgs[containers.ImageService], cfg.ServiceEnv, cfg.Service)
	if err != nil {
		return s, err
	}
	hSpec, err := program(AliasHandler, tg.Handler, imgs[containers.ImageHandler], cfg.HandlerEnv, cfg.Handler)
	if err != nil {
		return s, err
	}
	var svcErr, hErr error
	if tg.HandlerAfterService {
		if s.Service, svcErr = runProgram(ctx, svcSpec); svcErr == nil {
			s.Handler, hErr = runProgram(ctx, hSpec)
		}
	} else {
		wg.Add(2)
		go func() {
			defer wg.Done()
			s.Service, svcErr = runProgram(ctx, svcSpec)
		}()
		go func() {
			defer wg.Done()
			s.Handler, hErr = runProgram(ctx, hSpec)
		}()
		wg.Wait()
	}
	if err = errors.Join(svcErr, hErr); err != nil {
		return s, err
	}
	if err = s.resolveEndpoints(ctx, tg); err != nil {
		return s, err
	}
	logf("stack: service (%s) and event handler (%s) ready after %.1fs", cfg.Service, cfg.Handler, time.Since(start).Seconds())
	return s, nil
}

// resolveEndpoints finds each program at the ports its target's profile names.
func (s *Stack) resolveEndpoints(ctx context.Context, tg targets.Target) error {
	e := &s.Endpoints
	var err error
	api, err := s.Service.URL(ctx, tg.Service.APIPort)
	if err != nil {
		return err
	}
	e.APIURL = api + s.Config.BasePath
	if e.ServiceMetricsURL, err = opsURL(ctx, s.Service, tg.Service); err != nil {
		return err
	}
	if e.GRPCAddr, err = s.Handler.Addr(ctx, tg.Handler.GRPCPort); err != nil {
		return err
	}
	if e.HandlerMetricsURL, err = opsURL(ctx, s.Handler, tg.Handler); err != nil {
		return err
	}
	if e.PostgresDSN, err = s.Postgres.ConnString(ctx); err != nil {
		return err
	}
	if e.RedisAddr, err = s.Redis.Addr(ctx); err != nil {
		return err
	}
	e.InternalAPIURL, e.InternalGRPCAddr = internalAddrs(tg, s.Config.BasePath)
	return nil
}

// Containers lists the stack's containers by role (for stats sampling and manifests).
func (s *Stack) Containers() map[string]testcontainers.Container {
	out := map[string]testcontainers.Container{}
	if s.Postgres != nil {
		out[AliasPostgres] = s.Postgres
	}
	if s.Redis != nil {
		out[AliasRedis] = s.Redis
	}
	if s.Service != nil {
		out[AliasService] = s.Service
	}
	if s.Handler != nil {
		out[AliasHandler] = s.Handler
	}
	return out
}

// Terminate removes every container and the network.
func (s *Stack) Terminate(ctx context.Context) error {
	var errs []error
	for _, c := range s.Containers() {
		errs = append(errs, c.Terminate(ctx))
	}
	if s.Network != nil {
		errs = append(errs, s.Network.Remove(ctx))
	}
	return errors.Join(errs...)
}
