package claims

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

// Issue 23.7: rows the reconciler cannot take over (a goal gone from the catalog, a goal no longer
// completed under the current catalog) stay 'claiming' and are the oldest. Reading the 100 oldest
// each round, it would never reach anything else. With 150 such rows, a newer resolvable row is
// resolved within a few rounds.
func TestReconcilerIsNotStarvedByUnresolvableRows(t *testing.T) {
	_, pool := pgFixture(t)
	ctx := context.Background()
	mock := reward.NewMock(0, 0, 0, nil)
	s := newServiceCfg(t, NewPGStore(pool), mock, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: time.Second, FinishTimeout: time.Second}, prometheus.NewRegistry())
	// 75 rows of a goal the catalog no longer has, 75 of g2 for users without any stats (not
	// completed): both older than the one resolvable row, u's g1.
	_, err := pool.Exec(ctx, `
		INSERT INTO user_goal_claims (user_id, goal_id, challenge_id, namespace, state, attempt_id, attempt_started_at)
		SELECT 'gone-' || i, 'removed-goal', 'c1', 'test', 'claiming', gen_random_uuid(), now() - interval '3 hours'
		FROM generate_series(1, 75) AS i
		UNION ALL
		SELECT 'nostats-' || i, 'g2', 'c1', 'test', 'claiming', gen_random_uuid(), now() - interval '2 hours'
		FROM generate_series(1, 75) AS i
		UNION ALL
		SELECT 'u', 'g1', 'c1', 'test', 'claiming', gen_random_uuid(), now() - interval '1 hour'`)
	require.NoError(t, err)

	for range 3 {
		require.NoError(t, s.ReconcileOnce(ctx))
	}
	require.Equal(t, "claimed", claimState(t, pool, "u", "g1"), "the resolvable row was reached")
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
	var left int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM user_goal_claims WHERE state = 'claiming'`).Scan(&left))
	require.Equal(t, 150, left, "the unresolvable rows stay for an operator")
}
