package buffer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeWriter records writes and fails while failing is set.
type fakeWriter struct {
	mu      sync.Mutex
	failing bool
	calls   int
	stored  map[Key]Row
}

func (w *fakeWriter) Write(_ context.Context, rows []Row) (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	if w.failing {
		return 0, errors.New("database down")
	}
	if w.stored == nil {
		w.stored = map[Key]Row{}
	}
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
	return 0, nil
}

func (w *fakeWriter) set(failing bool) { w.mu.Lock(); w.failing = failing; w.mu.Unlock() }

func (w *fakeWriter) value(k Key) float64 {
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
	add(t, b, login("a", t0)) // arrives during the outage, coalesces with the put-back row
	require.Equal(t, 3, b.Len())
	w.set(false)
	require.NoError(t, f.FlushOnce(context.Background()))
	require.Equal(t, 0, b.Len())
	require.Equal(t, 2.0, w.value(Key{"a", "@login"}))
	require.Equal(t, 1.0, w.value(Key{"c", "@login"}))
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
	require.Equal(t, 1.0, w.value(Key{"a", "@login"}))
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

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
