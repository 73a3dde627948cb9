-- Per-player goal assignment (the reference's is_active; docs: service/cmd/challenge-service/README.md).
--
-- A goal's catalog default (defaultAssigned) decides whether it is active for a player; a row here
-- exists only where the player changed that with PUT .../goals/{goalId}/active. So a catalog whose
-- goals are all assigned by default costs no row per goal, and the default of a goal can change in
-- the catalog without rewriting players.
ALTER TABLE goal_definitions ADD COLUMN IF NOT EXISTS default_assigned boolean NOT NULL DEFAULT true;

-- While a goal is inactive it receives no progress: the list shows what it had when it was
-- deactivated (frozen_*; 0 and not completed if it was never active). Progress itself stays derived
-- from user_stats, so reactivating shows the stat's value again.
CREATE TABLE IF NOT EXISTS user_goal_assignments (
    user_id          text        NOT NULL,
    goal_id          text        NOT NULL,
    namespace        text        NOT NULL,
    is_active        boolean     NOT NULL,
    assigned_at      timestamptz,           -- last activation; NULL if only ever deactivated
    frozen_progress  bigint      NOT NULL DEFAULT 0,
    frozen_completed boolean     NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, goal_id)
);

-- The relation the spec's SQL analyses read: rows for goals assigned to the player (by default or
-- by a row above, as the reference has rows only for assigned goals), inactive ones frozen.
CREATE OR REPLACE VIEW user_goal_progress AS
SELECT s.user_id,
       d.goal_id,
       d.challenge_id,
       s.namespace,
       CASE WHEN a.is_active = false THEN a.frozen_progress
            ELSE GREATEST(floor(s.value), 0)::bigint END AS progress,
       CASE WHEN cl.state = 'claimed' THEN 'claimed'
            WHEN a.is_active = false THEN
                 CASE WHEN a.frozen_completed THEN 'completed'
                      WHEN a.frozen_progress > 0 THEN 'in_progress'
                      ELSE 'not_started' END
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
LEFT JOIN user_goal_assignments a ON a.user_id = s.user_id AND a.goal_id = d.goal_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN (a.is_active IS DISTINCT FROM false AND s.max_value >= d.target_value)
                  OR (a.is_active = false AND a.frozen_completed)
                THEN s.crossed_at[width_bucket(d.target_value, t.targets)] END AS completed_at
) c
LEFT JOIN user_goal_claims cl ON cl.user_id = s.user_id AND cl.goal_id = d.goal_id
WHERE a.user_id IS NOT NULL OR d.default_assigned;
