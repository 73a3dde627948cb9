-- The claim reconciler looks for 'claiming' rows older than CLAIM_STALE_AFTER every round. Only
-- claims in flight are 'claiming' (a handful at any time), so a partial index keeps that look-up
-- independent of how many claims were ever made, at almost no write cost.
CREATE INDEX IF NOT EXISTS user_goal_claims_claiming ON user_goal_claims (attempt_started_at) WHERE state = 'claiming';
