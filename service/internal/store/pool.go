// Package store owns the PostgreSQL schema (embedded migrations), the connection pool built from
// the spec's DB_* variables, and the goal-definition mirror shared by the service and the handler.
package store

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	// StatementTimeout and LockTimeout are the server-side statement_timeout and lock_timeout of
	// every pooled connection (DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT; 0: the server's). They bound a
	// backend even when its client is gone without a cancel (killed, partitioned): otherwise one
	// stuck lock piles backends up past the pool into PostgreSQL's max_connections. The event
	// handler keeps the statement timeout below its client-side commit timeout, so a statement the
	// client abandoned is cancelled by the server too and cannot commit later.
	StatementTimeout time.Duration
	LockTimeout      time.Duration
}

// Timeouts are a program's defaults for DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT.
type Timeouts struct{ Statement, Lock time.Duration }

// ConnectTimeout bounds one connection attempt (libpq's connect_timeout in the DSN): without it a
// dial to an unreachable server waits for the kernel's TCP timeout, minutes, holding a pool slot.
const ConnectTimeout = 5 * time.Second

// maxServerTimeout is the largest statement_timeout / lock_timeout PostgreSQL accepts (INT_MAX ms).
const maxServerTimeout = math.MaxInt32 * time.Millisecond

// ConfigFromEnv reads DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD, the pool settings and the
// server-side timeouts (defaults def; the lock timeout's is at most half the statement timeout, so
// lowering DB_STATEMENT_TIMEOUT alone stays consistent). Check reports what the reader cannot see.
func ConfigFromEnv(r *envconf.Reader, def Timeouts) Config {
	c := Config{
		Host:             r.String("DB_HOST", "localhost"),
		Port:             r.Int("DB_PORT", 5432, 1, 65535),
		Name:             r.String("DB_NAME", "challenge"),
		User:             r.String("DB_USER", "postgres"),
		Password:         r.String("DB_PASSWORD", "postgres"),
		MaxOpenConns:     r.Int("DB_MAX_OPEN_CONNS", 50, 1, 10000),
		MaxIdleConns:     r.Int("DB_MAX_IDLE_CONNS", 10, 0, 10000),
		ConnMaxLifetime:  r.Duration("DB_CONN_MAX_LIFETIME", 30*time.Minute, time.Second),
		ConnMaxIdleTime:  r.Duration("DB_CONN_MAX_IDLE_TIME", 5*time.Minute, time.Second),
		SSLMode:          r.String("DB_SSLMODE", "disable"),
		StatementTimeout: r.Duration("DB_STATEMENT_TIMEOUT", def.Statement, 10*time.Millisecond),
	}
	lock := def.Lock
	if c.StatementTimeout > 0 {
		lock = min(lock, c.StatementTimeout/2)
	}
	c.LockTimeout = r.Duration("DB_LOCK_TIMEOUT", lock, time.Millisecond)
	return c
}

// Check refuses timeouts PostgreSQL would refuse, and a lock timeout that could never fire: the
// statement timeout ends every wait first.
func (c Config) Check() error {
	var errs []error
	for _, t := range []struct {
		name string
		d    time.Duration
	}{{"DB_STATEMENT_TIMEOUT", c.StatementTimeout}, {"DB_LOCK_TIMEOUT", c.LockTimeout}} {
		if t.d > maxServerTimeout {
			errs = append(errs, fmt.Errorf("%s=%s: at most %s (PostgreSQL's limit)", t.name, t.d, maxServerTimeout))
		}
	}
	if c.StatementTimeout > 0 && c.LockTimeout >= c.StatementTimeout {
		errs = append(errs, fmt.Errorf("DB_LOCK_TIMEOUT (%s) must be below DB_STATEMENT_TIMEOUT (%s), or it never fires",
			c.LockTimeout, c.StatementTimeout))
	}
	return errors.Join(errs...)
}

// DSN renders the connection URL (password escaped), with connect_timeout.
func (c Config) DSN() string {
	q := url.Values{"sslmode": {c.SSLMode}, "connect_timeout": {strconv.Itoa(int(ConnectTimeout / time.Second))}}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.User, c.Password),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		Path:     "/" + c.Name,
		RawQuery: q.Encode(),
	}
	return u.String()
}

// Open builds the pool, waits until the database answers (bounded by ctx), migrates and returns it.
func Open(ctx context.Context, c Config) (*pgxpool.Pool, error) {
	pc, err := c.poolConfig()
	if err != nil {
		return nil, err
	}
	return openPool(ctx, c, pc)
}

// poolConfig is the pgxpool configuration of c, server-side timeouts included.
func (c Config) poolConfig() (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(c.DSN())
	if err != nil {
		return nil, fmt.Errorf("database config: %w", err)
	}
	pc.MaxConns = int32(c.MaxOpenConns)
	pc.MinConns = int32(min(c.MaxIdleConns, c.MaxOpenConns))
	pc.MaxConnLifetime = c.ConnMaxLifetime
	pc.MaxConnIdleTime = c.ConnMaxIdleTime
	// Startup parameters, so every connection has them from its first statement (a SET after
	// connect could be lost to a RESET ALL, and costs a round trip per connection).
	setTimeout(pc.ConnConfig.RuntimeParams, "statement_timeout", c.StatementTimeout)
	setTimeout(pc.ConnConfig.RuntimeParams, "lock_timeout", c.LockTimeout)
	return pc, nil
}

func setTimeout(params map[string]string, name string, d time.Duration) {
	if d > 0 {
		params[name] = strconv.FormatInt(d.Milliseconds(), 10)
	}
}

func openPool(ctx context.Context, c Config, pc *pgxpool.Config) (*pgxpool.Pool, error) {
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
