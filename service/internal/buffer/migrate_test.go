package buffer

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// A database created by the first design (0001, completion rows) keeps its completion times when
// 0002 moves them into user_stats.crossed_at: the earliest time per distinct target, in order.
func TestMigrationBackfillsCrossedAtFromCompletions(t *testing.T) {
	testPool(t) // starts the container
	ctx := context.Background()
	_, err := pgPool.Exec(ctx, `DROP SCHEMA IF EXISTS upgrade_test CASCADE; CREATE SCHEMA upgrade_test`)
	require.NoError(t, err)
	cfg, err := pgxpool.ParseConfig(pg.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = "upgrade_test"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()

	v1, err := os.ReadFile("../store/migrations/0001_init.sql")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, string(v1))
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()); INSERT INTO schema_migrations VALUES (1, '0001_init.sql', now())`)
	require.NoError(t, err)

	t1 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	t2, t2early := t1.Add(time.Hour), t1.Add(30*time.Minute)
	_, err = pool.Exec(ctx, `INSERT INTO goal_definitions VALUES
		('w1', 'c', 'wins', 1), ('w2a', 'c', 'wins', 2), ('w2b', 'c', 'wins', 2), ('w5', 'c', 'wins', 5),
		('k10', 'c', 'kills', 10)`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value) VALUES
		('u1', 'wins', 'test', 1, now(), 3), ('u1', 'kills', 'test', 4, now(), 4)`)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO user_goal_completions (user_id, goal_id, challenge_id, namespace, completed_at) VALUES
		('u1', 'w1', 'c', 'test', $1), ('u1', 'w2a', 'c', 'test', $2), ('u1', 'w2b', 'c', 'test', $3)`, t1, t2, t2early)
	require.NoError(t, err)

	require.NoError(t, store.Migrate(ctx, pool))
	var crossed []time.Time
	require.NoError(t, pool.QueryRow(ctx, `SELECT crossed_at FROM user_stats WHERE stat_key = 'wins'`).Scan(&crossed))
	require.Len(t, crossed, 2)
	require.True(t, crossed[0].Equal(t1))
	require.True(t, crossed[1].Equal(t2early), "the earliest completion of target 2")
	require.NoError(t, pool.QueryRow(ctx, `SELECT crossed_at FROM user_stats WHERE stat_key = 'kills'`).Scan(&crossed))
	require.Empty(t, crossed)

	var at time.Time
	var status string
	require.NoError(t, pool.QueryRow(ctx, `SELECT completed_at, status FROM user_goal_progress WHERE goal_id = 'w2b'`).Scan(&at, &status))
	require.True(t, at.Equal(t2early))
	require.Equal(t, "completed", status)
	require.NoError(t, pool.QueryRow(ctx, `SELECT status FROM user_goal_progress WHERE goal_id = 'w5'`).Scan(&status))
	require.Equal(t, "in_progress", status)
	var exists bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT to_regclass('upgrade_test.user_goal_completions') IS NOT NULL`).Scan(&exists))
	require.False(t, exists, "the completion table is gone")
	_, err = pgPool.Exec(ctx, `DROP SCHEMA upgrade_test CASCADE`)
	require.NoError(t, err)
}

// 0005 adds value_event_id to a database holding rows: they get the empty id, which orders before
// every id, so an event with the same value_at replaces the value, and an older one still does not.
func TestMigrationGivesExistingRowsAnEmptyEventID(t *testing.T) {
	testPool(t) // starts the container
	ctx := context.Background()
	_, err := pgPool.Exec(ctx, `DROP SCHEMA IF EXISTS upgrade5_test CASCADE; CREATE SCHEMA upgrade5_test`)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = pgPool.Exec(ctx, `DROP SCHEMA upgrade5_test CASCADE`) })
	cfg, err := pgxpool.ParseConfig(pg.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = "upgrade5_test"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()

	_, err = pool.Exec(ctx, `CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	for v, name := range []string{"0001_init.sql", "0002_crossed_at.sql", "0003_applied_events.sql", "0004_claiming_index.sql"} {
		sql, err := os.ReadFile("../store/migrations/" + name)
		require.NoError(t, err)
		_, err = pool.Exec(ctx, string(sql))
		require.NoError(t, err, name)
		_, err = pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v+1, name)
		require.NoError(t, err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value) VALUES
		('u1', 'wins', 'test', 3, $1, 3), ('u2', 'wins', 'test', 3, $1, 3)`, t0)
	require.NoError(t, err)

	require.NoError(t, store.Migrate(ctx, pool))
	rows, err := pool.Query(ctx, `SELECT value_event_id FROM user_stats ORDER BY user_id`)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Equal(t, []string{"", ""}, ids)

	w := NewPGWriter(pool)
	write(t, w, rowFor("u1", "a", 2, t0), rowFor("u2", "z", 9, t0.Add(-time.Microsecond)))
	var v1, v2 float64
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT value FROM user_stats WHERE user_id = 'u1'),
		(SELECT value FROM user_stats WHERE user_id = 'u2')`).Scan(&v1, &v2))
	require.Equal(t, 2.0, v1, "same value_at: any id is greater than ''")
	require.Equal(t, 3.0, v2, "an older event still loses")
}
