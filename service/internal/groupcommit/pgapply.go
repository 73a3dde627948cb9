package groupcommit

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// applySQL commits one batch in ONE statement, so the record of which additive events were applied
// and their effect are atomic. fresh keeps only ids not seen before (ON CONFLICT DO NOTHING: a
// concurrent batch holding the same id makes this one wait for it, then skip it); only those add to
// a login counter. Absolute stats need no record: applying one twice changes nothing (its key
// equals the stored one, see statstore.UpsertCTE). input is sorted by key so concurrent batches lock
// user_stats rows in the same order.
const applySQL = `
WITH additive AS (
    SELECT * FROM unnest($8::text[], $9::text[], $10::timestamptz[]) AS a(event_id, user_id, at)
),
fresh AS (
    INSERT INTO applied_events (event_id)
    SELECT event_id FROM additive ORDER BY event_id
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
),
logins AS (
    SELECT a.user_id, '` + challenges.LoginStatKey + `'::text AS stat_key, $11::text AS namespace,
           count(*)::float8 AS value, count(*)::float8 AS max_value, max(a.at) AS value_at, ''::text AS value_event_id
    FROM fresh JOIN additive a USING (event_id)
    GROUP BY a.user_id
),
input AS (
    SELECT * FROM (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[], $7::text[])
            AS t(user_id, stat_key, namespace, value, max_value, value_at, value_event_id)
        UNION ALL
        SELECT * FROM logins
    ) u ORDER BY user_id, stat_key
),` + statstore.UpsertCTE + `
SELECT (SELECT count(*) FROM up)::int8, (SELECT count(*) FROM fresh)::int8, coalesce((SELECT sum(crossed) FROM up), 0)::int8`

// PGApplier commits batches with applySQL. Safe for concurrent use.
type PGApplier struct {
	pool *pgxpool.Pool
}

// NewPGApplier returns an applier on pool. The pool should carry a server-side statement_timeout
// below COMMIT_TIMEOUT (store.Config.StatementTimeout): a statement the client gave up on must not
// commit later on its own.
func NewPGApplier(pool *pgxpool.Pool) *PGApplier { return &PGApplier{pool: pool} }

// Apply coalesces the batch (absolute stats per key by statstore's merge rules; additive events by
// id, a repeated id within the batch counting once) and commits it in one statement.
func (a *PGApplier) Apply(ctx context.Context, events []Event) (Result, error) {
	b := coalesce(events)
	var written, fresh, crossed int64
	if err := a.pool.QueryRow(ctx, applySQL, b.args()...).Scan(&written, &fresh, &crossed); err != nil {
		return Result{}, err
	}
	return Result{Rows: int(written), Duplicates: b.inBatch + len(b.eventIDs) - int(fresh), Crossed: crossed}, nil
}

// Isolated reports failures that concern only the rows of the failed batch: lock_not_available
// (DB_LOCK_TIMEOUT behind another transaction's row lock), deadlock_detected and
// serialization_failure. The committer refuses such a batch without backing off; anything else
// (no connection, statement timeout, the server shutting down) says the database is unwell.
func (a *PGApplier) Isolated(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "55P03", "40P01", "40001":
		return true
	}
	return false
}

// batchArgs is one batch reduced to applySQL's parameters.
type batchArgs struct {
	stats    []statstore.Row // one per key, sorted by key (the lock order)
	eventIDs []string        // additive events, each id once
	users    []string
	ats      []time.Time
	ns       string
	inBatch  int // additive events whose id repeated within the batch
}

func coalesce(events []Event) batchArgs {
	var b batchArgs
	stats := make(map[statstore.Key]statstore.Row, len(events))
	ids := make(map[string]struct{})
	for i := range events {
		u := &events[i].Update
		if !u.Additive {
			r := statstore.RowOf(u)
			if old, ok := stats[u.Key]; ok {
				r = statstore.Merge(old, r)
			}
			stats[u.Key] = r
			continue
		}
		if _, dup := ids[u.EventID]; dup {
			b.inBatch++
			continue
		}
		ids[u.EventID] = struct{}{}
		b.eventIDs, b.users, b.ats, b.ns = append(b.eventIDs, u.EventID), append(b.users, u.UserID), append(b.ats, u.At), u.Namespace
	}
	for _, r := range stats {
		b.stats = append(b.stats, r)
	}
	slices.SortFunc(b.stats, func(x, y statstore.Row) int {
		return cmp.Or(cmp.Compare(x.UserID, y.UserID), cmp.Compare(x.StatKey, y.StatKey))
	})
	return b
}

func (b *batchArgs) args() []any {
	var (
		su, sk, sn, se []string
		sv, sm         []float64
		st             []time.Time
	)
	for i := range b.stats {
		r := &b.stats[i]
		su, sk, sn, se = append(su, r.UserID), append(sk, r.StatKey), append(sn, r.Namespace), append(se, r.EventID)
		sv, sm, st = append(sv, r.Value), append(sm, r.Max), append(st, r.At)
	}
	return []any{su, sk, sn, sv, sm, st, se, b.eventIDs, b.users, b.ats, b.ns}
}
