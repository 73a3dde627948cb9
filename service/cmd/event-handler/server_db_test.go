package main

// Issue 23.6 for the handler: a commit behind a row lock nobody releases gives its commit slot
// back at DB_LOCK_TIMEOUT (refused, so the platform redelivers) instead of at the statement timeout.

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/challenge-perf/challenge-perf/contract/eventstest"
)

func TestACommitBehindAStuckLockIsRefusedAtLockTimeout(t *testing.T) {
	h := startHandler(t, map[string]string{"ACK_MODE": ackDurable, "DB_LOCK_TIMEOUT": "300ms"})
	ctx := context.Background()
	t0 := time.Now().Add(-time.Minute).Truncate(time.Microsecond)
	require.NoError(t, h.Send(ctx, eventstest.Event{ID: "s1", User: "u1", Code: "wins", Value: 1, At: t0}))

	p := pool(t)
	tx, err := p.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // rolled back below
	_, err = tx.Exec(ctx, `SELECT 1 FROM user_stats WHERE user_id = 'u1' FOR UPDATE`)
	require.NoError(t, err)

	next := eventstest.Event{ID: "s2", User: "u1", Code: "wins", Value: 2, At: t0.Add(time.Second)}
	start := time.Now()
	err = h.Send(ctx, next)
	require.Equal(t, codes.Unavailable, status.Code(err), "%v", err)
	require.Less(t, time.Since(start), 3*time.Second, "refused at the lock timeout, not the 10 s statement timeout")

	require.NoError(t, tx.Rollback(ctx))
	require.NoError(t, h.Send(ctx, next), "the redelivery commits")
	require.Equal(t, [2]float64{2, 2}, eventstest.ReadState(t, p).Stats[[2]string{"u1", "wins"}])
}
