package buffer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func login(user string, at time.Time) *statstore.Update {
	return &statstore.Update{Key: statstore.Key{UserID: user, StatKey: "@login"}, Namespace: "test", Value: 1, At: at, Additive: true}
}

func stat(user, code string, v float64, at time.Time) *statstore.Update {
	return &statstore.Update{Key: statstore.Key{UserID: user, StatKey: code}, Namespace: "test", Value: v, At: at}
}

func add(t *testing.T, b *Buffer, u *statstore.Update) {
	t.Helper()
	require.True(t, b.Reserve(), "buffer full")
	require.NoError(t, b.Add(u))
}

func snapshot(b *Buffer) map[statstore.Key]statstore.Row {
	out := map[statstore.Key]statstore.Row{}
	for _, r := range b.takeAll(nil) {
		out[r.Key] = r
	}
	return out
}

func TestLoginsAdd(t *testing.T) {
	b := New(10)
	add(t, b, login("u1", t0.Add(2*time.Second)))
	add(t, b, login("u1", t0))
	add(t, b, login("u1", t0.Add(time.Second)))
	require.Equal(t, 1, b.Len(), "three logins of one user coalesce into one key")
	r := snapshot(b)[statstore.Key{UserID: "u1", StatKey: "@login"}]
	require.Equal(t, 3.0, r.Value)
	require.Equal(t, 3.0, r.Max)
	require.Equal(t, t0.Add(2*time.Second), r.At, "latest event time kept")
	require.True(t, r.Additive)
}

func TestStatLastWriterWinsByEventTime(t *testing.T) {
	b := New(10)
	add(t, b, stat("u1", "wins", 5, t0.Add(time.Second)))
	add(t, b, stat("u1", "wins", 9, t0)) // older event arriving later: must not overwrite
	first, later := stat("u2", "wins", 1, t0), stat("u2", "wins", 2, t0)
	first.EventID, later.EventID = "b", "a"
	add(t, b, first)
	add(t, b, later) // same time: the greater id wins, not the later arrival (issue 23.2)
	rows := snapshot(b)
	require.Equal(t, 5.0, rows[statstore.Key{UserID: "u1", StatKey: "wins"}].Value)
	require.Equal(t, t0.Add(time.Second), rows[statstore.Key{UserID: "u1", StatKey: "wins"}].At)
	require.Equal(t, 9.0, rows[statstore.Key{UserID: "u1", StatKey: "wins"}].Max, "the max still sees the late higher value (completions)")
	require.Equal(t, 1.0, rows[statstore.Key{UserID: "u2", StatKey: "wins"}].Value)
	require.Equal(t, 2.0, rows[statstore.Key{UserID: "u2", StatKey: "wins"}].Max)
}

func TestCapacityCountsReservationsAndCoalescing(t *testing.T) {
	b := New(2)
	require.True(t, b.Reserve())
	require.True(t, b.Reserve())
	require.False(t, b.Reserve(), "reservations count against the limit")
	require.NoError(t, b.Add(stat("u1", "wins", 1, t0)))
	require.NoError(t, b.Add(stat("u1", "wins", 2, t0))) // same key: its reservation is returned
	require.Equal(t, 1, b.Len())
	require.True(t, b.Reserve())
	b.Release()
	require.Equal(t, 1, b.Len())

	rows := b.takeAll(nil)
	require.Len(t, rows, 1)
	require.Equal(t, 1, b.Len(), "entries being flushed still count")
	b.done(len(rows))
	require.Equal(t, 0, b.Len())
}

func TestReserveWaitKicksAndGivesUp(t *testing.T) {
	b := New(1)
	add(t, b, stat("u1", "wins", 1, t0))
	start := time.Now()
	require.False(t, b.ReserveWait(context.Background(), 20*time.Millisecond))
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	select {
	case <-b.kick:
	default:
		t.Fatal("a full buffer must ask for an early flush")
	}
	// Capacity freed while waiting is taken.
	go func() {
		time.Sleep(5 * time.Millisecond)
		b.done(len(b.takeAll(nil)))
	}()
	require.True(t, b.ReserveWait(context.Background(), time.Second))
}

func TestPutBackMergesUnderNewer(t *testing.T) {
	b := New(10)
	add(t, b, login("u1", t0))
	add(t, b, stat("u1", "wins", 7, t0.Add(time.Second)))
	add(t, b, stat("u2", "wins", 3, t0))
	failed := b.takeAll(nil)
	// Arrivals while the write was failing.
	add(t, b, login("u1", t0.Add(time.Second)))
	add(t, b, stat("u1", "wins", 4, t0)) // older than the failed row's value
	require.Equal(t, 5, b.Len())
	b.putBack(failed)
	require.Equal(t, 3, b.Len(), "merged keys give their capacity back")
	rows := snapshot(b)
	require.Equal(t, 2.0, rows[statstore.Key{UserID: "u1", StatKey: "@login"}].Value)
	require.Equal(t, 7.0, rows[statstore.Key{UserID: "u1", StatKey: "wins"}].Value, "LWW across put-back")
	require.Equal(t, 3.0, rows[statstore.Key{UserID: "u2", StatKey: "wins"}].Value)
}

func TestAddAfterCloseReleases(t *testing.T) {
	b := New(1)
	require.True(t, b.Reserve())
	b.Close()
	require.ErrorIs(t, b.Add(stat("u1", "wins", 1, t0)), ErrClosed)
	require.Equal(t, 0, b.Len())
}
