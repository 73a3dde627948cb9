-- user_stats rows are rewritten on every flush that touches them, and none of the updated columns is
-- indexed: free space on each page lets PostgreSQL update in place (HOT), skipping the primary-key
-- index entry and making dead tuples cheap to prune. Applies to pages written from now on.
ALTER TABLE user_stats SET (fillfactor = 70);
