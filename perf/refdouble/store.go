package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// catalog is the reference's catalog format: ours plus defaultAssigned per goal (read leniently,
// as the reference does; unknown fields are kept out of the way).
type catalog struct {
	Challenges []struct {
		ChallengeID string `json:"challengeId"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Goals       []goal `json:"goals"`
	} `json:"challenges"`
	goals map[string]*goal
}

type goal struct {
	GoalID      string `json:"goalId"`
	Name        string `json:"name"`
	Description string `json:"description"`
	EventSource string `json:"eventSource"`
	Requirement struct {
		StatCode    string  `json:"statCode"`
		Operator    string  `json:"operator"`
		TargetValue float64 `json:"targetValue"`
	} `json:"requirement"`
	Reward          json.RawMessage `json:"reward"`
	Prerequisites   []string        `json:"prerequisites"`
	DefaultAssigned *bool           `json:"defaultAssigned"`
	challengeID     string
}

func loadCatalog(path string) (*catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	c.goals = map[string]*goal{}
	for i := range c.Challenges {
		ch := &c.Challenges[i]
		for j := range ch.Goals {
			g := &ch.Goals[j]
			if g.DefaultAssigned == nil {
				// The reference materialises only defaultAssigned goals: a catalog without the
				// field would leave every user with nothing.
				return nil, fmt.Errorf("catalog %s: goal %s has no defaultAssigned (the reference's format)", path, g.GoalID)
			}
			g.challengeID = ch.ChallengeID
			c.goals[g.GoalID] = g
		}
	}
	if len(c.goals) == 0 {
		return nil, fmt.Errorf("catalog %s: no goals", path)
	}
	return &c, nil
}

// store is the double's own schema: initialised users, one row per (user, stat), claims.
type store struct {
	pool *pgxpool.Pool
	cat  *catalog
	ns   string
}

func (s *store) migrate(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `
		CREATE TABLE IF NOT EXISTS refdouble_users (user_id text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
		CREATE TABLE IF NOT EXISTS refdouble_stats (
			user_id text NOT NULL, stat_code text NOT NULL, value double precision NOT NULL,
			max_value double precision NOT NULL, at timestamptz NOT NULL, event_id text NOT NULL DEFAULT '', PRIMARY KEY (user_id, stat_code));
		CREATE TABLE IF NOT EXISTS refdouble_claims (
			user_id text NOT NULL, goal_id text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (user_id, goal_id));`)
	return err
}

func (s *store) initialise(ctx context.Context, user string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO refdouble_users (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, user)
	return err
}

// applyStat sets a stat to the value of the event with the greatest (time, id) — the contract's
// order, which redelivery cannot change — keeps its maximum, and only for an initialised user (as
// the reference: no rows, no effect).
func (s *store) applyStat(ctx context.Context, user, code string, v float64, at time.Time, id string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO refdouble_stats AS s (user_id, stat_code, value, max_value, at, event_id)
		SELECT $1, $2, $3, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM refdouble_users WHERE user_id = $1)
		ON CONFLICT (user_id, stat_code) DO UPDATE SET
			value = CASE WHEN (EXCLUDED.at, EXCLUDED.event_id COLLATE "C") > (s.at, s.event_id COLLATE "C") THEN EXCLUDED.value ELSE s.value END,
			event_id = CASE WHEN (EXCLUDED.at, EXCLUDED.event_id COLLATE "C") > (s.at, s.event_id COLLATE "C") THEN EXCLUDED.event_id ELSE s.event_id END,
			at = greatest(s.at, EXCLUDED.at), max_value = greatest(s.max_value, EXCLUDED.value)`, user, code, v, at, id)
	return err
}

// applyLogin counts a login (no de-duplication by event id, like the reference).
func (s *store) applyLogin(ctx context.Context, user string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO refdouble_stats AS s (user_id, stat_code, value, max_value, at)
		SELECT $1, 'login_count', 1, 1, $2 WHERE EXISTS (SELECT 1 FROM refdouble_users WHERE user_id = $1)
		ON CONFLICT (user_id, stat_code) DO UPDATE SET
			value = s.value + 1, max_value = s.value + 1, at = greatest(s.at, EXCLUDED.at)`, user, at)
	return err
}

type statRow struct {
	value, max float64
	at         time.Time
}

func (s *store) userState(ctx context.Context, user string) (map[string]statRow, map[string]time.Time, error) {
	stats := map[string]statRow{}
	rows, err := s.pool.Query(ctx, `SELECT stat_code, value, max_value, at FROM refdouble_stats WHERE user_id = $1`, user)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var code string
		var r statRow
		if err := rows.Scan(&code, &r.value, &r.max, &r.at); err != nil {
			return nil, nil, err
		}
		stats[code] = r
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	claims := map[string]time.Time{}
	rows, err = s.pool.Query(ctx, `SELECT goal_id, claimed_at FROM refdouble_claims WHERE user_id = $1`, user)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var g string
		var at time.Time
		if err := rows.Scan(&g, &at); err != nil {
			return nil, nil, err
		}
		claims[g] = at
	}
	return stats, claims, rows.Err()
}

var errAlreadyClaimed = errors.New("already claimed")

func (s *store) claim(ctx context.Context, user, goalID string) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `INSERT INTO refdouble_claims (user_id, goal_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING RETURNING claimed_at`, user, goalID).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return at, errAlreadyClaimed
	}
	return at, err
}
