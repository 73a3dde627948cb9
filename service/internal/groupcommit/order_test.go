package groupcommit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// Issue 23.2 in durable mode: batches of one stat key, in both commit orders, end at the same
// value. The greater (timestamp, id) decides; an absent timestamp is the zero time.
func TestBatchesEndAtTheSameValueInEitherCommitOrder(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	zero := time.Time{}
	cases := []struct {
		name       string
		first, snd []Event
		value, max float64
	}{
		{"equal timestamps", []Event{stat("a", "", "wins", 5, t0)}, []Event{stat("b", "", "wins", 7, t0)}, 7, 7},
		{"timestamp-less, by id", []Event{stat("b", "", "wins", 7, zero)}, []Event{stat("a", "", "wins", 5, zero)}, 7, 7},
		{"timestamp-less after timestamped", []Event{stat("a", "", "wins", 7, t0)}, []Event{stat("z", "", "wins", 9, zero)}, 7, 9},
		{"merged in one batch", []Event{stat("b", "", "wins", 7, t0), stat("a", "", "wins", 5, t0)}, []Event{stat("a", "", "wins", 5, t0)}, 7, 7},
	}
	for i, c := range cases {
		for j, order := range [][][]Event{{c.first, c.snd}, {c.snd, c.first}} {
			user := fmt.Sprintf("u%d-%d", i, j)
			for _, batch := range order {
				_, err := a.Apply(context.Background(), forUser(batch, user))
				require.NoError(t, err)
			}
			v, m := statValue(t, pool, user, "wins")
			require.Equal(t, [2]float64{c.value, c.max}, [2]float64{v, m}, "%s, order %d", c.name, j)
		}
	}
}

// 5@t (a), 7@t (b), then the redelivery of 5@t (a) in a batch of its own: still 7.
func TestARedeliveredStatWithAnEqualTimestampDoesNotRollBack(t *testing.T) {
	pool := testPool(t, 0)
	a := NewPGApplier(pool)
	ctx := context.Background()
	for _, batch := range [][]Event{{stat("a", "u1", "wins", 5, t0)}, {stat("b", "u1", "wins", 7, t0)}, {stat("a", "u1", "wins", 5, t0)}} {
		_, err := a.Apply(ctx, batch)
		require.NoError(t, err)
	}
	v, m := statValue(t, pool, "u1", "wins")
	require.Equal(t, [2]float64{7, 7}, [2]float64{v, m})
}

// Two batches really concurrent: the second waits for the first one's row lock, and whichever
// commits first, the greater key wins (the comparison is on the stored key, not on commit order).
func TestConcurrentBatchesCommittingInEitherOrderAgree(t *testing.T) {
	pool := testPool(t, 0)
	for j, firstID := range []string{"b", "a"} {
		user := fmt.Sprintf("u%d", j)
		lo, hi := forUser([]Event{stat("a", "", "wins", 5, t0)}, user), forUser([]Event{stat("b", "", "wins", 7, t0)}, user)
		first, second := hi, lo
		if firstID == "a" {
			first, second = lo, hi
		}
		commitInOrder(t, pool, first, second)
		v, m := statValue(t, pool, user, "wins")
		require.Equal(t, [2]float64{7, 7}, [2]float64{v, m}, "%s committed first", firstID)
	}
}

// commitInOrder runs first's statement in an open transaction, starts second's (which must wait for
// first's row lock), and only then commits first, so second commits after it.
func commitInOrder(t *testing.T, pool *pgxpool.Pool, first, second []Event) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // committed below
	b := coalesce(first)
	var w, f, c int64
	require.NoError(t, tx.QueryRow(ctx, applySQL, b.args()...).Scan(&w, &f, &c))
	done := make(chan error, 1)
	go func() {
		_, err := NewPGApplier(pool).Apply(ctx, second)
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waiting int
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted`).Scan(&waiting)
		return waiting > 0
	}, 10*time.Second, 5*time.Millisecond, "the second batch waits for the first one's lock")
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done)
}

func forUser(evs []Event, user string) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		e.Update.UserID = user
		out[i] = e
	}
	return out
}
