package groupcommit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// Issue 23.3: while both commit slots are busy, events keep arriving. They must form batches of at
// most MaxBatch (BUFFER_FLUSH_BATCH_ROWS) queued behind the slots, not one batch that grows to
// BUFFER_SIZE_LIMIT and then outlives the statement timeout.
func TestBatchesStayWithinMaxBatchWhileTheSlotsAreBusy(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	c := start(t, f, Config{Window: time.Millisecond, MaxBatch: 100, Limit: 10_000, Concurrency: 2})
	first := submitAll(c, 0, 1)
	<-f.started
	second := submitAll(c, 1, 1)
	<-f.started // both slots held
	rest := submitAll(c, 2, 300)
	waitPending(t, c, 302)
	close(f.gate)
	for _, d := range []<-chan []error{first, second, rest} {
		for _, err := range <-d {
			require.NoError(t, err)
		}
	}
	total := 0
	for _, n := range f.batches() {
		require.LessOrEqual(t, n, 100, "batch sizes %v", f.batches())
		total += n
	}
	require.Equal(t, 302, total)
	require.Zero(t, c.Pending())
}

// The limit still bounds what waits behind the slots: full batches queue, and past
// BUFFER_SIZE_LIMIT events are refused with ErrFull.
func TestQueuedBatchesCountAgainstTheLimit(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	c := start(t, f, Config{Window: time.Millisecond, MaxBatch: 10, Limit: 51, Concurrency: 1})
	first := submitAll(c, 0, 1)
	<-f.started
	rest := submitAll(c, 1, 50) // five full batches queue behind the only slot
	waitPending(t, c, 51)
	require.ErrorIs(t, c.Submit(context.Background(), ev(99)), ErrFull)
	close(f.gate)
	for _, d := range []<-chan []error{first, rest} {
		for _, err := range <-d {
			require.NoError(t, err)
		}
	}
	require.Equal(t, []int{1, 10, 10, 10, 10, 10}, f.batches(), "full batches commit in the order they were sealed")
}

// An event whose caller has gone (context cancelled, deadline passed) was already answered with an
// error, so the bus redelivers it: it is dropped from its batch before the commit.
func TestEventsWhoseCallerHasGoneAreDroppedBeforeTheCommit(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	c := start(t, f, Config{Window: time.Millisecond, Concurrency: 1})
	first := submitAll(c, 0, 1)
	<-f.started // the only slot is held: what follows waits in the open batch
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 10)
	for i := range 10 {
		go func() { gone <- c.Submit(ctx, ev(100+i)) }()
	}
	live := submitAll(c, 1, 5)
	waitPending(t, c, 16)
	cancel()
	for range 10 {
		require.ErrorIs(t, <-gone, context.Canceled)
	}
	close(f.gate)
	for _, d := range []<-chan []error{first, live} {
		for _, err := range <-d {
			require.NoError(t, err)
		}
	}
	require.Equal(t, []int{1, 5}, f.batches(), "the 10 events of callers that left are not committed")
	require.Zero(t, c.Pending())
}

// goneCtx is a caller's context at the instant its deadline passed but before its Submit noticed
// (Done not yet seen by the select): the committer drops the event, so Submit must not answer OK.
type goneCtx struct{ context.Context }

func (goneCtx) Err() error { return context.DeadlineExceeded }

func TestADroppedEventIsNeverAnsweredOK(t *testing.T) {
	f := newFake()
	c := start(t, f, Config{Window: time.Millisecond})
	err := c.Submit(goneCtx{context.Background()}, ev(1))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Empty(t, f.batches(), "nothing left to commit: no statement")
	require.Zero(t, c.Pending())
}

// failingApplier counts commit attempts and fails them while err is set.
type failingApplier struct {
	attempts atomic.Int64
	mu       sync.Mutex
	err      error
}

func (a *failingApplier) Apply(_ context.Context, evs []Event) (Result, error) {
	a.attempts.Add(1)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return Result{}, a.err
	}
	return Result{Rows: len(evs)}, nil
}

func (a *failingApplier) set(err error) {
	a.mu.Lock()
	a.err = err
	a.mu.Unlock()
}

// hammer submits from n callers until stop is closed, like a bus redelivering what was refused.
func hammer(c *Committer, n int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	var id atomic.Int64
	for range n {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = c.Submit(context.Background(), ev(int(id.Add(1))))
			}
		})
	}
	return &wg
}

// Issue 23.4: with PostgreSQL down every commit fails at once; without backoff the committer tried
// about 500 commits (connection attempts) per second. Attempts over one second stay few.
func TestAlwaysFailingCommitsBackOff(t *testing.T) {
	app := &failingApplier{err: errors.New("connection refused")}
	c := start(t, app, Config{Window: time.Millisecond})
	stop := make(chan struct{})
	wg := hammer(c, 50, stop)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	n := app.attempts.Load()
	t.Logf("%d commit attempts in 1 s", n)
	require.LessOrEqual(t, n, int64(20))
	require.Positive(t, n)
}

// Right after a failed commit, calls are refused at once (no commit attempt, no wait for a window)
// until a probe commit succeeds; a success closes the breaker.
func TestCallsAreRefusedAtOnceAfterAFailedCommitUntilOneSucceeds(t *testing.T) {
	app := &failingApplier{err: errors.New("connection refused")}
	c := start(t, app, Config{Window: 100 * time.Millisecond, BackoffMin: time.Second})
	require.ErrorContains(t, c.Submit(context.Background(), ev(1)), "connection refused")
	attempts := app.attempts.Load()
	began := time.Now()
	err := c.Submit(context.Background(), ev(2))
	require.ErrorIs(t, err, ErrUnavailable)
	require.ErrorContains(t, err, "connection refused", "names the failure")
	require.Less(t, time.Since(began), 50*time.Millisecond, "refused at once, not after a window and a commit")
	require.Equal(t, attempts, app.attempts.Load(), "no commit attempted for it")

	app.set(nil)
	require.Eventually(t, func() bool { return c.Submit(context.Background(), ev(3)) == nil }, 5*time.Second, time.Millisecond)
	for i := range 5 {
		require.NoError(t, c.Submit(context.Background(), ev(10+i)), "closed after a success")
	}
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimSpace(s.b.String()), "\n")
}

// With PostgreSQL down, the failure is logged a few times per second at most, with a count of the
// lines left out.
func TestCommitFailuresAreLoggedAFewTimesPerSecond(t *testing.T) {
	app := &failingApplier{err: errors.New("connection refused")}
	var out syncBuffer
	cfg := Config{Window: time.Millisecond}
	c := New(app, cfg, nil, slog.New(slog.NewTextHandler(&out, nil)))
	go c.Run()
	stop := make(chan struct{})
	wg := hammer(c, 50, stop)
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Close(ctx))
	lines := out.lines()
	t.Logf("%d lines, first: %s", len(lines), lines[0])
	require.LessOrEqual(t, len(lines), 3)
}

// isolatedApplier fails with err, which it calls isolated (one batch's rows, like a lock timeout).
type isolatedApplier struct{ failingApplier }

func (*isolatedApplier) Isolated(error) bool { return true }

// A failure that concerns only its batch's rows (a lock timeout behind a stuck row lock) refuses
// that batch but starts no backoff: the next call is taken and commits.
func TestAnIsolatedFailureStartsNoBackoff(t *testing.T) {
	app := &isolatedApplier{}
	app.set(errors.New("lock timeout"))
	c := start(t, app, Config{Window: time.Millisecond})
	require.ErrorContains(t, c.Submit(context.Background(), ev(1)), "lock timeout")
	app.set(nil)
	require.NoError(t, c.Submit(context.Background(), ev(2)))
}

func TestPGApplierCallsRowConflictsIsolated(t *testing.T) {
	a := &PGApplier{}
	for code, want := range map[string]bool{"55P03": true, "40P01": true, "40001": true, "57014": false, "57P01": false, "08006": false} {
		err := fmt.Errorf("commit: %w", &pgconn.PgError{Code: code})
		require.Equal(t, want, a.Isolated(err), code)
	}
	require.False(t, a.Isolated(errors.New("dial tcp: connection refused")))
	require.False(t, a.Isolated(context.DeadlineExceeded))
}

// When a commit fails, the batches waiting behind it would fail the same way: they are refused at
// once (ErrUnavailable, no commit attempt each), so their callers are answered and redeliver later.
func TestAFailedCommitRefusesTheBatchesWaitingBehindIt(t *testing.T) {
	f := newFake()
	f.gate = make(chan struct{})
	f.err = errors.New("connection reset")
	c := start(t, f, Config{Window: time.Millisecond, MaxBatch: 10, Concurrency: 1})
	first := submitAll(c, 0, 1)
	<-f.started
	rest := submitAll(c, 1, 35) // three sealed batches and an open one
	waitPending(t, c, 36)
	close(f.gate)
	require.ErrorContains(t, (<-first)[0], "connection reset")
	for _, err := range <-rest {
		require.ErrorIs(t, err, ErrUnavailable)
		require.ErrorContains(t, err, "connection reset")
	}
	require.Equal(t, []int{1}, f.batches(), "one commit attempt")
	require.Zero(t, c.Pending())
}

// What PostgreSQL really answers behind a stuck row lock (DB_LOCK_TIMEOUT) is isolated; a statement
// timeout is not (the database is too slow for every batch, so commits back off).
func TestALockTimeoutIsIsolatedAndAStatementTimeoutIsNot(t *testing.T) {
	pool := testPool(t, 0)
	ctx := context.Background()
	a := NewPGApplier(pool)
	_, err := a.Apply(ctx, []Event{stat("s1", "u1", "wins", 1, t0)})
	require.NoError(t, err)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // ends the lock
	_, err = tx.Exec(ctx, `SELECT 1 FROM user_stats WHERE user_id = 'u1' FOR UPDATE`)
	require.NoError(t, err)
	for name, want := range map[string]bool{"lock_timeout": true, "statement_timeout": false} {
		pc := pool.Config()
		pc.ConnConfig.RuntimeParams[name] = "200"
		p, err := pgxpool.NewWithConfig(ctx, pc)
		require.NoError(t, err)
		_, err = NewPGApplier(p).Apply(ctx, []Event{stat("s2", "u1", "wins", 2, t0.Add(time.Second))})
		p.Close()
		require.Error(t, err, name)
		require.Equal(t, want, a.Isolated(err), "%s: %v", name, err)
	}
}
