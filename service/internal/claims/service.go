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
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

// Config of the claim service.
type Config struct {
	Namespace string
	// StaleAfter: a 'claiming' row older than this is presumed abandoned (crashed process, outcome
	// unknown) and may be taken over. Must exceed RewardAttempts × RewardTimeout + FinishTimeout so
	// a live attempt is never overtaken (an overtaken one would still be harmless: same grant key).
	StaleAfter time.Duration
	// RewardTimeout bounds one platform call.
	RewardTimeout time.Duration
	// RewardAttempts: calls with the same idempotency key before an unknown outcome (timeout) is
	// left to the reconciler (default 1). More than one is safe only against a platform that
	// honours the key (REWARD_IDEMPOTENT_RETRIES): otherwise a repeat of a grant that happened
	// but whose answer was lost pays the reward twice.
	RewardAttempts int
	// FinishTimeout bounds recording the outcome (retried within it).
	FinishTimeout time.Duration
	// ReconcileBatch: stuck rows resolved per reconciler round at most (default 100).
	ReconcileBatch int
}

// ResponseMargin is the time left after a worst-case claim to write its answer.
const ResponseMargin = 5 * time.Second

// MaxResponseTime bounds WorstCase() + ResponseMargin: HTTP clients commonly give up after 60 s
// (k6's default, and the suite's generator's), so a configuration whose claims could take longer
// is refused at start (cmd/challenge-service).
const MaxResponseTime = 60 * time.Second

func (c Config) withDefaults() Config {
	if c.RewardAttempts <= 0 {
		c.RewardAttempts = 1
	}
	if c.ReconcileBatch <= 0 {
		c.ReconcileBatch = 100
	}
	return c
}

// WorstCase is the longest a claim takes from its first statement to its outcome: starting it
// (bounded by FinishTimeout), RewardAttempts platform calls of RewardTimeout each with the pauses
// between them, and recording the outcome (FinishTimeout). With the defaults (one attempt of 10 s,
// 5 s steps) 20 s; with 3 attempts 40.3 s.
func (c Config) WorstCase() time.Duration {
	c = c.withDefaults()
	d := 2*c.FinishTimeout + time.Duration(c.RewardAttempts)*c.RewardTimeout
	for i := 1; i < c.RewardAttempts; i++ {
		d += backoff(i)
	}
	return d
}

// backoff is the pause before the i-th repeat of a grant (i ≥ 1).
func backoff(i int) time.Duration { return time.Duration(100*i) * time.Millisecond }

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
	m        reconcileMetrics

	// inflight counts claims between start and their last step, so shutdown can wait for them.
	inflight sync.WaitGroup

	// reconcile serialises reconciler rounds; after is the stuck row the last round stopped at.
	reconcile struct {
		sync.Mutex
		after StuckPos
	}
}

// New builds the service; claims_total{outcome} and the reconciler's metrics are registered on reg.
func New(cfg Config, cat *challenges.Catalog, store Store, rw reward.Client, reg prometheus.Registerer, log *slog.Logger) *Service {
	cfg = cfg.withDefaults()
	s := &Service{
		cfg: cfg, cat: cat, store: store, reward: rw, log: log,
		prereqs: map[string][]string{},
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "challenge_claims_total", Help: "Goal claims by outcome.",
		}, []string{"outcome"}),
		m: newReconcileMetrics(),
	}
	if reg != nil {
		reg.MustRegister(s.outcomes)
		s.m.register(reg)
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

// ResponseTimeout is how long the answer to a claim may take at most: the claim's worst case plus
// time to write it. The API's claim route sets its write deadline from it (the server's own
// WriteTimeout may be shorter than a claim that waits for the platform).
func (s *Service) ResponseTimeout() time.Duration { return s.cfg.WorstCase() + ResponseMargin }

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
	s.inflight.Add(1)
	defer s.inflight.Done()
	sctx, cancel := context.WithTimeout(detached, s.cfg.FinishTimeout)
	attempt, err := s.start(sctx, k, prereqs)
	cancel()
	if err != nil {
		return Result{}, err
	}
	return s.complete(detached, k, g, attempt, time.Now())
}

// complete runs steps (c) and (d) for an attempt that owns the 'claiming' row: grant with the
// (namespace, user, goal) idempotency key, then record. Every way out leaves either a final state
// or a 'claiming' row that the reconciler (or a later claim) resolves by granting again with the
// same key, which the platform answers with the first grant. began is when the attempt took the row.
func (s *Service) complete(ctx context.Context, k Key, g *challenges.Goal, attempt uuid.UUID, began time.Time) (Result, error) {
	grant := reward.Grant{
		Namespace: k.Namespace, UserID: k.UserID, GoalID: k.GoalID,
		Type: g.Reward.Type, RewardID: g.Reward.RewardID, Quantity: g.Reward.Quantity,
		IdempotencyKey: reward.IdempotencyKey(k.Namespace, k.UserID, k.GoalID),
	}
	grantErr := s.grant(ctx, grant)
	fctx, cancel := context.WithTimeout(ctx, s.cfg.FinishTimeout)
	defer cancel()
	switch {
	case grantErr == nil:
	case reward.Refused(grantErr):
		if err := retry(fctx, func() error { return s.store.Abort(fctx, k, attempt) }); err != nil {
			// The row stays 'claiming'; the reconciler asks the platform again later.
			s.log.Error("claim: could not release a refused attempt", "user", k.UserID, "goal", k.GoalID, "err", err)
		}
		s.log.Warn("claim: reward grant refused", "user", k.UserID, "goal", k.GoalID, "err", grantErr)
		return Result{}, fmt.Errorf("%w: %v", ErrRewardFailed, grantErr)
	default:
		// Unknown outcome after every attempt: releasing could lose a grant that happened, so the
		// row stays 'claiming' for the reconciler. Nothing changes before it goes stale.
		s.log.Warn("claim: reward outcome unknown; left to the reconciler", "user", k.UserID, "goal", k.GoalID, "err", grantErr)
		return Result{}, &PendingError{Err: fmt.Errorf("%w: %v", ErrRewardUnknown, grantErr),
			After: s.cfg.StaleAfter - time.Since(began)}
	}
	var at time.Time
	err := retry(fctx, func() (err error) { at, err = s.store.Finish(fctx, k, attempt); return err })
	if err != nil {
		// Granted but not recorded: the reconciler re-grants with the same key (a no-op on the
		// platform) and records it.
		s.log.Error("claim: reward granted but not recorded; left to the reconciler", "user", k.UserID, "goal", k.GoalID, "err", err)
		return Result{}, fmt.Errorf("record claim: %w", err)
	}
	return Result{Goal: g, ClaimedAt: at}, nil
}

// grant calls the platform up to RewardAttempts times with the same key, stopping at a success or
// a definite refusal (RewardAttempts is 1 unless the platform honours the key).
func (s *Service) grant(ctx context.Context, g reward.Grant) error {
	var err error
	for i := range s.cfg.RewardAttempts {
		if i > 0 {
			time.Sleep(backoff(i))
		}
		gctx, cancel := context.WithTimeout(ctx, s.cfg.RewardTimeout)
		err = s.reward.Grant(gctx, g)
		cancel()
		if err == nil || reward.Refused(err) {
			return err
		}
	}
	return err
}

// Wait blocks until the claims in flight finished or ctx ends (shutdown). A claim cut by the
// process exit leaves a 'claiming' row that the reconciler resolves.
func (s *Service) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
			return uuid.UUID{}, &PendingError{Err: ErrInProgress, After: s.retryHint(in.Age)}
		case !in.Active:
			return uuid.UUID{}, ErrNotActive
		case !in.Completed:
			return uuid.UUID{}, ErrNotCompleted
		case !in.PrereqsMet:
			return uuid.UUID{}, ErrPrerequisites
		}
	}
	return uuid.UUID{}, &PendingError{Err: ErrInProgress, After: time.Second}
}

// retryHint says when a claim that met a 'claiming' row of this age may find it changed. While
// the attempt may still be running (younger than a claim's worst case) that can be any moment;
// after that, nothing happens before the row goes stale and is taken over (by the reconciler, or
// by the next claim).
func (s *Service) retryHint(age time.Duration) time.Duration {
	if age < s.cfg.WorstCase() {
		return time.Second
	}
	return s.cfg.StaleAfter - age
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
	case errors.Is(err, ErrNotActive):
		return "not_active"
	case errors.Is(err, ErrPrerequisites):
		return "prerequisites_not_met"
	case errors.Is(err, ErrAlreadyClaimed):
		return "already_claimed"
	case errors.Is(err, ErrRewardUnknown):
		return "reward_unknown"
	case errors.Is(err, ErrInProgress):
		return "in_progress"
	case errors.Is(err, ErrRewardFailed):
		return "reward_failed"
	default:
		return "error"
	}
}
