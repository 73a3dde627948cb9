package claims

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// DB is the part of *pgxpool.Pool the store uses: statements run in autocommit, each on a
// connection taken from and returned to the pool for that statement only.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// PGStore implements Store on PostgreSQL (tables from 0001_init.sql and 0002_crossed_at.sql).
type PGStore struct{ db DB }

func NewPGStore(db DB) *PGStore { return &PGStore{db: db} }

// beginSQL is step (a): a single statement, so concurrent claims of one goal serialise on the
// primary key: one inserts, the others hit ON CONFLICT, whose WHERE only lets a stale 'claiming' row
// be taken over (re-checked on the latest row version, so two takeovers cannot both win).
// A goal is completed when its stat's maximum reached its target (completedSQL); prerequisites are
// met when every prerequisite goal is completed (a claimed goal is too: max_value never decreases).
const beginSQL = `
INSERT INTO user_goal_claims (user_id, goal_id, challenge_id, namespace, state, attempt_id, attempt_started_at)
SELECT $1, $2, $3, $4, 'claiming', $5, now()
WHERE ` + activeSQL + `
  AND ` + completedSQL + `
  AND ` + prereqsMetSQL + `
ON CONFLICT (user_id, goal_id) DO UPDATE
   SET attempt_id = excluded.attempt_id, attempt_started_at = excluded.attempt_started_at
 WHERE user_goal_claims.state = 'claiming'
   AND user_goal_claims.attempt_started_at < now() - make_interval(secs => $7)
RETURNING attempt_id`

func (s *PGStore) Begin(ctx context.Context, k Key, prereqs []string, attempt uuid.UUID, staleAfter time.Duration) (bool, error) {
	var got pgtype.UUID
	err := s.db.QueryRow(ctx, beginSQL, k.UserID, k.GoalID, k.ChallengeID, k.Namespace,
		pgtype.UUID{Bytes: attempt, Valid: true}, nonNil(prereqs), staleAfter.Seconds()).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("begin claim: %w", err)
	}
	return got.Bytes == attempt, nil
}

// completedSQL: goal $2 of user $1 is completed ⇔ max_value >= target. goal_definitions (the catalog
// mirrored by store.SyncGoals) gives the goal's stat key and target; both lookups are primary keys.
const completedSQL = `EXISTS (SELECT 1 FROM goal_definitions d
    JOIN user_stats s ON s.user_id = $1 AND s.stat_key = d.stat_key AND s.max_value >= d.target_value
    WHERE d.goal_id = $2)`

// activeSQL: goal $2 is active for user $1: the player's assignment row, else the catalog default
// (mirrored into goal_definitions). A goal the catalog no longer has is not active.
const activeSQL = `coalesce((SELECT a.is_active FROM user_goal_assignments a WHERE a.user_id = $1 AND a.goal_id = $2),
    (SELECT d.default_assigned FROM goal_definitions d WHERE d.goal_id = $2), false)`

// prereqsMetSQL: every goal of the (deduplicated) list $6 is completed (inspectSQL inlines the same
// condition on $3).
const prereqsMetSQL = `(SELECT count(*) FROM goal_definitions d
    JOIN user_stats s ON s.user_id = $1 AND s.stat_key = d.stat_key AND s.max_value >= d.target_value
    WHERE d.goal_id = ANY($6::text[])) = cardinality($6::text[])`

const inspectSQL = `
SELECT cl.state, cl.claimed_at,
       coalesce(extract(epoch FROM now() - cl.attempt_started_at), 0)::float8,
       ` + activeSQL + `,
       ` + completedSQL + `,
       (SELECT count(*) FROM goal_definitions d
         JOIN user_stats s ON s.user_id = $1 AND s.stat_key = d.stat_key AND s.max_value >= d.target_value
         WHERE d.goal_id = ANY($3::text[])) = cardinality($3::text[])
FROM (SELECT 1) AS one
LEFT JOIN user_goal_claims cl ON cl.user_id = $1 AND cl.goal_id = $2`

func (s *PGStore) Inspect(ctx context.Context, k Key, prereqs []string) (Inspection, error) {
	var (
		in        Inspection
		state     pgtype.Text
		claimedAt pgtype.Timestamptz
		age       float64
	)
	err := s.db.QueryRow(ctx, inspectSQL, k.UserID, k.GoalID, nonNil(prereqs)).
		Scan(&state, &claimedAt, &age, &in.Active, &in.Completed, &in.PrereqsMet)
	if err != nil {
		return in, fmt.Errorf("inspect claim: %w", err)
	}
	in.State, in.ClaimedAt = state.String, claimedAt.Time
	in.Age = time.Duration(age * float64(time.Second))
	return in, nil
}

// finishSQL is step (d). The usual case updates our own 'claiming' row; if a stale takeover
// replaced it (or a takeover then failed and deleted it) the grant still happened, so the goal is
// marked claimed anyway; an already 'claimed' row is left alone (ON CONFLICT WHERE false).
const finishSQL = `
INSERT INTO user_goal_claims (user_id, goal_id, challenge_id, namespace, state, attempt_id, attempt_started_at, claimed_at)
VALUES ($1, $2, $3, $4, 'claimed', $5, now(), now())
ON CONFLICT (user_id, goal_id) DO UPDATE
   SET state = 'claimed', claimed_at = now(), attempt_id = excluded.attempt_id
 WHERE user_goal_claims.state = 'claiming'
RETURNING claimed_at`

const claimedAtSQL = `SELECT claimed_at FROM user_goal_claims WHERE user_id = $1 AND goal_id = $2 AND state = 'claimed'`

func (s *PGStore) Finish(ctx context.Context, k Key, attempt uuid.UUID) (time.Time, error) {
	var at time.Time
	err := s.db.QueryRow(ctx, finishSQL, k.UserID, k.GoalID, k.ChallengeID, k.Namespace,
		pgtype.UUID{Bytes: attempt, Valid: true}).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		err = s.db.QueryRow(ctx, claimedAtSQL, k.UserID, k.GoalID).Scan(&at)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("finish claim: %w", err)
	}
	return at, nil
}

const abortSQL = `DELETE FROM user_goal_claims
WHERE user_id = $1 AND goal_id = $2 AND attempt_id = $3 AND state = 'claiming'`

func (s *PGStore) Abort(ctx context.Context, k Key, attempt uuid.UUID) error {
	if _, err := s.db.Exec(ctx, abortSQL, k.UserID, k.GoalID, pgtype.UUID{Bytes: attempt, Valid: true}); err != nil {
		return fmt.Errorf("abort claim: %w", err)
	}
	return nil
}

// stuckSQL uses the partial index of 0004_claiming_index.sql: only 'claiming' rows are in it.
const stuckSQL = `
SELECT count(*), coalesce(extract(epoch FROM now() - min(attempt_started_at)), 0)::float8
FROM user_goal_claims
WHERE state = 'claiming' AND attempt_started_at < now() - make_interval(secs => $1)`

// stuckRowsSQL pages through the stuck rows in StuckPos order ($3 NULL: from the oldest). The row
// comparison and the ORDER BY use the same collation, so a page starts right after the last one.
const stuckRowsSQL = `
SELECT namespace, user_id, challenge_id, goal_id, attempt_started_at
FROM user_goal_claims
WHERE state = 'claiming' AND attempt_started_at < now() - make_interval(secs => $1)
  AND ($3::timestamptz IS NULL OR (attempt_started_at, user_id, goal_id) > ($3::timestamptz, $4::text, $5::text))
ORDER BY attempt_started_at, user_id, goal_id
LIMIT $2`

func (s *PGStore) Stuck(ctx context.Context, staleAfter time.Duration, after StuckPos, limit int) (Stuck, error) {
	var st Stuck
	var oldest float64
	if err := s.db.QueryRow(ctx, stuckSQL, staleAfter.Seconds()).Scan(&st.Count, &oldest); err != nil {
		return st, fmt.Errorf("stuck claims: %w", err)
	}
	st.Oldest = time.Duration(oldest * float64(time.Second))
	if st.Count == 0 {
		return st, nil
	}
	from := pgtype.Timestamptz{Time: after.Started, Valid: !after.Started.IsZero()}
	rows, err := s.db.Query(ctx, stuckRowsSQL, staleAfter.Seconds(), limit, from, after.UserID, after.GoalID)
	if err != nil {
		return st, fmt.Errorf("stuck claims: %w", err)
	}
	st.Rows, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StuckRow, error) {
		var row StuckRow
		k := &row.Key
		err := r.Scan(&k.Namespace, &k.UserID, &k.ChallengeID, &k.GoalID, &row.Pos.Started)
		row.Pos.UserID, row.Pos.GoalID = k.UserID, k.GoalID
		return row, err
	})
	if err != nil {
		return st, fmt.Errorf("stuck claims: %w", err)
	}
	return st, nil
}

// nonNil: pgx encodes a nil slice as NULL, and cardinality(NULL) is NULL, not 0.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
