-- Exactly-once for additive events (docs/DESIGN_STORAGE.md, "Exactly-once"). A login adds 1 to a
-- counter, so applying its redelivery would count it twice: its id is inserted here IN THE SAME
-- STATEMENT that adds it, and only ids that were new add anything. The record and the effect commit
-- together or not at all, whatever happens to the handler, Redis or the connection.
--
-- Absolute stats need no record: last-writer-wins by event time and a monotone maximum make a
-- redelivered stat a no-op by construction.
--
-- Rows live for the redelivery window (APPLIED_EVENTS_RETENTION) and are pruned by applied_at; the
-- BRIN index fits an append-ordered column at a fraction of a b-tree's size and write cost.
CREATE TABLE IF NOT EXISTS applied_events (
    event_id   text        PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS applied_events_applied_at ON applied_events USING brin (applied_at);
