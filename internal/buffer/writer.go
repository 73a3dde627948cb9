package buffer

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/internal/challenges"
)

// Writer persists one batch atomically and reports how many goal completions it recorded.
type Writer interface {
	Write(ctx context.Context, rows []Row) (completions int64, err error)
}

// upsertSQL applies a batch in ONE statement. Sub-statements of a WITH share one snapshot, so `old`
// sees the maxima from before this statement's upsert; goals whose targets lie in (old max, new max]
// are the ones this batch completed. A concurrent writer's `old` may be staler, giving a superset
// that ON CONFLICT DO NOTHING absorbs. Rows are locked in input order, which callers sort, so two
// handler instances never deadlock on user_stats.
const upsertSQL = `
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

// PGWriter writes batches with upsertSQL. Not safe for concurrent use: it reuses its column slices
// (the flusher is its only caller).
type PGWriter struct {
	pool *pgxpool.Pool

	users, keys, namespaces []string
	values, maxima          []float64
	times                   []time.Time
}

// NewPGWriter returns a writer on pool.
func NewPGWriter(pool *pgxpool.Pool) *PGWriter { return &PGWriter{pool: pool} }

// Write applies rows (unique keys, sorted by key) in one statement.
func (w *PGWriter) Write(ctx context.Context, rows []Row) (int64, error) {
	w.users, w.keys, w.namespaces = w.users[:0], w.keys[:0], w.namespaces[:0]
	w.values, w.maxima, w.times = w.values[:0], w.maxima[:0], w.times[:0]
	for i := range rows {
		r := &rows[i]
		w.users = append(w.users, r.UserID)
		w.keys = append(w.keys, r.StatKey)
		w.namespaces = append(w.namespaces, r.Namespace)
		w.values = append(w.values, r.Value)
		w.maxima = append(w.maxima, r.Max)
		w.times = append(w.times, r.At)
	}
	tag, err := w.pool.Exec(ctx, upsertSQL, w.users, w.keys, w.namespaces, w.values, w.maxima, w.times)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
