package reward

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// MockHonoursIdempotencyKey declares that Mock deduplicates grants by IdempotencyKey, as a
// platform must for a repeated grant to be safe (TestMockHonoursIdempotencyKey holds it to that).
// The service's REWARD_IDEMPOTENT_RETRIES defaults to it with MOCK_AGS=true.
const MockHonoursIdempotencyKey = true

// ErrMockFailure is the injected failure of the mock platform (a definite refusal).
var ErrMockFailure = fmt.Errorf("%w: mock AGS: injected failure", ErrRefused)

// Mock stands in for the platform (MOCK_AGS=true): it waits a uniform random latency, fails with a
// configured probability, and counts grants per (user, goal). Like a real platform it honours the
// idempotency key: a repeated key answers as the first grant did and is not counted again (only
// mock_ags_replays_total), so the counts show what a player actually received.
type Mock struct {
	minLatency, maxLatency time.Duration
	failureRate            float64

	mu          sync.Mutex
	grants      map[string]map[string]int // user → goal → grants
	keys        map[string]struct{}       // idempotency keys already granted
	total       int64
	loseReplies int // next grants whose answer is "lost" (tests)

	granted  prometheus.Counter
	failed   prometheus.Counter
	replayed prometheus.Counter
}

// NewMock registers mock_ags_grants_total and mock_ags_failures_total on reg (nil: not registered).
func NewMock(minLatency, maxLatency time.Duration, failureRate float64, reg prometheus.Registerer) *Mock {
	m := &Mock{
		minLatency: minLatency, maxLatency: max(minLatency, maxLatency), failureRate: failureRate,
		grants:   map[string]map[string]int{},
		keys:     map[string]struct{}{},
		granted:  prometheus.NewCounter(prometheus.CounterOpts{Name: "mock_ags_grants_total", Help: "Successful grants made by the mock platform (a repeated idempotency key counts once)."}),
		failed:   prometheus.NewCounter(prometheus.CounterOpts{Name: "mock_ags_failures_total", Help: "Grants the mock platform failed on purpose."}),
		replayed: prometheus.NewCounter(prometheus.CounterOpts{Name: "mock_ags_replays_total", Help: "Grant calls answered from an idempotency key already granted."}),
	}
	if reg != nil {
		reg.MustRegister(m.granted, m.failed, m.replayed)
	}
	return m
}

// SetFailureRate changes the injected failure probability (tests).
func (m *Mock) SetFailureRate(p float64) {
	m.mu.Lock()
	m.failureRate = p
	m.mu.Unlock()
}

func (m *Mock) Grant(ctx context.Context, g Grant) error {
	d := m.minLatency
	if span := m.maxLatency - m.minLatency; span > 0 {
		d += rand.N(span + 1)
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, seen := m.keys[g.IdempotencyKey]; seen && g.IdempotencyKey != "" {
		m.replayed.Inc()
		return nil
	}
	if m.failureRate > 0 && rand.Float64() < m.failureRate {
		m.failed.Inc()
		return ErrMockFailure
	}
	if g.IdempotencyKey != "" {
		m.keys[g.IdempotencyKey] = struct{}{}
	}
	if m.loseReplies > 0 {
		// Granted, but the caller never hears of it: it sees its deadline pass (unknown outcome).
		m.loseReplies--
		m.record(g)
		m.mu.Unlock()
		<-ctx.Done()
		m.mu.Lock()
		return ctx.Err()
	}
	m.record(g)
	return nil
}

// LoseNextReplies makes the next n grants happen but never answer: each call returns only when
// its context ends, like a reply lost on the network (tests of unknown outcomes).
func (m *Mock) LoseNextReplies(n int) {
	m.mu.Lock()
	m.loseReplies = n
	m.mu.Unlock()
}

func (m *Mock) record(g Grant) {
	per := m.grants[g.UserID]
	if per == nil {
		per = map[string]int{}
		m.grants[g.UserID] = per
	}
	per[g.GoalID]++
	m.total++
	m.granted.Inc()
}

// Grants returns a copy of one user's successful grant counts by goal.
func (m *Mock) Grants(userID string) map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]int, len(m.grants[userID]))
	for g, n := range m.grants[userID] {
		out[g] = n
	}
	return out
}

// Total is the number of successful grants over all users.
func (m *Mock) Total() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

// DebugHandler serves GET /debug/mock-ags/grants?user=U →
// {"user":U,"grants":{"goalId":n},"total":n} (total over that user), or, without user, the users
// that received grants and the global total.
func (m *Mock) DebugHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, `{"errorCode":"METHOD_NOT_ALLOWED","message":"use GET"}`, http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		user := r.URL.Query().Get("user")
		if user == "" {
			m.mu.Lock()
			users := make([]string, 0, len(m.grants))
			for u := range m.grants {
				users = append(users, u)
			}
			total := m.total
			m.mu.Unlock()
			sort.Strings(users)
			_ = json.NewEncoder(w).Encode(map[string]any{"users": users, "total": total})
			return
		}
		grants := m.Grants(user)
		total := 0
		for _, n := range grants {
			total += n
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"user": user, "grants": grants, "total": total})
	})
}
