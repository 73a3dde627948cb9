package progress

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Querier is the part of *pgxpool.Pool the reader needs.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Reader loads a user's facts in one round trip.
type Reader struct{ q Querier }

func NewReader(q Querier) *Reader { return &Reader{q: q} }

// loadSQL fetches the three kinds of facts with one statement (one round trip, one pooled
// connection held only for its duration). Each branch is a primary-key prefix scan on user_id.
// Completion is derived from max_value, its time from crossed_at: there are no per-goal completion
// rows. Assignment rows exist only where a player changed a goal's catalog default; their columns
// ride in the shared shape (value: frozen progress, max_value: frozen completed, text: is_active).
const loadSQL = `
SELECT 0::int2, stat_key, value, max_value, crossed_at, NULL::timestamptz, NULL::text FROM user_stats WHERE user_id = $1
UNION ALL
SELECT 2::int2, goal_id, 0, 0, NULL, claimed_at, state FROM user_goal_claims WHERE user_id = $1
UNION ALL
SELECT 3::int2, goal_id, frozen_progress, frozen_completed::int, NULL, assigned_at, is_active::text
FROM user_goal_assignments WHERE user_id = $1`

// Load fills st (which the caller has Reset) with userID's facts.
func (r *Reader) Load(ctx context.Context, userID string, st *State) error {
	rows, err := r.q.Query(ctx, loadSQL, userID)
	if err != nil {
		return fmt.Errorf("load progress: %w", err)
	}
	defer rows.Close()
	var (
		kind     int16
		key      string
		value    float64
		maxValue float64
		crossed  []time.Time
		at       pgtype.Timestamptz
		state    pgtype.Text
	)
	for rows.Next() {
		if err := rows.Scan(&kind, &key, &value, &maxValue, &crossed, &at, &state); err != nil {
			return fmt.Errorf("load progress: %w", err)
		}
		switch kind {
		case 0:
			st.SetStat(key, value, maxValue, crossed)
		case 2:
			cs := ClaimClaiming
			if state.String == "claimed" {
				cs = ClaimClaimed
			}
			var claimedAt time.Time
			if at.Valid {
				claimedAt = at.Time
			}
			st.SetClaim(key, cs, claimedAt)
		case 3:
			st.SetAssignment(key, Assignment{
				Active: state.String == "true", AssignedAt: at.Time,
				FrozenProgress: int64(value), FrozenCompleted: maxValue != 0,
			})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load progress: %w", err)
	}
	return nil
}
