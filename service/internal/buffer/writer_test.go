package buffer

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

type statRow struct {
	value, max float64
	at         time.Time
}

func readStats(t testing.TB, pool *pgxpool.Pool) map[statstore.Key]statRow {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT user_id, stat_key, value, max_value, value_at FROM user_stats`)
	require.NoError(t, err)
	out := map[statstore.Key]statRow{}
	for rows.Next() {
		var k statstore.Key
		var r statRow
		require.NoError(t, rows.Scan(&k.UserID, &k.StatKey, &r.value, &r.max, &r.at))
		out[k] = r
	}
	require.NoError(t, rows.Err())
	return out
}

// readCompletions lists the user's completed goals as the view derives them (max_value >= target)
// and requires each to have its completion time from crossed_at.
func readCompletions(t testing.TB, pool *pgxpool.Pool, user string) []string {
	t.Helper()
	var missing int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM user_goal_progress
		WHERE user_id = $1 AND status IN ('completed', 'claimed') AND completed_at IS NULL`, user).Scan(&missing))
	require.Zero(t, missing, "every completed goal has a completion time")
	rows, err := pool.Query(context.Background(),
		`SELECT goal_id FROM user_goal_progress WHERE user_id = $1 AND status IN ('completed', 'claimed') ORDER BY goal_id`, user)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return ids
}

func goalRange(challenge int, from, to int) []string {
	var ids []string
	for g := from; g <= to; g++ {
		ids = append(ids, fmt.Sprintf("c%d-g%03d", challenge, g))
	}
	return ids
}

// write applies rows as one flush with a fresh id.
func write(t testing.TB, w *PGWriter, rows ...statstore.Row) int64 {
	t.Helper()
	n, replayed, err := w.Write(context.Background(), NewFlushID(), rows)
	require.NoError(t, err)
	require.False(t, replayed)
	return n
}

func loginRow(user string, n float64, at time.Time) statstore.Row {
	return statstore.Row{Key: statstore.Key{UserID: user, StatKey: "@login"}, Namespace: "test", Value: n, Max: n, At: at, Additive: true}
}

func statRowOf(user, code string, v, maxV float64, at time.Time) statstore.Row {
	return statstore.Row{Key: statstore.Key{UserID: user, StatKey: code}, Namespace: "test", Value: v, Max: maxV, At: at}
}

func TestWriterUpsertAndCompletions(t *testing.T) {
	pool := testPool(t)
	w := NewPGWriter(pool)

	// Logins add up; completions for targets 1..3 (challenge c0 is login_count, target g).
	require.EqualValues(t, 3, write(t, w, loginRow("u1", 3, t0)))
	require.EqualValues(t, 2, write(t, w, loginRow("u1", 2, t0.Add(-time.Hour))), "targets 4 and 5 only")
	require.Equal(t, goalRange(0, 1, 5), readCompletions(t, pool, "u1"))

	// wins (c4, target g): 7 completes 1..7; an older event with 20 changes no value but raises the
	// max (a goal once reached stays reached); a newer lower value un-completes nothing.
	write(t, w, statRowOf("u1", "wins", 7, 7, t0))
	write(t, w, statRowOf("u1", "wins", 20, 20, t0.Add(-time.Minute)))
	write(t, w, statRowOf("u1", "wins", 2, 2, t0.Add(time.Minute)))
	// enemy_kills (c1, target 10·g): value 25 completes 10 and 20.
	write(t, w, statRowOf("u2", "enemy_kills", 25, 25, t0))

	stats := readStats(t, pool)
	require.Equal(t, 5.0, stats[statstore.Key{UserID: "u1", StatKey: "@login"}].value)
	require.Equal(t, 5.0, stats[statstore.Key{UserID: "u1", StatKey: "@login"}].max)
	require.True(t, stats[statstore.Key{UserID: "u1", StatKey: "@login"}].at.Equal(t0), "value_at keeps the latest")
	require.Equal(t, statRow{2, 20, stats[statstore.Key{UserID: "u1", StatKey: "wins"}].at}, stats[statstore.Key{UserID: "u1", StatKey: "wins"}])
	require.True(t, stats[statstore.Key{UserID: "u1", StatKey: "wins"}].at.Equal(t0.Add(time.Minute)))
	require.Equal(t, append(goalRange(0, 1, 5), goalRange(4, 1, 20)...), readCompletions(t, pool, "u1"))
	require.Equal(t, goalRange(1, 1, 2), readCompletions(t, pool, "u2"))

	// Completed stays completed with its first completed_at; later crossings append their own times.
	completedAt := func(goal string) time.Time {
		var at time.Time
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT completed_at FROM user_goal_progress WHERE user_id='u1' AND goal_id=$1`, goal).Scan(&at))
		return at
	}
	first := completedAt("c4-g001")
	require.True(t, first.Equal(completedAt("c4-g007")), "crossed by the same flush")
	require.True(t, completedAt("c4-g008").After(first), "crossed by the late event with 20")
	require.EqualValues(t, 30, write(t, w, statRowOf("u1", "wins", 50, 50, t0.Add(time.Hour))), "targets 21..50")
	require.True(t, first.Equal(completedAt("c4-g001")))
	require.True(t, completedAt("c4-g021").After(first))
	require.True(t, completedAt("c4-g021").Equal(completedAt("c4-g050")))
	require.Equal(t, "in_progress", viewStatus(t, pool, "u1", "c4-g051"))
	requireCrossedConsistent(t, pool)
}

func viewStatus(t testing.TB, pool *pgxpool.Pool, user, goal string) string {
	t.Helper()
	var st string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT status FROM user_goal_progress WHERE user_id=$1 AND goal_id=$2`, user, goal).Scan(&st))
	return st
}

// requireCrossedConsistent: every row holds one completion time per distinct target <= max_value.
func requireCrossedConsistent(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	var bad int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM user_stats s
		LEFT JOIN stat_thresholds t USING (stat_key)
		WHERE cardinality(s.crossed_at) <> coalesce(width_bucket(s.max_value, t.targets), 0)`).Scan(&bad))
	require.Zero(t, bad)
}

// width_bucket(operand, thresholds) with an ascending array returns how many thresholds are <= the
// operand: the writer and the view rely on exactly that.
func TestWidthBucketCountsThresholdsAtOrBelow(t *testing.T) {
	pool := testPool(t)
	for _, c := range []struct {
		x    float64
		want int
	}{{-1, 0}, {0.5, 0}, {1, 1}, {1.5, 1}, {2, 2}, {4.9, 2}, {5, 3}, {1e9, 3}} {
		var got int
		require.NoError(t, pool.QueryRow(context.Background(),
			`SELECT width_bucket($1::float8, ARRAY[1, 2, 5]::float8[])`, c.x).Scan(&got))
		require.Equal(t, c.want, got, "x=%g", c.x)
	}
	var targets []float64
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT targets FROM stat_thresholds WHERE stat_key = 'headshots'`).Scan(&targets))
	require.Len(t, targets, 100)
	require.Equal(t, []float64{5, 10, 15}, targets[:3], "SyncGoals stores sorted distinct targets")
}

// The progress view the API and the spec's analyses read must agree with what was written.
func TestWriterFeedsProgressView(t *testing.T) {
	pool := testPool(t)
	write(t, NewPGWriter(pool), statRowOf("u1", "headshots", 12, 12, t0))
	var progress int64
	var st string
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT progress, status FROM user_goal_progress WHERE user_id='u1' AND goal_id='c3-g003'`).Scan(&progress, &st))
	require.Equal(t, int64(12), progress)
	require.Equal(t, "in_progress", st)
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT progress, status FROM user_goal_progress WHERE user_id='u1' AND goal_id='c3-g002'`).Scan(&progress, &st))
	require.Equal(t, int64(12), progress, "the stat's value, not capped at the target (the reference's progress)")
	require.Equal(t, "completed", st)
}

// Two writers with overlapping sorted batches (two handler instances) neither deadlock nor
// double-record a completion.
func TestConcurrentWritersStayCorrect(t *testing.T) {
	pool := testPool(t)
	var batch []statstore.Row
	for u := range 500 {
		batch = append(batch, loginRow(fmt.Sprintf("u%04d", u), 1, t0))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			w := NewPGWriter(pool)
			for range 5 {
				_, _, err := w.Write(context.Background(), NewFlushID(), batch)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	stats := readStats(t, pool)
	require.Len(t, stats, 500)
	require.Equal(t, 20.0, stats[statstore.Key{UserID: "u0042", StatKey: "@login"}].value)
	// No appended time is lost or doubled: every row holds exactly width_bucket(max) = 20 times.
	requireCrossedConsistent(t, pool)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT sum(cardinality(crossed_at)) FROM user_stats`).Scan(&n))
	require.Equal(t, 500*20, n, "targets 1..20 once per user")
}

// The statement must reach user_stats by its primary key, never scan it (it grows to users × stat
// keys rows). goal_definitions is small (500 rows in the fixture): hashing it once per statement is
// the planner's right call, so its index is not required.
func TestWriterPlanUsesIndexes(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	// Enough rows that the planner prefers indexes for a small batch.
	var seed []statstore.Row
	for u := range 20_000 {
		seed = append(seed, statRowOf(fmt.Sprintf("u%05d", u), "wins", 1, 1, t0))
	}
	write(t, NewPGWriter(pool), seed...)
	_, err := pool.Exec(ctx, `ANALYZE user_stats; ANALYZE goal_definitions; ANALYZE stat_thresholds`)
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF) "+upsertSQL,
		[]string{"u00001", "u00002"}, []string{"wins", "wins"}, []string{"test", "test"},
		[]float64{5, 6}, []float64{5, 6}, []time.Time{t0.Add(time.Second), t0.Add(time.Second)}, []string{"e1", "e2"}, NewFlushID())
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	plan := strings.Join(lines, "\n")
	t.Log(plan)
	require.Contains(t, plan, "user_stats_pkey")
	require.NotContains(t, plan, "Seq Scan on user_stats")

	// One 20k-row flush that raises every row by 10 (each crosses 10 thresholds), for the record.
	users, keys, nss := make([]string, 20_000), make([]string, 20_000), make([]string, 20_000)
	vals, times, ids := make([]float64, 20_000), make([]time.Time, 20_000), make([]string, 20_000)
	for u := range 20_000 {
		users[u], keys[u], nss[u], vals[u], times[u] = fmt.Sprintf("u%05d", u), "wins", "test", 11, t0.Add(time.Second)
		ids[u] = fmt.Sprintf("e%05d", u)
	}
	rows, err = tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+upsertSQL, users, keys, nss, vals, vals, times, ids, NewFlushID())
	require.NoError(t, err)
	lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	t.Log("20k-row flush, 10 thresholds crossed per row:\n" + strings.Join(lines, "\n"))
}

// BenchmarkFlush10kUsers writes one flush of 10,000 users' coalesced updates (one stat each, with
// fresh completions), the steady-state shape at 10k events/s with a 1 s interval.
func BenchmarkFlush10kUsers(b *testing.B) {
	pool := testPool(b)
	b1 := New(1 << 20)
	f := NewFlusher(b1, NewPGWriter(pool), FlusherConfig{}, NewMetrics(nil, b1), discardLog())
	codes := []string{"@login", "enemy_kills", "games_played", "headshots", "wins"}
	b.ResetTimer()
	var rows int
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for u := range 10_000 {
			c := codes[u%5]
			up := &statstore.Update{Key: statstore.Key{UserID: fmt.Sprintf("user-%06d", u+1), StatKey: c}, Namespace: "test",
				Value: float64(benchValue(i)), At: t0.Add(time.Duration(i) * time.Second), Additive: c == "@login"}
			b1.Reserve()
			_ = b1.Add(up)
		}
		b.StartTimer()
		start := time.Now()
		if err := f.FlushOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		rows += 10_000
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}

// benchValue: BENCH_FLAT=1 keeps values constant after the first flush (no new completions).
func benchValue(i int) int {
	if os.Getenv("BENCH_FLAT") == "1" {
		return 1
	}
	return i + 1
}
