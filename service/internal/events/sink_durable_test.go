package events

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/challenge-perf/challenge-perf/service/internal/groupcommit"
)

// gatedApplier commits after gate is closed, failing with err.
type gatedApplier struct {
	gate    chan struct{}
	err     error
	started chan struct{}
}

func (a *gatedApplier) Apply(ctx context.Context, evs []groupcommit.Event) (groupcommit.Result, error) {
	a.started <- struct{}{}
	<-a.gate
	return groupcommit.Result{Rows: len(evs)}, a.err
}

func durableFixture(t *testing.T, app groupcommit.Applier, limit int) (*Handler, *Metrics, *groupcommit.Committer) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := groupcommit.New(app, groupcommit.Config{Window: time.Millisecond, Limit: limit, Concurrency: 1}, nil, log)
	go c.Run()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
	m := NewMetrics(nil)
	h := NewHandler(Config{Namespace: "test"}, fixtureCatalog(t), &DurableSink{Committer: c}, m, log)
	h.now = func() time.Time { return now }
	return h, m, c
}

// The gRPC answers of durable mode: OK only after the commit; a full queue is RESOURCE_EXHAUSTED,
// a failed commit and a closing handler UNAVAILABLE — both codes the platform redelivers.
func TestDurableModeAnswersAfterTheCommit(t *testing.T) {
	app := &gatedApplier{gate: make(chan struct{}), started: make(chan struct{}, 10)}
	h, m, _ := durableFixture(t, app, 1)
	ctx := context.Background()
	answered := make(chan error, 1)
	go func() {
		_, err := LoginServer{h: h}.OnMessage(ctx, loginMsg("e1", "u1"))
		answered <- err
	}()
	<-app.started
	select {
	case err := <-answered:
		t.Fatalf("answered before its commit: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	_, err := LoginServer{h: h}.OnMessage(ctx, loginMsg("e2", "u1"))
	require.Equal(t, codes.ResourceExhausted, code(err), "BUFFER_SIZE_LIMIT events already pending")
	require.Equal(t, 1.0, value(m.login.exhausted))
	close(app.gate)
	require.NoError(t, <-answered)
	require.Equal(t, 1.0, value(m.login.applied))
}

func TestDurableModeRefusesWhatDidNotCommit(t *testing.T) {
	app := &gatedApplier{gate: make(chan struct{}), started: make(chan struct{}, 10), err: errors.New("connection reset")}
	close(app.gate)
	h, m, c := durableFixture(t, app, 10)
	_, err := StatServer{h: h}.OnMessage(context.Background(), statMsg("e1", "u1", "wins", 3, ""))
	require.Equal(t, codes.Unavailable, code(err))
	require.Equal(t, 1.0, value(m.stat.unavailable))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Close(ctx))
	_, err = StatServer{h: h}.OnMessage(context.Background(), statMsg("e2", "u1", "wins", 4, ""))
	require.Equal(t, codes.Unavailable, code(err), "after SIGTERM: refused, redelivered to whoever runs next")
}

// Issue 23.4: after a failed commit the next calls are refused UNAVAILABLE at once, without a
// commit attempt of their own (PostgreSQL down must not mean a connection attempt per batch).
func TestDurableModeRefusesAtOnceWhileCommitsBackOff(t *testing.T) {
	app := &gatedApplier{gate: make(chan struct{}), started: make(chan struct{}, 100), err: errors.New("connection refused")}
	close(app.gate)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := groupcommit.New(app, groupcommit.Config{Window: 100 * time.Millisecond, BackoffMin: time.Second}, nil, log)
	go c.Run()
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	m := NewMetrics(nil)
	h := NewHandler(Config{Namespace: "test"}, fixtureCatalog(t), &DurableSink{Committer: c}, m, log)
	_, err := StatServer{h: h}.OnMessage(context.Background(), statMsg("e1", "u1", "wins", 3, ""))
	require.Equal(t, codes.Unavailable, code(err))
	attempts := len(app.started)
	began := time.Now()
	_, err = LoginServer{h: h}.OnMessage(context.Background(), loginMsg("e2", "u1"))
	require.Equal(t, codes.Unavailable, code(err))
	require.Equal(t, errCommitsBackingOff, err)
	require.Less(t, time.Since(began), 50*time.Millisecond, "refused at once, not after the 100 ms window and a commit")
	require.Equal(t, attempts, len(app.started), "no commit attempted for it")
	require.Equal(t, 1.0, value(m.login.unavailable))
}
