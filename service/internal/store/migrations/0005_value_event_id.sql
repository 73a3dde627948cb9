-- The order of absolute values (docs/DESIGN_STORAGE.md, "The order of absolute values"): a stat's
-- value is that of the applied event with the greatest (event time, event id), so that neither a
-- redelivery nor the order in which batches commit can roll it back. value_event_id is the id of
-- the event that set value, beside its value_at; the two are compared and replaced together.
--
-- COLLATE "C": ids compare bytewise, like Go strings (the in-memory merge), whatever the
-- database's default collation. Existing rows get '', which orders before every id (ids are never
-- empty), so an event with the same value_at as an existing row wins. A constant default adds the
-- column without rewriting the table. Logins' rows keep '': they are counted, not ordered.
ALTER TABLE user_stats ADD COLUMN IF NOT EXISTS value_event_id text COLLATE "C" NOT NULL DEFAULT '';
