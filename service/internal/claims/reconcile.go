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
			Help: "Stuck claims the reconciler handled, by result (finished, released, unresolved).",
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
func (s *Service) ReconcileOnce(ctx context.Context) error {
	st, err := s.store.Stuck(ctx, s.cfg.StaleAfter, s.cfg.ReconcileBatch)
	if err != nil {
		return err
	}
	s.m.stuck.Set(float64(st.Count))
	s.m.oldest.Set(st.Oldest.Seconds())
	for _, k := range st.Keys {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g, ok := s.cat.Goal(k.GoalID)
		if !ok {
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
			continue // finished or taken over by someone else meanwhile
		}
		_, err = s.complete(context.WithoutCancel(ctx), k, g, attempt)
		switch {
		case err == nil:
			s.m.reconciled.WithLabelValues("finished").Inc()
		case errors.Is(err, ErrRewardFailed) && !errors.Is(err, ErrRewardUnknown):
			s.m.reconciled.WithLabelValues("released").Inc()
		default:
			s.m.reconciled.WithLabelValues("unresolved").Inc()
		}
	}
	return nil
}

// Stuck describes 'claiming' rows older than the stale window.
type Stuck struct {
	Count  int
	Oldest time.Duration
	Keys   []Key // the oldest ones, at most the limit asked for
}
