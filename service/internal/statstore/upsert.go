package statstore

import "github.com/challenge-perf/challenge-perf/contract/challenges"

// newMaxSQL is the stat's maximum after the update (s = the existing row, excluded = the input).
const newMaxSQL = `CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN GREATEST(s.max_value, s.value + excluded.value)
                         ELSE GREATEST(s.max_value, excluded.max_value) END`

// greaterKeySQL: the input's (event time, event id) is greater than the stored one's, ids compared
// bytewise. The same order as the in-memory merge (Entry.after). It compares with the row as it is
// when this statement holds its lock, so of two concurrent batches the greater key wins whichever
// commits first; equal keys (a redelivery of the same event) change nothing.
const greaterKeySQL = `(excluded.value_at, excluded.value_event_id COLLATE "C") > (s.value_at, s.value_event_id COLLATE "C")`

// UpsertCTE is the common table expression "up" that applies the rows of a preceding CTE named
// input (user_id, stat_key, namespace, value, max_value, value_at, value_event_id; unique keys, in
// lock order) and returns each row's newly crossed thresholds as crossed. The buffered flusher
// (internal/buffer) and the group committer (internal/groupcommit) share it, so both apply events
// by the same rules. Logins carry an empty value_event_id, so for them the key is their latest time.
//
// Completion is max_value >= target, and crossed_at[i] is when max_value first reached the i-th
// smallest distinct target of the stat key (stat_thresholds.targets, sorted). width_bucket(max,
// targets) counts the targets <= max, so the thresholds a row crossed are the suffix beyond
// cardinality(crossed_at), appended with now(). A row's ON CONFLICT DO UPDATE always reads the
// latest committed row version (a concurrent writer waits for the row lock), so two writers'
// appends compose: the second sees the first one's array and appends only what is still missing.
const UpsertCTE = `
up AS (
    INSERT INTO user_stats AS s (user_id, stat_key, namespace, value, value_at, value_event_id, max_value, crossed_at)
    SELECT user_id, stat_key, namespace, value, value_at, value_event_id, max_value,
           array_fill(now(), ARRAY[coalesce(width_bucket(max_value,
               (SELECT targets FROM stat_thresholds th WHERE th.stat_key = input.stat_key)), 0)])
    FROM input
    ON CONFLICT (user_id, stat_key) DO UPDATE SET
        value = CASE WHEN s.stat_key = '` + challenges.LoginStatKey + `' THEN s.value + excluded.value
                     WHEN ` + greaterKeySQL + ` THEN excluded.value
                     ELSE s.value END,
        max_value = ` + newMaxSQL + `,
        crossed_at = s.crossed_at || array_fill(now(), ARRAY[GREATEST(0, coalesce(width_bucket(` + newMaxSQL + `,
               (SELECT targets FROM stat_thresholds th WHERE th.stat_key = s.stat_key)), 0) - cardinality(s.crossed_at))]),
        value_at = CASE WHEN ` + greaterKeySQL + ` THEN excluded.value_at ELSE s.value_at END,
        value_event_id = CASE WHEN ` + greaterKeySQL + ` THEN excluded.value_event_id ELSE s.value_event_id END,
        updated_at = now()
    RETURNING cardinality(array_positions(s.crossed_at, now())) AS crossed
)`
