package claims

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/moby/moby/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/containers"
	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
	"github.com/challenge-perf/challenge-perf/service/internal/store"
)

// pgFixture: a migrated database with the test catalog and user u's login_count completed.
func pgFixture(t *testing.T) (*containers.PostgresContainer, *pgxpool.Pool) {
	t.Helper()
	pg := containers.PostgresForTest(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pg.DSN(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	cat, err := challenges.Parse([]byte(catalogJSON))
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx, pool))
	require.NoError(t, store.SyncGoals(ctx, pool, cat))
	_, err = pool.Exec(ctx, `INSERT INTO user_stats (user_id, stat_key, namespace, value, value_at, max_value)
		VALUES ('u', '@login', 'test', 5, now(), 5), ('v', '@login', 'test', 5, now(), 5)`)
	require.NoError(t, err)
	return pg, pool
}

func claimState(t *testing.T, pool *pgxpool.Pool, user, goal string) string {
	t.Helper()
	var state string
	err := pool.QueryRow(context.Background(),
		`SELECT coalesce((SELECT state FROM user_goal_claims WHERE user_id = $1 AND goal_id = $2), '')`, user, goal).Scan(&state)
	require.NoError(t, err)
	return state
}

// gated holds every grant until gate is closed.
type gated struct {
	next  reward.Client
	gate  chan struct{}
	calls atomic.Int32
}

func (g *gated) Grant(ctx context.Context, gr reward.Grant) error {
	g.calls.Add(1)
	<-g.gate
	return g.next.Grant(ctx, gr)
}

// Many claims of one goal while PostgreSQL is paused between the grant and its record, for longer
// than the step timeout: the grant happened but is not recorded. After the stale window, a new claim
// takes the row over and grants again with the same key: the platform (mock, honouring the key, as
// a real one does) shows exactly one grant. The reconciler does the same for a user who never comes back.
func TestPausedDatabaseNeverGrantsTwice(t *testing.T) {
	pg, pool := pgFixture(t)
	ctx := context.Background()
	mock := reward.NewMock(0, 0, 0, nil)
	// Grants wait at the gate until the database is paused, so none can be recorded.
	rw := &gated{next: mock, gate: make(chan struct{})}
	s := newServiceCfg(t, NewPGStore(pool), rw, Config{Namespace: "test", StaleAfter: time.Hour,
		RewardTimeout: 10 * time.Second, FinishTimeout: time.Second}, prometheus.NewRegistry())

	cli, err := containers.Docker(ctx)
	require.NoError(t, err)
	id := pg.GetContainerID()
	paused := false
	unpause := func() {
		if paused {
			_, err := cli.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{})
			require.NoError(t, err)
			paused = false
		}
	}
	t.Cleanup(unpause)

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for _, user := range []string{"u", "v"} {
		for range 20 {
			wg.Go(func() { _, err := s.Claim(ctx, user, "c1", "g1"); errs <- err })
		}
	}
	// Both attempts have started (their 'claiming' rows are committed) and are granting.
	for deadline := time.Now().Add(time.Minute); rw.calls.Load() < 2; {
		if time.Now().After(deadline) {
			close(rw.gate)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Log(err)
			}
			t.Fatal("the claims never reached the grant")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, err = cli.ContainerPause(ctx, id, client.ContainerPauseOptions{})
	require.NoError(t, err)
	paused = true
	close(rw.gate)
	wg.Wait() // every claim gave up: FinishTimeout passed while the database was paused
	unpause()
	close(errs)
	for err := range errs {
		require.Error(t, err, "nothing can be recorded while the database is paused")
	}
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
	require.Equal(t, "claiming", claimState(t, pool, "u", "g1"), "granted, not recorded")

	// The stale window passes (moved in the database rather than waited for).
	_, err = pool.Exec(ctx, `UPDATE user_goal_claims SET attempt_started_at = now() - interval '2 hours'`)
	require.NoError(t, err)

	// u claims again: the takeover asks for the grant with the same key and records it.
	res, err := s.Claim(ctx, "u", "c1", "g1")
	require.NoError(t, err)
	require.Equal(t, "g1", res.Goal.GoalID)
	require.Equal(t, "claimed", claimState(t, pool, "u", "g1"))
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))

	// v never comes back: the reconciler finishes the claim on its own.
	require.NoError(t, s.ReconcileOnce(ctx))
	require.Equal(t, "claimed", claimState(t, pool, "v", "g1"))
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("v"))
	_, err = s.Claim(ctx, "v", "c1", "g1")
	require.ErrorIs(t, err, ErrAlreadyClaimed)
	require.EqualValues(t, 2, mock.Total())
}
