// Package assignments stores a player's changes to which goals are active (the reference's
// PUT /v1/challenges/{challengeId}/goals/{goalId}/active). A goal's catalog default
// (defaultAssigned) applies until the player changes it, so rows exist only for changes.
package assignments

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is user_goal_assignments (migration 0007).
type Store struct{ pool *pgxpool.Pool }

func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Change is one set-active call.
type Change struct {
	UserID, Namespace, GoalID string
	Active                    bool
	// The goal as the catalog defines it: its default, the stat key its progress derives from, and
	// its target (to freeze completion when it is deactivated).
	DefaultActive bool
	StatKey       string
	Target        int64
}

// setActiveSQL is one statement, so concurrent calls for one goal serialise on the primary key and
// each sees the row the previous one left. Deactivating an active goal freezes what it shows now
// (the stat's floor(value) and whether its maximum reached the target: the state the list derives);
// activating keeps the frozen values (unused while active) and stamps assigned_at; a call that does
// not change the state changes nothing. The first row of a goal starts from the catalog default ($5):
// a goal that was never active freezes at 0, not completed.
const setActiveSQL = `
WITH s AS (
    SELECT GREATEST(floor(coalesce(max(value), 0)), 0)::bigint AS progress,
           coalesce(max(max_value), 0) >= $7 AS completed
    FROM user_stats WHERE user_id = $1 AND stat_key = $6
)
INSERT INTO user_goal_assignments AS a (user_id, goal_id, namespace, is_active, assigned_at, frozen_progress, frozen_completed)
SELECT $1, $2, $3, $4, CASE WHEN $4 AND NOT $5 THEN now() END,
       CASE WHEN $5 THEN s.progress ELSE 0 END, $5 AND s.completed
FROM s
ON CONFLICT (user_id, goal_id) DO UPDATE SET
    is_active        = excluded.is_active,
    assigned_at      = CASE WHEN excluded.is_active AND NOT a.is_active THEN now() ELSE a.assigned_at END,
    frozen_progress  = CASE WHEN a.is_active AND NOT excluded.is_active
                            THEN (SELECT progress FROM s) ELSE a.frozen_progress END,
    frozen_completed = CASE WHEN a.is_active AND NOT excluded.is_active
                            THEN (SELECT completed FROM s) ELSE a.frozen_completed END,
    updated_at       = now()
RETURNING a.assigned_at`

// SetActive applies c and returns the goal's last activation time (zero if the player never
// activated it: a default-assigned goal's assignment time is its player's initialisation).
func (s *Store) SetActive(ctx context.Context, c Change) (time.Time, error) {
	var at pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, setActiveSQL, c.UserID, c.GoalID, c.Namespace, c.Active,
		c.DefaultActive, c.StatKey, float64(c.Target)).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("set goal active: %w", err)
	}
	return at.Time, nil
}
