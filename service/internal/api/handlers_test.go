package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/assignments"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
	"github.com/challenge-perf/challenge-perf/service/internal/claims"
	"github.com/challenge-perf/challenge-perf/service/internal/progress"
)

// fakeProgress serves per-user facts from memory.
type fakeProgress struct {
	mu    sync.Mutex
	fill  map[string]func(*progress.State)
	err   error
	panic bool
}

func (f *fakeProgress) Load(_ context.Context, user string, st *progress.State) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("boom")
	}
	if f.err != nil {
		return f.err
	}
	if fill := f.fill[user]; fill != nil {
		fill(st)
	}
	return nil
}

// fakeClaimer returns a scripted outcome.
type fakeClaimer struct {
	cat *challenges.Catalog
	err error
	got []string
}

func (f *fakeClaimer) Claim(_ context.Context, user, ch, goal string) (claims.Result, error) {
	f.got = append(f.got, user+"/"+ch+"/"+goal)
	if f.err != nil {
		return claims.Result{}, f.err
	}
	g, _ := f.cat.Goal(goal)
	return claims.Result{Goal: g, ClaimedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
}

// fakeAssigner records set-active calls.
type fakeAssigner struct {
	calls []assignments.Change
	err   error
}

func (f *fakeAssigner) SetActive(_ context.Context, c assignments.Change) (time.Time, error) {
	f.calls = append(f.calls, c)
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), f.err
}

type testAPI struct {
	srv     *httptest.Server
	prog    *fakeProgress
	claims  *fakeClaimer
	players *fakePlayers
	assign  *fakeAssigner
	health  error
	reg     *prometheus.Registry
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	cat := perfCatalog(t)
	ta := &testAPI{prog: &fakeProgress{fill: map[string]func(*progress.State){}}, claims: &fakeClaimer{cat: cat},
		players: &fakePlayers{at: map[string]time.Time{}}, assign: &fakeAssigner{}, reg: prometheus.NewRegistry()}
	h, err := New(Config{
		BasePath: "/challenge", Catalog: cat, Auth: auth.MockHeader{}, Progress: ta.prog, Claims: ta.claims,
		Players: ta.players, Assignments: ta.assign, Namespace: "test",
		Health: func(context.Context) error { return ta.health }, Registerer: ta.reg,
	})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.MaxHeaderBytes = 16 << 10
	srv.Start()
	t.Cleanup(srv.Close)
	ta.srv = srv
	return ta
}

func (ta *testAPI) do(t *testing.T, method, path, user, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ta.srv.URL+path, rd)
	require.NoError(t, err)
	if user != "" {
		req.Header.Set(auth.MockUserHeader, user)
	}
	resp, err := ta.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var v map[string]any
	if method != http.MethodHead && len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &v), "body %q", raw)
	}
	return resp.StatusCode, v, resp.Header
}

func TestListEmptyUser(t *testing.T) {
	ta := newTestAPI(t)
	code, body, hdr := ta.do(t, "GET", "/challenge/v1/challenges", "user-1", "")
	require.Equal(t, 200, code)
	require.Equal(t, "application/json", hdr.Get("Content-Type"))
	chs := body["challenges"].([]any)
	require.Len(t, chs, 10)
	g := chs[0].(map[string]any)["goals"].([]any)[0].(map[string]any)
	require.Equal(t, "not_started", g["status"])
	require.EqualValues(t, 0, g["progress"])
	require.Equal(t, "", g["completedAt"], "the reference's empty time")
	require.Equal(t, true, g["isActive"])
	require.Equal(t, false, g["locked"])
	require.Equal(t, []any{}, g["prerequisites"])
	require.Equal(t, map[string]any{"statCode": "login_count", "operator": ">=", "targetValue": 1.0}, g["requirement"])
}

func TestListWithProgressAndActiveOnly(t *testing.T) {
	ta := newTestAPI(t)
	ta.prog.fill["u"] = func(s *progress.State) {
		s.SetStat("wins", 3, 3, []time.Time{time.Unix(1000, 0), time.Unix(1001, 0), time.Unix(1002, 0)})
	}
	code, body, _ := ta.do(t, "GET", "/challenge/v1/challenges", "u", "")
	require.Equal(t, 200, code)
	goals := body["challenges"].([]any)[8].(map[string]any)["goals"].([]any)
	require.Equal(t, "completed", goals[0].(map[string]any)["status"])
	require.Equal(t, "1970-01-01T00:16:40Z", goals[0].(map[string]any)["completedAt"])
	require.EqualValues(t, 3, goals[0].(map[string]any)["progress"], "the value as shown, not capped at the target")
	require.Equal(t, "in_progress", goals[3].(map[string]any)["status"])
	require.EqualValues(t, 3, goals[3].(map[string]any)["progress"])

	// active_only=true keeps the goals assigned and active: every goal, for every player.
	_, all, _ := ta.do(t, "GET", "/challenge/v1/challenges", "u", "")
	code, body, _ = ta.do(t, "GET", "/challenge/v1/challenges?active_only=true", "u", "")
	require.Equal(t, 200, code)
	require.Equal(t, all, body)
	code, body, _ = ta.do(t, "GET", "/challenge/v1/challenges?active_only=true", "nobody", "")
	require.Equal(t, 200, code)
	require.Len(t, body["challenges"], 10)

	code, body, _ = ta.do(t, "GET", "/challenge/v1/challenges?active_only=maybe", "u", "")
	require.Equal(t, 400, code)
	require.Equal(t, CodeBadRequest, reason(body))
}

func TestListErrors(t *testing.T) {
	ta := newTestAPI(t)
	code, body, hdr := ta.do(t, "GET", "/challenge/v1/challenges", "", "")
	require.Equal(t, 401, code)
	require.Equal(t, CodeUnauthorized, reason(body))
	require.Equal(t, "Bearer", hdr.Get("WWW-Authenticate"))

	code, _, _ = ta.do(t, "GET", "/challenge/v1/challenges", "bad user", "")
	require.Equal(t, 401, code)

	ta.prog.err = errors.New("db down")
	code, body, _ = ta.do(t, "GET", "/challenge/v1/challenges", "u", "")
	require.Equal(t, 503, code)
	require.Equal(t, CodeUnavailable, reason(body))

	ta.prog.err, ta.prog.panic = nil, true
	code, body, _ = ta.do(t, "GET", "/challenge/v1/challenges", "u", "")
	require.Equal(t, 500, code)
	require.Equal(t, CodeInternal, reason(body))
}

func TestRoutingErrorsAreJSON(t *testing.T) {
	ta := newTestAPI(t)
	cases := []struct {
		method, path string
		want         int
	}{
		{"POST", "/challenge/v1/challenges", 405},
		{"DELETE", "/challenge/v1/challenges", 405},
		{"GET", "/challenge/v1/challenges/c/goals/g/claim", 405},
		{"PUT", "/challenge/healthz", 405},
		{"GET", "/challenge/v1/nothing", 404},
		{"GET", "/", 404},
		{"GET", "/challenge/v1/challenges/x/goals", 404},
		{"GET", "/" + strings.Repeat("a", 5000), 404},
	}
	for _, c := range cases {
		code, body, _ := ta.do(t, c.method, c.path, "u", "")
		require.Equal(t, c.want, code, "%s %s", c.method, c.path)
		require.NotEmpty(t, reason(body), "%s %s", c.method, c.path)
	}
	// An oversized header block is refused by the server before any handler: still a 4xx.
	req, _ := http.NewRequest("GET", ta.srv.URL+"/challenge/v1/challenges", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 64<<10))
	resp, err := ta.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 431, resp.StatusCode)
}

func TestClaimHandler(t *testing.T) {
	ta := newTestAPI(t)
	path := "/challenge/v1/challenges/challenge-001/goals/challenge-001-goal-01/claim"
	for _, body := range []string{"", "null", "{}", " { } ", "\n"} {
		code, resp, _ := ta.do(t, "POST", path, "u", body)
		require.Equal(t, 200, code, "body %q", body)
		require.Equal(t, map[string]any{
			"goalId": "challenge-001-goal-01", "status": "claimed",
			"reward":    map[string]any{"type": "WALLET", "rewardId": "GEMS", "quantity": 10.0},
			"claimedAt": "2026-01-02T03:04:05Z",
		}, resp)
	}
	require.Equal(t, "u/challenge-001/challenge-001-goal-01", ta.claims.got[0])

	for _, body := range []string{`{"a":1}`, `[]`, `"x"`, `{`, `null null`, `{} {}`, `1`} {
		code, resp, _ := ta.do(t, "POST", path, "u", body)
		require.Equal(t, 400, code, "body %q", body)
		require.Equal(t, CodeBadRequest, reason(resp))
	}
	code, resp, _ := ta.do(t, "POST", path, "u", `{"pad":"`+strings.Repeat("x", 2000)+`"}`)
	require.Equal(t, 413, code)
	require.Equal(t, CodeRequestTooLarge, reason(resp))

	code, _, _ = ta.do(t, "POST", path, "", "")
	require.Equal(t, 401, code)
	code, resp, _ = ta.do(t, "POST", "/challenge/v1/challenges/"+strings.Repeat("c", 200)+"/goals/g/claim", "u", "")
	require.Equal(t, 404, code)
	require.Equal(t, CodeGoalNotFound, reason(resp))

	mapping := map[error][2]any{
		claims.ErrChallengeNotFound:                 {404, CodeChallengeNotFound},
		claims.ErrGoalNotFound:                      {404, CodeGoalNotFound},
		claims.ErrNotCompleted:                      {400, CodeGoalNotCompleted},
		claims.ErrPrerequisites:                     {400, CodePrerequisitesNotMet},
		claims.ErrAlreadyClaimed:                    {409, CodeAlreadyClaimed},
		claims.ErrInProgress:                        {202, CodeClaimInProgress},
		claims.ErrRewardUnknown:                     {202, CodeClaimInProgress},
		fmt.Errorf("%w: x", claims.ErrRewardFailed): {502, CodeRewardFailed},
		errors.New("connection refused"):            {503, CodeUnavailable},
	}
	for err, want := range mapping {
		ta.claims.err = err
		code, resp, _ := ta.do(t, "POST", path, "u", "")
		require.Equal(t, want[0], code, "%v", err)
		if code == 202 { // a pending claim answers 202 with its own body, not an error body
			require.Equal(t, want[1], resp["errorCode"], "%v", err)
		} else {
			require.Equal(t, want[1], reason(resp), "%v", err)
		}
		require.NotEmpty(t, resp["message"])
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ta := newTestAPI(t)
	for _, p := range []string{"/healthz", "/challenge/healthz"} {
		code, body, _ := ta.do(t, "GET", p, "", "")
		require.Equal(t, 200, code)
		require.Equal(t, "healthy", body["status"])
	}
	ta.health = errors.New("down")
	code, body, _ := ta.do(t, "GET", "/challenge/healthz", "", "")
	require.Equal(t, 503, code)
	require.Equal(t, "unhealthy", body["status"])

	ta.do(t, "GET", "/challenge/v1/challenges", "u", "")
	ta.do(t, "GET", "/challenge/v1/challenges", "", "")
	require.Equal(t, 1.0, counterValue(t, ta.reg, "GET /challenge/v1/challenges", "200"))
	require.Equal(t, 1.0, counterValue(t, ta.reg, "GET /challenge/v1/challenges", "401"))
}

func counterValue(t *testing.T, reg *prometheus.Registry, route, code string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "http_requests_total" {
			continue
		}
		for _, m := range mf.Metric {
			labels := map[string]string{}
			for _, l := range m.Label {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no http_requests_total{route=%q,code=%q}", route, code)
	return 0
}

// BenchmarkListHandler measures the whole request path minus network and database: routing,
// metrics, header auth, state pooling, rendering and writing.
func BenchmarkListHandler(b *testing.B) {
	cat := perfCatalog(b)
	prog := &fakeProgress{fill: map[string]func(*progress.State){
		"u": func(s *progress.State) {
			s.SetStat(challenges.LoginStatKey, 7, 7, []time.Time{time.Unix(1000, 0)})
			s.SetStat("wins", 12, 12, nil)
			s.SetClaim("challenge-001-goal-01", progress.ClaimClaimed, time.Unix(2000, 0))
		},
	}}
	h, err := New(Config{BasePath: "/challenge", Catalog: cat, Auth: auth.MockHeader{}, Progress: prog,
		Claims: &fakeClaimer{cat: cat}, Players: &fakePlayers{}, Assignments: &fakeAssigner{},
		Health: func(context.Context) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	for _, user := range []string{"u", "empty"} {
		b.Run(user, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/challenge/v1/challenges", nil)
			req.Header.Set(auth.MockUserHeader, user)
			b.ReportAllocs()
			for b.Loop() {
				rec := &discardWriter{h: http.Header{}}
				h.ServeHTTP(rec, req)
				if rec.code != 200 {
					b.Fatal(rec.code)
				}
			}
		})
	}
}

type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(c int)           { d.code = c }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
