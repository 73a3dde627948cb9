package store

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/contract/eventstest"
)

// testConfig is a Config for the package's PostgreSQL with the given server-side timeouts.
func testConfig(t *testing.T, statement time.Duration) Config {
	t.Helper()
	u, err := url.Parse(pg.DSN(t))
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	pass, _ := u.User.Password()
	return Config{
		Host: u.Hostname(), Port: port, Name: strings.TrimPrefix(u.Path, "/"), User: u.User.Username(), Password: pass,
		MaxOpenConns: 2, MaxIdleConns: 0, ConnMaxLifetime: time.Hour, ConnMaxIdleTime: time.Hour, SSLMode: "disable",
		StatementTimeout: statement,
	}
}

func observer(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), pg.DSN(t))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// running counts backends other than obs's running a query that contains marker.
func running(t *testing.T, obs *pgx.Conn, marker string) int {
	t.Helper()
	var n int
	require.NoError(t, obs.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`, marker).Scan(&n))
	return n
}

// A query whose context ends (a client gone, a request deadline) must end on the server too: a
// backend left running holds its locks and its connection slot while the pool opens another.
func TestCancelledQueryStopsItsBackend(t *testing.T) {
	ctx := context.Background()
	pool, err := Open(ctx, testConfig(t, time.Minute))
	require.NoError(t, err)
	defer pool.Close()
	obs := observer(t)

	qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = pool.Exec(qctx, `SELECT pg_sleep(30) /* cancelled-query */`)
	cancel()
	require.Error(t, err)
	require.Eventually(t, func() bool { return running(t, obs, "cancelled-query") == 0 }, 3*time.Second, 50*time.Millisecond,
		"the server stopped the cancelled statement")
}

// lockedRow creates table name with one row and locks it in a transaction until release.
func lockedRow(t *testing.T, name string) (release func()) {
	t.Helper()
	ctx := context.Background()
	holder := observer(t)
	_, err := holder.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+name+` (id int PRIMARY KEY); INSERT INTO `+name+` VALUES (1) ON CONFLICT DO NOTHING`)
	require.NoError(t, err)
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT id FROM `+name+` WHERE id = 1 FOR UPDATE`)
	require.NoError(t, err)
	return func() { _ = tx.Rollback(context.Background()) }
}

// A client that gives up while its cancel request cannot reach the server (killed, partitioned)
// leaves its backend waiting on the lock for as long as the lock is held; lock_timeout ends it.
func TestAnAbandonedLockWaitEndsAtLockTimeout(t *testing.T) {
	for _, lockTimeout := range []time.Duration{0, 500 * time.Millisecond} {
		t.Run("lock_timeout="+lockTimeout.String(), func(t *testing.T) {
			ctx := context.Background()
			c := testConfig(t, time.Minute)
			c.MaxOpenConns, c.LockTimeout = 1, lockTimeout
			pc, err := c.poolConfig()
			require.NoError(t, err)
			var cut atomic.Bool
			dial := pc.ConnConfig.DialFunc
			pc.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
				if cut.Load() {
					return nil, errors.New("network cut")
				}
				return dial(ctx, network, addr)
			}
			pool, err := openPool(ctx, c, pc)
			require.NoError(t, err)
			defer pool.Close()
			obs := observer(t)
			table := "lock_probe_" + strconv.Itoa(int(lockTimeout.Milliseconds()))
			release := lockedRow(t, table)
			defer release() // before pool.Close: the closing connection waits for its backend to answer

			cut.Store(true) // from now on the client cannot reach the server: no cancel request
			qctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			_, err = pool.Exec(qctx, `UPDATE `+table+` SET id = 1 WHERE id = 1 /* abandoned-wait */`)
			cancel()
			require.Error(t, err)
			if lockTimeout == 0 {
				time.Sleep(1500 * time.Millisecond)
				require.Equal(t, 1, running(t, obs, "abandoned-wait"), "without lock_timeout the backend outlives its client")
				return
			}
			require.Eventually(t, func() bool { return running(t, obs, "abandoned-wait") == 0 }, 3*time.Second, 50*time.Millisecond,
				"the server ended the wait at lock_timeout")
		})
	}
}

// Migrations and the goal sync wait for the migration lock (another program migrating) past the
// pool's timeouts, bounded by their context instead; the connection keeps its timeouts after.
func TestMigrationWaitsPastThePoolTimeouts(t *testing.T) {
	ctx := context.Background()
	c := testConfig(t, 300*time.Millisecond)
	c.MaxOpenConns, c.LockTimeout = 1, 100*time.Millisecond
	pool, err := Open(ctx, c)
	require.NoError(t, err)
	defer pool.Close()

	holder := observer(t)
	// holdLock takes the migration lock as another program would, and releases it after a second.
	holdLock := func() (released chan struct{}) {
		_, err := holder.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockID)
		require.NoError(t, err)
		released = make(chan struct{})
		go func() {
			defer close(released)
			time.Sleep(time.Second)
			_, _ = holder.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, migrationLockID)
		}()
		return released
	}
	released := holdLock()
	start := time.Now()
	require.NoError(t, Migrate(ctx, pool))
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited for the lock")
	<-released

	released = holdLock()
	cat, err := challenges.Parse(eventstest.FixtureJSON())
	require.NoError(t, err)
	start = time.Now()
	require.NoError(t, SyncGoals(ctx, pool, cat))
	require.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited for the lock")
	<-released

	var stmt, lock string
	require.NoError(t, pool.QueryRow(ctx, `SELECT current_setting('statement_timeout'), current_setting('lock_timeout')`).Scan(&stmt, &lock))
	require.Equal(t, []string{"300ms", "100ms"}, []string{stmt, lock}, "the pooled connection is bounded again")
}
