package claims

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Key identifies a claim row.
type Key struct {
	Namespace, UserID, ChallengeID, GoalID string
}

// Why a claim could not start.
type Inspection struct {
	State      string        // "", "claiming" or "claimed"
	ClaimedAt  time.Time     // when State == "claimed"
	Age        time.Duration // when State == "claiming": since its attempt started
	Active     bool
	Completed  bool
	PrereqsMet bool
}

// Store is the claim state machine's persistence; every method is one statement on a pooled
// connection that is released before it returns (nothing is held across the reward call).
type Store interface {
	// Begin inserts a 'claiming' row owned by attempt if the goal is active and completed and its
	// prerequisites are, or takes over a 'claiming' row older than staleAfter. ok=false: nothing was started.
	Begin(ctx context.Context, k Key, prereqs []string, attempt uuid.UUID, staleAfter time.Duration) (ok bool, err error)
	// Inspect explains why Begin started nothing.
	Inspect(ctx context.Context, k Key, prereqs []string) (Inspection, error)
	// Finish records a granted reward as claimed and returns the claim time. The grant happened, so
	// the row becomes 'claimed' whoever owns a 'claiming' row now; if it already was claimed, the
	// existing time is returned.
	Finish(ctx context.Context, k Key, attempt uuid.UUID) (claimedAt time.Time, err error)
	// Abort deletes this attempt's 'claiming' row (the grant was refused): the goal is claimable again.
	Abort(ctx context.Context, k Key, attempt uuid.UUID) error
	// Stuck counts the 'claiming' rows older than staleAfter and returns up to limit of them in
	// StuckPos order, the first ones after `after` (the zero StuckPos: from the oldest).
	Stuck(ctx context.Context, staleAfter time.Duration, after StuckPos, limit int) (Stuck, error)
}
