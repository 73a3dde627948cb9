// Package claims implements goal claiming: a small state machine in user_goal_claims that makes the
// reward grant happen exactly once per (user, goal) without holding a row lock or a pooled
// connection during the slow platform call.
package claims

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

// Config of the claim service.
type Config struct {
	Namespace string
	// StaleAfter: a 'claiming' row older than this is presumed abandoned (crashed process) and may
	// be taken over. Must exceed RewardTimeout + FinishTimeout so a live attempt is never overtaken.
	StaleAfter time.Duration
	// RewardTimeout bounds the platform call.
	RewardTimeout time.Duration
	// FinishTimeout bounds recording the outcome (retried within it).
	FinishTimeout time.Duration
}

// Result of a successful claim.
type Result struct {
	Goal      *challenges.Goal
	ClaimedAt time.Time
}

// Service runs claims.
type Service struct {
	cfg      Config
	cat      *challenges.Catalog
	store    Store
	reward   reward.Client
	log      *slog.Logger
	prereqs  map[string][]string
	outcomes *prometheus.CounterVec
}

// New builds the service; claims_total{outcome} is registered on reg.
func New(cfg Config, cat *challenges.Catalog, store Store, rw reward.Client, reg prometheus.Registerer, log *slog.Logger) *Service {
	s := &Service{
		cfg: cfg, cat: cat, store: store, reward: rw, log: log,
		prereqs: map[string][]string{},
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "challenge_claims_total", Help: "Goal claims by outcome.",
		}, []string{"outcome"}),
	}
	if reg != nil {
		reg.MustRegister(s.outcomes)
	}
	for _, ch := range cat.Challenges {
		for _, g := range ch.Goals {
			p := slices.Clone(g.Prerequisites)
			slices.Sort(p)
			s.prereqs[g.GoalID] = slices.Compact(p) // the SQL compares a count with the list's length
		}
	}
	return s
}

// Claim grants goalID's reward to userID once. Errors are the Err* values of this package (use
// errors.Is) or an internal failure.
func (s *Service) Claim(ctx context.Context, userID, challengeID, goalID string) (Result, error) {
	res, err := s.claim(ctx, userID, challengeID, goalID)
	s.outcomes.WithLabelValues(outcome(err)).Inc()
	return res, err
}

func (s *Service) claim(ctx context.Context, userID, challengeID, goalID string) (Result, error) {
	if _, ok := s.cat.Challenge(challengeID); !ok {
		return Result{}, ErrChallengeNotFound
	}
	g, ok := s.cat.Goal(goalID)
	if !ok || g.ChallengeID != challengeID {
		return Result{}, ErrGoalNotFound
	}
	k := Key{Namespace: s.cfg.Namespace, UserID: userID, ChallengeID: challengeID, GoalID: goalID}
	prereqs := s.prereqs[goalID]

	// A client disconnect must not cut the state machine between steps: a committed 'claiming'
	// row whose owner gave up would block the goal until it goes stale, and a granted goal must be
	// recorded. So everything runs detached from the request, each step with its own bound.
	detached := context.WithoutCancel(ctx)
	sctx, cancel := context.WithTimeout(detached, s.cfg.FinishTimeout)
	attempt, err := s.start(sctx, k, prereqs)
	cancel()
	if err != nil {
		return Result{}, err
	}

	grant := reward.Grant{
		Namespace: k.Namespace, UserID: userID, GoalID: goalID,
		Type: g.Reward.Type, RewardID: g.Reward.RewardID, Quantity: g.Reward.Quantity,
		IdempotencyKey: reward.IdempotencyKey(k.Namespace, userID, goalID),
	}
	gctx, cancel := context.WithTimeout(detached, s.cfg.RewardTimeout)
	grantErr := s.reward.Grant(gctx, grant)
	cancel()

	fctx, cancel := context.WithTimeout(detached, s.cfg.FinishTimeout)
	defer cancel()
	if grantErr != nil {
		if err := retry(fctx, func() error { return s.store.Abort(fctx, k, attempt) }); err != nil {
			// The row stays 'claiming' and becomes claimable again after StaleAfter.
			s.log.Error("claim: could not release a failed attempt", "user", userID, "goal", goalID, "err", err)
		}
		s.log.Warn("claim: reward grant failed", "user", userID, "goal", goalID, "err", grantErr)
		return Result{}, fmt.Errorf("%w: %v", ErrRewardFailed, grantErr)
	}
	var at time.Time
	err = retry(fctx, func() (err error) { at, err = s.store.Finish(fctx, k, attempt); return err })
	if err != nil {
		// Granted but not recorded: the 'claiming' row goes stale and a later claim re-grants with
		// the same idempotency key, which the platform deduplicates.
		s.log.Error("claim: reward granted but not recorded", "user", userID, "goal", goalID, "err", err)
		return Result{}, fmt.Errorf("record claim: %w", err)
	}
	return Result{Goal: g, ClaimedAt: at}, nil
}

// start runs steps (a) and (b): begin an attempt or explain why not. If the explanation finds the
// goal claimable after all (a concurrent attempt failed and released it in between), it tries again.
func (s *Service) start(ctx context.Context, k Key, prereqs []string) (uuid.UUID, error) {
	for range 3 {
		attempt := uuid.New()
		ok, err := s.store.Begin(ctx, k, prereqs, attempt, s.cfg.StaleAfter)
		if err != nil {
			return uuid.UUID{}, err
		}
		if ok {
			return attempt, nil
		}
		in, err := s.store.Inspect(ctx, k, prereqs)
		if err != nil {
			return uuid.UUID{}, err
		}
		switch {
		case in.State == "claimed":
			return uuid.UUID{}, ErrAlreadyClaimed
		case in.State == "claiming":
			return uuid.UUID{}, ErrInProgress
		case !in.Completed:
			return uuid.UUID{}, ErrNotCompleted
		case !in.PrereqsMet:
			return uuid.UUID{}, ErrPrerequisites
		}
	}
	return uuid.UUID{}, ErrInProgress
}

// retry runs f up to 3 times with a short pause, within ctx: a recording failure is usually a
// dropped connection that the pool replaces at once.
func retry(ctx context.Context, f func() error) error {
	var err error
	for i := range 3 {
		if err = f(); err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(50*(i+1)) * time.Millisecond):
		}
	}
	return err
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "claimed"
	case errors.Is(err, ErrChallengeNotFound), errors.Is(err, ErrGoalNotFound):
		return "not_found"
	case errors.Is(err, ErrNotCompleted):
		return "not_completed"
	case errors.Is(err, ErrPrerequisites):
		return "prerequisites_not_met"
	case errors.Is(err, ErrAlreadyClaimed):
		return "already_claimed"
	case errors.Is(err, ErrInProgress):
		return "in_progress"
	case errors.Is(err, ErrRewardFailed):
		return "reward_failed"
	default:
		return "error"
	}
}
