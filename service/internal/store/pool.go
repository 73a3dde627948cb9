// Package store owns the PostgreSQL schema (embedded migrations), the connection pool built from
// the spec's DB_* variables, and the goal-definition mirror shared by the service and the handler.
package store

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/envconf"
)

// Config is the database part of both programs' configuration.
type Config struct {
	Host, Name, User, Password string
	Port                       int
	MaxOpenConns               int           // DB_MAX_OPEN_CONNS, default 50
	MaxIdleConns               int           // DB_MAX_IDLE_CONNS, default 10 (kept open as pgxpool MinConns)
	ConnMaxLifetime            time.Duration // DB_CONN_MAX_LIFETIME, default 30m
	ConnMaxIdleTime            time.Duration // DB_CONN_MAX_IDLE_TIME, default 5m
	SSLMode                    string        // DB_SSLMODE, default disable
	// StatementTimeout is the server-side statement_timeout of every connection (0: the server's).
	// The event handler sets it below its client-side commit timeout, so a statement the client
	// abandoned is cancelled by the server too and cannot commit later.
	StatementTimeout time.Duration
}

// ConfigFromEnv reads DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD and the pool settings.
func ConfigFromEnv(r *envconf.Reader) Config {
	c := Config{
		Host:            r.String("DB_HOST", "localhost"),
		Port:            r.Int("DB_PORT", 5432, 1, 65535),
		Name:            r.String("DB_NAME", "challenge"),
		User:            r.String("DB_USER", "postgres"),
		Password:        r.String("DB_PASSWORD", "postgres"),
		MaxOpenConns:    r.Int("DB_MAX_OPEN_CONNS", 50, 1, 10000),
		MaxIdleConns:    r.Int("DB_MAX_IDLE_CONNS", 10, 0, 10000),
		ConnMaxLifetime: r.Duration("DB_CONN_MAX_LIFETIME", 30*time.Minute, time.Second),
		ConnMaxIdleTime: r.Duration("DB_CONN_MAX_IDLE_TIME", 5*time.Minute, time.Second),
		SSLMode:         r.String("DB_SSLMODE", "disable"),
	}
	return c
}

// DSN renders the connection URL (password escaped).
func (c Config) DSN() string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.User, c.Password),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:     "/" + c.Name,
		RawQuery: "sslmode=" + url.QueryEscape(c.SSLMode),
	}
	return u.String()
}

// Open builds the pool, waits until the database answers (bounded by ctx), migrates and returns it.
func Open(ctx context.Context, c Config) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(c.DSN())
	if err != nil {
		return nil, fmt.Errorf("database config: %w", err)
	}
	pc.MaxConns = int32(c.MaxOpenConns)
	pc.MinConns = int32(min(c.MaxIdleConns, c.MaxOpenConns))
	pc.MaxConnLifetime = c.ConnMaxLifetime
	pc.MaxConnIdleTime = c.ConnMaxIdleTime
	if c.StatementTimeout > 0 {
		pc.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(c.StatementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("database pool: %w", err)
	}
	for {
		pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err = pool.Ping(pingCtx)
		cancel()
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			pool.Close()
			return nil, fmt.Errorf("database %s:%d unreachable: %w", c.Host, c.Port, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err := Migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}
