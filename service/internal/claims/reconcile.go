package claims

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

type reconcileMetrics struct {
	stuck      prometheus.Gauge
	oldest     prometheus.Gauge
	reconciled *prometheus.CounterVec
}

func newReconcileMetrics() reconcileMetrics {
	return reconcileMetrics{
		stuck: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "challenge_claims_stuck",
			Help: "'claiming' rows older than CLAIM_STALE_AFTER at the reconciler's last round.",
		}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "challenge_claims_stuck_oldest_seconds",
			Help: "Age of the oldest stuck 'claiming' row at the reconciler's last round (0: none).",
		}),
		reconciled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "challenge_claims_reconciled_total",
			Help: "Stuck claims the reconciler handled, by result (finished, released, unresolved; skipped: not taken over, because resolved meanwhile, the goal left the catalog or is no longer completed).",
		}, []string{"result"}),
	}
}

func (m reconcileMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(m.stuck, m.oldest, m.reconciled)
}

// RunReconciler resolves stuck claims every interval until ctx ends.
func (s *Service) RunReconciler(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.ReconcileOnce(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("claim reconciler: round failed; retrying at the next tick", "err", err)
			}
		}
	}
}

// ReconcileOnce takes over each 'claiming' row older than StaleAfter (a crashed or cut attempt, a
// grant whose outcome was unknown, a grant not recorded) and finishes it the way a claim does: the
// grant is asked for again with the same idempotency key, so a grant that already happened is
// answered, not repeated; then the row becomes 'claimed', or is released on a definite refusal.
// Taking over is the same atomic step as a user's claim, so replicas and users never both own a row.
//
// A round reads at most ReconcileBatch rows, continuing after the row the previous round stopped
// at and starting over from the oldest once it reached the end. Rows it cannot take over (a goal
// gone from the catalog, a goal no longer completed under the current catalog) keep their age and
// would otherwise be the oldest rows every round: so many of them could never starve the others.
func (s *Service) ReconcileOnce(ctx context.Context) error {
	s.reconcile.Lock()
	defer s.reconcile.Unlock()
	st, err := s.store.Stuck(ctx, s.cfg.StaleAfter, s.reconcile.after, s.cfg.ReconcileBatch)
	if err != nil {
		return err
	}
	s.m.stuck.Set(float64(st.Count))
	s.m.oldest.Set(st.Oldest.Seconds())
	if len(st.Rows) < s.cfg.ReconcileBatch {
		s.reconcile.after = StuckPos{} // reached the end: the next round starts from the oldest
	} else {
		s.reconcile.after = st.Rows[len(st.Rows)-1].Pos
	}
	for _, r := range st.Rows {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		k := r.Key
		g, ok := s.cat.Goal(k.GoalID)
		if !ok {
			s.m.reconciled.WithLabelValues("skipped").Inc()
			continue // a goal removed from the catalog: nothing to grant; left for an operator
		}
		attempt := uuid.New()
		bctx, cancel := context.WithTimeout(ctx, s.cfg.FinishTimeout)
		ok, err := s.store.Begin(bctx, k, s.prereqs[k.GoalID], attempt, s.cfg.StaleAfter)
		cancel()
		if err != nil {
			return err
		}
		if !ok {
			// Finished or taken over by someone else meanwhile, or not claimable under the current
			// catalog (left for an operator).
			s.m.reconciled.WithLabelValues("skipped").Inc()
			continue
		}
		_, err = s.complete(context.WithoutCancel(ctx), k, g, attempt, time.Now())
		switch {
		case err == nil:
			s.m.reconciled.WithLabelValues("finished").Inc()
		case errors.Is(err, ErrRewardFailed):
			s.m.reconciled.WithLabelValues("released").Inc()
		default:
			s.m.reconciled.WithLabelValues("unresolved").Inc()
		}
	}
	return nil
}

// StuckPos is a stuck row's place in the reconciler's order: attempt start, then user, then goal
// (the primary key makes it total). The zero value is before every row.
type StuckPos struct {
	Started        time.Time
	UserID, GoalID string
}

// StuckRow is one stuck row.
type StuckRow struct {
	Key Key
	Pos StuckPos
}

// Stuck describes 'claiming' rows older than the stale window.
type Stuck struct {
	Count  int
	Oldest time.Duration
	Rows   []StuckRow // in StuckPos order after the position asked for, at most the limit asked for
}
