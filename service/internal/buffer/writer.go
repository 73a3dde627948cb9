package buffer

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
)

// Writer persists one batch atomically, at most once per flush id, and reports how many goal
// thresholds it newly crossed (distinct targets per stat key, see upsertSQL). A statement can commit
// and still return an error (the connection drops between the server's COMMIT and its reply), so
// the flusher retries a failed batch with the SAME id and rows: a writer that finds the id already
// applied changes nothing and reports replayed.
type Writer interface {
	Write(ctx context.Context, flushID string, rows []Row) (crossed int64, replayed bool, err error)
}

// flushIDPrefix starts every flush id. Flush ids are kept in applied_events beside durable mode's
// login ids (the same promise: an additive effect and the record that it was applied commit in one
// statement). A control character can start no accepted event id (events.checkEventID refuses
// them), so the two never collide, and pruning by this prefix never touches a login id.
const flushIDPrefix = "\x01flush:"

// NewFlushID returns a fresh flush id (128 random bits).
func NewFlushID() string { return flushIDPrefix + rand.Text() }

// newMaxSQL is the stat's maximum after the update (s = the existing row, excluded = the input).
const newMaxSQL = `CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN GREATEST(s.max_value, s.value + excluded.value)
                         ELSE GREATEST(s.max_value, excluded.max_value) END`

// upsertSQL applies a batch in ONE statement and writes no per-goal rows: completion is
// max_value >= target, and crossed_at[i] is when max_value first reached the i-th smallest distinct
// target of the stat key (stat_thresholds.targets, sorted). width_bucket(max, targets) counts the
// targets <= max, so the thresholds this batch crossed are the suffix beyond cardinality(crossed_at),
// appended with now(). A row's ON CONFLICT DO UPDATE always reads the latest committed row version
// (a concurrent writer waits for the row lock), so two writers' appends compose: the second sees the
// first one's array and appends only what is still missing. Rows are locked in input order, which
// callers sort, so two handler instances never deadlock on user_stats.
//
// The result counts the entries this statement appended: the only entries equal to this
// transaction's now() (a metric; another transaction starting in the same microsecond could add to it).
//
// $8 is the flush id, recorded in the same statement (issue 23, item 5): flush inserts it unless it
// is there, and input is empty unless it was new, so a retry of a statement that had committed
// writes nothing. A concurrent statement with the same id (the first attempt still running on the
// server) makes this one wait for its outcome: ON CONFLICT sees the committed row, or inserts after
// a rollback. input's EXISTS is evaluated before input yields a row, so the insert runs first.
const upsertSQL = `
WITH flush AS (
    INSERT INTO applied_events (event_id) VALUES ($8)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[], $7::text[])
        AS t(user_id, stat_key, namespace, value, max_value, value_at, value_event_id)
    WHERE EXISTS (SELECT 1 FROM flush)
),` + UpsertCTE + `
SELECT coalesce((SELECT sum(crossed) FROM up), 0)::int8, NOT EXISTS (SELECT 1 FROM flush)`

// pruneFlushIDsSQL forgets flush ids older than $1 seconds (by the server's clock). starts_with is
// an exact byte comparison (a range on the prefix would follow the database's collation, which may
// ignore the control character and reach login ids).
const pruneFlushIDsSQL = `
DELETE FROM applied_events WHERE applied_at < now() - make_interval(secs => $1) AND starts_with(event_id, $2)`

// greaterKeySQL: the input's (event time, event id) is greater than the stored one's, ids compared
// bytewise. The same order as the in-memory merge (entry.after). It compares with the row as it is
// when this statement holds its lock, so of two concurrent batches the greater key wins whichever
// commits first; equal keys (a redelivery of the same event) change nothing.
const greaterKeySQL = `(excluded.value_at, excluded.value_event_id COLLATE "C") > (s.value_at, s.value_event_id COLLATE "C")`

// UpsertCTE is the common table expression "up" that applies the rows of a preceding CTE named
// input (user_id, stat_key, namespace, value, max_value, value_at, value_event_id; unique keys, in
// lock order) and returns each row's newly crossed thresholds as crossed. The buffered flusher and
// the group committer (internal/groupcommit) share it, so both apply events by the same rules.
// Logins carry an empty value_event_id, so for them the key is their latest time.
const UpsertCTE = `
up AS (
    INSERT INTO user_stats AS s (user_id, stat_key, namespace, value, value_at, value_event_id, max_value, crossed_at)
    SELECT user_id, stat_key, namespace, value, value_at, value_event_id, max_value,
           array_fill(now(), ARRAY[coalesce(width_bucket(max_value,
               (SELECT targets FROM stat_thresholds th WHERE th.stat_key = input.stat_key)), 0)])
    FROM input
    ON CONFLICT (user_id, stat_key) DO UPDATE SET
        value = CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN s.value + excluded.value
                     WHEN ` + greaterKeySQL + ` THEN excluded.value
                     ELSE s.value END,
        max_value = ` + newMaxSQL + `,
        crossed_at = s.crossed_at || array_fill(now(), ARRAY[GREATEST(0, coalesce(width_bucket(` + newMaxSQL + `,
               (SELECT targets FROM stat_thresholds th WHERE th.stat_key = s.stat_key)), 0) - cardinality(s.crossed_at))]),
        value_at = CASE WHEN ` + greaterKeySQL + ` THEN excluded.value_at ELSE s.value_at END,
        value_event_id = CASE WHEN ` + greaterKeySQL + ` THEN excluded.value_event_id ELSE s.value_event_id END,
        updated_at = now()
    RETURNING cardinality(array_positions(s.crossed_at, now())) AS crossed
)`

// PGWriter writes batches with upsertSQL. Not safe for concurrent use: it reuses its column slices
// (the flusher is its only caller).
type PGWriter struct {
	pool *pgxpool.Pool

	users, keys, namespaces, eventIDs []string
	values, maxima                    []float64
	times                             []time.Time
}

// NewPGWriter returns a writer on pool.
func NewPGWriter(pool *pgxpool.Pool) *PGWriter { return &PGWriter{pool: pool} }

// Write applies rows (unique keys, sorted by key) in one statement, unless flushID was applied
// before (replayed: nothing written).
func (w *PGWriter) Write(ctx context.Context, flushID string, rows []Row) (int64, bool, error) {
	if !strings.HasPrefix(flushID, flushIDPrefix) {
		return 0, false, errors.New("buffer: flush id " + strconv.Quote(flushID) + " lacks the flush prefix (use NewFlushID)")
	}
	w.users, w.keys, w.namespaces, w.eventIDs = w.users[:0], w.keys[:0], w.namespaces[:0], w.eventIDs[:0]
	w.values, w.maxima, w.times = w.values[:0], w.maxima[:0], w.times[:0]
	for i := range rows {
		r := &rows[i]
		w.users = append(w.users, r.UserID)
		w.keys = append(w.keys, r.StatKey)
		w.namespaces = append(w.namespaces, r.Namespace)
		w.values = append(w.values, r.Value)
		w.maxima = append(w.maxima, r.Max)
		w.times = append(w.times, r.At)
		w.eventIDs = append(w.eventIDs, r.EventID)
	}
	var crossed int64
	var replayed bool
	err := w.pool.QueryRow(ctx, upsertSQL, w.users, w.keys, w.namespaces, w.values, w.maxima, w.times, w.eventIDs, flushID).
		Scan(&crossed, &replayed)
	if err != nil {
		return 0, false, err
	}
	return crossed, replayed, nil
}

// PruneFlushIDs deletes the flush ids recorded more than olderThan ago and returns how many. Only
// flush ids: login ids in the same table are durable mode's, pruned by its own retention.
func (w *PGWriter) PruneFlushIDs(ctx context.Context, olderThan time.Duration) (int64, error) {
	tag, err := w.pool.Exec(ctx, pruneFlushIDsSQL, olderThan.Seconds(), flushIDPrefix)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
