package harness

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// stateTables are the tables of this repository's schema that hold players' state (the ones
// ResetDatabase empties); the catalog tables are the service's and stay.
var stateTables = []string{"user_stats", "user_goal_claims", "applied_events", "player_initializations",
	"user_goal_assignments"}

const snapshotPrefix = "perf_snapshot_"

// SnapshotState copies the players' state into perf_snapshot_* tables of the same database (and
// resets the statistics, which then held the seeding's statements), so
// RestoreState can bring the seeded state back before a later level without replaying ~40,000
// events and ~2,000 claims through the public APIs (10 s a level on the 2-core host).
func SnapshotState(ctx context.Context, pool *pgxpool.Pool) error {
	var b strings.Builder
	for _, t := range stateTables {
		fmt.Fprintf(&b, `DROP TABLE IF EXISTS %[2]s%[1]s;
			DO $$ BEGIN IF to_regclass('%[1]s') IS NOT NULL THEN CREATE TABLE %[2]s%[1]s AS TABLE %[1]s; END IF; END $$;
			`, t, snapshotPrefix)
	}
	// The seeding's and the copy's statements are not the level's work.
	b.WriteString("SELECT pg_stat_statements_reset(); SELECT pg_stat_reset();")
	_, err := pool.Exec(ctx, b.String())
	return err
}

// RestoreState empties the players' state and copies the snapshot back, in one transaction, then
// resets the statement and table statistics so the next level's analysis sees only its own work.
func RestoreState(ctx context.Context, pool *pgxpool.Pool) error {
	var b strings.Builder
	b.WriteString("BEGIN;\n")
	for _, t := range stateTables {
		fmt.Fprintf(&b, `DO $$ BEGIN IF to_regclass('%[2]s%[1]s') IS NOT NULL THEN
				TRUNCATE %[1]s; INSERT INTO %[1]s SELECT * FROM %[2]s%[1]s; END IF; END $$;
			`, t, snapshotPrefix)
	}
	b.WriteString("COMMIT;\nSELECT pg_stat_statements_reset(); SELECT pg_stat_reset();")
	_, err := pool.Exec(ctx, b.String())
	return err
}
