// Package players records which players called POST /v1/challenges/initialize. A goal assigned by
// the catalog's default needs no row per player here (internal/assignments keeps only players'
// changes), so a player is one row, not one row per goal.
package players

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is player_initializations (migration 0006).
type Store struct{ pool *pgxpool.Pool }

func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// initializeSQL inserts the player once. ON CONFLICT DO NOTHING returns no row when the player
// exists, so the first call learns it is first in one statement and concurrent first calls cannot
// both be.
const initializeSQL = `INSERT INTO player_initializations (user_id, namespace) VALUES ($1, $2)
ON CONFLICT (user_id) DO NOTHING RETURNING initialized_at`

const initializedAtSQL = `SELECT initialized_at FROM player_initializations WHERE user_id = $1`

// Initialize records the player (idempotent): when it was first initialised, and whether this call
// was that first one.
func (s *Store) Initialize(ctx context.Context, userID, namespace string) (at time.Time, first bool, err error) {
	err = s.pool.QueryRow(ctx, initializeSQL, userID, namespace).Scan(&at)
	if err == nil {
		return at, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, fmt.Errorf("initialize player: %w", err)
	}
	// The row exists (it is never deleted): read its time.
	if err := s.pool.QueryRow(ctx, initializedAtSQL, userID).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("initialize player: %w", err)
	}
	return at, false, nil
}
