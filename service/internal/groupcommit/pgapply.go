package groupcommit

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/buffer"
)

// applySQL commits one batch in ONE statement, so the record of which additive events were applied
// and their effect are atomic. fresh keeps only ids not seen before (ON CONFLICT DO NOTHING: a
// concurrent batch holding the same id makes this one wait for it, then skip it); only those add to
// a login counter. Absolute stats need no record: applying one twice changes nothing. input is
// sorted by key so concurrent batches lock user_stats rows in the same order.
const applySQL = `
WITH additive AS (
    SELECT * FROM unnest($7::text[], $8::text[], $9::timestamptz[]) AS a(event_id, user_id, at)
),
fresh AS (
    INSERT INTO applied_events (event_id)
    SELECT event_id FROM additive ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
logins AS (
    SELECT a.user_id, '` + challenges.LoginStatKey + `'::text AS stat_key, $10::text AS namespace,
           count(*)::float8 AS value, count(*)::float8 AS max_value, max(a.at) AS value_at
    FROM fresh JOIN additive a USING (event_id)
    GROUP BY a.user_id
),
input AS (
    SELECT * FROM (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[])
            AS t(user_id, stat_key, namespace, value, max_value, value_at)
        UNION ALL
        SELECT * FROM logins
    ) u ORDER BY user_id, stat_key
),` + buffer.UpsertCTE + `
SELECT (SELECT count(*) FROM up)::int8, (SELECT count(*) FROM fresh)::int8, coalesce((SELECT sum(crossed) FROM up), 0)::int8`

// PGApplier commits batches with applySQL. Safe for concurrent use.
type PGApplier struct {
	pool *pgxpool.Pool
}

// NewPGApplier returns an applier on pool. The pool should carry a server-side statement_timeout
// below COMMIT_TIMEOUT (store.Config.StatementTimeout): a statement the client gave up on must not
// commit later on its own.
func NewPGApplier(pool *pgxpool.Pool) *PGApplier { return &PGApplier{pool: pool} }

// Apply coalesces the batch (absolute stats per key by the buffer's rules; additive events by id,
// a repeated id within the batch counting once) and commits it in one statement.
func (a *PGApplier) Apply(ctx context.Context, events []Event) (Result, error) {
	var (
		stats    = make(map[buffer.Key]buffer.Row, len(events))
		ids      = make(map[string]struct{})
		eventIDs []string
		users    []string
		ats      []time.Time
		ns       string
		inBatch  int
	)
	for i := range events {
		u := &events[i].Update
		if u.Additive {
			if _, dup := ids[events[i].ID]; dup {
				inBatch++
				continue
			}
			ids[events[i].ID] = struct{}{}
			eventIDs = append(eventIDs, events[i].ID)
			users = append(users, u.UserID)
			ats = append(ats, u.At)
			ns = u.Namespace
			continue
		}
		r := buffer.RowOf(u)
		if old, ok := stats[u.Key]; ok {
			r = buffer.Merge(old, r)
		}
		stats[u.Key] = r
	}
	rows := make([]buffer.Row, 0, len(stats))
	for _, r := range stats {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(x, y buffer.Row) int {
		return cmp.Or(cmp.Compare(x.UserID, y.UserID), cmp.Compare(x.StatKey, y.StatKey))
	})
	var (
		su, sk, sn []string
		sv, sm     []float64
		st         []time.Time
	)
	for i := range rows {
		r := &rows[i]
		su, sk, sn = append(su, r.UserID), append(sk, r.StatKey), append(sn, r.Namespace)
		sv, sm, st = append(sv, r.Value), append(sm, r.Max), append(st, r.At)
	}
	var written, fresh, crossed int64
	err := a.pool.QueryRow(ctx, applySQL, su, sk, sn, sv, sm, st, eventIDs, users, ats, ns).Scan(&written, &fresh, &crossed)
	if err != nil {
		return Result{}, err
	}
	return Result{Rows: int(written), Duplicates: inBatch + len(eventIDs) - int(fresh), Crossed: crossed}, nil
}
