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
)

type statRow struct {
	value, max float64
	at         time.Time
}

func readStats(t testing.TB, pool *pgxpool.Pool) map[Key]statRow {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT user_id, stat_key, value, max_value, value_at FROM user_stats`)
	require.NoError(t, err)
	out := map[Key]statRow{}
	for rows.Next() {
		var k Key
		var r statRow
		require.NoError(t, rows.Scan(&k.UserID, &k.StatKey, &r.value, &r.max, &r.at))
		out[k] = r
	}
	require.NoError(t, rows.Err())
	return out
}

func readCompletions(t testing.TB, pool *pgxpool.Pool, user string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT goal_id FROM user_goal_completions WHERE user_id = $1 ORDER BY goal_id`, user)
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

func write(t testing.TB, w *PGWriter, rows ...Row) int64 {
	t.Helper()
	n, err := w.Write(context.Background(), rows)
	require.NoError(t, err)
	return n
}

func loginRow(user string, n float64, at time.Time) Row {
	return Row{Key: Key{user, "@login"}, Namespace: "test", Value: n, Max: n, At: at, Additive: true}
}

func statRowOf(user, code string, v, maxV float64, at time.Time) Row {
	return Row{Key: Key{user, code}, Namespace: "test", Value: v, Max: maxV, At: at}
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
	require.Equal(t, 5.0, stats[Key{"u1", "@login"}].value)
	require.Equal(t, 5.0, stats[Key{"u1", "@login"}].max)
	require.True(t, stats[Key{"u1", "@login"}].at.Equal(t0), "value_at keeps the latest")
	require.Equal(t, statRow{2, 20, stats[Key{"u1", "wins"}].at}, stats[Key{"u1", "wins"}])
	require.True(t, stats[Key{"u1", "wins"}].at.Equal(t0.Add(time.Minute)))
	require.Equal(t, append(goalRange(0, 1, 5), goalRange(4, 1, 20)...), readCompletions(t, pool, "u1"))
	require.Equal(t, goalRange(1, 1, 2), readCompletions(t, pool, "u2"))

	// Completed stays completed with its first completed_at; claims are untouched.
	var first time.Time
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT completed_at FROM user_goal_completions WHERE user_id='u1' AND goal_id='c4-g001'`).Scan(&first))
	write(t, w, statRowOf("u1", "wins", 50, 50, t0.Add(time.Hour)))
	var again time.Time
	require.NoError(t, pool.QueryRow(context.Background(),
		`SELECT completed_at FROM user_goal_completions WHERE user_id='u1' AND goal_id='c4-g001'`).Scan(&again))
	require.True(t, first.Equal(again))
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
	require.Equal(t, int64(10), progress)
	require.Equal(t, "completed", st)
}

// Two writers with overlapping sorted batches (two handler instances) neither deadlock nor
// double-record a completion.
func TestConcurrentWritersStayCorrect(t *testing.T) {
	pool := testPool(t)
	var batch []Row
	for u := range 500 {
		batch = append(batch, loginRow(fmt.Sprintf("u%04d", u), 1, t0))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			w := NewPGWriter(pool)
			for range 5 {
				_, err := w.Write(context.Background(), batch)
				require.NoError(t, err)
			}
		})
	}
	wg.Wait()
	stats := readStats(t, pool)
	require.Len(t, stats, 500)
	require.Equal(t, 20.0, stats[Key{"u0042", "@login"}].value)
	var n int
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*) FROM user_goal_completions`).Scan(&n))
	require.Equal(t, 500*20, n, "targets 1..20 once per user")
}

// The statement must reach user_stats by its primary key, never scan it (it grows to users × stat
// keys rows). goal_definitions is small (500 rows in the fixture): hashing it once per statement is
// the planner's right call, so its index is not required.
func TestWriterPlanUsesIndexes(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	// Enough rows that the planner prefers indexes for a small batch.
	var seed []Row
	for u := range 20_000 {
		seed = append(seed, statRowOf(fmt.Sprintf("u%05d", u), "wins", 1, 1, t0))
	}
	write(t, NewPGWriter(pool), seed...)
	_, err := pool.Exec(ctx, `ANALYZE user_stats; ANALYZE goal_definitions; ANALYZE user_goal_completions`)
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF) "+upsertSQL,
		[]string{"u00001", "u00002"}, []string{"wins", "wins"}, []string{"test", "test"},
		[]float64{5, 6}, []float64{5, 6}, []time.Time{t0.Add(time.Second), t0.Add(time.Second)})
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	plan := strings.Join(lines, "\n")
	t.Log(plan)
	require.Contains(t, plan, "user_stats_pkey")
	require.NotContains(t, plan, "Seq Scan on user_stats")
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
			up := &Update{Key: Key{fmt.Sprintf("user-%06d", u+1), c}, Namespace: "test",
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
