package claims

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

func newServiceCfg(t *testing.T, st Store, rw reward.Client, cfg Config, reg prometheus.Registerer) *Service {
	t.Helper()
	cat, err := challenges.Parse([]byte(catalogJSON))
	require.NoError(t, err)
	return New(cfg, cat, st, rw, reg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// A grant whose reply is lost (timeout after the platform granted) is asked for again with the same
// key: the claim succeeds and the player got exactly one reward.
func TestLostReplyIsRetriedWithTheSameKey(t *testing.T) {
	st, mock := newMemStore(), reward.NewMock(0, 0, 0, nil)
	st.completed["u/g1"] = true
	mock.LoseNextReplies(1)
	s := newServiceCfg(t, st, mock, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: 50 * time.Millisecond, RewardAttempts: 3, FinishTimeout: time.Second}, nil)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.NoError(t, err)
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
	require.Equal(t, "claimed", st.rows["u/g1"].state)
}

// When every attempt times out the outcome stays unknown: the row is kept 'claiming' (not released
// for a fresh grant) and the reconciler completes it later with the same key.
func TestUnknownOutcomeIsLeftToTheReconciler(t *testing.T) {
	st, mock := newMemStore(), reward.NewMock(0, 0, 0, nil)
	st.completed["u/g1"] = true
	mock.LoseNextReplies(1)
	rw := &unreachable{next: mock, after: 1}
	reg := prometheus.NewRegistry()
	s := newServiceCfg(t, st, rw, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: 20 * time.Millisecond, RewardAttempts: 2, FinishTimeout: time.Second}, reg)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrRewardUnknown)
	require.ErrorIs(t, err, ErrInProgress, "the grant may have happened: in progress, not failed")
	require.NotErrorIs(t, err, ErrRewardFailed)
	require.Equal(t, "claiming", st.rows["u/g1"].state)
	require.Equal(t, 0, st.aborts)

	// Fresh: not the reconciler's yet.
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, "claiming", st.rows["u/g1"].state)

	st.rows["u/g1"].started = time.Now().Add(-time.Hour)
	rw.after = 1 << 30 // the platform answers again
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.Equal(t, "claimed", st.rows["u/g1"].state)
	require.Equal(t, map[string]int{"g1": 1}, mock.Grants("u"))
	require.Equal(t, 1.0, testutil.ToFloat64(s.m.stuck))
	require.GreaterOrEqual(t, testutil.ToFloat64(s.m.oldest), 3000.0)
	require.Equal(t, 1.0, testutil.ToFloat64(s.m.reconciled.WithLabelValues("finished")))

	_, err = s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrAlreadyClaimed)
}

// unreachable passes the first `after` calls to next, then never answers (a platform gone dark).
type unreachable struct {
	next  reward.Client
	after int
	calls int
}

func (u *unreachable) Grant(ctx context.Context, g reward.Grant) error {
	u.calls++
	if u.calls > u.after {
		<-ctx.Done()
		return ctx.Err()
	}
	return u.next.Grant(ctx, g)
}

// A stuck row whose grant the platform refuses is released: the goal is claimable again.
func TestReconcilerReleasesARefusedClaim(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	s := newServiceCfg(t, st, rw, Config{Namespace: "test", StaleAfter: time.Minute,
		RewardTimeout: time.Second, FinishTimeout: time.Second}, prometheus.NewRegistry())
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.NoError(t, err)
	st.completed["u/h1"] = true
	st.rows["u/h1"] = &row{state: "claiming", started: time.Now().Add(-time.Hour)}
	rw.fail.Store(true)
	require.NoError(t, s.ReconcileOnce(context.Background()))
	require.NotContains(t, st.rows, "u/h1")
	require.Equal(t, "claimed", st.rows["u/g1"].state, "claimed rows are never touched")
	require.Equal(t, 1.0, testutil.ToFloat64(s.m.reconciled.WithLabelValues("released")))
}

// Shutdown can wait for claims in flight.
func TestWaitForClaimsInFlight(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{gate: make(chan struct{})}
	st.completed["u/g1"] = true
	s := newService(t, st, rw)
	done := make(chan error)
	go func() { _, err := s.Claim(context.Background(), "u", "c1", "g1"); done <- err }()
	for rw.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, s.Wait(ctx), context.DeadlineExceeded)
	close(rw.gate)
	require.NoError(t, s.Wait(context.Background()))
	require.NoError(t, <-done)
}
