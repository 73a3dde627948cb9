package groupcommit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func login(id, user string) Event {
	return Event{Update: statstore.Update{Key: statstore.Key{UserID: user, StatKey: challenges.LoginStatKey},
		Namespace: "test", Value: 1, At: t0, EventID: id, Additive: true}}
}

func stat(id, user, code string, v float64, at time.Time) Event {
	return Event{Update: statstore.Update{Key: statstore.Key{UserID: user, StatKey: code}, Namespace: "test", Value: v, At: at, EventID: id}}
}

func statValue(t *testing.T, pool *pgxpool.Pool, user, key string) (value, maxValue float64) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT value, max_value FROM user_stats WHERE user_id=$1 AND stat_key=$2`,
		user, key).Scan(&value, &maxValue)
	require.NoError(t, err)
	return value, maxValue
}

func TestARedeliveredLoginCountsOnce(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	ctx := context.Background()
	res, err := a.Apply(ctx, []Event{login("a", "u1"), login("b", "u1"), login("a", "u1"), login("c", "u2")})
	require.NoError(t, err)
	require.Equal(t, Result{Rows: 2, Duplicates: 1, Crossed: 3}, res, "u1 crossed targets 1 and 2, u2 target 1")
	// The answer to that commit was lost: the platform redelivers a and c with a new one.
	res, err = a.Apply(ctx, []Event{login("a", "u1"), login("d", "u1"), login("c", "u2")})
	require.NoError(t, err)
	require.Equal(t, 2, res.Duplicates)
	v, _ := statValue(t, pool, "u1", challenges.LoginStatKey)
	require.Equal(t, 3.0, v)
	v, _ = statValue(t, pool, "u2", challenges.LoginStatKey)
	require.Equal(t, 1.0, v)
	// A batch of nothing but duplicates writes no row and still answers.
	res, err = a.Apply(ctx, []Event{login("a", "u1")})
	require.NoError(t, err)
	require.Equal(t, Result{Duplicates: 1}, res)
}

func TestRedeliveredStatsAreNoOpsAndLastWriterWins(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	ctx := context.Background()
	_, err := a.Apply(ctx, []Event{stat("s1", "u1", "wins", 5, t0), stat("s2", "u1", "wins", 7, t0.Add(time.Second)), stat("s3", "u1", "wins", 6, t0.Add(-time.Second))})
	require.NoError(t, err)
	v, m := statValue(t, pool, "u1", "wins")
	require.Equal(t, []float64{7, 7}, []float64{v, m})
	// Redelivery of the older events, then of everything: nothing changes.
	for _, batch := range [][]Event{{stat("s1", "u1", "wins", 5, t0)}, {stat("s3", "u1", "wins", 6, t0.Add(-time.Second)), stat("s2", "u1", "wins", 7, t0.Add(time.Second))}} {
		_, err = a.Apply(ctx, batch)
		require.NoError(t, err)
		v, m = statValue(t, pool, "u1", "wins")
		require.Equal(t, []float64{7, 7}, []float64{v, m})
	}
	var ids int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM applied_events`).Scan(&ids))
	require.Zero(t, ids, "absolute stats need no applied-id record")
}

// Concurrent batches carrying the same ids (redeliveries racing the original) count each id once:
// the second insert of an id waits for the first transaction and then skips it.
func TestConcurrentBatchesWithTheSameIDsCountEachOnce(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	const users, perUser, writers = 50, 40, 4
	var all []Event
	for u := range users {
		for i := range perUser {
			all = append(all, login(fmt.Sprintf("u%d-l%d", u, i), fmt.Sprintf("u%d", u)))
		}
		all = append(all, stat(fmt.Sprintf("u%d-s", u), fmt.Sprintf("u%d", u), "wins", float64(u), t0))
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*100)
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			evs := append([]Event(nil), all...)
			r.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
			for len(evs) > 0 {
				n := min(len(evs), 1+r.IntN(300))
				for {
					_, err := a.Apply(context.Background(), evs[:n])
					if err == nil {
						break
					}
					errs <- err // a deadlock between writers is refused and redelivered, like any failure
				}
				evs = evs[n:]
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Logf("refused and redelivered: %v", err)
	}
	for u := range users {
		v, _ := statValue(t, pool, fmt.Sprintf("u%d", u), challenges.LoginStatKey)
		require.Equal(t, float64(perUser), v, "user u%d", u)
		w, _ := statValue(t, pool, fmt.Sprintf("u%d", u), "wins")
		require.Equal(t, float64(u), w)
	}
}

// A statement the client abandons must not commit later: the server's statement_timeout cancels it,
// nothing of the batch remains, and the redelivery applies it exactly once.
func TestAStatementSlowerThanItsTimeoutCommitsNothing(t *testing.T) {
	pool := testPool(t, 300*time.Millisecond)
	a := NewPGApplier(pool)
	ctx := context.Background()
	locker, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer locker.Release()
	tx, err := locker.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SET LOCAL statement_timeout = 0; LOCK TABLE user_stats IN ACCESS EXCLUSIVE MODE`)
	require.NoError(t, err)

	_, err = a.Apply(ctx, []Event{login("x", "u1"), login("y", "u1"), stat("s", "u1", "wins", 3, t0)})
	require.ErrorContains(t, err, "statement timeout")
	time.Sleep(500 * time.Millisecond) // would a late commit land? The lock is still held.
	require.NoError(t, tx.Rollback(ctx))

	var ids, rows int
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM applied_events), (SELECT count(*) FROM user_stats)`).Scan(&ids, &rows))
	require.Equal(t, []int{0, 0}, []int{ids, rows}, "nothing of the cancelled batch committed")

	_, err = a.Apply(ctx, []Event{login("x", "u1"), login("y", "u1"), stat("s", "u1", "wins", 3, t0)})
	require.NoError(t, err)
	v, _ := statValue(t, pool, "u1", challenges.LoginStatKey)
	require.Equal(t, 2.0, v)
}

func TestPrunerForgetsOnlyIDsOlderThanTheRetention(t *testing.T) {
	pool := testPool(t, 0)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO applied_events (event_id, applied_at)
		SELECT 'old-' || g, now() - interval '2 hours' FROM generate_series(1, 25) g
		UNION ALL SELECT 'new-' || g, now() - interval '10 minutes' FROM generate_series(1, 5) g`)
	require.NoError(t, err)
	p := &Pruner{Pool: pool, Retention: time.Hour, Chunk: 10, Pruned: NewPrunedCounter(nil)}
	n, err := p.Once(ctx, time.Now())
	require.NoError(t, err)
	require.EqualValues(t, 25, n)
	var left int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM applied_events WHERE event_id LIKE 'new-%'`).Scan(&left))
	require.Equal(t, 5, left)
}
