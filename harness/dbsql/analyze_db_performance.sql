-- The spec's database analyses (TECH_SPEC_M2, scenario 4), for this project's schema.
-- Progress and completion are derived (docs/DESIGN_STORAGE.md): the event handler writes user_stats
-- (completion times in user_stats.crossed_at); the service writes user_goal_claims; user_goal_progress is a view.
-- Usage: psql "$POSTGRES_DSN" -f harness/dbsql/analyze_db_performance.sql
-- This file is the one source of these queries: the perf suite embeds it (package harness/dbsql)
-- and runs the named sections below (harness.AnalyzeDatabase), storing their rows in result.json
-- (levels[].db). Each section starts with a "-- name: <name>" line; the harness scans the
-- columns in the order written, so keep them (add new ones at the end of a query the harness
-- does not scan, or change harness/pgstats.go with it).

-- name: top_statements
-- Top statements by total time (mean and max per call, rows, cache hit ratio); transaction
-- control and session statements are left out.
SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 300) AS query,
       calls,
       mean_exec_time AS mean_ms,
       max_exec_time AS max_ms,
       total_exec_time / 1000 AS total_sec,
       rows,
       coalesce(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 100) AS cache_hit_pct
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query !~* '^\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|DISCARD|DEALLOCATE)'
ORDER BY total_exec_time DESC
LIMIT 15;

-- name: connection_states
-- Connection states (the pools of both programs), this session left out.
SELECT coalesce(state, 'background') AS state, count(*) AS count,
       coalesce(max(extract(epoch FROM now() - state_change)), 0)::float8 AS oldest_sec
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
GROUP BY 1 ORDER BY 1;

-- name: table_stats
-- Table statistics (size in bytes).
SELECT relname AS table_name,
       pg_total_relation_size(relid) AS total_bytes,
       n_live_tup AS live_rows, n_dead_tup AS dead_rows,
       n_tup_ins AS inserts, n_tup_upd AS updates, n_tup_hot_upd AS hot_updates,
       coalesce(seq_scan, 0) AS seq_scan, coalesce(idx_scan, 0) AS idx_scan, last_autovacuum
FROM pg_stat_user_tables
ORDER BY relname;

-- name: index_usage
-- Index usage (size in bytes).
SELECT relname AS table_name, indexrelname AS index_name,
       idx_scan AS index_scans, idx_tup_read AS tuples_read,
       pg_relation_size(indexrelid) AS size_bytes
FROM pg_stat_user_indexes
ORDER BY relname, indexrelname;

-- name: database_totals
-- Cache hit ratio, commits, rollbacks, deadlocks.
SELECT coalesce(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 100) AS cache_hit_pct,
       xact_commit, xact_rollback, deadlocks
FROM pg_stat_database
WHERE datname = current_database();

-- name: progress_by_status
-- Progress as the spec's queries see it (one row per user and goal with any progress); by hand only.
SELECT status, count(*) FROM user_goal_progress GROUP BY status ORDER BY status;
