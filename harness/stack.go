package harness

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"

	"github.com/challenge-perf/challenge-perf/containers"
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

	common := map[string]string{
		"DB_HOST": AliasPostgres, "DB_PORT": "5432", "DB_NAME": containers.PostgresDB,
		"DB_USER": containers.PostgresUser, "DB_PASSWORD": containers.PostgresPassword,
		"DB_MAX_OPEN_CONNS":     strconv.Itoa(cfg.DBMaxOpenConns),
		"AB_NAMESPACE":          cfg.Namespace,
		"CHALLENGE_CONFIG_PATH": ChallengesPath,
	}
	files := map[string][]byte{ChallengesPath: cfg.ChallengesJSON}
	svcEnv := merge(common, map[string]string{
		"BASE_PATH": cfg.BasePath, "HTTP_ADDR": ":8000", "OPS_ADDR": ":8080",
		"MOCK_AGS": "true", "MOCK_AGS_LATENCY_MIN_MS": strconv.Itoa(cfg.MockLatencyMin),
		"MOCK_AGS_LATENCY_MAX_MS": strconv.Itoa(cfg.MockLatencyMax),
	}, cfg.ServiceEnv)
	svcFiles := map[string][]byte{ChallengesPath: cfg.ChallengesJSON}
	if cfg.AuthMode == "bearer" {
		svcEnv["JWT_PUBLIC_KEY_PATH"] = PublicKeyPath
		svcFiles[PublicKeyPath] = cfg.PublicKeyPEM
	} else {
		svcEnv["PLUGIN_GRPC_SERVER_AUTH_ENABLED"] = "false"
	}
	hEnv := merge(common, map[string]string{
		"REDIS_ADDR": AliasRedis + ":6379", "GRPC_ADDR": ":6565", "OPS_ADDR": ":8080",
		"ACK_MODE":              cfg.AckMode,
		"BUFFER_FLUSH_INTERVAL": cfg.FlushInterval.String(),
		"BUFFER_SIZE_LIMIT":     strconv.Itoa(cfg.BufferSizeLimit),
	}, cfg.HandlerEnv)

	var svcErr, hErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.Service, svcErr = runProgram(ctx, programSpec{
			name: AliasService, image: imgs[containers.ImageService], env: svcEnv, files: svcFiles,
			ports: []string{"8000/tcp", "8080/tcp"}, fixedPorts: cfg.FixedHostPorts, health: "/healthz", limits: cfg.Service, network: s.Network, logf: logf,
		})
	}()
	go func() {
		defer wg.Done()
		s.Handler, hErr = runProgram(ctx, programSpec{
			name: AliasHandler, image: imgs[containers.ImageHandler], env: hEnv, files: files,
			ports: []string{"6565/tcp", "8080/tcp"}, fixedPorts: cfg.FixedHostPorts, health: "/healthz", limits: cfg.Handler, network: s.Network, logf: logf,
		})
	}()
	wg.Wait()
	if err = errors.Join(svcErr, hErr); err != nil {
		return s, err
	}
	if err = s.resolveEndpoints(ctx); err != nil {
		return s, err
	}
	logf("stack: service (%s) and event handler (%s) ready after %.1fs", cfg.Service, cfg.Handler, time.Since(start).Seconds())
	return s, nil
}

func (s *Stack) resolveEndpoints(ctx context.Context) error {
	e := &s.Endpoints
	var err error
	api, err := s.Service.URL(ctx, "8000/tcp")
	if err != nil {
		return err
	}
	e.APIURL = api + s.Config.BasePath
	if e.ServiceMetricsURL, err = s.Service.URL(ctx, "8080/tcp"); err != nil {
		return err
	}
	if e.GRPCAddr, err = s.Handler.Addr(ctx, "6565/tcp"); err != nil {
		return err
	}
	if e.HandlerMetricsURL, err = s.Handler.URL(ctx, "8080/tcp"); err != nil {
		return err
	}
	if e.PostgresDSN, err = s.Postgres.ConnString(ctx); err != nil {
		return err
	}
	if e.RedisAddr, err = s.Redis.Addr(ctx); err != nil {
		return err
	}
	e.InternalAPIURL = "http://" + AliasService + ":8000" + s.Config.BasePath
	e.InternalGRPCAddr = AliasHandler + ":6565"
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

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
