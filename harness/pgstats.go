package harness

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/challenge-perf/challenge-perf/harness/dbsql"
	"github.com/challenge-perf/challenge-perf/runresult"
)

// ResetDatabase empties the data tables (with the handler's applied event ids: event ids are unique
// per run, so the previous level's are dead weight) and the statistics views, so every level starts from an
// empty database (the spec's "empty on test start") and its statistics cover that level alone.
func ResetDatabase(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `TRUNCATE user_stats, user_goal_claims;
		DO $$ BEGIN IF to_regclass('applied_events') IS NOT NULL THEN TRUNCATE applied_events; END IF; END $$;
		DO $$ BEGIN IF to_regclass('player_initializations') IS NOT NULL THEN TRUNCATE player_initializations; END IF; END $$;
		DO $$ BEGIN IF to_regclass('user_goal_assignments') IS NOT NULL THEN TRUNCATE user_goal_assignments; END IF; END $$;
		SELECT pg_stat_statements_reset(); SELECT pg_stat_reset();`)
	return err
}

// AnalyzeDatabase runs the analyses of harness/dbsql/analyze_db_performance.sql (the file users
// run by hand with psql) and scans their columns in the order written there.
func AnalyzeDatabase(ctx context.Context, pool *pgxpool.Pool) (*runresult.DBAnalysis, error) {
	a := &runresult.DBAnalysis{}
	rows, err := pool.Query(ctx, dbsql.Query(dbsql.TopStatements))
	if err != nil {
		return nil, err
	}
	if a.TopStatements, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (runresult.StatementStat, error) {
		var s runresult.StatementStat
		return s, r.Scan(&s.Query, &s.Calls, &s.MeanMS, &s.MaxMS, &s.TotalSec, &s.Rows, &s.CacheHitPct)
	}); err != nil {
		return nil, err
	}
	if a.Connections, err = ConnectionStates(ctx, pool); err != nil {
		return nil, err
	}
	rows, err = pool.Query(ctx, dbsql.Query(dbsql.TableStats))
	if err != nil {
		return nil, err
	}
	if a.Tables, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (runresult.TableStat, error) {
		var t runresult.TableStat
		return t, r.Scan(&t.Table, &t.TotalBytes, &t.LiveRows, &t.DeadRows, &t.Inserts, &t.Updates,
			&t.HotUpdates, &t.SeqScans, &t.IdxScans, &t.LastAutovacuum)
	}); err != nil {
		return nil, err
	}
	rows, err = pool.Query(ctx, dbsql.Query(dbsql.IndexUsage))
	if err != nil {
		return nil, err
	}
	if a.Indexes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (runresult.IndexStat, error) {
		var i runresult.IndexStat
		return i, r.Scan(&i.Table, &i.Index, &i.Scans, &i.TupRead, &i.Bytes)
	}); err != nil {
		return nil, err
	}
	err = pool.QueryRow(ctx, dbsql.Query(dbsql.DatabaseTotals)).Scan(&a.CacheHitPct, &a.Commits, &a.Rollbacks, &a.Deadlocks)
	return a, err
}

// ConnectionStates counts the database's connections by state.
func ConnectionStates(ctx context.Context, pool *pgxpool.Pool) ([]runresult.ConnState, error) {
	rows, err := pool.Query(ctx, dbsql.Query(dbsql.ConnectionStates))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (runresult.ConnState, error) {
		var c runresult.ConnState
		return c, r.Scan(&c.State, &c.Count, &c.OldestSec)
	})
}

// SampleDatabase records a runresult.DBSample every interval until ctx ends, then returns them.
func SampleDatabase(ctx context.Context, pool *pgxpool.Pool, interval time.Duration) func() []runresult.DBSample {
	var mu sync.Mutex
	var out []runresult.DBSample
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			var s runresult.DBSample
			s.Time = time.Now()
			err := pool.QueryRow(ctx, `
				SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE state = 'idle'),
				       count(*) FILTER (WHERE state LIKE 'idle in transaction%'),
				       (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
				       (SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()),
				       (SELECT tup_updated FROM pg_stat_database WHERE datname = current_database()),
				       (SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements)
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).
				Scan(&s.Active, &s.Idle, &s.IdleInTx, &s.Commits, &s.TupInserted, &s.TupUpdated, &s.Statements)
			if err == nil {
				mu.Lock()
				out = append(out, s)
				mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() []runresult.DBSample {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return out
	}
}
