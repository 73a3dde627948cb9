package buffer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// lossyWriter commits like PGWriter, but the call numbered loseCall (1-based) reports an error
// after its statement committed: the connection dropped between the server's COMMIT and its reply
// reaching us. The flusher cannot tell that apart from a statement that never ran.
type lossyWriter struct {
	w        *PGWriter
	mu       sync.Mutex
	calls    int
	loseCall int
}

var errReplyLost = errors.New("connection reset by peer (after the server committed)")

func (l *lossyWriter) Write(ctx context.Context, id string, rows []statstore.Row) (int64, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	n, replayed, err := l.w.Write(ctx, id, rows)
	if err == nil && l.calls == l.loseCall {
		return 0, false, errReplyLost
	}
	return n, replayed, err
}

// Issue 23, item 5: a flush that committed but whose reply was lost is retried; the retry must not
// add the login increments a second time. A login that arrives during the retry's backoff still
// counts.
func TestALostFlushReplyCountsLoginsOnce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		chunkRows int
		loseCall  int
	}{
		{"one statement", 0, 1},
		{"second of four statements", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := testPool(t)
			ctx := context.Background()
			b := New(100)
			w := &lossyWriter{w: NewPGWriter(pool), loseCall: tc.loseCall}
			f := newTestFlusher(b, w, FlusherConfig{ChunkRows: tc.chunkRows})
			add(t, b, login("u1", t0))
			add(t, b, login("u2", t0))
			add(t, b, login("u3", t0))
			add(t, b, stat("u2", "wins", 5, t0))
			require.ErrorIs(t, f.FlushOnce(ctx), errReplyLost, "the flusher saw a failure")
			add(t, b, login("u1", t0.Add(time.Second))) // arrives while the retry waits
			add(t, b, login("u2", t0.Add(time.Second)))
			add(t, b, login("u3", t0.Add(time.Second)))
			for i := 0; b.Len() > 0; i++ {
				require.Less(t, i, 3, "retried and emptied")
				require.NoError(t, f.FlushOnce(ctx))
			}
			stats := readStats(t, pool)
			for _, u := range []string{"u1", "u2", "u3"} {
				require.Equal(t, 2.0, stats[statstore.Key{UserID: u, StatKey: "@login"}].value, "%s: two logins, each counted once", u)
			}
			require.Equal(t, 5.0, stats[statstore.Key{UserID: "u2", StatKey: "wins"}].value)
			requireCrossedConsistent(t, pool)
			require.Equal(t, 1.0, testutil.ToFloat64(f.m.FlushReplays), "the retry recognised the committed attempt")
		})
	}
}

// The flush id is recorded in the statement that applies the rows: a second statement with the same
// id changes nothing, whatever it carries.
func TestAFlushIDIsAppliedOnce(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	w := NewPGWriter(pool)
	id := NewFlushID()
	crossed, replayed, err := w.Write(ctx, id, []statstore.Row{loginRow("u1", 3, t0), statRowOf("u1", "wins", 4, 4, t0)})
	require.NoError(t, err)
	require.False(t, replayed)
	require.Equal(t, int64(3+4), crossed)
	crossed, replayed, err = w.Write(ctx, id, []statstore.Row{loginRow("u1", 3, t0), statRowOf("u1", "wins", 9, 9, t0.Add(time.Second))})
	require.NoError(t, err)
	require.True(t, replayed)
	require.Zero(t, crossed)
	stats := readStats(t, pool)
	require.Equal(t, 3.0, stats[statstore.Key{UserID: "u1", StatKey: "@login"}].value)
	require.Equal(t, 4.0, stats[statstore.Key{UserID: "u1", StatKey: "wins"}].value)
	requireCrossedConsistent(t, pool)

	_, _, err = w.Write(ctx, "e1", []statstore.Row{loginRow("u1", 1, t0)})
	require.ErrorContains(t, err, "lacks the flush prefix", "an id that could be a login id is refused")
}

// A retry can reach the server while the first attempt is still running there (the client gave up
// on it, the server did not). The retry waits for the first attempt's outcome: committed, the
// retry is a no-op; rolled back, the retry applies the rows.
func TestARetryRacingItsFirstAttemptAppliesOnce(t *testing.T) {
	for _, commit := range []bool{true, false} {
		t.Run(map[bool]string{true: "first attempt commits", false: "first attempt rolls back"}[commit], func(t *testing.T) {
			pool := testPool(t)
			ctx := context.Background()
			id := NewFlushID()
			rows := []statstore.Row{loginRow("u1", 1, t0), loginRow("u2", 1, t0)}
			tx, err := pool.Begin(ctx)
			require.NoError(t, err)
			defer tx.Rollback(ctx) //nolint:errcheck
			_, err = tx.Exec(ctx, upsertSQL, []string{"u1", "u2"}, []string{"@login", "@login"}, []string{"test", "test"},
				[]float64{1, 1}, []float64{1, 1}, []time.Time{t0, t0}, []string{"", ""}, id)
			require.NoError(t, err)

			type result struct {
				replayed bool
				err      error
			}
			done := make(chan result, 1)
			go func() {
				_, replayed, err := NewPGWriter(pool).Write(ctx, id, rows)
				done <- result{replayed, err}
			}()
			select {
			case r := <-done:
				t.Fatalf("the retry did not wait for the first attempt: %+v", r)
			case <-time.After(300 * time.Millisecond):
			}
			if commit {
				require.NoError(t, tx.Commit(ctx))
			} else {
				require.NoError(t, tx.Rollback(ctx))
			}
			r := <-done
			require.NoError(t, r.err)
			require.Equal(t, commit, r.replayed)
			stats := readStats(t, pool)
			require.Equal(t, 1.0, stats[statstore.Key{UserID: "u1", StatKey: "@login"}].value)
			require.Equal(t, 1.0, stats[statstore.Key{UserID: "u2", StatKey: "@login"}].value)
		})
	}
}

// Pruning forgets flush ids older than the retention and nothing else: login ids (durable mode's,
// in the same table) stay, whatever they look like.
func TestPruneFlushIDsTouchesOnlyOldFlushIDs(t *testing.T) {
	pool := testPool(t)
	ctx := context.Background()
	oldFlush, newFlush := NewFlushID(), NewFlushID()
	oldLogin, lookalike := "login-"+oldFlush[1:], oldFlush[1:] // "flush:…" without the control character
	for id, age := range map[string]string{oldFlush: "2 hours", newFlush: "1 minute", oldLogin: "2 hours", lookalike: "2 hours"} {
		_, err := pool.Exec(ctx, `INSERT INTO applied_events (event_id, applied_at) VALUES ($1, now() - $2::interval)`, id, age)
		require.NoError(t, err)
	}
	n, err := NewPGWriter(pool).PruneFlushIDs(ctx, time.Hour)
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, int64(1))
	for id, want := range map[string]bool{oldFlush: false, newFlush: true, oldLogin: true, lookalike: true} {
		var exists bool
		require.NoError(t, pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM applied_events WHERE event_id = $1)`, id).Scan(&exists))
		require.Equal(t, want, exists, "%q", id)
	}
}
