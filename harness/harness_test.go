package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/runresult"
)

func TestPostgresAndRedisWithLimits(t *testing.T) {
	containers.SkipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	pgLimits := runresult.Limits{CPUs: 2, MemoryBytes: 4 << 30}
	rdLimits := runresult.Limits{CPUs: 0.5, MemoryBytes: 256 << 20}

	pg, err := containers.RunPostgres(ctx, WithLimits(pgLimits))
	require.NoError(t, err)
	rd, err := containers.RunRedis(ctx, WithLimits(rdLimits))
	if err != nil {
		_ = pg.Terminate(ctx)
		require.NoError(t, err)
	}

	// The engine must report the limits we asked for, read back as docker inspect shows them.
	for _, tc := range []struct {
		name string
		id   string
		want runresult.Limits
	}{{"postgres", pg.GetContainerID(), pgLimits}, {"redis", rd.GetContainerID(), rdLimits}} {
		got, err := InspectLimits(ctx, tc.id)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}

	dsn, err := pg.ConnString(ctx)
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	var ext int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'`).Scan(&ext))
	require.Equal(t, 1, ext, "the init script creates the extension (the official image would not)")
	_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `SELECT 42 AS probe`)
	require.NoError(t, err)
	var calls int64
	err = conn.QueryRow(ctx, `SELECT calls FROM pg_stat_statements WHERE query LIKE 'SELECT $1 AS probe%' LIMIT 1`).Scan(&calls)
	require.NoError(t, err, "pg_stat_statements must record statements (preloaded)")
	require.GreaterOrEqual(t, calls, int64(1))
	var track string
	require.NoError(t, conn.QueryRow(ctx, `SHOW pg_stat_statements.track`).Scan(&track))
	require.Equal(t, "all", track)
	var fsync string
	require.NoError(t, conn.QueryRow(ctx, `SHOW fsync`).Scan(&fsync))
	require.Equal(t, "on", fsync, "numbers must come from a durable database")
	require.NoError(t, conn.Close(ctx))

	addr, err := rd.Addr(ctx)
	require.NoError(t, err)
	rc := redis.NewClient(&redis.Options{Addr: addr})
	require.NoError(t, rc.Set(ctx, "k", "v", time.Minute).Err())
	require.Equal(t, "v", rc.Get(ctx, "k").Val())
	require.NoError(t, rc.Close())

	require.NoError(t, pg.Terminate(ctx))
	require.NoError(t, rd.Terminate(ctx))
	c, n, err := containers.Leftovers(ctx, containers.RunID)
	require.NoError(t, err)
	require.Zero(t, c, "containers left behind")
	require.Zero(t, n, "networks left behind")
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"512M": 512 << 20, "4G": 4 << 30, "1GiB": 1 << 30, "100": 100, "1.5G": 3 << 29} {
		got, err := ParseBytes(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "x", "-1G", "1T"} {
		_, err := ParseBytes(bad)
		require.Error(t, err, bad)
	}
}
