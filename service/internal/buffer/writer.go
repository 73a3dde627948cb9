package buffer

import (
	"context"
	"crypto/rand"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// Writer persists one batch atomically, at most once per flush id, and reports how many goal
// thresholds it newly crossed (distinct targets per stat key, see upsertSQL). A statement can commit
// and still return an error (the connection drops between the server's COMMIT and its reply), so
// the flusher retries a failed batch with the SAME id and rows: a writer that finds the id already
// applied changes nothing and reports replayed.
type Writer interface {
	Write(ctx context.Context, flushID string, rows []statstore.Row) (crossed int64, replayed bool, err error)
}

// flushIDPrefix starts every flush id. Flush ids are kept in applied_events beside durable mode's
// login ids (the same promise: an additive effect and the record that it was applied commit in one
// statement). A control character can start no accepted event id (events.checkEventID refuses
// them), so the two never collide, and pruning by this prefix never touches a login id.
const flushIDPrefix = "\x01flush:"

// NewFlushID returns a fresh flush id (128 random bits).
func NewFlushID() string { return flushIDPrefix + rand.Text() }

// upsertSQL applies a batch in ONE statement, with statstore.UpsertCTE (the group committer's rules:
// no per-goal rows, thresholds crossed appended to crossed_at). Rows are locked in input order,
// which callers sort, so two handler instances never deadlock on user_stats.
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
),` + statstore.UpsertCTE + `
SELECT coalesce((SELECT sum(crossed) FROM up), 0)::int8, NOT EXISTS (SELECT 1 FROM flush)`

// pruneFlushIDsSQL forgets flush ids older than $1 seconds (by the server's clock). starts_with is
// an exact byte comparison (a range on the prefix would follow the database's collation, which may
// ignore the control character and reach login ids).
const pruneFlushIDsSQL = `
DELETE FROM applied_events WHERE applied_at < now() - make_interval(secs => $1) AND starts_with(event_id, $2)`

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
func (w *PGWriter) Write(ctx context.Context, flushID string, rows []statstore.Row) (int64, bool, error) {
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
