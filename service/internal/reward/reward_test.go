package reward

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

func TestIdempotencyKeyStable(t *testing.T) {
	a := IdempotencyKey("test", "u1", "g1")
	require.Equal(t, a, IdempotencyKey("test", "u1", "g1"))
	require.NotEqual(t, a, IdempotencyKey("test", "u1", "g2"))
	require.NotEqual(t, IdempotencyKey("test", "u1g", "1"), IdempotencyKey("test", "u1", "g1"), "fields are separated")
}

func TestAGSRequests(t *testing.T) {
	type seen struct {
		method, path, idem, authz string
		body                      any
	}
	var got []seen
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body any
		_ = json.Unmarshal(raw, &body)
		got = append(got, seen{r.Method, r.URL.EscapedPath(), r.Header.Get("Idempotency-Key"), r.Header.Get("Authorization"), body})
		if fail {
			http.Error(w, `{"errorCode":20000}`, http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	c := NewAGS(srv.URL+"/", func(context.Context) (string, error) { return "tok", nil }, time.Second)
	ctx := context.Background()

	require.NoError(t, c.Grant(ctx, Grant{Namespace: "test", UserID: "u/1", GoalID: "g1", Type: "ITEM", RewardID: "sword", Quantity: 2, IdempotencyKey: "k1"}))
	require.NoError(t, c.Grant(ctx, Grant{Namespace: "test", UserID: "u1", GoalID: "g2", Type: "WALLET", RewardID: "GEMS", Quantity: 50, IdempotencyKey: "k2"}))
	require.Equal(t, seen{"POST", "/platform/admin/namespaces/test/users/u%2F1/entitlements", "k1", "Bearer tok",
		[]any{map[string]any{"itemId": "sword", "itemNamespace": "test", "quantity": 2.0, "source": "REWARD"}}}, got[0])
	require.Equal(t, seen{"PUT", "/platform/admin/namespaces/test/users/u1/wallets/GEMS/credit", "k2", "Bearer tok",
		map[string]any{"amount": 50.0, "source": "REWARD", "reason": "challenge goal g2"}}, got[1])

	fail = true
	err := c.Grant(ctx, Grant{Namespace: "test", UserID: "u1", GoalID: "g2", Type: "WALLET", RewardID: "GEMS", Quantity: 1})
	require.ErrorContains(t, err, "HTTP 500")
	require.False(t, Refused(err), "a 5xx may hide a grant: unknown outcome")
	require.True(t, Refused(c.Grant(ctx, Grant{Type: "BADGE"})))
}

func TestMockCountsAndFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMock(time.Millisecond, 2*time.Millisecond, 0, reg)
	c := WithMetrics(m, reg)
	ctx := context.Background()
	require.NoError(t, c.Grant(ctx, Grant{UserID: "u", GoalID: "g", Type: "ITEM"}))
	require.NoError(t, c.Grant(ctx, Grant{UserID: "u", GoalID: "g", Type: "ITEM"}))
	require.Equal(t, map[string]int{"g": 2}, m.Grants("u"), "without an idempotency key every call is a new grant")
	m.SetFailureRate(1)
	require.ErrorIs(t, c.Grant(ctx, Grant{UserID: "u", GoalID: "h", Type: "WALLET"}), ErrMockFailure)
	require.Equal(t, int64(2), m.Total())
	var mv dto.Metric
	require.NoError(t, m.granted.Write(&mv))
	require.Equal(t, 2.0, mv.GetCounter().GetValue())

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	slow := NewMock(time.Hour, time.Hour, 0, nil)
	require.ErrorIs(t, slow.Grant(cctx, Grant{}), context.Canceled)

	rec := httptest.NewRecorder()
	m.DebugHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/mock-ags/grants?user=u", nil))
	require.JSONEq(t, `{"user":"u","grants":{"g":2},"total":2}`, rec.Body.String())
	rec = httptest.NewRecorder()
	m.DebugHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/debug/mock-ags/grants", nil))
	require.JSONEq(t, `{"users":["u"],"total":2}`, rec.Body.String())
}

// A 4xx is a definite refusal (safe to release the claim); a timeout is not.
func TestAGSRefusalVersusUnknown(t *testing.T) {
	status := http.StatusBadRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	c := NewAGS(srv.URL, nil, time.Second)
	g := Grant{Namespace: "test", UserID: "u", GoalID: "g", Type: "ITEM", RewardID: "x", Quantity: 1}
	require.True(t, Refused(c.Grant(context.Background(), g)))
	status = http.StatusRequestTimeout
	require.False(t, Refused(c.Grant(context.Background(), g)))
}

// The mock honours idempotency keys like a real platform: a repeated key answers as the first
// grant and is counted once.
func TestMockHonoursIdempotencyKey(t *testing.T) {
	require.True(t, MockHonoursIdempotencyKey, "the declaration this test holds the mock to")
	reg := prometheus.NewRegistry()
	m := NewMock(0, 0, 0, reg)
	ctx := context.Background()
	g := Grant{UserID: "u", GoalID: "g", Type: "ITEM", IdempotencyKey: IdempotencyKey("test", "u", "g")}
	for range 3 {
		require.NoError(t, m.Grant(ctx, g))
	}
	require.Equal(t, map[string]int{"g": 1}, m.Grants("u"))
	var mv dto.Metric
	require.NoError(t, m.replayed.Write(&mv))
	require.Equal(t, 2.0, mv.GetCounter().GetValue())

	// A refused grant is not remembered: the retry with the same key grants.
	m.SetFailureRate(1)
	h := Grant{UserID: "u", GoalID: "h", Type: "ITEM", IdempotencyKey: IdempotencyKey("test", "u", "h")}
	require.True(t, Refused(m.Grant(ctx, h)))
	m.SetFailureRate(0)
	require.NoError(t, m.Grant(ctx, h))
	require.Equal(t, map[string]int{"g": 1, "h": 1}, m.Grants("u"))
}

func TestMockLostReply(t *testing.T) {
	m := NewMock(0, 0, 0, nil)
	m.LoseNextReplies(1)
	g := Grant{UserID: "u", GoalID: "g", Type: "ITEM", IdempotencyKey: "k"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := m.Grant(ctx, g)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.False(t, Refused(err))
	require.Equal(t, map[string]int{"g": 1}, m.Grants("u"), "granted although the caller never heard")
	require.NoError(t, m.Grant(context.Background(), g))
	require.Equal(t, map[string]int{"g": 1}, m.Grants("u"))
}
