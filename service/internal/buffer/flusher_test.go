package buffer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// fakeWriter records writes and fails while failing is set. Like PGWriter it applies a flush id
// once; loseNext makes the next write apply and then report an error (its reply lost).
type fakeWriter struct {
	mu       sync.Mutex
	failing  bool
	loseNext bool
	calls    int
	ids      []string
	sent     [][]statstore.Row
	applied  map[string]bool
	stored   map[statstore.Key]statstore.Row
}

func (w *fakeWriter) Write(_ context.Context, id string, rows []statstore.Row) (int64, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	w.ids = append(w.ids, id)
	w.sent = append(w.sent, slices.Clone(rows))
	if w.failing {
		return 0, false, errors.New("database down")
	}
	if w.applied[id] {
		return 0, true, nil
	}
	if w.stored == nil {
		w.stored, w.applied = map[statstore.Key]statstore.Row{}, map[string]bool{}
	}
	w.applied[id] = true
	for i := 1; i < len(rows); i++ {
		if rows[i-1].UserID > rows[i].UserID {
			panic("rows not sorted")
		}
	}
	for _, r := range rows {
		old, ok := w.stored[r.Key]
		if ok && r.Additive {
			r.Value += old.Value
		}
		w.stored[r.Key] = r
	}
	if w.loseNext {
		w.loseNext = false
		return 0, false, errors.New("connection reset after commit")
	}
	return 0, false, nil
}

func (w *fakeWriter) set(failing bool) { w.mu.Lock(); w.failing = failing; w.mu.Unlock() }

func (w *fakeWriter) value(k statstore.Key) float64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stored[k].Value
}

func newTestFlusher(b *Buffer, w Writer, cfg FlusherConfig) *Flusher {
	return NewFlusher(b, w, cfg, NewMetrics(nil, b), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestFlushErrorPutsBackAndRetries(t *testing.T) {
	b := New(100)
	w := &fakeWriter{failing: true}
	f := newTestFlusher(b, w, FlusherConfig{ChunkRows: 2})
	for _, u := range []string{"a", "b", "c"} {
		add(t, b, login(u, t0))
	}
	require.Error(t, f.FlushOnce(context.Background()))
	require.Equal(t, 3, b.Len(), "nothing dropped")
	add(t, b, login("c", t0)) // arrives during the outage, coalesces with the put-back row (never sent)
	require.Equal(t, 3, b.Len())
	// The failed statement (a, b) may have committed: it is kept as it was, so a login arriving now
	// is a key of its own, not merged into it.
	add(t, b, login("a", t0))
	require.Equal(t, 4, b.Len())
	w.set(false)
	require.NoError(t, f.FlushOnce(context.Background()))
	require.Equal(t, 0, b.Len())
	require.Equal(t, 2.0, w.value(statstore.Key{UserID: "a", StatKey: "@login"}))
	require.Equal(t, 1.0, w.value(statstore.Key{UserID: "b", StatKey: "@login"}))
	require.Equal(t, 2.0, w.value(statstore.Key{UserID: "c", StatKey: "@login"}))
}

// A statement that failed is retried before anything else with the same id and exactly the same
// rows, so a writer that had committed it recognises the retry; rows after it in the same flush
// were never sent and get a new statement.
func TestAFailedStatementIsRetriedAsItWas(t *testing.T) {
	b := New(100)
	w := &fakeWriter{loseNext: true}
	f := newTestFlusher(b, w, FlusherConfig{ChunkRows: 2})
	for _, u := range []string{"a", "b", "c"} {
		add(t, b, login(u, t0))
	}
	require.Error(t, f.FlushOnce(context.Background()), "committed, but the flusher saw an error")
	require.Equal(t, 3, b.Len())
	add(t, b, login("a", t0.Add(time.Second)))
	require.NoError(t, f.FlushOnce(context.Background()))
	require.Zero(t, b.Len())
	require.Len(t, w.ids, 3)
	require.Equal(t, w.ids[0], w.ids[1], "the retry carries the failed statement's id")
	require.Equal(t, w.sent[0], w.sent[1], "and its rows, unmerged")
	require.NotEqual(t, w.ids[0], w.ids[2])
	require.Equal(t, []statstore.Key{{UserID: "a", StatKey: "@login"}, {UserID: "c", StatKey: "@login"}}, []statstore.Key{w.sent[2][0].Key, w.sent[2][1].Key})
	require.Equal(t, 2.0, w.value(statstore.Key{UserID: "a", StatKey: "@login"}), "one login before, one after the lost reply")
	require.Equal(t, 1.0, w.value(statstore.Key{UserID: "b", StatKey: "@login"}))
	require.Equal(t, 1.0, w.value(statstore.Key{UserID: "c", StatKey: "@login"}))
	require.Equal(t, 1.0, testutil.ToFloat64(f.m.FlushReplays))
}

func TestRunRetriesWithBackoffAndDrainEmpties(t *testing.T) {
	b := New(100)
	w := &fakeWriter{failing: true}
	f := newTestFlusher(b, w, FlusherConfig{Interval: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	add(t, b, login("a", t0))
	time.Sleep(60 * time.Millisecond)
	require.Equal(t, 1, b.Len())
	w.mu.Lock()
	calls := w.calls
	w.mu.Unlock()
	require.GreaterOrEqual(t, calls, 2, "retried")
	require.Less(t, calls, 20, "backoff, not a busy loop")
	cancel()
	<-done

	go func() { time.Sleep(30 * time.Millisecond); w.set(false) }()
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	require.NoError(t, f.Drain(dctx))
	require.Equal(t, 1.0, w.value(statstore.Key{UserID: "a", StatKey: "@login"}))
	require.True(t, b.Reserve())
	require.ErrorIs(t, b.Add(login("a", t0)), ErrClosed, "closed after drain")
}

func TestDrainGivesUpAtDeadline(t *testing.T) {
	b := New(100)
	f := newTestFlusher(b, &fakeWriter{failing: true}, FlusherConfig{MinBackoff: time.Millisecond})
	add(t, b, login("a", t0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	require.ErrorContains(t, f.Drain(ctx), "1 entries not written")
}

func TestKickTriggersEarlyFlush(t *testing.T) {
	b := New(100)
	w := &fakeWriter{}
	f := newTestFlusher(b, w, FlusherConfig{Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	add(t, b, login("a", t0))
	b.Kick()
	require.Eventually(t, func() bool { return b.Len() == 0 }, time.Second, time.Millisecond)
}

// prunerWriter is a fakeWriter that also prunes flush ids (like PGWriter).
type prunerWriter struct {
	fakeWriter
	prunes int
}

func (w *prunerWriter) PruneFlushIDs(context.Context, time.Duration) (int64, error) {
	w.prunes++
	return 0, nil
}

// Flush ids are pruned once per PruneEvery, and never while a statement is pending: its id must
// outlive its retries.
func TestFlushIDsArePrunedOnlyWithNothingPending(t *testing.T) {
	b := New(100)
	w := &prunerWriter{fakeWriter: fakeWriter{failing: true}}
	f := newTestFlusher(b, w, FlusherConfig{PruneEvery: time.Hour})
	add(t, b, login("a", t0))
	require.Error(t, f.FlushOnce(context.Background()))
	f.pruneFlushIDs(context.Background())
	require.Zero(t, w.prunes, "a statement is pending")
	w.set(false)
	require.NoError(t, f.FlushOnce(context.Background()))
	f.pruneFlushIDs(context.Background())
	f.pruneFlushIDs(context.Background())
	require.Equal(t, 1, w.prunes, "once per PruneEvery")
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
