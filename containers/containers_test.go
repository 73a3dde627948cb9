package containers

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
)

func TestPostgresSurvivesRestartOnFixedPort(t *testing.T) {
	pg := PostgresForTest(t, WithFixedHostPort("5432/tcp"))
	ctx := context.Background()
	before := pg.DSN(t)
	timeout := 10 * time.Second
	require.NoError(t, pg.Stop(ctx, &timeout))
	require.NoError(t, pg.Start(ctx))
	require.Equal(t, before, pg.DSN(t), "the address must survive a restart")
	require.Eventually(t, func() bool {
		conn, err := pgx.Connect(ctx, before)
		if err != nil {
			return false
		}
		defer conn.Close(ctx)
		return conn.Ping(ctx) == nil
	}, 30*time.Second, 200*time.Millisecond)
}

func TestCleanStaleSparesLiveRuns(t *testing.T) {
	SkipShort(t)
	ctx := context.Background()
	// A container of a run whose process is gone (PID 999999999 cannot exist) ...
	dead, err := RunRedis(ctx, testcontainers.WithLabels(map[string]string{LabelRun: "999999999-1"}))
	require.NoError(t, err)
	t.Cleanup(func() { _ = dead.Terminate(ctx) })
	// ... and one of this live process.
	live := RedisForTest(t)

	_, _, err = CleanStale(ctx)
	require.NoError(t, err)
	c, _, err := CountLabel(ctx, LabelRun+"=999999999-1")
	require.NoError(t, err)
	require.Zero(t, c, "the dead run's container must be removed")
	st, err := live.State(ctx)
	require.NoError(t, err)
	require.True(t, st.Running, "a live run's container must be left alone")
}
