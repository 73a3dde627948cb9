//go:build perf

package perf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/challenge-perf/challenge-perf/harness"
)

// One stack per run: starting PostgreSQL, Redis and both programs takes 15-25 s on the 2-core
// host, once per scenario before. A scenario whose stack configuration equals the running stack's
// reuses it (every level resets or restores its state first); one that needs another (fault
// injection binds fixed host ports, a tuning point changes a setting, a test of the instrument
// runs other images) replaces it, so that at most one stack shares the host with a measurement.
type sharedStack struct {
	key   string
	stack *harness.Stack
	db    *pgxpool.Pool
	redis *redis.Client
	state *targetState
	// scenarios that used it, for the log.
	scenarios []string
}

var (
	sharedMu sync.Mutex
	shared   *sharedStack
	// logTo is the test the shared stack's progress lines go to (the stack outlives a test).
	logTo   *testing.T
	logToMu sync.Mutex
)

// stackLogf writes the stack's progress lines to the current test, or to stderr between tests.
func stackLogf(format string, args ...any) {
	logToMu.Lock()
	defer logToMu.Unlock()
	if logTo != nil {
		logTo.Logf(format, args...)
		return
	}
	fmt.Fprintf(os.Stderr, "perf: "+format+"\n", args...)
}

func setLogTo(t *testing.T) {
	logToMu.Lock()
	logTo = t
	logToMu.Unlock()
}

// stackKey identifies a configuration: two scenarios may share a stack when it is the same.
func stackKey(cfg harness.StackConfig) (string, error) {
	b, err := json.Marshal(cfg)
	return string(b), err
}

// acquireStack returns the running stack when its configuration is cfg, else stops it and starts
// one with cfg. The test's cleanup keeps it for the next scenario unless the test failed (a failed
// scenario may have left a program broken: the next one starts afresh, and the logs are shown).
func acquireStack(t *testing.T, ctx context.Context, cfg harness.StackConfig) (*sharedStack, error) {
	key, err := stackKey(cfg)
	if err != nil {
		return nil, fmt.Errorf("stack configuration: %w", err)
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	setLogTo(t)
	t.Cleanup(func() {
		sharedMu.Lock()
		defer sharedMu.Unlock()
		if t.Failed() && shared != nil {
			t.Logf("challenge-service log tail:\n%s", shared.stack.Service.LogTail())
			t.Logf("event-handler log tail:\n%s", shared.stack.Handler.LogTail())
			stopShared(t.Logf)
		}
		setLogTo(nil)
	})
	if shared != nil && shared.key == key {
		t.Logf("stack: reusing the run's stack (started for %v): same configuration", shared.scenarios)
		shared.scenarios = append(shared.scenarios, t.Name())
		return shared, nil
	}
	if shared != nil {
		t.Logf("stack: this scenario needs another configuration than %v: replacing the stack", shared.scenarios)
		stopShared(t.Logf)
	}
	cfg.Logf = stackLogf
	stack, err := harness.StartStack(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("start stack: %w", err)
	}
	s := &sharedStack{key: key, stack: stack, redis: redis.NewClient(&redis.Options{Addr: stack.Endpoints.RedisAddr}),
		state: newTargetState(), scenarios: []string{t.Name()}}
	if s.db, err = pgxpool.New(ctx, stack.Endpoints.PostgresDSN); err != nil {
		shared = s
		stopShared(t.Logf)
		return nil, err
	}
	shared = s
	return s, nil
}

// stopShared terminates the shared stack (sharedMu held).
func stopShared(logf func(string, ...any)) {
	if shared == nil {
		return
	}
	s := shared
	shared = nil
	if s.db != nil {
		s.db.Close()
	}
	_ = s.redis.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := s.stack.Terminate(ctx); err != nil {
		logf("terminate stack: %v", err)
	}
}

// stopSharedStack ends the run's stack (TestMain, after every test).
func stopSharedStack() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	stopShared(func(f string, a ...any) { fmt.Fprintf(os.Stderr, "perf: "+f+"\n", a...) })
}
