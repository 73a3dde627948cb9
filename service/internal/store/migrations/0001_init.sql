-- Progress is derived, not stored per goal: one event touches up to 100 goals in the perf fixture,
-- so the event handler writes one row per (user, stat key) and only the rare completion transitions.
-- See docs/DESIGN_STORAGE.md.

-- Per-user value of each stat that drives goals. stat_key '@login' holds the login count.
CREATE TABLE IF NOT EXISTS user_stats (
    user_id     text             NOT NULL,
    stat_key    text             NOT NULL,
    namespace   text             NOT NULL,
    value       double precision NOT NULL,
    -- Event time of the value: absolute stats are last-writer-wins by this timestamp.
    value_at    timestamptz      NOT NULL,
    -- Highest value ever applied: completion is monotone in it, so a late lower value never un-completes.
    max_value   double precision NOT NULL,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    updated_at  timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, stat_key)
);

-- Goal definitions mirrored from challenges.json at start-up, so SQL can derive completions and progress.
CREATE TABLE IF NOT EXISTS goal_definitions (
    goal_id      text             PRIMARY KEY,
    challenge_id text             NOT NULL,
    stat_key     text             NOT NULL,
    target_value double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS goal_definitions_stat_key_target ON goal_definitions (stat_key, target_value);

-- A goal is completed once, when its stat first reaches the target; never reverted.
CREATE TABLE IF NOT EXISTS user_goal_completions (
    user_id      text        NOT NULL,
    goal_id      text        NOT NULL,
    challenge_id text        NOT NULL,
    namespace    text        NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, goal_id)
);

-- Claim state machine: no row = claimable (if completed); 'claiming' = a grant is in flight
-- (owned by attempt_id, recoverable when stale); 'claimed' = granted, final.
CREATE TABLE IF NOT EXISTS user_goal_claims (
    user_id            text        NOT NULL,
    goal_id            text        NOT NULL,
    challenge_id       text        NOT NULL,
    namespace          text        NOT NULL,
    state              text        NOT NULL CHECK (state IN ('claiming', 'claimed')),
    attempt_id         uuid        NOT NULL,
    attempt_started_at timestamptz NOT NULL DEFAULT now(),
    claimed_at         timestamptz,
    PRIMARY KEY (user_id, goal_id)
);

-- The relation the spec's analyses query: one row per (user, goal) the user has any progress on.
CREATE OR REPLACE VIEW user_goal_progress AS
SELECT s.user_id,
       d.goal_id,
       d.challenge_id,
       s.namespace,
       CASE WHEN c.completed_at IS NOT NULL THEN d.target_value::bigint
            ELSE LEAST(floor(s.value), d.target_value)::bigint END AS progress,
       CASE WHEN cl.state = 'claimed' THEN 'claimed'
            WHEN c.completed_at IS NOT NULL THEN 'completed'
            WHEN s.value > 0 THEN 'in_progress'
            ELSE 'not_started' END AS status,
       c.completed_at,
       cl.claimed_at,
       s.created_at,
       GREATEST(s.updated_at, c.completed_at, cl.claimed_at) AS updated_at
FROM user_stats s
JOIN goal_definitions d ON d.stat_key = s.stat_key
LEFT JOIN user_goal_completions c ON c.user_id = s.user_id AND c.goal_id = d.goal_id
LEFT JOIN user_goal_claims cl ON cl.user_id = s.user_id AND cl.goal_id = d.goal_id;
