-- Completion without per-goal rows (see docs/DESIGN_STORAGE.md, "Completion times").
--
-- A goal is completed exactly when its stat's max_value >= target (max_value is monotone). The time
-- each threshold was first reached lives in the stat's own row: crossed_at[i] (1-based) is when
-- max_value first reached the i-th smallest DISTINCT target of that stat key. Thresholds are sorted
-- and max_value only grows, so a flush only ever appends a suffix; no flush inserts per-goal rows.

ALTER TABLE user_stats ADD COLUMN IF NOT EXISTS crossed_at timestamptz[] NOT NULL DEFAULT '{}';

-- Sorted distinct targets per stat key, rewritten by store.SyncGoals with goal_definitions.
-- width_bucket(x, targets) = how many targets are <= x = how many entries crossed_at must hold.
CREATE TABLE IF NOT EXISTS stat_thresholds (
    stat_key text   PRIMARY KEY,
    targets  float8[] NOT NULL
);

INSERT INTO stat_thresholds (stat_key, targets)
SELECT stat_key, array_agg(DISTINCT target_value ORDER BY target_value)
FROM goal_definitions GROUP BY stat_key
ON CONFLICT (stat_key) DO UPDATE SET targets = excluded.targets;

-- Backfill from the completion rows of an upgraded database: the earliest completed_at among the
-- goals of each distinct target, for every target the stored maximum reaches (updated_at when no
-- row exists, which the first design never produced).
WITH firsts AS (
    SELECT c.user_id, d.stat_key, d.target_value, min(c.completed_at) AS at
    FROM user_goal_completions c JOIN goal_definitions d ON d.goal_id = c.goal_id
    GROUP BY c.user_id, d.stat_key, d.target_value
),
backfill AS (
    SELECT s.user_id, s.stat_key, array_agg(coalesce(f.at, s.updated_at) ORDER BY th.ord) AS crossed_at
    FROM user_stats s
    JOIN stat_thresholds t ON t.stat_key = s.stat_key
    CROSS JOIN LATERAL unnest(t.targets) WITH ORDINALITY AS th(target, ord)
    LEFT JOIN firsts f ON f.user_id = s.user_id AND f.stat_key = s.stat_key AND f.target_value = th.target
    WHERE th.target <= s.max_value
    GROUP BY s.user_id, s.stat_key
)
UPDATE user_stats s SET crossed_at = b.crossed_at
FROM backfill b WHERE s.user_id = b.user_id AND s.stat_key = b.stat_key;

DROP VIEW IF EXISTS user_goal_progress;
DROP TABLE IF EXISTS user_goal_completions;

-- Same columns as before; completion derives from max_value, its time from crossed_at.
CREATE VIEW user_goal_progress AS
SELECT s.user_id,
       d.goal_id,
       d.challenge_id,
       s.namespace,
       CASE WHEN s.max_value >= d.target_value THEN d.target_value::bigint
            ELSE LEAST(floor(s.value), d.target_value)::bigint END AS progress,
       CASE WHEN cl.state = 'claimed' THEN 'claimed'
            WHEN s.max_value >= d.target_value THEN 'completed'
            WHEN s.value > 0 THEN 'in_progress'
            ELSE 'not_started' END AS status,
       c.completed_at,
       cl.claimed_at,
       s.created_at,
       GREATEST(s.updated_at, c.completed_at, cl.claimed_at) AS updated_at
FROM user_stats s
JOIN goal_definitions d ON d.stat_key = s.stat_key
LEFT JOIN stat_thresholds t ON t.stat_key = s.stat_key
CROSS JOIN LATERAL (
    SELECT CASE WHEN s.max_value >= d.target_value
                THEN s.crossed_at[width_bucket(d.target_value, t.targets)] END AS completed_at
) c
LEFT JOIN user_goal_claims cl ON cl.user_id = s.user_id AND cl.goal_id = d.goal_id;
