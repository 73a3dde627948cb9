package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// SyncGoals mirrors the catalog into goal_definitions (upsert, and delete goals no longer configured)
// and rewrites stat_thresholds (each stat key's sorted distinct targets) in the same transaction,
// under the migration lock so two processes starting together do not interleave.
//
// Limitation: user_stats.crossed_at[i] is the time the i-th threshold was first reached. If the
// catalog's targets change, existing arrays are read against the new thresholds. Completion status
// stays correct (it derives from max_value alone); only completedAt of changed thresholds may shift,
// and a stat whose maximum already exceeds a newly added lower target gets that entry appended (time
// of the next flush that touches it) while the entries after it keep their old positions.
func SyncGoals(ctx context.Context, pool *pgxpool.Pool, cat *challenges.Catalog) error {
	var ids, chIDs, keys []string
	var targets []float64
	var assigned []bool
	for _, ch := range cat.Challenges {
		for _, g := range ch.Goals {
			ids = append(ids, g.GoalID)
			chIDs = append(chIDs, ch.ChallengeID)
			keys = append(keys, g.StatKey())
			targets = append(targets, float64(g.Requirement.TargetValue))
			assigned = append(assigned, g.AssignedByDefault())
		}
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Like Migrate: wait for the other program past the pool's timeouts, bounded by ctx.
		if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO goal_definitions (goal_id, challenge_id, stat_key, target_value, default_assigned)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::bool[])
			ON CONFLICT (goal_id) DO UPDATE SET challenge_id = excluded.challenge_id,
				stat_key = excluded.stat_key, target_value = excluded.target_value,
				default_assigned = excluded.default_assigned
			WHERE (goal_definitions.challenge_id, goal_definitions.stat_key, goal_definitions.target_value,
			       goal_definitions.default_assigned)
			   IS DISTINCT FROM (excluded.challenge_id, excluded.stat_key, excluded.target_value,
			       excluded.default_assigned)`,
			ids, chIDs, keys, targets, assigned); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM goal_definitions WHERE goal_id <> ALL($1::text[])`, ids); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			WITH want AS (
				SELECT stat_key, array_agg(DISTINCT target_value ORDER BY target_value) AS targets
				FROM goal_definitions GROUP BY stat_key
			),
			gone AS (DELETE FROM stat_thresholds t WHERE NOT EXISTS (SELECT 1 FROM want w WHERE w.stat_key = t.stat_key))
			INSERT INTO stat_thresholds (stat_key, targets) SELECT stat_key, targets FROM want
			ON CONFLICT (stat_key) DO UPDATE SET targets = excluded.targets
			WHERE stat_thresholds.targets IS DISTINCT FROM excluded.targets`)
		return err
	})
	if err != nil {
		return fmt.Errorf("sync goal definitions: %w", err)
	}
	return nil
}
