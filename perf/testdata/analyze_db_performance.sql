-- The spec's database analyses (TECH_SPEC_M2, scenario 4), for this project's schema.
-- Progress and completion are derived (docs/DESIGN_STORAGE.md): the event handler writes user_stats
-- (completion times in user_stats.crossed_at); the service writes user_goal_claims; user_goal_progress is a view.
-- Usage: psql "$POSTGRES_DSN" -f perf/testdata/analyze_db_performance.sql
-- The perf suite runs the same queries (harness/pgstats.go) and stores them in db_analysis.json.

-- Top statements by total time (mean and max per call, rows, cache hit ratio)
SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS query,
       calls,
       round(mean_exec_time::numeric, 3)   AS avg_ms,
       round(max_exec_time::numeric, 3)    AS max_ms,
       round(stddev_exec_time::numeric, 3) AS stddev_ms,
       round((total_exec_time / 1000)::numeric, 3) AS total_sec,
       rows,
       round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 2) AS cache_hit_pct
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC
LIMIT 15;

-- Connection states (the pools of both programs)
SELECT coalesce(state, 'background') AS state, count(*) AS count,
       round(max(extract(epoch FROM now() - state_change))::numeric, 3) AS oldest_sec
FROM pg_stat_activity
WHERE datname = current_database()
GROUP BY 1 ORDER BY 1;

-- Table statistics
SELECT relname AS table_name,
       pg_size_pretty(pg_total_relation_size(relid)) AS total_size,
       n_live_tup AS live_rows, n_dead_tup AS dead_rows,
       n_tup_ins AS inserts, n_tup_upd AS updates, n_tup_hot_upd AS hot_updates, n_tup_del AS deletes,
       seq_scan, idx_scan, last_autovacuum
FROM pg_stat_user_tables
ORDER BY relname;

-- Index usage
SELECT relname AS table_name, indexrelname AS index_name,
       idx_scan AS index_scans, idx_tup_read AS tuples_read, idx_tup_fetch AS tuples_fetched,
       pg_size_pretty(pg_relation_size(indexrelid)) AS size
FROM pg_stat_user_indexes
ORDER BY relname, indexrelname;

-- Cache hit ratio, commits, rollbacks, deadlocks
SELECT round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2) AS cache_hit_pct,
       xact_commit, xact_rollback, deadlocks
FROM pg_stat_database
WHERE datname = current_database();

-- Progress as the spec's queries see it (one row per user and goal with any progress)
SELECT status, count(*) FROM user_goal_progress GROUP BY status ORDER BY status;
