package containers

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// startTimeout bounds a test container's start, image build included (a cold base image build
// takes a few minutes on the machines this project targets).
const startTimeout = 10 * time.Minute

// PostgresForTest starts PostgreSQL for a test and terminates it when the test ends. It fails the
// test (never skips) when Docker is unavailable: integration tests that cannot fail prove nothing.
func PostgresForTest(t testing.TB, opts ...testcontainers.ContainerCustomizer) *PostgresContainer {
	t.Helper()
	return startForTest(t, "PostgreSQL", RunPostgres, opts)
}

// RedisForTest starts Redis for a test and terminates it when the test ends.
func RedisForTest(t testing.TB, opts ...testcontainers.ContainerCustomizer) *RedisContainer {
	t.Helper()
	return startForTest(t, "Redis", RunRedis, opts)
}

// SkipShort skips a test that needs a Docker engine when run with -short, which promises none
// (`make unit`). Without -short a missing engine fails the test: a skipped integration test proves nothing.
func SkipShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a Docker engine (containers); not run with -short")
	}
}

func startForTest[C testcontainers.Container](t testing.TB, what string,
	run func(context.Context, ...testcontainers.ContainerCustomizer) (C, error), opts []testcontainers.ContainerCustomizer) C {
	t.Helper()
	SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	c, err := run(ctx, opts...)
	if err != nil {
		t.Fatalf("start %s: %v", what, err)
	}
	t.Cleanup(func() { terminate(t, c) })
	return c
}

// DSN is ConnString for tests.
func (c *PostgresContainer) DSN(t testing.TB) string {
	t.Helper()
	dsn, err := c.ConnString(context.Background())
	if err != nil {
		t.Fatalf("postgres connection string: %v", err)
	}
	return dsn
}

// AddrT is Addr for tests.
func (c *RedisContainer) AddrT(t testing.TB) string {
	t.Helper()
	addr, err := c.Addr(context.Background())
	if err != nil {
		t.Fatalf("redis address: %v", err)
	}
	return addr
}

func terminate(t testing.TB, c testcontainers.Container) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Terminate(ctx); err != nil {
		t.Errorf("terminate container: %v", err)
	}
}

// SharedPostgres is one PostgreSQL container for a test package, started by the first test that
// asks for it (so a package's unit tests never pay for it) and removed by Terminate in TestMain.
type SharedPostgres struct {
	once sync.Once
	c    *PostgresContainer
	dsn  string
	err  error
}

// DSN starts the container on first use and returns its connection string; it fails the test
// when PostgreSQL cannot start (it skips only under -short, which promises no Docker).
func (s *SharedPostgres) DSN(t testing.TB) string {
	t.Helper()
	SkipShort(t)
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		if s.c, s.err = RunPostgres(ctx); s.err == nil {
			s.dsn, s.err = s.c.ConnString(ctx)
		}
	})
	if s.err != nil {
		t.Fatalf("postgres: %v", s.err)
	}
	return s.dsn
}

// Terminate removes the container if one was started.
func (s *SharedPostgres) Terminate() {
	if s.c != nil {
		_ = s.c.Terminate(context.Background())
	}
}
