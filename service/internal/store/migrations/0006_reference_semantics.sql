-- The reference's player semantics (docs: service/cmd/challenge-service/README.md, "Compatibility").
--
-- Progress is the stat's value as the player sees it, not capped at the target: an absolute goal with
-- target 10 shows 997 after a value of 997, a login goal with target 1 shows 2 after two logins.
-- Completion is unchanged (max_value >= target, never reverted).
CREATE OR REPLACE VIEW user_goal_progress AS
SELECT s.user_id,
       d.goal_id,
       d.challenge_id,
       s.namespace,
       GREATEST(floor(s.value), 0)::bigint AS progress,
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

-- Players that called POST /v1/challenges/initialize: one row per player, not one per goal (every
-- configured goal is assigned to every player here), so initialising 10,000 players writes 10,000
-- rows where the reference writes 5 million. The row makes the call idempotent: the first call
-- answers newAssignments = the goal count, later ones 0, and assignedAt is this row's time.
CREATE TABLE IF NOT EXISTS player_initializations (
    user_id        text        PRIMARY KEY,
    namespace      text        NOT NULL,
    initialized_at timestamptz NOT NULL DEFAULT now()
);
