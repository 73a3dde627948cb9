package claims

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/reward"
)

const catalogJSON = `{"challenges":[{"challengeId":"c1","name":"C1","description":"d","goals":[
 {"goalId":"g1","name":"n","description":"d","eventSource":"login","requirement":{"statCode":"login_count","operator":">=","targetValue":2},"reward":{"type":"WALLET","rewardId":"GEMS","quantity":10}},
 {"goalId":"g2","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":5},"reward":{"type":"ITEM","rewardId":"sword","quantity":1},"prerequisites":["g1","g1"]}]},
 {"challengeId":"c2","name":"C2","description":"d","goals":[
 {"goalId":"h1","name":"n","description":"d","eventSource":"statistic","requirement":{"statCode":"wins","operator":">=","targetValue":1},"reward":{"type":"ITEM","rewardId":"x","quantity":1}}]}]}`

type row struct {
	state     string
	attempt   uuid.UUID
	started   time.Time
	claimedAt time.Time
}

// memStore mirrors the SQL semantics of PGStore under one mutex (a statement is atomic).
type memStore struct {
	mu        sync.Mutex
	completed map[string]bool // user/goal
	rows      map[string]*row
	now       func() time.Time
	finishErr error
	aborts    int
	// afterBeginFails runs once when Begin starts nothing (to simulate a concurrent release).
	afterBeginFails func()
}

func newMemStore() *memStore {
	return &memStore{completed: map[string]bool{}, rows: map[string]*row{}, now: time.Now}
}

func key(k Key) string { return k.UserID + "/" + k.GoalID }

func (m *memStore) Begin(_ context.Context, k Key, prereqs []string, attempt uuid.UUID, stale time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ok := m.begin(k, prereqs, attempt, stale)
	if !ok && m.afterBeginFails != nil {
		f := m.afterBeginFails
		m.afterBeginFails = nil
		defer f()
	}
	return ok, nil
}

func (m *memStore) begin(k Key, prereqs []string, attempt uuid.UUID, stale time.Duration) bool {
	if !m.completed[key(k)] {
		return false
	}
	for _, p := range prereqs {
		if !m.completed[k.UserID+"/"+p] {
			return false
		}
	}
	r := m.rows[key(k)]
	switch {
	case r == nil:
		m.rows[key(k)] = &row{state: "claiming", attempt: attempt, started: m.now()}
		return true
	case r.state == "claiming" && r.started.Before(m.now().Add(-stale)):
		r.attempt, r.started = attempt, m.now()
		return true
	}
	return false
}

func (m *memStore) Inspect(_ context.Context, k Key, prereqs []string) (Inspection, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := Inspection{Active: true, Completed: m.completed[key(k)], PrereqsMet: true}
	for _, p := range prereqs {
		in.PrereqsMet = in.PrereqsMet && m.completed[k.UserID+"/"+p]
	}
	if r := m.rows[key(k)]; r != nil {
		in.State, in.ClaimedAt = r.state, r.claimedAt
		if r.state == "claiming" {
			in.Age = m.now().Sub(r.started)
		}
	}
	return in, nil
}

func (m *memStore) Finish(_ context.Context, k Key, attempt uuid.UUID) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finishErr != nil {
		return time.Time{}, m.finishErr
	}
	r := m.rows[key(k)]
	if r == nil {
		r = &row{}
		m.rows[key(k)] = r
	}
	if r.state != "claimed" {
		r.state, r.attempt, r.claimedAt = "claimed", attempt, m.now()
	}
	return r.claimedAt, nil
}

func (m *memStore) Stuck(_ context.Context, stale time.Duration, after StuckPos, limit int) (Stuck, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var st Stuck
	var all []StuckRow
	for k, r := range m.rows {
		if r.state != "claiming" || !r.started.Before(m.now().Add(-stale)) {
			continue
		}
		st.Count++
		st.Oldest = max(st.Oldest, m.now().Sub(r.started))
		user, goal, _ := strings.Cut(k, "/")
		ch := "c1"
		if goal == "h1" {
			ch = "c2"
		}
		all = append(all, StuckRow{Key: Key{Namespace: "test", UserID: user, ChallengeID: ch, GoalID: goal},
			Pos: StuckPos{Started: r.started, UserID: user, GoalID: goal}})
	}
	slices.SortFunc(all, func(a, b StuckRow) int { return comparePos(a.Pos, b.Pos) })
	for _, r := range all {
		if (after == StuckPos{} || comparePos(r.Pos, after) > 0) && len(st.Rows) < limit {
			st.Rows = append(st.Rows, r)
		}
	}
	return st, nil
}

func comparePos(a, b StuckPos) int {
	if c := a.Started.Compare(b.Started); c != 0 {
		return c
	}
	if c := strings.Compare(a.UserID, b.UserID); c != 0 {
		return c
	}
	return strings.Compare(a.GoalID, b.GoalID)
}

func (m *memStore) Abort(_ context.Context, k Key, attempt uuid.UUID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.aborts++
	if r := m.rows[key(k)]; r != nil && r.attempt == attempt && r.state == "claiming" {
		delete(m.rows, key(k))
	}
	return nil
}

// scriptedReward fails while fail is set and can block until released.
type scriptedReward struct {
	calls atomic.Int32
	fail  atomic.Bool
	gate  chan struct{}
	keys  sync.Map
}

func (s *scriptedReward) Grant(ctx context.Context, g reward.Grant) error {
	s.calls.Add(1)
	s.keys.Store(g.IdempotencyKey, true)
	if s.gate != nil {
		<-s.gate
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if s.fail.Load() {
		return fmt.Errorf("%w: platform said no", reward.ErrRefused)
	}
	return nil
}

func newService(t *testing.T, st Store, rw reward.Client) *Service {
	t.Helper()
	cat, err := challenges.Parse([]byte(catalogJSON))
	require.NoError(t, err)
	return New(Config{Namespace: "test", StaleAfter: 30 * time.Second, RewardTimeout: time.Second, FinishTimeout: time.Second},
		cat, st, rw, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestClaimOutcomes(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	s := newService(t, st, rw)
	ctx := context.Background()

	_, err := s.Claim(ctx, "u", "nope", "g1")
	require.ErrorIs(t, err, ErrChallengeNotFound)
	_, err = s.Claim(ctx, "u", "c1", "nope")
	require.ErrorIs(t, err, ErrGoalNotFound)
	_, err = s.Claim(ctx, "u", "c2", "g1")
	require.ErrorIs(t, err, ErrGoalNotFound, "goal of another challenge")
	_, err = s.Claim(ctx, "u", "c1", "g1")
	require.ErrorIs(t, err, ErrNotCompleted)

	st.completed["u/g2"] = true
	_, err = s.Claim(ctx, "u", "c1", "g2")
	require.ErrorIs(t, err, ErrPrerequisites)

	st.completed["u/g1"] = true
	res, err := s.Claim(ctx, "u", "c1", "g1")
	require.NoError(t, err)
	require.Equal(t, "g1", res.Goal.GoalID)
	require.False(t, res.ClaimedAt.IsZero())
	_, err = s.Claim(ctx, "u", "c1", "g1")
	require.ErrorIs(t, err, ErrAlreadyClaimed)

	// A claimed prerequisite still counts as met.
	_, err = s.Claim(ctx, "u", "c1", "g2")
	require.NoError(t, err)
	require.EqualValues(t, 2, rw.calls.Load())
	_, ok := rw.keys.Load(reward.IdempotencyKey("test", "u", "g1"))
	require.True(t, ok)
}

func TestConcurrentClaimsGrantOnce(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{gate: make(chan struct{})}
	st.completed["u/g1"] = true
	s := newService(t, st, rw)
	var wg sync.WaitGroup
	var okN, conflictN atomic.Int32
	for range 100 {
		wg.Go(func() {
			_, err := s.Claim(context.Background(), "u", "c1", "g1")
			switch {
			case err == nil:
				okN.Add(1)
			case errors.Is(err, ErrInProgress), errors.Is(err, ErrAlreadyClaimed):
				conflictN.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	// Release the single grant only after the others have had time to collide with it.
	time.Sleep(50 * time.Millisecond)
	close(rw.gate)
	wg.Wait()
	require.EqualValues(t, 1, okN.Load())
	require.EqualValues(t, 99, conflictN.Load())
	require.EqualValues(t, 1, rw.calls.Load())
}

func TestRewardFailureLeavesGoalClaimable(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	s := newService(t, st, rw)
	rw.fail.Store(true)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.ErrorIs(t, err, ErrRewardFailed)
	require.Equal(t, 1, st.aborts)
	require.Empty(t, st.rows)

	rw.fail.Store(false)
	_, err = s.Claim(context.Background(), "u", "c1", "g1")
	require.NoError(t, err)
	require.Equal(t, "claimed", st.rows["u/g1"].state)
}

func TestClientDisconnectDoesNotAbortClaim(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{gate: make(chan struct{})}
	st.completed["u/g1"] = true
	s := newService(t, st, rw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := s.Claim(ctx, "u", "c1", "g1"); done <- err }()
	for rw.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel() // the client goes away mid-grant
	close(rw.gate)
	require.NoError(t, <-done)
	require.Equal(t, "claimed", st.rows["u/g1"].state)
}

func TestStaleClaimIsTakenOver(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	st.rows["u/g1"] = &row{state: "claiming", attempt: uuid.New(), started: time.Now().Add(-time.Minute)}
	s := newService(t, st, rw)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.NoError(t, err)

	st.completed["u/h1"] = true
	st.rows["u/h1"] = &row{state: "claiming", attempt: uuid.New(), started: time.Now()}
	_, err = s.Claim(context.Background(), "u", "c2", "h1")
	require.ErrorIs(t, err, ErrInProgress, "a fresh attempt is not taken over")
}

// Begin found a 'claiming' row that was released before Inspect looked: the claim retries
// instead of wrongly answering "prerequisites not met".
func TestReleasedBetweenBeginAndInspectRetries(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	other := uuid.New()
	st.rows["u/g1"] = &row{state: "claiming", attempt: other, started: time.Now()}
	st.afterBeginFails = func() { delete(st.rows, "u/g1") }
	s := newService(t, st, rw)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.NoError(t, err)
	require.EqualValues(t, 1, rw.calls.Load())
}

func TestFinishFailureReportsError(t *testing.T) {
	st, rw := newMemStore(), &scriptedReward{}
	st.completed["u/g1"] = true
	st.finishErr = errors.New("db gone")
	s := newService(t, st, rw)
	_, err := s.Claim(context.Background(), "u", "c1", "g1")
	require.Error(t, err)
	require.NotErrorIs(t, err, ErrRewardFailed)
	require.Equal(t, "claiming", st.rows["u/g1"].state, "left to go stale; a retry re-grants with the same idempotency key")
}
