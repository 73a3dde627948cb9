package groupcommit

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/service/internal/statstore"
)

// fakeApplier records batch sizes; while gate is non-nil every Apply waits for it.
type fakeApplier struct {
	mu        sync.Mutex
	sizes     []int
	gate      chan struct{}
	firstGate chan struct{}
	err       error
	running   atomic.Int32
	maxRun    atomic.Int32
	started   chan struct{} // receives once per Apply start (buffered)
}

func newFake() *fakeApplier { return &fakeApplier{started: make(chan struct{}, 1024)} }

func (f *fakeApplier) Apply(ctx context.Context, events []Event) (Result, error) {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		m := f.maxRun.Load()
		if n <= m || f.maxRun.CompareAndSwap(m, n) {
			break
		}
	}
	f.started <- struct{}{}
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return Result{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes = append(f.sizes, len(events))
	return Result{Rows: len(events)}, f.err
}

func (f *fakeApplier) batches() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func start(t *testing.T, app Applier, cfg Config) *Committer {
	t.Helper()
	c := New(app, cfg, NewMetrics(nil, cfg.Limit), quiet())
	go c.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	return c
}

func ev(i int) Event {
	return Event{Update: statstore.Update{Key: statstore.Key{UserID: "u", StatKey: "@login"}, Value: 1, EventID: "e" + strconv.Itoa(i), Additive: true}}
}

// submitAll submits n events concurrently and returns their errors once all answered.
func submitAll(c *Committer, from, n int) <-chan []error {
	out := make(chan []error, 1)
	go func() {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = c.Submit(context.Background(), ev(from+i)) })
		}
		wg.Wait()
		out <- errs
	}()
	return out
}

func waitPending(t *testing.T, c *Committer, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return c.Pending() == n }, 10*time.Second, time.Millisecond)
}

func TestEventsArrivingDuringACommitShareTheNextBatch(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.firstGate = f.gate
	c := start(t, f, Config{Window: time.Millisecond, Concurrency: 1})
	first := submitAll(c, 0, 1)
	<-f.started // the first batch holds the only commit slot
	rest := submitAll(c, 1, 100)
	waitPending(t, c, 101)
	f.mu.Lock()
	f.gate = nil
	f.mu.Unlock()
	close(f.gate0(t))
	for _, errs := range [][]error{<-first, <-rest} {
		for _, err := range errs {
			require.NoError(t, err)
		}
	}
	require.Equal(t, []int{1, 100}, f.batches(), "the 100 events queued behind a running commit form one batch")
	require.Zero(t, c.Pending())
}

// gate0 returns the gate the first Apply is waiting on (kept by the test before clearing it).
func (f *fakeApplier) gate0(t *testing.T) chan struct{} {
	t.Helper()
	return f.firstGate
}

func TestAFailedCommitRefusesEveryCallOfItsBatch(t *testing.T) {
	f := newFake()
	f.err = errors.New("connection reset")
	c := start(t, f, Config{Window: 5 * time.Millisecond})
	for _, err := range <-submitAll(c, 0, 20) {
		require.ErrorContains(t, err, "connection reset")
	}
	require.Zero(t, c.Pending())
}

func TestLimitRefusesWithErrFull(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.firstGate = f.gate
	c := start(t, f, Config{Window: time.Millisecond, Limit: 2, Concurrency: 1})
	done := submitAll(c, 0, 2)
	waitPending(t, c, 2)
	require.ErrorIs(t, c.Submit(context.Background(), ev(9)), ErrFull)
	close(f.gate)
	for _, err := range <-done {
		require.NoError(t, err)
	}
}

func TestMaxBatchClosesABatchBeforeItsWindow(t *testing.T) {
	f := newFake()
	c := start(t, f, Config{Window: time.Hour, MaxBatch: 3})
	for _, err := range <-submitAll(c, 0, 3) {
		require.NoError(t, err)
	}
	require.Equal(t, []int{3}, f.batches())
}

func TestCloseCommitsTheOpenBatchAndRefusesLaterEvents(t *testing.T) {
	f := newFake()
	c := New(f, Config{Window: time.Hour}, nil, quiet())
	go c.Run()
	done := submitAll(c, 0, 5)
	waitPending(t, c, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Close(ctx))
	for _, err := range <-done {
		require.NoError(t, err)
	}
	require.ErrorIs(t, c.Submit(context.Background(), ev(9)), ErrClosed)
}

func TestCloseReportsWhatIsStillCommittingAtTheDeadline(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.firstGate = f.gate
	c := New(f, Config{Window: time.Millisecond}, nil, quiet())
	go c.Run()
	done := submitAll(c, 0, 3)
	<-f.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	require.ErrorContains(t, c.Close(ctx), "3 events still committing")
	close(f.gate)
	<-done
}

func TestAtMostConcurrencyCommitsRun(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.firstGate = f.gate
	c := start(t, f, Config{Window: 100 * time.Microsecond, Concurrency: 2})
	// The rest is submitted only once the first commit started: submitted together, all 500 could
	// land in the first batch (a late timer on a busy machine), and no second commit would start.
	all := []<-chan []error{submitAll(c, 0, 10)}
	<-f.started
	for i := 1; i < 50; i++ {
		all = append(all, submitAll(c, i*10, 10))
	}
	<-f.started
	waitPending(t, c, 500)
	require.EqualValues(t, 2, f.running.Load(), "two commits run, the rest of the events wait in the open batch")
	close(f.gate)
	for _, d := range all {
		for _, err := range <-d {
			require.NoError(t, err)
		}
	}
	require.EqualValues(t, 2, f.maxRun.Load())
}

func TestACallerThatGivesUpGetsItsContextError(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.firstGate = f.gate
	c := start(t, f, Config{Window: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, c.Submit(ctx, ev(1)), context.DeadlineExceeded)
	close(f.gate)
	require.Eventually(t, func() bool { return c.Pending() == 0 }, 5*time.Second, time.Millisecond,
		"the event still commits: its redelivery is recognised")
}
