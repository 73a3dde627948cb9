package main

// Issue 23.6: the service's pool must bound what a backend may wait for or run, on the server, so
// a stuck lock or a slow statement cannot pile backends up past the pool (and past PostgreSQL's
// max_connections, which would also stop the event handler's durable acknowledgements).

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/envconf"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// dbEnv is the service's environment for the PostgreSQL at dsn, plus extra.
func dbEnv(t *testing.T, dsn string, extra map[string]string) map[string]string {
	t.Helper()
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	pass, _ := u.User.Password()
	env := map[string]string{
		"DB_HOST": u.Hostname(), "DB_PORT": u.Port(), "DB_USER": u.User.Username(), "DB_PASSWORD": pass,
		"DB_NAME": strings.TrimPrefix(u.Path, "/"), "DB_MAX_IDLE_CONNS": "1", "DB_MAX_OPEN_CONNS": "3",
		"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// activeBackends counts backends other than observer's running a query that contains marker.
func activeBackends(t *testing.T, observer *pgx.Conn, marker string) int {
	t.Helper()
	var n int
	require.NoError(t, observer.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`, marker).Scan(&n))
	return n
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestServicePoolBoundsLockWaitsAndSlowStatements(t *testing.T) {
	pg := containers.PostgresForTest(t)
	dsn := pg.DSN(t)
	cfg, err := loadConfig(envconf.FromMap(dbEnv(t, dsn, map[string]string{
		"DB_STATEMENT_TIMEOUT": "1s", "DB_LOCK_TIMEOUT": "300ms",
	})))
	require.NoError(t, err)
	ctx := context.Background()
	pool, err := store.Open(ctx, cfg.DB)
	require.NoError(t, err)
	defer pool.Close()
	other, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer other.Close(ctx)
	observer, err := pgx.Connect(ctx, dsn) // outside other's transaction: a fresh pg_stat_activity
	require.NoError(t, err)
	defer observer.Close(ctx)

	// Another transaction holds a row lock: the pool's statement gives up at lock_timeout.
	_, err = other.Exec(ctx, `CREATE TABLE lock_probe (id int PRIMARY KEY); INSERT INTO lock_probe VALUES (1)`)
	require.NoError(t, err)
	tx, err := other.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT id FROM lock_probe WHERE id = 1 FOR UPDATE`)
	require.NoError(t, err)
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second) // the client's own bound, far above
	start := time.Now()
	_, err = pool.Exec(qctx, `UPDATE lock_probe SET id = 1 WHERE id = 1 /* lock-waiter */`)
	cancel()
	require.Equal(t, "55P03", pgCode(err), "lock_not_available, got %v", err)
	require.Less(t, time.Since(start), 3*time.Second, "gave up at lock_timeout, not at the client's deadline")
	require.Zero(t, activeBackends(t, observer, "lock-waiter"), "no backend still waiting for the lock")
	require.NoError(t, tx.Rollback(ctx))

	// A statement slower than statement_timeout is cancelled by the server.
	qctx, cancel = context.WithTimeout(ctx, 10*time.Second)
	start = time.Now()
	_, err = pool.Exec(qctx, `SELECT pg_sleep(30) /* slow-statement */`)
	cancel()
	require.Equal(t, "57014", pgCode(err), "query_canceled, got %v", err)
	require.Less(t, time.Since(start), 3*time.Second)
	require.Zero(t, activeBackends(t, observer, "slow-statement"), "no backend left running the statement")
}

func TestConfigDatabaseTimeouts(t *testing.T) {
	mock := map[string]string{"PLUGIN_GRPC_SERVER_AUTH_ENABLED": "false", "MOCK_IDENTITY": "true", "MOCK_AGS": "true"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range mock {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	c, err := loadConfig(envconf.FromMap(with()))
	require.NoError(t, err)
	require.Equal(t, 5*time.Second, c.DB.StatementTimeout)
	require.Equal(t, 2*time.Second, c.DB.LockTimeout)

	c, err = loadConfig(envconf.FromMap(with("DB_STATEMENT_TIMEOUT", "30s", "DB_LOCK_TIMEOUT", "250ms")))
	require.NoError(t, err)
	require.Equal(t, []time.Duration{30 * time.Second, 250 * time.Millisecond}, []time.Duration{c.DB.StatementTimeout, c.DB.LockTimeout})

	for env, want := range map[string]string{
		"DB_STATEMENT_TIMEOUT=0s":   `DB_STATEMENT_TIMEOUT="0s": want a duration like 1s or 250ms, at least 10ms`,
		"DB_LOCK_TIMEOUT=later":     `DB_LOCK_TIMEOUT="later"`,
		"DB_LOCK_TIMEOUT=5s":        "DB_LOCK_TIMEOUT (5s) must be below DB_STATEMENT_TIMEOUT (5s)",
		"DB_STATEMENT_TIMEOUT=900h": "DB_STATEMENT_TIMEOUT=900h0m0s: at most",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := loadConfig(envconf.FromMap(with(k, v)))
		require.ErrorContains(t, err, want, env)
	}
}
