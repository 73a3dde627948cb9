package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/challenge-perf/challenge-perf/contract/challenges"
	"github.com/challenge-perf/challenge-perf/service/internal/auth"
	"github.com/challenge-perf/challenge-perf/service/internal/claims"
)

// hinted is an in-progress outcome with a retry hint, as claims returns it.
type hinted struct {
	err   error
	after time.Duration
}

func (h hinted) Error() string             { return h.err.Error() }
func (h hinted) Unwrap() error             { return h.err }
func (h hinted) RetryAfter() time.Duration { return h.after }

// Issue 23.7: a claim whose outcome is not known yet (the grant may still happen) is answered as
// what it is, in progress: 202 with a Retry-After hint, never a 502 "still claimable". A claim that
// meets one in progress answers the same.
func TestClaimInProgressIsAccepted(t *testing.T) {
	ta := newTestAPI(t)
	path := "/challenge/v1/challenges/challenge-001/goals/challenge-001-goal-01/claim"
	for name, tc := range map[string]struct {
		err   error
		retry string
	}{
		"unknown outcome":          {hinted{fmt.Errorf("%w: timeout", claims.ErrRewardUnknown), 58 * time.Second}, "58"},
		"unknown outcome, no hint": {claims.ErrRewardUnknown, "1"},
		"in progress":              {hinted{claims.ErrInProgress, 1500 * time.Millisecond}, "2"},
	} {
		ta.claims.err = tc.err
		code, body, hdr := ta.do(t, "POST", path, "u", "")
		require.Equal(t, http.StatusAccepted, code, name)
		require.Equal(t, tc.retry, hdr.Get("Retry-After"), name)
		require.Equal(t, "challenge-001-goal-01", body["goalId"], name)
		require.Equal(t, "claiming", body["status"], name)
		require.Equal(t, CodeClaimInProgress, body["errorCode"], name)
		require.Nil(t, body["claimedAt"], name)
		require.NotEmpty(t, body["message"], name)
		require.EqualValues(t, mustAtoi(t, tc.retry), body["retryAfterSeconds"], name)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscan(s, &n)
	require.NoError(t, err)
	return n
}

// slowClaimer answers after delay and says how long a claim's answer may take at most.
type slowClaimer struct {
	cat   *challenges.Catalog
	delay time.Duration
	limit time.Duration
}

func (s *slowClaimer) Claim(context.Context, string, string, string) (claims.Result, error) {
	time.Sleep(s.delay)
	g, _ := s.cat.Goal("challenge-001-goal-01")
	return claims.Result{Goal: g, ClaimedAt: time.Now()}, nil
}

func (s *slowClaimer) ResponseTimeout() time.Duration { return s.limit }

// Issue 23.7: the server's write timeout (30 s in cmd/challenge-service) was shorter than a
// worst-case claim (REWARD_ATTEMPTS × REWARD_TIMEOUT + backoff + recording, 40 s by default): the
// client lost the answer of a claim that went through. The claim route now sets its own write
// deadline from the claim's bound; here a 200 ms server write timeout and a 600 ms claim.
func TestClaimAnswerOutlivesTheServerWriteTimeout(t *testing.T) {
	cat := perfCatalog(t)
	h, err := New(Config{BasePath: "/challenge", Catalog: cat, Auth: auth.MockHeader{}, Progress: &fakeProgress{},
		Claims:  &slowClaimer{cat: cat, delay: 600 * time.Millisecond, limit: 5 * time.Second},
		Players: &fakePlayers{}, Assignments: &fakeAssigner{}, Health: func(context.Context) error { return nil }})
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = 200 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	req, _ := http.NewRequest("POST", srv.URL+"/challenge/v1/challenges/challenge-001/goals/challenge-001-goal-01/claim", nil)
	req.Header.Set(auth.MockUserHeader, "u")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err, "the answer of a claim that went through must reach the client")
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, "%s", raw)
	var body map[string]any
	require.NoError(t, json.Unmarshal(raw, &body))
	require.Equal(t, "claimed", body["status"])

	// Other routes keep the server's write timeout.
	req, _ = http.NewRequest("GET", srv.URL+"/challenge/healthz", nil)
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
}
