package claims

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

// counting counts the grant calls that reach next.
type counting struct {
	next  reward.Client
	calls atomic.Int32
}

func (c *counting) Grant(ctx context.Context, g reward.Grant) error {
	c.calls.Add(1)
	return c.next.Grant(ctx, g)
}

// retryAfter is what an in-progress answer tells the client about when to look again.
func retryAfter(t *testing.T, err error) time.Duration {
	t.Helper()
	var p interface{ RetryAfter() time.Duration }
	require.True(t, errors.As(err, &p), "an in-progress error carries a retry hint: %v", err)
	return p.RetryAfter()
}

// Issue 23.7: without REWARD_IDEMPOTENT_RETRIES (the default: RewardAttempts unset) the claim path
// never repeats a grant whose outcome is unknown: one call, and the claim is in progress (not failed,
// not "still claimable"); the row stays 'claiming' for the reconciler.
func TestUnknownOutcomeIsNotRetriedByDefault(t *testing.T) {
	st, mock := newMemStore(), reward.NewMock(0, 0, 0, nil)
	st.completed["u/g1"] = true
	mock.LoseNextReplies(1) // granted, but the answer never arrives
	rw := &counting{next: mock}
	s := newServiceCfg(t, st, rw, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: 20 * time.Millisecond, FinishTimeout: time.Second}, nil)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrInProgress)
	require.ErrorIs(t, err, ErrRewardUnknown)
	require.NotErrorIs(t, err, ErrRewardFailed, "the grant may have happened: not a failure")
	require.EqualValues(t, 1, rw.calls.Load(), "no retry without a platform that honours the key")
	require.Equal(t, "claiming", st.rows["u/g1"].state)
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
	require.InDelta(t, time.Minute.Seconds(), retryAfter(t, err).Seconds(), 2, "look again when the row can be taken over")
}

// Issue 23.7: after an unknown outcome every later claim of the goal answers "in progress" until
// the reconciler resolves it; then it answers as today (already claimed).
func TestLaterClaimsOfAnUnknownOutcomeAreInProgress(t *testing.T) {
	st, mock := newMemStore(), reward.NewMock(0, 0, 0, nil)
	st.completed["u/g1"] = true
	mock.LoseNextReplies(1)
	s := newServiceCfg(t, st, mock, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: 20 * time.Millisecond, FinishTimeout: time.Second}, prometheus.NewRegistry())
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrInProgress)

	// Right after: the attempt might still be running (for all a later claim knows): look again soon.
	_, err = s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrInProgress)
	require.Equal(t, time.Second, retryAfter(t, err))
	// Older than a claim's worst case (2 s here): nothing changes before the row goes stale at 60 s.
	st.rows["u/g1"].started = time.Now().Add(-20 * time.Second)
	for range 3 {
		_, err = s.Claim(context.Background(), "u", "c1", "g1")
		require.ErrorIs(t, err, ErrInProgress)
		require.InDelta(t, 40, retryAfter(t, err).Seconds(), 2)
	}

	st.rows["u/g1"].started = time.Now().Add(-time.Hour)
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, "claimed", st.rows["u/g1"].state)
	_, err = s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrAlreadyClaimed)
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
}

// A claim that collides with one still granting is in progress too, with a short hint.
func TestConcurrentClaimIsInProgressWithAShortHint(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{gate: make(chan struct{})}
	st.completed["u/g1"] = true
	s := newService(t, st, rw)
	done := make(chan error)
	go func() { _, err := s.Claim(context.Background(), "u", "c1", "g1"); done <- err }()
	for rw.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrInProgress)
	require.LessOrEqual(t, retryAfter(t, err), 2*time.Second)
	close(rw.gate)
	require.NoError(t, <-done)
}

// Issue 23.7: the reconciler pages through the stuck rows instead of re-reading the oldest 100:
// 150 rows it cannot take over (their goal left the catalog) do not keep it from a newer one.
func TestReconcilerPagesPastUnresolvableRows(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	for i := range 150 {
		st.rows[fmt.Sprintf("gone-%03d/removed-goal", i)] = &row{state: "claiming", attempt: uuid.New(), started: time.Now().Add(-3 * time.Hour)}
	}
	st.rows["u/g1"] = &row{state: "claiming", attempt: uuid.New(), started: time.Now().Add(-time.Hour)}
	s := newServiceCfg(t, st, rw, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: time.Second, FinishTimeout: time.Second}, prometheus.NewRegistry())

	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, "claiming", st.rows["u/g1"].state, "the first round reads the 100 oldest")
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, "claimed", st.rows["u/g1"].state, "the second round continues after them")
	require.Equal(t, 150.0, testutil.ToFloat64(s.m.reconciled.WithLabelValues("skipped")))
	require.Equal(t, 1.0, testutil.ToFloat64(s.m.reconciled.WithLabelValues("finished")))
	// The end was reached: the next round starts from the oldest again.
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, 250.0, testutil.ToFloat64(s.m.reconciled.WithLabelValues("skipped")))
}
