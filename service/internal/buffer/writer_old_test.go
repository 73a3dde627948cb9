package buffer

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// oldUpsertSQL is the first design's flush (one user_goal_completions row per goal crossed), kept
// only so BenchmarkFlushFastProgress can compare both designs in one run.
const oldUpsertSQL = `
WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[])
        AS t(user_id, stat_key, namespace, value, max_value, value_at)
),
old AS (
    SELECT s.user_id, s.stat_key, s.max_value
    FROM user_stats s JOIN input i ON s.user_id = i.user_id AND s.stat_key = i.stat_key
),
up AS (
    INSERT INTO user_stats AS s (user_id, stat_key, namespace, value, value_at, max_value)
    SELECT user_id, stat_key, namespace, value, value_at, max_value FROM input
    ON CONFLICT (user_id, stat_key) DO UPDATE SET
        value = CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN s.value + excluded.value
                     WHEN excluded.value_at >= s.value_at THEN excluded.value
                     ELSE s.value END,
        max_value = CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN GREATEST(s.max_value, s.value + excluded.value)
                         ELSE GREATEST(s.max_value, excluded.max_value) END,
        value_at = GREATEST(s.value_at, excluded.value_at),
        updated_at = now()
    RETURNING s.user_id, s.stat_key, s.namespace, s.max_value
)
INSERT INTO user_goal_completions (user_id, goal_id, challenge_id, namespace)
SELECT up.user_id, d.goal_id, d.challenge_id, up.namespace
FROM up
JOIN goal_definitions d ON d.stat_key = up.stat_key AND d.target_value <= up.max_value
LEFT JOIN old ON old.user_id = up.user_id AND old.stat_key = up.stat_key
WHERE old.max_value IS NULL OR d.target_value > old.max_value
ON CONFLICT (user_id, goal_id) DO NOTHING`

// oldUserGoalCompletions recreates the first design's table (dropped by 0002) for the benchmark.
const oldUserGoalCompletions = `CREATE TABLE IF NOT EXISTS user_goal_completions (
    user_id      text        NOT NULL,
    goal_id      text        NOT NULL,
    challenge_id text        NOT NULL,
    namespace    text        NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, goal_id))`

type oldPGWriter struct{ pool *pgxpool.Pool }

// Write ignores the flush id: the first design recorded none.
func (w oldPGWriter) Write(ctx context.Context, _ string, rows []statstore.Row) (int64, bool, error) {
	users, keys, nss := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
	vals, maxima, times := make([]float64, len(rows)), make([]float64, len(rows)), make([]time.Time, len(rows))
	for i, r := range rows {
		users[i], keys[i], nss[i], vals[i], maxima[i], times[i] = r.UserID, r.StatKey, r.Namespace, r.Value, r.Max, r.At
	}
	tag, err := w.pool.Exec(ctx, oldUpsertSQL, users, keys, nss, vals, maxima, times)
	return tag.RowsAffected(), false, err
}

// BenchmarkFlushFastProgress: 10,000 users (5 stat keys round robin), every flush raises every
// user's value by 10, so with the fixture's targets (mult·g) each row crosses 10, 5, 2 or 1
// thresholds per flush (@login and wins 10, games_played 5, headshots 2, enemy_kills 1). After 9
// flushes the values near the top targets, so the tables are emptied (untimed) and the climb restarts.
// old = one completion row per crossed goal (the first design); new = crossed_at append.
func BenchmarkFlushFastProgress(b *testing.B) {
	codes := []string{"@login", "enemy_kills", "games_played", "headshots", "wins"}
	for _, design := range []string{"old", "new"} {
		b.Run(design, func(b *testing.B) {
			pool := testPool(b)
			ctx := context.Background()
			var w Writer = NewPGWriter(pool)
			truncate := `TRUNCATE user_stats`
			if design == "old" {
				if _, err := pool.Exec(ctx, oldUserGoalCompletions); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _, _ = pool.Exec(ctx, `DROP TABLE user_goal_completions`) })
				w, truncate = oldPGWriter{pool}, `TRUNCATE user_stats, user_goal_completions`
			}
			b1 := New(1 << 20)
			f := NewFlusher(b1, w, FlusherConfig{WriteTimeout: 10 * time.Minute}, NewMetrics(nil, b1), discardLog())
			var rows int
			var elapsed time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				step := i % 9
				if step == 0 {
					if _, err := pool.Exec(ctx, truncate); err != nil {
						b.Fatal(err)
					}
				}
				for u := range 10_000 {
					c := codes[u%5]
					v := float64(10 * (step + 1))
					if c == "@login" {
						v = 10 // a delta
					}
					up := &statstore.Update{Key: statstore.Key{UserID: fmt.Sprintf("user-%06d", u+1), StatKey: c}, Namespace: "test",
						Value: v, At: t0.Add(time.Duration(i) * time.Second), Additive: c == "@login"}
					b1.Reserve()
					_ = b1.Add(up)
				}
				b.StartTimer()
				start := time.Now()
				if err := f.FlushOnce(ctx); err != nil {
					b.Fatal(err)
				}
				d := time.Since(start)
				elapsed += d
				rows += 10_000
				if os.Getenv("BENCH_VERBOSE") == "1" {
					b.Logf("%s flush %d (step %d): %v", design, i, step, d)
				}
			}
			b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
			b.ReportMetric(elapsed.Seconds()*1000/float64(b.N), "ms/flush")
		})
	}
}
