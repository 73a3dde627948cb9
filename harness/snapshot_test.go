package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
)

// The snapshot brings back exactly the rows it copied, whatever later levels wrote, and skips a
// state table the schema lacks (applied_events exists only from migration 0003).
func TestSnapshotRestoresState(t *testing.T) {
	containers.SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg, err := containers.RunPostgres(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = pg.Terminate(context.Background()) })
	dsn, err := pg.ConnString(ctx)
	require.NoError(t, err)
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(pool.Close)

	_, err = pool.Exec(ctx, `CREATE TABLE user_stats (user_id text PRIMARY KEY, value double precision);
		CREATE TABLE user_goal_claims (user_id text, goal_id text, PRIMARY KEY (user_id, goal_id));
		INSERT INTO user_stats VALUES ('u1', 3), ('u2', 7);
		INSERT INTO user_goal_claims VALUES ('u1', 'g1');`)
	require.NoError(t, err)

	require.NoError(t, SnapshotState(ctx, pool))
	var copies string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
		WHERE relkind = 'r' AND relname LIKE 'perf_snapshot_%'`).Scan(&copies))
	require.Equal(t, "perf_snapshot_user_goal_claims,perf_snapshot_user_stats", copies, "no copy of a table the schema lacks")

	// A level changes, adds and deletes state.
	_, err = pool.Exec(ctx, `UPDATE user_stats SET value = 99 WHERE user_id = 'u1';
		INSERT INTO user_stats VALUES ('u3', 1); DELETE FROM user_goal_claims;`)
	require.NoError(t, err)

	require.NoError(t, RestoreState(ctx, pool))
	var stats, claims string
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(user_id || '=' || value, ',' ORDER BY user_id) FROM user_stats`).Scan(&stats))
	require.NoError(t, pool.QueryRow(ctx, `SELECT string_agg(user_id || '/' || goal_id, ',') FROM user_goal_claims`).Scan(&claims))
	require.Equal(t, "u1=3,u2=7", stats)
	require.Equal(t, "u1/g1", claims)
}
